"""Text that tries to pass for Slack markup, and the check that it never does.

Slack reads ``<!channel>``, ``<@U…>``, ``<#C…>`` and ``<https://…|label>`` in ``mrkdwn`` (and in
a message's ``text``) as a ping, a mention, a channel link or a disguised link. A name in HR's
file or a note someone types may hold any of them; ``hr_plugin.slack.blockkit.escape`` makes them
words. ``HOSTILE`` is such text, and ``hostile_markup`` finds where it reached Slack as markup:
the builder sweep (``tests/unit/test_builder_limits.py``) and the reliability suite
(``tests/reliability/test_hostile_text.py``) share them, so both look for the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# A channel ping, a mention, a channel link, a disguised link, an ampersand and a right-to-left
# override: what a name in HR's file or a note someone types may hold.
HOSTILE = "<!channel> <@U123> <#C123> <https://evil.example|click> & \u202eevil"
# Its markup as it would reach Slack unescaped; prefixes, so that a text cut short is caught too.
# The ids (U123, C123) and the host are nobody's in the tests, so the app's own mentions of real
# people (``<@U…>`` built from a Slack user id it knows) never match.
HOSTILE_MARKUP = ("<!channel", "<@U123", "<#C123", "<https://evil")
# Slack's markup in general, the app's own included.
MARKUP = ("<!", "<@", "<#", "<http")
# What escaping writes: shown as it is (``&lt;``) where Slack does not read ``mrkdwn``.
ENTITIES = ("&amp;", "&lt;", "&gt;")


def hostile(length: int) -> str:
    """``HOSTILE`` repeated to exactly ``length`` characters, as long as an input allows."""
    return (f"{HOSTILE} " * (length // (len(HOSTILE) + 1) + 1))[:length]


def shown_texts(payload: Any) -> tuple[list[str], list[str]]:
    """Every text Slack renders as ``mrkdwn`` in a payload, and every text it shows as ``plain_text``.

    ``payload`` is JSON as Slack receives it: blocks, a view, or a method's arguments. A
    top-level ``text`` (a message's notification and fallback text, or an acknowledgement's) is
    rendered as ``mrkdwn`` too, unless the message says ``"mrkdwn": false``.
    """
    mrkdwn: list[str] = []
    plain: list[str] = []

    def walk(node: Any, top: bool) -> None:
        if isinstance(node, dict):
            kind = node.get("type")
            text = node.get("text")
            if isinstance(text, str):
                if kind == "mrkdwn" or (top and kind is None and node.get("mrkdwn") is not False):
                    mrkdwn.append(text)
                elif kind == "plain_text" or top:
                    plain.append(text)
            for value in node.values():
                walk(value, False)
        elif isinstance(node, list):
            for item in node:
                walk(item, False)

    walk(payload, True)
    return mrkdwn, plain


def _around(text: str, marker: str) -> str:
    at = text.find(marker)
    return repr(text[max(0, at - 40) : at + 60])


def hostile_markup(mrkdwn: Iterable[str]) -> list[str]:
    """Where ``HOSTILE``'s markup reached ``mrkdwn`` texts unescaped, with the text around it."""
    return [
        f"{marker!r} reaches mrkdwn: {_around(text, marker)}"
        for text in mrkdwn
        for marker in HOSTILE_MARKUP
        if marker in text
    ]


def misplaced_entities(mrkdwn: Iterable[str], plain: Iterable[str]) -> list[str]:
    """Escaping in the wrong place: entities in ``plain_text`` (shown as ``&lt;``), or text
    escaped twice in ``mrkdwn`` (shown as ``&amp;lt;``)."""
    problems = [
        f"escaped text shown as plain_text: {text[:80]!r}"
        for text in plain
        if any(entity in text for entity in ENTITIES)
    ]
    problems += [
        f"text escaped twice: {text[:80]!r}"
        for text in mrkdwn
        if any(f"&amp;{entity[1:]}" in text for entity in ENTITIES)
    ]
    return problems


def unescaped(text: str) -> str:
    """What Slack shows for an escaped ``mrkdwn`` text: the entities back as characters."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
