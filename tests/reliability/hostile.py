"""Hypothesis strategies for malformed and hostile Slack payloads.

Everything here is sent correctly signed, so it reaches the listeners: the question is what a
listener does with a payload whose fields are missing, of the wrong type, huge, or simply odd.
The shapes start from what Slack really sends (the signed client's payloads, the inputs of the
modals the app really opened) and are then bent field by field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from re import Pattern
from typing import Any

from hypothesis import strategies as st

# Slack's element types and the key their state uses in ``view.state.values``.
STATE_KEYS = {
    "plain_text_input": "value",
    "number_input": "value",
    "email_text_input": "value",
    "url_text_input": "value",
    "static_select": "selected_option",
    "radio_buttons": "selected_option",
    "external_select": "selected_option",
    "checkboxes": "selected_options",
    "multi_static_select": "selected_options",
    "users_select": "selected_user",
    "multi_users_select": "selected_users",
    "conversations_select": "selected_conversation",
    "channels_select": "selected_channel",
    "datepicker": "selected_date",
    "timepicker": "selected_time",
    "datetimepicker": "selected_date_time",
}
ALL_STATE_KEYS = sorted(set(STATE_KEYS.values()))


@dataclass(frozen=True)
class ModalInput:
    """One input of a modal the app opened: where its state goes and what kind of element it is."""

    block_id: str
    action_id: str
    element_type: str
    optional: bool


def _huge(alphabet: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(lambda chunk, times: chunk * times, alphabet, st.integers(min_value=500, max_value=6000))


# Text as people (and attackers) type it: empty, whitespace, unicode, markup, numbers, huge.
texts: st.SearchStrategy[str] = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "\n\t",
            "0",
            "-1",
            "9" * 30,
            "1e309",
            "NaN",
            "null",
            "true",
            "<!channel>",
            "*bold* _it_ `code` <https://example.com|link>",
            "' OR 1=1 --",
            "\u202e\u0000\ufeff",
            "👩‍👧‍👦 ✨",
            "2026-02-30",
            "25:99",
            "2026-11-23T10:00:00Z",
            "UHR",
            "UPARENT",
        ]
    ),
    _huge(st.text(min_size=1, max_size=3)),
)

scalars: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)

# Any JSON value, kept small: what arrives where a string, an object or a list was expected.
json_values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)

option_like: st.SearchStrategy[Any] = st.one_of(
    st.fixed_dictionaries({"value": scalars}),
    st.fixed_dictionaries(
        {"value": scalars, "text": st.fixed_dictionaries({"type": st.just("plain_text"), "text": texts})}
    ),
    json_values,
)

# Ids people act on: numbers (rows of this tenant or another), numbers in strings, nonsense.
id_values: st.SearchStrategy[Any] = st.one_of(
    st.integers(min_value=-3, max_value=60).map(str),
    st.integers(min_value=-3, max_value=60),
    st.sampled_from(["", "open", "home", "reminder", "1:5", "1:", ":3", "2:9", "abc"]),
    json_values,
)


def from_constraint(constraint: str | Pattern[str]) -> st.SearchStrategy[str]:
    """A string the listener's constraint matches (registered literally or as a pattern)."""
    if isinstance(constraint, str):
        return st.just(constraint)
    return st.from_regex(constraint, fullmatch=True).filter(lambda text: "\x00" not in text)


def action_ids(constraints: list[str | Pattern[str]]) -> st.SearchStrategy[str]:
    """Mostly the app's own action ids, sometimes one nobody registered."""
    known = st.one_of(*(from_constraint(constraint) for constraint in constraints))
    unknown = st.one_of(
        st.text(max_size=30), st.sampled_from(["", "vault.", "huddles.rate.9", "enrolment.confirm "])
    )
    return st.one_of(known, known, known, unknown)


