"""Slack's documented Block Kit and surface limits, and pure checks against them.

Why: the fake Slack is the only Slack the tests and the demo ever meet, so every limit it does
not enforce is a place where a real workspace refuses what our tests accepted (12 checkbox
options in one element, an 82-character option description...). ``slack_sdk.models`` knows
only some of these limits, so this module writes them down once, each with the Slack reference
page it comes from (``LIMITS``), and checks views, blocks and messages against them.

The checks are pure (no I/O) and answer with ``Violation`` objects shaped like Slack's own
refusals: ``error`` is the method's error code and ``message`` is the text Slack puts in
``response_metadata.messages`` (``[ERROR] must be less than 76 characters
[json-pointer:/view/blocks/0/element/options/3/text/text]``). Which code: the views methods
document ``invalid_arguments`` (and no ``invalid_blocks``), so everything wrong in a view,
its blocks included, is ``invalid_arguments``; messages answer ``invalid_blocks`` for their
blocks and ``msg_too_long`` for a too-long ``text`` (``chat.postMessage`` reference).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

__all__ = [
    "LIMITS",
    "Limit",
    "Surface",
    "Violation",
    "check_blocks",
    "check_message",
    "check_view",
]

Surface = Literal["modal", "home", "message"]

_REF: Final = "https://docs.slack.dev/reference"
_BLOCKS: Final = f"{_REF}/block-kit/blocks"
_ELEMENTS: Final = f"{_REF}/block-kit/block-elements"
_OBJECTS: Final = f"{_REF}/block-kit/composition-objects"


@dataclass(frozen=True)
class Limit:
    """One documented limit: its value and the Slack reference page that states it."""

    value: int
    source: str
    description: str


@dataclass(frozen=True)
class Violation:
    """One thing Slack would refuse, with the error code and message Slack answers with."""

    error: str  # "invalid_arguments" (views) or "invalid_blocks" (messages); "msg_too_long" for text
    pointer: str  # JSON pointer to the offending value, e.g. /view/blocks/3/element/options
    message: str  # as in response_metadata.messages: "[ERROR] ... [json-pointer:/...]"


def _limit(value: int, page: str, description: str) -> Limit:
    return Limit(value=value, source=page, description=description)


_SECTION = f"{_BLOCKS}/section-block"
_HEADER = f"{_BLOCKS}/header-block"
_CONTEXT = f"{_BLOCKS}/context-block"
_ACTIONS = f"{_BLOCKS}/actions-block"
_INPUT = f"{_BLOCKS}/input-block"
_IMAGE_BLOCK = f"{_BLOCKS}/image-block"
_BUTTON = f"{_ELEMENTS}/button-element"
_CHECKBOXES = f"{_ELEMENTS}/checkboxes-element"
_RADIO = f"{_ELEMENTS}/radio-button-group-element"
_SELECT = f"{_ELEMENTS}/select-menu-element"
_MULTI_SELECT = f"{_ELEMENTS}/multi-select-menu-element"
_OVERFLOW = f"{_ELEMENTS}/overflow-menu-element"
_TEXT_INPUT = f"{_ELEMENTS}/plain-text-input-element"
_OPTION = f"{_OBJECTS}/option-object"
_OPTION_GROUP = f"{_OBJECTS}/option-group-object"
_CONFIRM = f"{_OBJECTS}/confirmation-dialog-object"
_TEXT_OBJECT = f"{_OBJECTS}/text-object"
_MODAL = f"{_REF}/views/modal-views"
_HOME = f"{_REF}/views/home-tab-views"
_VIEWS_OPEN = f"{_REF}/methods/views.open"
_POST_MESSAGE = f"{_REF}/methods/chat.postMessage"

# The table: name -> value, source, what it limits. Every check below reads its numbers here.
LIMITS: Final[Mapping[str, Limit]] = {
    # surfaces
    "message.blocks.max": _limit(50, _BLOCKS, "blocks in one message (or one attachment)"),
    "modal.blocks.max": _limit(100, _MODAL, "blocks in a modal view"),
    "home.blocks.max": _limit(100, _HOME, "blocks in a Home tab view"),
    "message.text.max": _limit(40_000, _POST_MESSAGE, "characters of a message's top-level text"),
    "view.title.max": _limit(24, _MODAL, "characters of a modal's title"),
    "view.submit.max": _limit(24, _MODAL, "characters of a modal's submit button"),
    "view.close.max": _limit(24, _MODAL, "characters of a modal's close button"),
    "view.private_metadata.max": _limit(3000, _MODAL, "characters of private_metadata"),
    "view.callback_id.max": _limit(255, _MODAL, "characters of a view's callback_id"),
    "view.external_id.max": _limit(255, _VIEWS_OPEN, "characters of a view's external_id"),
    # identifiers
    "block_id.max": _limit(255, _SECTION, "characters of a block_id"),
    "action_id.max": _limit(255, _BUTTON, "characters of an action_id"),
    # blocks
    "section.text.max": _limit(3000, _SECTION, "characters of a section's text"),
    "section.fields.max": _limit(10, _SECTION, "fields in a section"),
    "section.field.max": _limit(2000, _SECTION, "characters of each section field"),
    "header.text.max": _limit(150, _HEADER, "characters of a header's text"),
    "context.elements.max": _limit(10, _CONTEXT, "elements in a context block"),
    "actions.elements.max": _limit(25, _ACTIONS, "elements in an actions block"),
    "input.label.max": _limit(2000, _INPUT, "characters of an input block's label"),
    "input.hint.max": _limit(2000, _INPUT, "characters of an input block's hint"),
    "image.alt_text.max": _limit(2000, _IMAGE_BLOCK, "characters of an image block's alt_text"),
    "image.title.max": _limit(2000, _IMAGE_BLOCK, "characters of an image block's title"),
    "text.min": _limit(1, _TEXT_OBJECT, "characters of any text object (empty text is refused)"),
    "text.max": _limit(3000, _TEXT_OBJECT, "characters of a text object where no tighter limit applies"),
    "url.max": _limit(3000, _BUTTON, "characters of a URL (button url, image_url, option url)"),
    # elements
    "button.text.max": _limit(75, _BUTTON, "characters of a button's text"),
    "button.value.max": _limit(2000, _BUTTON, "characters of a button's value"),
    "button.accessibility_label.max": _limit(75, _BUTTON, "characters of a button's accessibility_label"),
    "placeholder.max": _limit(150, _SELECT, "characters of an element's placeholder"),
    "checkboxes.options.max": _limit(10, _CHECKBOXES, "options in a checkboxes element"),
    "radio_buttons.options.max": _limit(10, _RADIO, "options in a radio_buttons element"),
    "static_select.options.max": _limit(100, _SELECT, "options in a static select"),
    "static_select.option_groups.max": _limit(100, _SELECT, "option groups in a static select"),
    "multi_static_select.options.max": _limit(100, _MULTI_SELECT, "options in a multi static select"),
    "multi_static_select.option_groups.max": _limit(
        100, _MULTI_SELECT, "option groups in a multi static select"
    ),
    "multi_select.max_selected_items.min": _limit(1, _MULTI_SELECT, "smallest max_selected_items"),
    "overflow.options.min": _limit(2, _OVERFLOW, "options in an overflow menu, at least"),
    "overflow.options.max": _limit(5, _OVERFLOW, "options in an overflow menu, at most"),
    "plain_text_input.max_length.min": _limit(1, _TEXT_INPUT, "smallest max_length"),
    "plain_text_input.max_length.max": _limit(3000, _TEXT_INPUT, "largest max_length"),
    "plain_text_input.min_length.max": _limit(3000, _TEXT_INPUT, "largest min_length"),
    # composition objects
    "option.text.max": _limit(75, _OPTION, "characters of an option's text"),
    "option.description.max": _limit(75, _OPTION, "characters of an option's description"),
    "option.value.max": _limit(150, _OPTION, "characters of an option's value"),
    "option_group.label.max": _limit(75, _OPTION_GROUP, "characters of an option group's label"),
    "option_group.options.max": _limit(100, _OPTION_GROUP, "options in one option group"),
    "confirm.title.max": _limit(100, _CONFIRM, "characters of a confirmation dialog's title"),
    "confirm.text.max": _limit(300, _CONFIRM, "characters of a confirmation dialog's text"),
    "confirm.confirm.max": _limit(30, _CONFIRM, "characters of a confirmation dialog's confirm button"),
    "confirm.deny.max": _limit(30, _CONFIRM, "characters of a confirmation dialog's deny button"),
}


def _value(name: str) -> int:
    return LIMITS[name].value


# Block and element types Slack knows (Block Kit reference); anything else is refused.
_BLOCK_TYPES: Final = frozenset(
    {
        "actions",
        "context",
        "divider",
        "file",
        "header",
        "image",
        "input",
        "markdown",
        "rich_text",
        "section",
        "video",
        "table",
        "context_actions",
    }
)
_SELECTS: Final = frozenset(
    {
        "static_select",
        "external_select",
        "users_select",
        "conversations_select",
        "channels_select",
        "multi_static_select",
        "multi_external_select",
        "multi_users_select",
        "multi_conversations_select",
        "multi_channels_select",
    }
)
_INPUT_ELEMENTS: Final = _SELECTS | {
    "checkboxes",
    "radio_buttons",
    "datepicker",
    "datetimepicker",
    "timepicker",
    "plain_text_input",
    "email_text_input",
    "url_text_input",
    "number_input",
    "rich_text_input",
    "file_input",
}
_INTERACTIVE_ELEMENTS: Final = _SELECTS | {
    "button",
    "checkboxes",
    "radio_buttons",
    "datepicker",
    "datetimepicker",
    "timepicker",
    "overflow",
    "workflow_button",
    "rich_text_input",
    "plain_text_input",
}
_ACCESSORIES: Final = _INTERACTIVE_ELEMENTS | {"image"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{2}:\d{2}$")


class _Checker:
    """Walks one surface, collecting violations; ``error`` is the code every one carries."""

    def __init__(self, error: str) -> None:
        self.error = error
        self.found: list[Violation] = []

    def add(self, pointer: str, problem: str) -> None:
        self.found.append(Violation(self.error, pointer, f"[ERROR] {problem} [json-pointer:{pointer}]"))

    # -- primitives -------------------------------------------------------------------------

    def string(self, value: Any, pointer: str, limit: str) -> None:
        """A plain string field (ids, values, URLs, metadata) of at most ``LIMITS[limit]``."""
        if value is None:
            return
        if not isinstance(value, str):
            self.add(pointer, "must be a string")
            return
        maximum = _value(limit)
        if len(value) > maximum:
            self.add(pointer, f"must be less than {maximum + 1} characters")

    def text(
        self,
        value: Any,
        pointer: str,
        limit: str = "text.max",
        *,
        plain_only: bool = False,
        required: bool = False,
    ) -> None:
        """A text object (``{"type": "plain_text"|"mrkdwn", "text": ...}``) within a limit."""
        if value is None:
            if required:
                self.add(pointer, "missing required field: text object")
            return
        if not isinstance(value, Mapping):
            self.add(pointer, "must provide an object")
            return
        kind = value.get("type")
        allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
        if kind not in allowed:
            self.add(f"{pointer}/type", f"must be one of: {', '.join(allowed)}")
        body = value.get("text")
        if not isinstance(body, str):
            self.add(f"{pointer}/text", "must be a string")
            return
        if len(body) < _value("text.min"):
            self.add(f"{pointer}/text", "must be more than 0 characters")
        maximum = _value(limit)
        if len(body) > maximum:
            self.add(f"{pointer}/text", f"must be less than {maximum + 1} characters")

    def items(
        self, value: Any, pointer: str, maximum: str | None, *, minimum: int = 0, required: bool = False
    ) -> list[Any]:
        """An array with a documented size; returns its items (empty when not an array)."""
        if value is None:
            if required:
                self.add(pointer, "missing required field")
            return []
        if not isinstance(value, list):
            self.add(pointer, "must provide an array")
            return []
        if maximum is not None and len(value) > _value(maximum):
            self.add(pointer, f"no more than {_value(maximum)} items allowed")
        if len(value) < minimum:
            self.add(pointer, f"must provide at least {minimum} items")
        return value

    # -- blocks ----------------------------------------------------------------------------------

    def blocks(self, value: Any, pointer: str, maximum: str) -> None:
        blocks = self.items(value, pointer, maximum, required=True)
        seen_block_ids: set[str] = set()
        for index, block in enumerate(blocks):
            where = f"{pointer}/{index}"
            if not isinstance(block, Mapping):
                self.add(where, "must provide an object")
                continue
            block_id = block.get("block_id")
            self.string(block_id, f"{where}/block_id", "block_id.max")
            if isinstance(block_id, str):
                if block_id in seen_block_ids:
                    self.add(f"{where}/block_id", f"duplicate block_id {block_id!r}")
                seen_block_ids.add(block_id)
            self.block(block, where)

    def block(self, block: Mapping[str, Any], where: str) -> None:
        kind = block.get("type")
        if kind not in _BLOCK_TYPES:
            self.add(f"{where}/type", f"unsupported block type {kind!r}")
            return
        if kind == "section":
            self.section(block, where)
        elif kind == "header":
            self.text(block.get("text"), f"{where}/text", "header.text.max", plain_only=True, required=True)
        elif kind == "context":
            elements = self.items(
                block.get("elements"), f"{where}/elements", "context.elements.max", minimum=1, required=True
            )
            for index, element in enumerate(elements):
                self.context_element(element, f"{where}/elements/{index}")
        elif kind == "actions":
            elements = self.items(
                block.get("elements"), f"{where}/elements", "actions.elements.max", minimum=1, required=True
            )
            self.elements(elements, f"{where}/elements", _INTERACTIVE_ELEMENTS)
        elif kind == "input":
            self.text(block.get("label"), f"{where}/label", "input.label.max", plain_only=True, required=True)
            self.text(block.get("hint"), f"{where}/hint", "input.hint.max", plain_only=True)
            element = block.get("element")
            if element is None:
                self.add(f"{where}/element", "missing required field: element")
            else:
                self.elements([element], f"{where}/element", _INPUT_ELEMENTS, single=True)
        elif kind == "image":
            self.image(block, where, block_level=True)

    def section(self, block: Mapping[str, Any], where: str) -> None:
        text, fields = block.get("text"), block.get("fields")
        if text is None and fields is None:
            self.add(where, "must provide text or fields")
        self.text(text, f"{where}/text", "section.text.max")
        for index, field in enumerate(self.items(fields, f"{where}/fields", "section.fields.max")):
            self.text(field, f"{where}/fields/{index}", "section.field.max")
        accessory = block.get("accessory")
        if accessory is not None:
            self.elements([accessory], f"{where}/accessory", _ACCESSORIES, single=True)

    def context_element(self, element: Any, where: str) -> None:
        if isinstance(element, Mapping) and element.get("type") == "image":
            self.image(element, where, block_level=False)
        else:
            self.text(element, where)

    def image(self, image: Mapping[str, Any], where: str, *, block_level: bool) -> None:
        if image.get("image_url") is None and image.get("slack_file") is None:
            self.add(where, "must provide image_url or slack_file")
        self.string(image.get("image_url"), f"{where}/image_url", "url.max")
        alt_text = image.get("alt_text")
        if not isinstance(alt_text, str):
            self.add(f"{where}/alt_text", "missing required field: alt_text")
        else:
            self.string(alt_text, f"{where}/alt_text", "image.alt_text.max")
        if block_level:
            self.text(image.get("title"), f"{where}/title", "image.title.max", plain_only=True)

    # -- elements ------------------------------------------------------------------------------

    def elements(
        self, elements: Sequence[Any], pointer: str, allowed: frozenset[str], *, single: bool = False
    ) -> None:
        """Elements of one block: each checked, action_ids unique within the block."""
        seen_action_ids: set[str] = set()
        for index, element in enumerate(elements):
            where = pointer if single else f"{pointer}/{index}"
            if not isinstance(element, Mapping):
                self.add(where, "must provide an object")
                continue
            kind = element.get("type")
            if kind not in allowed:
                self.add(f"{where}/type", f"element type {kind!r} is not allowed here")
                continue
            action_id = element.get("action_id")
            self.string(action_id, f"{where}/action_id", "action_id.max")
            if isinstance(action_id, str):
                if action_id in seen_action_ids:
                    self.add(f"{where}/action_id", f"duplicate action_id {action_id!r}")
                seen_action_ids.add(action_id)
            self.element(element, str(kind), where)

    def element(self, element: Mapping[str, Any], kind: str, where: str) -> None:
        self.text(element.get("placeholder"), f"{where}/placeholder", "placeholder.max", plain_only=True)
        self.confirm(element.get("confirm"), f"{where}/confirm")
        if kind == "button":
            self.text(element.get("text"), f"{where}/text", "button.text.max", plain_only=True, required=True)
            self.string(element.get("url"), f"{where}/url", "url.max")
            self.string(element.get("value"), f"{where}/value", "button.value.max")
            self.string(
                element.get("accessibility_label"),
                f"{where}/accessibility_label",
                "button.accessibility_label.max",
            )
            style = element.get("style")
            if style is not None and style not in ("primary", "danger"):
                self.add(f"{where}/style", "must be one of: primary, danger")
        elif kind in ("checkboxes", "radio_buttons"):
            options = self.items(
                element.get("options"), f"{where}/options", f"{kind}.options.max", minimum=1, required=True
            )
            self.options(options, f"{where}/options", allow_mrkdwn=True)
            self.initial(element, options, where)
        elif kind in ("static_select", "multi_static_select"):
            self.static_select(element, kind, where)
        elif kind == "overflow":
            options = self.items(
                element.get("options"),
                f"{where}/options",
                "overflow.options.max",
                minimum=_value("overflow.options.min"),
                required=True,
            )
            self.options(options, f"{where}/options", allow_url=True)
        elif kind == "plain_text_input":
            self.text_input(element, where)
        elif kind == "datepicker":
            self.pattern(element.get("initial_date"), f"{where}/initial_date", _DATE, "YYYY-MM-DD")
        elif kind == "timepicker":
            self.pattern(element.get("initial_time"), f"{where}/initial_time", _TIME, "HH:mm")
        elif kind == "number_input" and not isinstance(element.get("is_decimal_allowed"), bool):
            self.add(f"{where}/is_decimal_allowed", "missing required field: is_decimal_allowed")
        if kind.startswith("multi_"):
            most = element.get("max_selected_items")
            if most is not None and (
                not isinstance(most, int) or most < _value("multi_select.max_selected_items.min")
            ):
                self.add(f"{where}/max_selected_items", "must be at least 1")

    def static_select(self, element: Mapping[str, Any], kind: str, where: str) -> None:
        options_given, groups_given = element.get("options"), element.get("option_groups")
        if (options_given is None) == (groups_given is None):
            self.add(where, "must provide exactly one of options or option_groups")
        options = self.items(options_given, f"{where}/options", f"{kind}.options.max")
        self.options(options, f"{where}/options")
        every = list(options)
        groups = self.items(groups_given, f"{where}/option_groups", f"{kind}.option_groups.max")
        for index, group in enumerate(groups):
            at = f"{where}/option_groups/{index}"
            if not isinstance(group, Mapping):
                self.add(at, "must provide an object")
                continue
            self.text(
                group.get("label"), f"{at}/label", "option_group.label.max", plain_only=True, required=True
            )
            grouped = self.items(
                group.get("options"), f"{at}/options", "option_group.options.max", minimum=1, required=True
            )
            self.options(grouped, f"{at}/options")
            every.extend(grouped)
        self.initial(element, every, where)

    def options(
        self, options: Sequence[Any], pointer: str, *, allow_mrkdwn: bool = False, allow_url: bool = False
    ) -> None:
        for index, option in enumerate(options):
            at = f"{pointer}/{index}"
            if not isinstance(option, Mapping):
                self.add(at, "must provide an object")
                continue
            plain = not allow_mrkdwn
            self.text(option.get("text"), f"{at}/text", "option.text.max", plain_only=plain, required=True)
            self.text(
                option.get("description"), f"{at}/description", "option.description.max", plain_only=plain
            )
            value = option.get("value")
            if value is None:
                self.add(f"{at}/value", "missing required field: value")
            self.string(value, f"{at}/value", "option.value.max")
            if option.get("url") is not None:
                if allow_url:
                    self.string(option.get("url"), f"{at}/url", "url.max")
                else:
                    self.add(f"{at}/url", "url is only allowed in overflow menus")

    def initial(self, element: Mapping[str, Any], options: Sequence[Any], where: str) -> None:
        """``initial_option(s)`` must each be one of the options: same value and same text."""
        known = [_option_key(option) for option in options if isinstance(option, Mapping)]
        single = element.get("initial_option")
        if single is not None and (not isinstance(single, Mapping) or _option_key(single) not in known):
            self.add(f"{where}/initial_option", "must match one of the options")
        many = element.get("initial_options")
        if many is None:
            return
        if not isinstance(many, list):
            self.add(f"{where}/initial_options", "must provide an array")
            return
        for index, option in enumerate(many):
            if not isinstance(option, Mapping) or _option_key(option) not in known:
                self.add(f"{where}/initial_options/{index}", "must match one of the options")

    def text_input(self, element: Mapping[str, Any], where: str) -> None:
        most, least = element.get("max_length"), element.get("min_length")
        if most is not None:
            low, high = _value("plain_text_input.max_length.min"), _value("plain_text_input.max_length.max")
            if not isinstance(most, int) or not low <= most <= high:
                self.add(f"{where}/max_length", f"must be between {low} and {high}")
        if least is not None:
            high = _value("plain_text_input.min_length.max")
            if not isinstance(least, int) or not 0 <= least <= high:
                self.add(f"{where}/min_length", f"must be between 0 and {high}")
        if isinstance(most, int) and isinstance(least, int) and least > most:
            self.add(f"{where}/min_length", "must not be greater than max_length")

    def confirm(self, value: Any, pointer: str) -> None:
        if value is None:
            return
        if not isinstance(value, Mapping):
            self.add(pointer, "must provide an object")
            return
        self.text(value.get("title"), f"{pointer}/title", "confirm.title.max", plain_only=True)
        self.text(value.get("text"), f"{pointer}/text", "confirm.text.max")
        self.text(value.get("confirm"), f"{pointer}/confirm", "confirm.confirm.max", plain_only=True)
        self.text(value.get("deny"), f"{pointer}/deny", "confirm.deny.max", plain_only=True)

    def pattern(self, value: Any, pointer: str, shape: re.Pattern[str], label: str) -> None:
        if value is not None and (not isinstance(value, str) or not shape.match(value)):
            self.add(pointer, f"must be formatted {label}")


def _option_key(option: Mapping[str, Any]) -> tuple[Any, Any]:
    """What makes two option objects the same option to Slack: the value and the text shown."""
    text = option.get("text")
    shown = (text.get("type"), text.get("text")) if isinstance(text, Mapping) else text
    return option.get("value"), shown


def _blocks_error(surface: Surface) -> str:
    return "invalid_blocks" if surface == "message" else "invalid_arguments"


def check_blocks(blocks: Any, *, surface: Surface, pointer: str) -> list[Violation]:
    """Every limit ``blocks`` breaks on this surface (``pointer`` is where they sit, e.g. /blocks)."""
    checker = _Checker(_blocks_error(surface))
    checker.blocks(blocks, pointer, f"{surface}.blocks.max")
    return checker.found


def check_view(view: Mapping[str, Any], *, surface: Literal["modal", "home"]) -> list[Violation]:
    """Every limit a view breaks: its own fields (title, submit, metadata...) and its blocks."""
    checker = _Checker("invalid_arguments")
    if view.get("type") != surface:
        checker.add("/view/type", f"must be {surface!r} here")
    if surface == "modal":
        checker.text(view.get("title"), "/view/title", "view.title.max", plain_only=True, required=True)
        checker.text(view.get("submit"), "/view/submit", "view.submit.max", plain_only=True)
        checker.text(view.get("close"), "/view/close", "view.close.max", plain_only=True)
        blocks = view.get("blocks")
        has_input = isinstance(blocks, list) and any(
            isinstance(block, Mapping) and block.get("type") == "input" for block in blocks
        )
        if has_input and view.get("submit") is None:
            checker.add("/view/submit", "missing required field: submit (the view has input blocks)")
    checker.string(view.get("private_metadata"), "/view/private_metadata", "view.private_metadata.max")
    checker.string(view.get("callback_id"), "/view/callback_id", "view.callback_id.max")
    checker.string(view.get("external_id"), "/view/external_id", "view.external_id.max")
    checker.blocks(view.get("blocks"), "/view/blocks", f"{surface}.blocks.max")
    return checker.found


def check_message(params: Mapping[str, Any]) -> list[Violation]:
    """Every limit a message breaks: its text, its blocks and the blocks of its attachments."""
    found: list[Violation] = []
    text = params.get("text")
    maximum = _value("message.text.max")
    if isinstance(text, str) and len(text) > maximum:
        found.append(
            Violation(
                "msg_too_long",
                "/text",
                f"[ERROR] must be less than {maximum + 1} characters [json-pointer:/text]",
            )
        )
    if params.get("blocks") not in (None, "", []):
        found.extend(check_blocks(params.get("blocks"), surface="message", pointer="/blocks"))
    attachments = params.get("attachments")
    if isinstance(attachments, list):
        for index, attachment in _with_blocks(attachments):
            found.extend(
                check_blocks(attachment["blocks"], surface="message", pointer=f"/attachments/{index}/blocks")
            )
    return found


def _with_blocks(attachments: list[Any]) -> Iterator[tuple[int, Mapping[str, Any]]]:
    for index, attachment in enumerate(attachments):
        if isinstance(attachment, Mapping) and attachment.get("blocks") is not None:
            yield index, attachment
