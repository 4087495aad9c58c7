"""Slack's documented limits, checked without a server: every row of the table has a case.

Each case builds a view or message from one number: at the documented value it must pass, one
past it (one short of it, for a minimum) it must fail with exactly one violation, at the
expected JSON pointer. A row added to ``LIMITS`` without a case here fails
``test_every_limit_has_a_boundary_case``; the fake's own tests replay these cases over HTTP.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import pytest

from hr_plugin.testing.slack_limits import LIMITS, Violation, check_blocks, check_message, check_view

Payload = dict[str, Any]
Target = Literal["modal", "home", "message"]


@dataclass(frozen=True)
class Case:
    """One limit's boundary: ``build(n)`` gives the surface and its payload for the number n."""

    target: Target
    build: Callable[[int], Payload]
    pointer: str
    minimum: bool = False  # the row is a lower bound: n - 1 breaks it

    def valid(self) -> Payload:
        return self.build(LIMITS[self.name].value)

    def broken(self) -> Payload:
        value = LIMITS[self.name].value
        return self.build(value - 1 if self.minimum else value + 1)

    @property
    def name(self) -> str:
        return next(name for name, case in CASES.items() if case is self)


def check(target: Target, payload: Payload) -> list[Violation]:
    """The violations of a payload on its surface: a view for modal/home, else a message."""
    if target == "message":
        return check_message(payload)
    return check_view(payload, surface=target)


# -- building blocks --------------------------------------------------------------------------


def plain(text: str) -> Payload:
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> Payload:
    return {"type": "mrkdwn", "text": text}


def section(text: str = "hello", **extra: Any) -> Payload:
    return {"type": "section", "text": mrkdwn(text), **extra}


def option(number: int, *, text: str | None = None, value: str | None = None, **extra: Any) -> Payload:
    return {"text": plain(text or f"Option {number}"), "value": value or f"v{number}", **extra}


def options(count: int) -> list[Payload]:
    return [option(number) for number in range(count)]


def button(**extra: Any) -> Payload:
    return {"type": "button", "text": plain("Go"), "action_id": "go", **extra}


def actions(*elements: Payload) -> Payload:
    return {"type": "actions", "elements": list(elements)}


def input_block(
    element: Payload, *, label: str = "Your answer", block_id: str = "answer", **extra: Any
) -> Payload:
    return {"type": "input", "block_id": block_id, "label": plain(label), "element": element, **extra}


def select(kind: str = "static_select", **extra: Any) -> Payload:
    return {"type": kind, "action_id": "pick", **extra}


def message(*blocks: Payload, text: str = "fallback") -> Payload:
    return {"text": text, "blocks": list(blocks)}