def element_state(element_type: str) -> st.SearchStrategy[Any]:
    """The state of one input: Slack's shape with odd contents, a wrong shape, or a wrong key."""
    key = STATE_KEYS.get(element_type, "value")
    if key == "selected_options":
        right = st.lists(option_like, max_size=4)
    elif key == "selected_users":
        right = st.lists(st.one_of(texts, json_values), max_size=4)
    elif key == "selected_option":
        right = option_like
    else:
        right = st.one_of(texts, texts, json_values)
    shaped = st.fixed_dictionaries({"type": st.just(element_type), key: right})
    wrong_key = st.dictionaries(st.sampled_from(ALL_STATE_KEYS), json_values, max_size=2)
    return st.one_of(shaped, shaped, shaped, wrong_key, json_values)


@st.composite
def view_states(draw: st.DrawFn, inputs: list[ModalInput], other_blocks: list[str]) -> Any:
    """``view.state`` for a submission: the modal's inputs, each present or not, bent or not,
    plus blocks the modal never had; now and then not an object at all."""
    if draw(st.integers(min_value=0, max_value=19)) == 0:
        return draw(json_values)
    values: dict[str, Any] = {}
    for item in inputs:
        if draw(st.booleans()) or draw(st.booleans()):
            values.setdefault(item.block_id, {})[item.action_id] = draw(element_state(item.element_type))
    for block in draw(st.lists(st.sampled_from(other_blocks), max_size=2)) if other_blocks else []:
        values[block] = {
            draw(st.sampled_from(["value", block])): draw(
                element_state(draw(st.sampled_from(list(STATE_KEYS))))
            )
        }
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        values[draw(st.text(max_size=10))] = draw(json_values)
    return {"values": values}


def modal_inputs(view: dict[str, Any]) -> list[ModalInput]:
    """The inputs of a view the app built (as the fake Slack stored it)."""
    found = []
    for block in view.get("blocks") or []:
        if block.get("type") != "input":
            continue
        element = block.get("element") or {}
        found.append(
            ModalInput(
                block_id=str(block.get("block_id", "")),
                action_id=str(element.get("action_id", "")),
                element_type=str(element.get("type", "")),
                optional=bool(block.get("optional", False)),
            )
        )
    return found


def slash_texts() -> st.SearchStrategy[str]:
    """What someone types after ``/rtw``: subcommands, near misses, anything."""
    words = st.sampled_from(["help", "HELP", "checkin", "Checkin", "check-in", "  help  ", "help me"])
    return st.one_of(words, texts, st.builds(lambda a, b: f"{a} {b}", words, texts))


SLACK_ID = re.compile(r"^[A-Z][A-Z0-9]+$")

# Anything but a Slack id: Slack only ever names people who exist, so an id-shaped value that
# is nobody would only test the fake Slack's refusal to publish a Home tab for nobody.
not_ids: st.SearchStrategy[Any] = scalars.filter(
    lambda value: not (isinstance(value, str) and SLACK_ID.match(value))
)


def event_shapes(user_ids: list[str]) -> st.SearchStrategy[Any]:
    """An Events API ``event``: the app's own event with odd fields, an unknown one, or junk."""
    home = st.fixed_dictionaries(
        {"type": st.just("app_home_opened")},
        optional={
            "user": st.one_of(st.sampled_from(user_ids), not_ids),
            "tab": st.one_of(st.sampled_from(["home", "messages", "about"]), scalars),
            "channel": scalars,
            "event_ts": scalars,
            "view": json_values,
        },
    )
    other = st.fixed_dictionaries(
        {
            "type": st.one_of(
                st.sampled_from(["message", "reaction_added", "team_join", "user_change"]), texts
            )
        },
        optional={"user": json_values, "text": texts, "channel": scalars, "subtype": scalars},
    )
    return st.one_of(home, home, other, json_values)


def is_pattern(constraint: str | Pattern[str]) -> bool:
    return isinstance(constraint, re.Pattern)
