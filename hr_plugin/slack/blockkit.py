"""Names for Block Kit written as plain JSON, so that a builder says what it returns;
``fit_lines``, which keeps a list of names inside a section's limit; and ``escape``, which every
builder puts around text that is not the app's own words before it goes into ``mrkdwn``; and
``state_value``, which reads one input of a submitted modal.

Most builders return ``slack_sdk.models`` objects (``View``, ``Block``), whose type already says
what they are. Some build the JSON by hand, and ``list[dict[str, Any]]`` says nothing: it could
be blocks for a message or any other list of dicts. These names tell them apart, for a reader and
for ``tests/unit/test_builder_limits.py``, which finds every builder by its return type and checks
each against Slack's limits. They are ``NewType``s, not plain aliases, because a plain alias of
``dict`` is the same object as ``dict`` at run time and ``typing.get_type_hints`` could not tell a
view from any other dict.

A builder wraps what it returns, ``BlocksJson([...])``; callers use it as the list it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NewType

# Blocks for a message (``chat.postMessage``, ``chat.update``, an ephemeral or ``response_url`` reply).
BlocksJson = NewType("BlocksJson", list[dict[str, Any]])

# A whole view (``{"type": "modal" | "home", "blocks": [...], ...}``) for ``views.*``.
ViewJson = NewType("ViewJson", dict[str, Any])

# The arguments of a message (``text``, ``blocks``, ...) for ``chat.*`` or a ``response_url`` body.
MessageJson = NewType("MessageJson", dict[str, Any])

# The body of an acknowledgement to a view submission (``response_action`` and its view or errors).
AckJson = NewType("AckJson", dict[str, Any])

BLOCK_KIT_JSON: tuple[Any, ...] = (BlocksJson, ViewJson, MessageJson, AckJson)

# Slack refuses a section whose text is longer (Block Kit reference, section block).
SECTION_TEXT_MAX = 3000


def fit_lines(lines: Sequence[str], *, head: str = "", limit: int = SECTION_TEXT_MAX) -> str:
    """``head`` and then as many whole ``lines`` as fit in ``limit`` characters, one per line, and
    "…and N more" for those left out.

    Why: a list of people on a Home or in a message grows with the workspace, and names may be
    up to 200 characters; past Slack's limit the whole publish is refused. Cutting the text at
    the limit would show half a name, so whole lines are dropped and counted instead.
    """
    text = head
    for index, line in enumerate(lines):
        joined = f"{text}\n{line}" if text else line
        after = len(lines) - index - 1
        reserved = len(f"\n…and {after} more") if after else 0
        if len(joined) + reserved > limit:
            more = f"…and {len(lines) - index} more"
            return f"{text}\n{more}" if text else more
        text = joined
    return text


# Slack's control characters in ``mrkdwn`` and the entity each must become to be shown as itself
# ("Formatting text for app surfaces", escaping text). Only these three: Slack asks that the rest
# of the text is not entity-encoded. ``&`` comes first so that the entities themselves stay intact.
_MRKDWN_ENTITIES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))


def escape(text: object) -> str:
    """``text`` as words to show, never as markup, for a ``mrkdwn`` text (or a message's ``text``).

    Why: Slack reads ``<!channel>``, ``<@U…>``, ``<#C…>`` and ``<https://…|label>`` in ``mrkdwn``
    as a ping, a mention, a channel link or a disguised link. Names come from HR's file, titles
    and settings from HR, notes from the people who typed them: any of them may hold such text,
    and without this it would reach someone else's DM or Home as a ping or a link they did not
    choose. Every builder escapes what it did not write itself, once, here, and nowhere else (an
    escaped text escaped again would show ``&amp;lt;``). ``plain_text`` needs none of this: Slack
    shows it as it is, so text put there must not be escaped.
    """
    escaped = str(text)
    for character, entity in _MRKDWN_ENTITIES:
        escaped = escaped.replace(character, entity)
    return escaped


def state_value(view: dict[str, Any], block_id: str, action_id: str = "value") -> dict[str, Any]:
    """The submitted state of one input, or an empty dict when the block is absent.

    Here, beside the builders, rather than only in ``hr_plugin.slack.payloads`` (which re-exports
    it): a feature's ``views.py`` parses its modal's submission next to the modal, and must stay
    pure, while ``payloads`` reaches the database through the tenants.
    """
    values = (view.get("state") or {}).get("values") or {}
    return dict((values.get(block_id) or {}).get(action_id) or {})