def modal(*blocks: Payload, **extra: Any) -> Payload:
    view: Payload = {
        "type": "modal",
        "title": plain("Settings"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "blocks": list(blocks) or [section()],
    }
    view.update(extra)
    return view


def home(*blocks: Payload) -> Payload:
    return {"type": "home", "blocks": list(blocks)}


def url(length: int) -> str:
    prefix = "https://example.com/"
    return prefix + "a" * (length - len(prefix))


def confirm(**changed: str) -> Payload:
    texts = {"title": "Sure?", "text": "This cannot be undone.", "confirm": "Yes", "deny": "No", **changed}
    return {
        "title": plain(texts["title"]),
        "text": mrkdwn(texts["text"]),
        "confirm": plain(texts["confirm"]),
        "deny": plain(texts["deny"]),
    }


def groups(count: int, per_group: int = 1) -> list[Payload]:
    return [
        {"label": plain(f"Group {g}"), "options": [option(g * 1000 + n) for n in range(per_group)]}
        for g in range(count)
    ]


# -- one boundary case per row of the table ---------------------------------------------------

CASES: dict[str, Case] = {
    "message.blocks.max": Case("message", lambda n: message(*[section() for _ in range(n)]), "/blocks"),
    "modal.blocks.max": Case("modal", lambda n: modal(*[section() for _ in range(n)]), "/view/blocks"),
    "home.blocks.max": Case("home", lambda n: home(*[section() for _ in range(n)]), "/view/blocks"),
    "message.text.max": Case("message", lambda n: {"text": "x" * n}, "/text"),
    "view.title.max": Case("modal", lambda n: modal(title=plain("t" * n)), "/view/title/text"),
    "view.submit.max": Case("modal", lambda n: modal(submit=plain("s" * n)), "/view/submit/text"),
    "view.close.max": Case("modal", lambda n: modal(close=plain("c" * n)), "/view/close/text"),
    "view.private_metadata.max": Case(
        "modal", lambda n: modal(private_metadata="m" * n), "/view/private_metadata"
    ),
    "view.callback_id.max": Case(
        "home", lambda n: {**home(section()), "callback_id": "c" * n}, "/view/callback_id"
    ),
    "view.external_id.max": Case("modal", lambda n: modal(external_id="e" * n), "/view/external_id"),
    "block_id.max": Case("message", lambda n: message(section(block_id="b" * n)), "/blocks/0/block_id"),
    "action_id.max": Case(
        "message", lambda n: message(actions(button(action_id="a" * n))), "/blocks/0/elements/0/action_id"
    ),
    "section.text.max": Case("message", lambda n: message(section("y" * n)), "/blocks/0/text/text"),
    "section.fields.max": Case(
        "message",
        lambda n: message({"type": "section", "fields": [mrkdwn(f"f{i}") for i in range(n)]}),
        "/blocks/0/fields",
    ),
    "section.field.max": Case(
        "message",
        lambda n: message({"type": "section", "fields": [mrkdwn("f" * n)]}),
        "/blocks/0/fields/0/text",
    ),
    "header.text.max": Case(
        "home", lambda n: home({"type": "header", "text": plain("h" * n)}), "/view/blocks/0/text/text"
    ),
    "context.elements.max": Case(
        "message",
        lambda n: message({"type": "context", "elements": [mrkdwn(f"c{i}") for i in range(n)]}),
        "/blocks/0/elements",
    ),
    "actions.elements.max": Case(
        "message",
        lambda n: message(actions(*[button(action_id=f"go-{i}") for i in range(n)])),
        "/blocks/0/elements",
    ),
    "input.label.max": Case(
        "modal",
        lambda n: modal(input_block({"type": "plain_text_input"}, label="l" * n)),
        "/view/blocks/0/label/text",
    ),
    "input.hint.max": Case(
        "modal",
        lambda n: modal(input_block({"type": "plain_text_input"}, hint=plain("h" * n))),
        "/view/blocks/0/hint/text",
    ),
    "image.alt_text.max": Case(
        "message",
        lambda n: message({"type": "image", "image_url": url(40), "alt_text": "a" * n}),
        "/blocks/0/alt_text",
    ),
    "image.title.max": Case(
        "message",
        lambda n: message(
            {"type": "image", "image_url": url(40), "alt_text": "chart", "title": plain("t" * n)}
        ),
        "/blocks/0/title/text",
    ),
    "text.min": Case("message", lambda n: message(section("z" * n)), "/blocks/0/text/text", minimum=True),
    "text.max": Case(
        "message",
        lambda n: message({"type": "context", "elements": [mrkdwn("c" * n)]}),
        "/blocks/0/elements/0/text",
    ),
    "url.max": Case("message", lambda n: message(actions(button(url=url(n)))), "/blocks/0/elements/0/url"),
    "button.text.max": Case(
        "message", lambda n: message(actions(button(text=plain("b" * n)))), "/blocks/0/elements/0/text/text"
    ),
    "button.value.max": Case(
        "message", lambda n: message(actions(button(value="v" * n))), "/blocks/0/elements/0/value"
    ),
    "button.accessibility_label.max": Case(
        "message",
        lambda n: message(actions(button(accessibility_label="a" * n))),
        "/blocks/0/elements/0/accessibility_label",
    ),
    "placeholder.max": Case(
        "modal",
        lambda n: modal(input_block(select(placeholder=plain("p" * n), options=options(2)))),
        "/view/blocks/0/element/placeholder/text",
    ),
    "checkboxes.options.max": Case(
        "modal",
        lambda n: modal(input_block({"type": "checkboxes", "action_id": "tags", "options": options(n)})),
        "/view/blocks/0/element/options",
    ),
    "radio_buttons.options.max": Case(
        "modal",
        lambda n: modal(input_block({"type": "radio_buttons", "action_id": "one", "options": options(n)})),
        "/view/blocks/0/element/options",
    ),
    "static_select.options.max": Case(
        "modal", lambda n: modal(input_block(select(options=options(n)))), "/view/blocks/0/element/options"
    ),
    "static_select.option_groups.max": Case(
        "modal",
        lambda n: modal(input_block(select(option_groups=groups(n)))),
        "/view/blocks/0/element/option_groups",
    ),
    "multi_static_select.options.max": Case(
        "modal",
        lambda n: modal(input_block(select("multi_static_select", options=options(n)))),
        "/view/blocks/0/element/options",
    ),
    "multi_static_select.option_groups.max": Case(
        "modal",
        lambda n: modal(input_block(select("multi_static_select", option_groups=groups(n)))),
        "/view/blocks/0/element/option_groups",
    ),
    "multi_select.max_selected_items.min": Case(
        "modal",
        lambda n: modal(input_block(select("multi_static_select", options=options(3), max_selected_items=n))),
        "/view/blocks/0/element/max_selected_items",
        minimum=True,
    ),
    "overflow.options.min": Case(
        "message",
        lambda n: message(actions({"type": "overflow", "action_id": "more", "options": options(n)})),
        "/blocks/0/elements/0/options",
        minimum=True,
    ),
    "overflow.options.max": Case(
        "message",
        lambda n: message(actions({"type": "overflow", "action_id": "more", "options": options(n)})),
        "/blocks/0/elements/0/options",
    ),
    "plain_text_input.max_length.min": Case(
        "modal",
        lambda n: modal(input_block({"type": "plain_text_input", "max_length": n})),
        "/view/blocks/0/element/max_length",
        minimum=True,
    ),
    "plain_text_input.max_length.max": Case(
        "modal",
        lambda n: modal(input_block({"type": "plain_text_input", "max_length": n})),
        "/view/blocks/0/element/max_length",
    ),
    "plain_text_input.min_length.max": Case(
        "modal",
        lambda n: modal(input_block({"type": "plain_text_input", "min_length": n})),
        "/view/blocks/0/element/min_length",
    ),
    "option.text.max": Case(
        "modal",
        lambda n: modal(input_block({"type": "checkboxes", "options": [option(1, text="o" * n)]})),
        "/view/blocks/0/element/options/0/text/text",
    ),
    "option.description.max": Case(
        "modal",
        lambda n: modal(
            input_block({"type": "checkboxes", "options": [option(1, description=plain("d" * n))]})
        ),
        "/view/blocks/0/element/options/0/description/text",
    ),
    "option.value.max": Case(
        "modal",
        lambda n: modal(input_block({"type": "radio_buttons", "options": [option(1, value="v" * n)]})),
        "/view/blocks/0/element/options/0/value",
    ),
    "option_group.label.max": Case(
        "modal",
        lambda n: modal(
            input_block(select(option_groups=[{"label": plain("g" * n), "options": options(1)}]))
        ),
        "/view/blocks/0/element/option_groups/0/label/text",
    ),
    "option_group.options.max": Case(
        "modal",
        lambda n: modal(input_block(select(option_groups=groups(1, per_group=n)))),
        "/view/blocks/0/element/option_groups/0/options",
    ),
    "confirm.title.max": Case(
        "message",
        lambda n: message(actions(button(confirm=confirm(title="t" * n)))),
        "/blocks/0/elements/0/confirm/title/text",
    ),
    "confirm.text.max": Case(
        "message",
        lambda n: message(actions(button(confirm=confirm(text="t" * n)))),
        "/blocks/0/elements/0/confirm/text/text",
    ),
    "confirm.confirm.max": Case(
        "message",
        lambda n: message(actions(button(confirm=confirm(confirm="y" * n)))),
        "/blocks/0/elements/0/confirm/confirm/text",
    ),
    "confirm.deny.max": Case(
        "message",
        lambda n: message(actions(button(confirm=confirm(deny="n" * n)))),
        "/blocks/0/elements/0/confirm/deny/text",
    ),
}


def test_every_limit_has_a_boundary_case() -> None:
    assert set(CASES) == set(LIMITS)


def test_every_limit_names_its_slack_source() -> None:
    for name, limit in LIMITS.items():
        assert limit.source.startswith("https://docs.slack.dev/reference/"), name
        assert limit.description, name
        assert limit.value > 0 or name == "text.min", name


@pytest.mark.parametrize("name", sorted(CASES))
def test_at_the_limit_passes(name: str) -> None:
    case = CASES[name]
    assert check(case.target, case.valid()) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_past_the_limit_is_one_violation_where_slack_points(name: str) -> None:
    case = CASES[name]
    violations = check(case.target, case.broken())

    assert [violation.pointer for violation in violations] == [case.pointer]
    [violation] = violations
    assert violation.message.startswith("[ERROR] ")
    assert violation.message.endswith(f"[json-pointer:{case.pointer}]")
    expected = {"message": "invalid_blocks", "modal": "invalid_arguments", "home": "invalid_arguments"}
    assert violation.error == ("msg_too_long" if name == "message.text.max" else expected[case.target])


def test_length_messages_use_slacks_wording() -> None:
    [too_long] = check_message(message(section("y" * 3001)))
    [too_many] = check_view(modal(*[section() for _ in range(101)]), surface="modal")

    assert too_long.message == "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"
    assert too_many.message == "[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]"


# -- the rules that are not a number -----------------------------------------------------------


def tags(**extra: Any) -> Payload:
    return {"type": "checkboxes", "action_id": "tags", "options": options(3), **extra}


RULES: dict[str, tuple[Target, Payload, str]] = {
    "initial option not among the options": (
        "modal",
        modal(input_block({"type": "radio_buttons", "options": options(3), "initial_option": option(7)})),
        "/view/blocks/0/element/initial_option",
    ),
    "initial option with the right value but other text": (
        "modal",
        modal(input_block(select(options=options(3), initial_option=option(1, text="Renamed")))),
        "/view/blocks/0/element/initial_option",
    ),
    "initial options not among the options": (
        "modal",
        modal(input_block(tags(initial_options=[option(0), option(9)]))),
        "/view/blocks/0/element/initial_options/1",
    ),
    "initial option outside the option groups": (
        "modal",
        modal(input_block(select(option_groups=groups(2), initial_option=option(5)))),
        "/view/blocks/0/element/initial_option",
    ),
    "min_length above max_length": (
        "modal",
        modal(input_block({"type": "plain_text_input", "min_length": 50, "max_length": 10})),
        "/view/blocks/0/element/min_length",
    ),
    "duplicate block_id": (
        "message",
        message(section(block_id="x"), section(block_id="x")),
        "/blocks/1/block_id",
    ),
    "duplicate action_id in one block": (
        "message",
        message(actions(button(action_id="a"), button(action_id="a"))),
        "/blocks/0/elements/1/action_id",
    ),
    "unknown block type": ("message", message({"type": "hologram"}), "/blocks/0/type"),
    "input element in an actions block": (
        "message",
        message(actions({"type": "number_input", "is_decimal_allowed": False})),
        "/blocks/0/elements/0/type",
    ),
    "section with neither text nor fields": ("message", message({"type": "section"}), "/blocks/0"),
    "mrkdwn in a button": (
        "message",
        message(actions(button(text=mrkdwn("Go")))),
        "/blocks/0/elements/0/text/type",
    ),
    "url in a checkbox option": (
        "modal",
        modal(input_block({"type": "checkboxes", "options": [option(1, url=url(30))]})),
        "/view/blocks/0/element/options/0/url",
    ),
    "select with both options and groups": (
        "modal",
        modal(input_block(select(options=options(2), option_groups=groups(1)))),
        "/view/blocks/0/element",
    ),
    "modal without a title": ("modal", {"type": "modal", "blocks": [section()]}, "/view/title"),
    "inputs without a submit button": (
        "modal",
        {"type": "modal", "title": plain("Form"), "blocks": [input_block({"type": "plain_text_input"})]},
        "/view/submit",
    ),
    "a home view sent as a modal": ("modal", {**home(section()), "title": plain("Home")}, "/view/type"),
    "a date not as YYYY-MM-DD": (
        "modal",
        modal(input_block({"type": "datepicker", "initial_date": "03/12/2026"})),
        "/view/blocks/0/element/initial_date",
    ),
    "a time not as HH:mm": (
        "modal",
        modal(input_block({"type": "timepicker", "initial_time": "9am"})),
        "/view/blocks/0/element/initial_time",
    ),
    "a number input without is_decimal_allowed": (
        "modal",
        modal(input_block({"type": "number_input"})),
        "/view/blocks/0/element/is_decimal_allowed",
    ),
    "an image without alt_text": (
        "message",
        message({"type": "image", "image_url": url(30)}),
        "/blocks/0/alt_text",
    ),
    "a button style Slack does not have": (
        "message",
        message(actions(button(style="warning"))),
        "/blocks/0/elements/0/style",
    ),
    "attachment blocks past the limit": (
        "message",
        {"text": "x", "attachments": [{"color": "#000000", "blocks": [section("y" * 3001)]}]},
        "/attachments/0/blocks/0/text/text",
    ),
}


@pytest.mark.parametrize("name", sorted(RULES))
def test_rules_without_a_number_are_checked(name: str) -> None:
    target, payload, pointer = RULES[name]
    assert [violation.pointer for violation in check(target, payload)] == [pointer]


def test_initial_options_among_the_options_pass() -> None:
    chosen = modal(
        input_block(tags(initial_options=[option(0), option(2)])),
        input_block(select(option_groups=groups(2), initial_option=option(1000)), block_id="group"),
        input_block(
            {"type": "radio_buttons", "action_id": "one", "options": options(3), "initial_option": option(1)},
            block_id="one",
        ),
    )
    assert check_view(chosen, surface="modal") == []


def test_check_blocks_points_where_it_is_told() -> None:
    [violation] = check_blocks([section("y" * 3001)], surface="home", pointer="/view/blocks")
    assert violation == Violation(
        "invalid_arguments",
        "/view/blocks/0/text/text",
        "[ERROR] must be less than 3001 characters [json-pointer:/view/blocks/0/text/text]",
    )


def test_a_message_without_blocks_is_only_checked_for_its_text() -> None:
    assert check_message({"text": "hello"}) == []
    assert check_message({"text": "hello", "blocks": []}) == []


# The numbers as Slack's reference pages state them (each page is the row's ``source``): the
# boundary cases above follow the table, so this pins the table itself.
DOCUMENTED = {
    "message.blocks.max": 50,
    "modal.blocks.max": 100,
    "home.blocks.max": 100,
    "message.text.max": 40_000,
    "view.title.max": 24,
    "view.submit.max": 24,
    "view.close.max": 24,
    "view.private_metadata.max": 3000,
    "view.callback_id.max": 255,
    "view.external_id.max": 255,
    "block_id.max": 255,
    "action_id.max": 255,
    "section.text.max": 3000,
    "section.fields.max": 10,
    "section.field.max": 2000,
    "header.text.max": 150,
    "context.elements.max": 10,
    "actions.elements.max": 25,
    "input.label.max": 2000,
    "input.hint.max": 2000,
    "image.alt_text.max": 2000,
    "image.title.max": 2000,
    "text.min": 1,
    "text.max": 3000,
    "url.max": 3000,
    "button.text.max": 75,
    "button.value.max": 2000,
    "button.accessibility_label.max": 75,
    "placeholder.max": 150,
    "checkboxes.options.max": 10,
    "radio_buttons.options.max": 10,
    "static_select.options.max": 100,
    "static_select.option_groups.max": 100,
    "multi_static_select.options.max": 100,
    "multi_static_select.option_groups.max": 100,
    "multi_select.max_selected_items.min": 1,
    "overflow.options.min": 2,
    "overflow.options.max": 5,
    "plain_text_input.max_length.min": 1,
    "plain_text_input.max_length.max": 3000,
    "plain_text_input.min_length.max": 3000,
    "option.text.max": 75,
    "option.description.max": 75,
    "option.value.max": 150,
    "option_group.label.max": 75,
    "option_group.options.max": 100,
    "confirm.title.max": 100,
    "confirm.text.max": 300,
    "confirm.confirm.max": 30,
    "confirm.deny.max": 30,
}


def test_the_table_holds_the_documented_values() -> None:
    assert {name: limit.value for name, limit in LIMITS.items()} == DOCUMENTED
