"""The private space's single-use screens under concurrent requests to a running ``hr-plugin serve``.

A double click, a retry or two devices send the same modal several times at once. Each test
fires twelve signed submissions at the real server (gunicorn, two workers), then one more
later, and checks the database and what the fake Slack recorded: one effect, and every
submission that lost is told what the later one is told. The check-in's words
are ``CANARY``; they must reach no call to Slack and no line of the server's log.

Withdrawing consent to the private space is deleting it (``Vault.delete_everything``: the
delete screen is the only way to withdraw), so the deletion tests cover both. Export links and
consent are in ``tests/e2e/test_once_concurrent.py``; ``tests/reliability/test_checkin_once.py``
interleaves the check-in's submissions deterministically.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from hr_plugin.db import unit_of_work
from hr_plugin.models import AuditEntry
from hr_plugin.testing.signed_client import SignedResponse, SlackRequestClient
from hr_plugin.vault import content
from hr_plugin.vault import views as v
from hr_plugin.vault.models import VaultNonce, VaultRecord, VaultSpace
from hr_plugin.vault.service import RATINGS, STALE_SCREEN, CheckinInput
from tests.e2e import vault_flows as flow
from tests.e2e.conftest import TEAM
from tests.e2e.once_serving import AT_ONCE, CANARY, Running, all_at_once, enrol, nothing_failed
from tests.waiting import wait_for

USER = "UPARENT"
SAVED = content.checkin_text("saved", include_partner=True)


def _agreed(running: Running) -> SlackRequestClient:
    """The parent, enrolled, has opened their private space; a client to send as them."""
    enrol(running, "parent@example.com", USER)
    running.vault.consent(TEAM, USER)
    return running.client()


def _open_screen(running: Running, client: SlackRequestClient, action: str, callback: str) -> str:
    """Click ``action`` in the private space, as the person would; the single-use token
    (``private_metadata``) of the screen the app pushed."""
    pushed = len(running.fake.calls_for("views.push", user=USER))
    answer = client.block_action(USER, action, "open", view=flow.space())
    assert answer.status == 200, answer.body
    wait_for(lambda: len(running.fake.calls_for("views.push", user=USER)) > pushed, 20, "the screen")
    view = running.fake.calls_for("views.push", user=USER)[-1]["params"]["view"]
    assert view["callback_id"] == callback, view["callback_id"]
    return str(view["private_metadata"])


def _told(answer: SignedResponse) -> str:
    """What the person sees after submitting: the closing screen's sentence, the inline errors,
    or "closed" when the modal simply closed."""
    assert answer.status == 200, answer.status
    body = answer.json or {}
    action = body.get("response_action")
    if action == "clear":
        return "closed"
    if action == "errors":
        return json.dumps(body["errors"], sort_keys=True)
    assert action == "update", answer.body
    return "\n".join(str(block["text"]["text"]) for block in body["view"]["blocks"] if "text" in block)


def _count(running: Running, model: Any, *where: Any) -> int:
    with unit_of_work(running.factory) as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _checkins(running: Running) -> int:
    """Check-in rows in the vault's table (the kind is plaintext, the entry is sealed)."""
    return _count(running, VaultRecord, VaultRecord.kind == "checkin")


def _nothing_private_leaked(running: Running) -> None:
    assert all(CANARY not in json.dumps(call) for call in running.fake.calls), "the words reached Slack"
    assert CANARY.encode() not in running.app.log.read_bytes(), "the words reached the server's log"
    nothing_failed(running)


def _sent_to_slack(running: Running, since: int) -> list[str]:
    """The Slack methods the app called after the first ``since`` recorded calls (the fake also
    records each answer to a request, as "ack": those are what the person was told). Left out
    too: ``auth.test``, which Bolt calls once in each process on its first request (a worker
    that had served nothing before the burst), and which carries nothing."""
    return [
        call["method"] for call in running.fake.calls[since:] if call["method"] not in ("ack", "auth.test")
    ]


# -- the weekly check-in -------------------------------------------------------------------------


