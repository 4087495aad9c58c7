"""Which Slack requests are the private space's, so that /metrics leaves them out."""

from __future__ import annotations

from typing import Any

import pytest

from hr_plugin.features import FEATURES
from hr_plugin.slack.private_requests import PrivateRequests

PRIVATE = PrivateRequests.of(FEATURES)


def _action(action_id: str) -> dict[str, Any]:
    return {"type": "block_actions", "actions": [{"action_id": action_id, "value": "x"}]}


@pytest.mark.parametrize(
    "payload",
    [
        _action("vault.open"),
        _action("vault.checkin_open"),
        _action("vault.track_step.tally"),
        {"type": "view_submission", "view": {"callback_id": "vault.checkin"}},
        {"type": "view_submission", "view": {"callback_id": "vault.track"}},
        {"type": "shortcut", "callback_id": "vault.shortcut"},
        {"command": "/rtw", "text": "checkin"},
        {"command": "/rtw", "text": "  CheckIn please"},
    ],
)
def test_the_private_spaces_requests_are_private(payload: dict[str, Any]) -> None:
    assert payload in PRIVATE


@pytest.mark.parametrize(
    "payload",
    [
        _action("mentoring.accept"),
        {"type": "view_submission", "view": {"callback_id": "enrolment.accept"}},
        {"type": "shortcut", "callback_id": "made_up"},
        {"command": "/rtw", "text": "help"},
        {"command": "/rtw", "text": ""},
        {"command": "/rtw", "text": "checkins"},
        {"type": "event_callback", "event": {"type": "app_home_opened"}},
        {"type": "block_actions", "actions": "vault.open"},
        {"type": "view_submission", "view": "vault.checkin"},
        None,
        "vault.open",
    ],
)
def test_everything_else_is_counted(payload: Any) -> None:
    assert payload not in PRIVATE


def test_only_the_vault_is_private() -> None:
    assert [feature.name for feature in FEATURES if feature.private] == ["vault"]
