"""Bolt finds a request's listener asking each matcher with the body alone
(``hr_plugin.slack.matching``), through the real app and a signed request."""

from __future__ import annotations

from typing import Any

import pytest
import slack_bolt.listener_matcher.builtins as bolt_matchers

from hr_plugin.slack.matching import OnBody
from hr_plugin.testing.stack import AppStack

LATE_BUTTON = "vault.track_step.tally"  # a button of the private space, registered near the end


def _route_keys(stack: AppStack) -> list[str]:
    return [listener.ack_function.declared.route.key for listener in stack.app._listeners]


def test_every_listener_is_asked_with_the_body_alone(stack: AppStack) -> None:
    matchers = [matcher for listener in stack.app._listeners for matcher in listener.matchers]
    assert len(matchers) >= 100
    assert all(type(matcher) is OnBody for matcher in matchers)


def test_a_late_listeners_click_builds_no_arguments_for_the_listeners_before_it(
    stack: AppStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, Bolt built every listener argument for each of the ~100 listeners it asked
    first: 0.77 ms of CPU before this click's answer (``bench/README.md``)."""
    keys = _route_keys(stack)
    assert keys.index(LATE_BUTTON) >= 90, "the click must be for a listener Bolt reaches late"
    built: list[str] = []
    original = bolt_matchers.build_required_kwargs

    def counting(**kwargs: Any) -> Any:
        built.append(str(kwargs.get("required_arg_names")))
        return original(**kwargs)

    monkeypatch.setattr(bolt_matchers, "build_required_kwargs", counting)
    asked: list[str] = []
    for listener in stack.app._listeners:
        matcher = listener.matchers[0]
        monkeypatch.setattr(matcher, "func", _noting(matcher.func, asked, listener))

    answer = stack.slack.block_action("UNOBODY", LATE_BUTTON, "x", view={"type": "modal", "blocks": []})

    assert answer.status == 200
    assert asked[-1] == LATE_BUTTON and len(asked) == keys.index(LATE_BUTTON) + 1
    assert built == []


def _noting(func: Any, asked: list[str], listener: Any) -> Any:
    """``func``, noting the key of each listener Bolt asks, in the order it asks them."""

    def noted(body: dict[str, Any]) -> bool:
        asked.append(listener.ack_function.declared.route.key)
        return bool(func(body))

    return noted