def test_one_check_in_screen_submitted_twelve_times_at_once_is_stored_once(running: Running) -> None:
    """A double click or a retry: twelve submissions of one screen carry the same single-use
    token. One entry is stored and the token spent once; the other eleven are told what a
    later submission of that screen is told (it has expired)."""
    client = _agreed(running)
    token = _open_screen(running, client, v.CHECKIN_ACTION, v.CHECKIN_CALLBACK)
    calls_before = len(running.fake.calls)

    def submit(index: int) -> SignedResponse:
        values = flow.checkin_values(f"{CANARY} {index}", RATINGS[index % len(RATINGS)])
        return client.view_submission(USER, v.CHECKIN_CALLBACK, values, private_metadata=token)

    answers = all_at_once(AT_ONCE, submit)
    later = submit(AT_ONCE)

    told = [_told(answer) for answer in answers]
    assert told.count(SAVED) == 1, told
    assert _told(later) == STALE_SCREEN
    assert told.count(_told(later)) == AT_ONCE - 1  # the losers: what a later submission is told
    assert _checkins(running) == 1
    assert _count(running, VaultNonce) == 1  # the token, spent once
    entries = running.vault.entries(TEAM, USER)
    assert len(entries) == 1
    winner = int(entries[0]["restorative"].removeprefix(f"{CANARY} "))
    assert entries[0]["rating"] == RATINGS[winner % len(RATINGS)]  # one submission, whole
    assert _sent_to_slack(running, calls_before) == []  # a check-in sends nothing to Slack
    _nothing_private_leaked(running)


def test_check_ins_from_twelve_screens_at_once_keep_one_entry_for_the_week(running: Running) -> None:
    """Twelve check-in screens (twelve tokens: the space opened on a phone and a laptop, or
    opened again) submitted together. The week keeps one entry, as when they are submitted one
    after another (a check-in again the same week replaces that week's entry), and every one of
    them is told it was saved, as a later one is.

    Without the week's own record id, PostgreSQL stored several entries here. SQLite did not:
    the token's INSERT, the save's first statement, makes the saves take turns there, so the
    later one finds the earlier one's entry (``test_checkin_once.py`` shows the race on both
    through the service without a token)."""
    client = _agreed(running)
    tokens = [_open_screen(running, client, v.CHECKIN_ACTION, v.CHECKIN_CALLBACK) for _ in range(AT_ONCE + 1)]
    calls_before = len(running.fake.calls)

    def submit(index: int) -> SignedResponse:
        values = flow.checkin_values(f"{CANARY} {index}", RATINGS[index % len(RATINGS)])
        return client.view_submission(USER, v.CHECKIN_CALLBACK, values, private_metadata=tokens[index])

    answers = all_at_once(AT_ONCE, submit)
    assert [_told(answer) for answer in answers] == [SAVED] * AT_ONCE
    assert _checkins(running) == 1, f"{_checkins(running)} entries stored for one week"
    later = submit(AT_ONCE)

    assert _told(later) == SAVED
    assert _checkins(running) == 1
    entries = running.vault.entries(TEAM, USER)
    assert [entry["restorative"] for entry in entries] == [f"{CANARY} {AT_ONCE}"]  # the later one replaced it
    assert entries[0]["week"] == running.vault.this_week(TEAM, USER)
    assert _count(running, VaultNonce) == AT_ONCE + 1  # every screen's token, each spent once
    assert _sent_to_slack(running, calls_before) == []
    _nothing_private_leaked(running)


# -- deleting the private space (withdrawing consent) --------------------------------------------


def _with_words(running: Running) -> None:
    """Something to delete: a check-in in the space."""
    words = CheckinInput(restorative=f"{CANARY} before deleting", rating="neutral")
    running.vault.save_checkin(TEAM, USER, words, from_reminder=False)
    assert _checkins(running) == 1


def _space_gone(running: Running) -> None:
    with unit_of_work(running.factory) as session:
        employee_id = running.vault.owner(session, TEAM, USER).employee_id
    assert _count(running, VaultSpace) == 0
    assert _count(running, VaultRecord) == 0
    assert running.vault.keystore.data_key(TEAM, employee_id, create=False) is None  # shredded
    assert running.vault.has_consented(TEAM, USER) is False


