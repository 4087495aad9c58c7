"""What a person does in their private space, as signed requests (shared by the vault's tests)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from hr_plugin.enrolment import accept
from hr_plugin.testing.signed_client import SignedResponse
from hr_plugin.testing.stack import AppStack
from tests.e2e.conftest import TEAM

OPEN = "vault.open"
CONSENT = "vault.consent"
CHECKIN_OPEN, CHECKIN = "vault.checkin_open", "vault.checkin"
LOOK_BACK, EXPORT, DELETE_OPEN, DELETE = (
    "vault.look_back",
    "vault.export",
    "vault.delete_open",
    "vault.delete",
)
REMINDERS_OPEN, REMINDERS = "vault.reminders_open", "vault.reminders"
QUESTIONS = ("restorative", "demand", "vulnerability")
HOME = {"type": "home", "blocks": []}


def enrol(stack: AppStack, user: str) -> None:
    accept(
        stack.factory,
        stack.services.clock,
        stack.services.enrolment_hooks,
        tenant_id=TEAM,
        user_id=user,
        contact_during_leave=True,
        leave_out_family=False,
    )


def consent(stack: AppStack, user: str) -> dict[str, Any]:
    """Open the space from the App Home and agree; returns the space modal the app showed."""
    stack.slack.block_action(user, OPEN, "home", view=HOME)
    modal = stack.fake.last_modal(user)
    assert modal is not None and modal["callback_id"] == CONSENT, modal
    result = stack.slack.view_submission(user, CONSENT, {}, view_id=modal["id"])
    assert result.json is not None and result.json["response_action"] == "update", result.body
    return dict(result.json["view"])


def space(origin: str = "") -> dict[str, Any]:
    return {"type": "modal", "id": "VSPACE", "callback_id": "vault.space", "private_metadata": origin}


def open_checkin(stack: AppStack, user: str, origin: str = "") -> dict[str, Any]:
    stack.slack.block_action(user, CHECKIN_OPEN, "open", view=space(origin))
    modal = stack.fake.last_modal(user)
    assert modal is not None and modal["callback_id"] == CHECKIN, modal
    return modal


def checkin_values(
    words: str, rating: str | None = "neutral", experiment: str | None = None
) -> dict[str, Any]:
    values: dict[str, Any] = {q: {"value": {"type": "plain_text_input", "value": words}} for q in QUESTIONS}
    if rating is not None:
        values["rating"] = {"value": {"type": "radio_buttons", "selected_option": {"value": rating}}}
    values["own_experiment"] = {"value": {"type": "plain_text_input", "value": experiment or ""}}
    return values


def check_in(
    stack: AppStack,
    user: str,
    words: str,
    rating: str | None = "neutral",
    experiment: str | None = None,
    origin: str = "",
) -> SignedResponse:
    modal = open_checkin(stack, user, origin)
    return stack.slack.view_submission(
        user, CHECKIN, checkin_values(words, rating, experiment), view_id=modal["id"]
    )


def set_reminder(stack: AppStack, user: str, weekday: int, at: str) -> None:
    """Choose the weekly reminder's day (0 = Monday) and local time in the private space."""
    stack.slack.block_action(user, REMINDERS_OPEN, "open", view=space())
    modal = stack.fake.last_modal(user)
    assert modal is not None and modal["callback_id"] == REMINDERS, modal
    answer = stack.slack.view_submission(
        user,
        REMINDERS,
        {
            "weekday": {"value": {"selected_option": {"value": str(weekday)}}},
            "time": {"value": {"selected_time": at}},
        },
        view_id=modal["id"],
    )
    assert answer.status == 200 and "errors" not in (answer.json or {}), answer.body


def exported_data(page: bytes) -> dict[str, Any]:
    """The data inside an export page: the JSON block the page carries (never run as a script)."""
    text = page.decode()
    start = text.index('<script type="application/json" id="data">') + len(
        '<script type="application/json" id="data">'
    )
    return dict(json.loads(text[start : text.index("</script>", start)]))


def look_back(stack: AppStack, user: str) -> dict[str, Any]:
    stack.slack.block_action(user, LOOK_BACK, "open", view=space())
    call = stack.fake.calls_for("views.push", user=user)[-1]
    assert call["ok"], call
    return dict(call["params"]["view"])


def export_link(stack: AppStack, user: str, action_id: str) -> str:
    """The single-use link the space shows behind ``action_id`` (the paper, the ritual)."""
    stack.slack.block_action(user, action_id, "open", view=space())
    pushed = stack.fake.calls_for("views.push", user=user)[-1]
    assert pushed["ok"], pushed
    shown = json.dumps(pushed["params"]["view"])
    assert "/vault/export/" in shown, shown
    return shown.split("<", 1)[1].split("|", 1)[0]


def download(link: str) -> tuple[str, bytes]:
    """The link's page (a GET spends nothing), then its download: content type and bytes."""
    with urllib.request.urlopen(link, timeout=5) as page:  # a GET shows the page, spends nothing
        assert b'<form method="post">' in page.read()
    with urllib.request.urlopen(urllib.request.Request(link, data=b"download=yes"), timeout=5) as response:
        return response.headers["Content-Type"], response.read()
