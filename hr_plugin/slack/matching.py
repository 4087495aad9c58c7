"""Bolt's listener matching, asking each listener's matcher with the body alone.

Bolt finds a request's listener by asking each one in turn, in the order they were
registered, whether the request is theirs. Its built-in matchers read only the body, but Bolt
first builds every argument a listener could ask for (the payload's action, view and event,
``say``, ``respond``...) for each listener it asks. With our 102 listeners, a button of the
private space, registered last, spent 0.77 ms of CPU there before its answer; asked with the
body alone, 0.095 ms (the Home's button, the seventh asked: 0.049 ms and 0.003 ms).

The matchers are Bolt's own, the same functions, called with what they ask for; only the
building of the arguments they do not use is skipped. Bolt keeps its listeners in
``App._listeners`` and has no public way to reach them: a Bolt release that moves them stops
the app at start (``match_on_body`` cannot find them), and one whose matchers ask for more than
the body fails ``tests/e2e/test_listener_matching.py``, rather than the app quietly matching the
slow way again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.listener_matcher import ListenerMatcher
from slack_bolt.listener_matcher.builtins import BuiltinListenerMatcher


class OnBody(ListenerMatcher):
    """A matcher called with the request's body, as Bolt's built-in ones ask to be."""

    def __init__(self, func: Callable[..., Any]) -> None:
        self.func = func

    def matches(self, req: BoltRequest, resp: BoltResponse) -> bool:
        return bool(self.func(req.body))


def match_on_body(app: App) -> None:
    """Make every listener's built-in matchers that ask only for ``body`` be called with it.

    Call once every listener is registered; others are left as Bolt made them."""
    for listener in app._listeners:
        listener.matchers = [_on_body(matcher) for matcher in listener.matchers]


def _on_body(matcher: ListenerMatcher) -> ListenerMatcher:
    if type(matcher) is BuiltinListenerMatcher and list(matcher.arg_names) == ["body"]:
        return OnBody(matcher.func)
    return matcher