def test_the_delete_screen_submitted_twelve_times_at_once_deletes_once(running: Running) -> None:
    """A double click on "Delete everything": one submission deletes and closes the screen; the
    others are told what a later submission of that screen is told. Deletion is not audited
    (the audit log must not say who used the private space), so nothing is added there."""
    client = _agreed(running)
    _with_words(running)
    token = _open_screen(running, client, v.DELETE_ACTION, v.DELETE_CALLBACK)
    audit_rows = _count(running, AuditEntry)
    calls_before = len(running.fake.calls)

    def submit(_: int) -> SignedResponse:
        return client.view_submission(USER, v.DELETE_CALLBACK, {}, private_metadata=token)

    answers = all_at_once(AT_ONCE, submit)
    later = submit(0)

    told = [_told(answer) for answer in answers]
    assert told.count("closed") == 1, told
    assert _told(later) == STALE_SCREEN
    assert told.count(_told(later)) == AT_ONCE - 1
    _space_gone(running)
    assert _count(running, VaultNonce) == 1
    assert _count(running, AuditEntry) == audit_rows
    assert _sent_to_slack(running, calls_before) == []
    _nothing_private_leaked(running)


def test_deleting_from_twelve_screens_at_once_deletes_once_and_shows_no_error(running: Running) -> None:
    """Twelve delete screens (each with its own token) submitted together: the space is gone,
    and every screen closes, as a delete screen submitted after the space was gone does."""
    client = _agreed(running)
    _with_words(running)
    tokens = [_open_screen(running, client, v.DELETE_ACTION, v.DELETE_CALLBACK) for _ in range(AT_ONCE + 1)]
    audit_rows = _count(running, AuditEntry)
    calls_before = len(running.fake.calls)

    def submit(index: int) -> SignedResponse:
        return client.view_submission(USER, v.DELETE_CALLBACK, {}, private_metadata=tokens[index])

    answers = all_at_once(AT_ONCE, submit)
    later = submit(AT_ONCE)

    assert _told(later) == "closed"
    assert [_told(answer) for answer in answers] == [_told(later)] * AT_ONCE
    _space_gone(running)
    assert _count(running, AuditEntry) == audit_rows
    assert _sent_to_slack(running, calls_before) == []
    _nothing_private_leaked(running)


# -- reminders and the private settings ----------------------------------------------------------


def test_the_reminder_screen_submitted_twelve_times_at_once_is_saved_once(running: Running) -> None:
    client = _agreed(running)
    token = _open_screen(running, client, v.REMINDERS_ACTION, v.REMINDERS_CALLBACK)
    calls_before = len(running.fake.calls)

    def submit(index: int) -> SignedResponse:
        values = {
            v.WEEKDAY_BLOCK: {"value": {"type": "static_select", "selected_option": {"value": "2"}}},
            v.TIME_BLOCK: {"value": {"type": "timepicker", "selected_time": f"{7 + index:02d}:30"}},
        }
        return client.view_submission(USER, v.REMINDERS_CALLBACK, values, private_metadata=token)

    answers = all_at_once(AT_ONCE, submit)
    later = submit(AT_ONCE)

    told = [_told(answer) for answer in answers]
    saved = [text for text in told if text.startswith("Reminders set for Wednesdays at ")]
    assert len(saved) == 1, told
    assert _told(later) == STALE_SCREEN
    assert told.count(_told(later)) == AT_ONCE - 1
    weekday, at, stopped, _ = running.vault.reminder_settings(TEAM, USER)
    assert (weekday, stopped) == (2, False)
    assert saved == [f"Reminders set for Wednesdays at {at}."]  # what was stored is what was said
    assert _count(running, VaultNonce) == 1
    assert _sent_to_slack(running, calls_before) == []
    _nothing_private_leaked(running)


def test_the_settings_screen_submitted_twelve_times_at_once_is_saved_once(running: Running) -> None:
    client = _agreed(running)
    token = _open_screen(running, client, v.PROFILE_ACTION, v.PROFILE_CALLBACK)
    calls_before = len(running.fake.calls)
    arrivals = [f"2026-0{1 + index % 9}-{10 + index:02d}" for index in range(AT_ONCE + 1)]

    def submit(index: int) -> SignedResponse:
        values = {
            v.PARTNER_BLOCK: {"value": {"type": "radio_buttons", "selected_option": {"value": "no"}}},
            v.ARRIVAL_BLOCK: {"value": {"type": "datepicker", "selected_date": arrivals[index]}},
        }
        return client.view_submission(USER, v.PROFILE_CALLBACK, values, private_metadata=token)

    answers = all_at_once(AT_ONCE, submit)
    later = submit(AT_ONCE)

    told = [_told(answer) for answer in answers]
    assert told.count("Saved.") == 1, told
    assert _told(later) == STALE_SCREEN
    assert told.count(_told(later)) == AT_ONCE - 1
    assert _count(running, VaultRecord, VaultRecord.kind == "profile") == 1
    profile = running.vault.profile(TEAM, USER)
    assert profile.partner_questions is False
    assert profile.arrival_date in arrivals[:AT_ONCE]  # one of the twelve, not the later one
    assert _count(running, VaultNonce) == 1
    assert _sent_to_slack(running, calls_before) == []
    _nothing_private_leaked(running)


# -- the longer track's tally ----------------------------------------------------------------------


def _tally_screen(running: Running, client: SlackRequestClient) -> str:
    """Open the tally from the track's list, as the person would; the screen's single-use token."""
    pushed = len(running.fake.calls_for("views.push", user=USER))
    listed = {"type": "modal", "id": "VTRACK", "callback_id": "vault.track_list", "private_metadata": ""}
    answer = client.block_action(USER, "vault.track_step.tally", "tally", view=listed)
    assert answer.status == 200, answer.body
    wait_for(lambda: len(running.fake.calls_for("views.push", user=USER)) > pushed, 20, "the tally")
    view = running.fake.calls_for("views.push", user=USER)[-1]["params"]["view"]
    assert view["callback_id"] == "vault.track", view["callback_id"]
    return str(view["private_metadata"])


def _add_one(client: SlackRequestClient, token: str) -> SignedResponse:
    picked = {"type": "static_select", "selected_option": {"value": "1"}}
    values = {"repairs": {"value": picked}, "gestures": {"value": picked}}
    return client.view_submission(USER, "vault.track", values, private_metadata=token)


def test_tallies_added_from_twelve_screens_at_once_are_all_counted(running: Running) -> None:
    """Twelve tally screens (two devices, a screen opened again) each add one repair and one
    warm gesture at the same moment: all twelve are counted. A tally read, added to and written
    back lost additions here; each addition is now a sealed record of its own, summed when read."""
    client = _agreed(running)
    running.vault.start_track(TEAM, USER)
    tokens = [_tally_screen(running, client) for _ in range(AT_ONCE)]

    answers = all_at_once(AT_ONCE, lambda index: _add_one(client, tokens[index]))

    assert all(answer.status == 200 and "errors" not in (answer.json or {}) for answer in answers)
    tally = running.vault.track_progress(TEAM, USER).parts["tally"]
    assert (tally["repairs"], tally["gestures"]) == (AT_ONCE, AT_ONCE)
    nothing_failed(running)


def test_one_tally_screen_submitted_twelve_times_at_once_adds_once(running: Running) -> None:
    client = _agreed(running)
    running.vault.start_track(TEAM, USER)
    token = _tally_screen(running, client)

    answers = all_at_once(AT_ONCE, lambda _: _add_one(client, token))

    assert len(answers) == AT_ONCE
    tally = running.vault.track_progress(TEAM, USER).parts["tally"]
    assert (tally["repairs"], tally["gestures"]) == (1, 1)
    assert _count(running, VaultNonce) == 1
    nothing_failed(running)
