"""The private check-in's submissions are one transaction: the modal's single-use token is spent
only together with what the screen saves.

A save that fails after the token check (here: the key store failing) leaves the token unspent,
so the same submission sent again is stored, once; two submissions of one screen at once store
one entry, and the other is told what a second click is told; two screens of one week
submitted at once keep one entry for the week, as one after the other do. The seam tests reuse
``interleave`` from ``test_once_only.py``; the content written here (``CANARY``) must never reach
a log line, an exception text or an answer.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from hr_plugin import vault as vault_package
from hr_plugin.db import unit_of_work
from hr_plugin.testing.stack import AppStack
from hr_plugin.vault import service as vault_service
from hr_plugin.vault.models import VaultNonce, VaultRecord
from tests.e2e import vault_flows as flow
from tests.e2e.conftest import TEAM
from tests.reliability.test_once_only import _answer_of, interleave

CANARY = "CANARY-5e1d private words"  # check-in content: must reach no log, error or answer


class KeyStoreDown(RuntimeError):
    """The failure injected into the save step (a fixed text, no content)."""


def _fail_first_key_read(monkeypatch: pytest.MonkeyPatch, stack: AppStack) -> list[int]:
    """Make the key store fail the next time the vault asks it for a key (the save's first step
    after the token check), then work again; returns the list counting the failures."""
    keystore = vault_package.vault_for(stack.services).keystore
    real = keystore.data_key
    failed: list[int] = []

    def data_key(*args: Any, **kwargs: Any) -> Any:
        if not failed:
            failed.append(1)
            raise KeyStoreDown("the key store is unavailable (injected)")
        return real(*args, **kwargs)

    monkeypatch.setattr(keystore, "data_key", data_key)
    return failed


def _rows(stack: AppStack, model: Any) -> int:
    with unit_of_work(stack.factory) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_check_in_whose_save_fails_can_be_submitted_again_and_is_stored_once(
    stack: AppStack, org: dict[str, str], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    flow.enrol(stack, "UPARENT")
    flow.consent(stack, "UPARENT")
    modal = flow.open_checkin(stack, "UPARENT")
    values = flow.checkin_values(CANARY, "restorative")
    nonces_before = _rows(stack, VaultNonce)
    failed = _fail_first_key_read(monkeypatch, stack)
    caplog.set_level(logging.DEBUG)

    broken = stack.slack.view_submission("UPARENT", flow.CHECKIN, values, view_id=modal["id"])

    assert failed == [1], "the injected failure did not happen in the save"
    assert CANARY not in broken.body
    assert "Saved" not in broken.body and "saved" not in broken.body
    assert _rows(stack, VaultNonce) == nonces_before, "the token was spent by a save that failed"
    assert _rows(stack, VaultRecord) == 0

    # Slack keeps the modal open after a failed submission: the person sends the same one again.
    retried = stack.slack.view_submission("UPARENT", flow.CHECKIN, values, view_id=modal["id"])

    assert retried.json is not None and retried.json["response_action"] == "update", retried.status
    assert "expired" not in json.dumps(retried.json)
    entries = vault_package.vault_for(stack.services).entries(TEAM, "UPARENT")
    assert [entry["rating"] for entry in entries] == ["restorative"]
    assert entries[0]["restorative"] == CANARY  # the words were kept, not lost with the failure
    assert _rows(stack, VaultNonce) == nonces_before + 1

    replay = stack.slack.view_submission("UPARENT", flow.CHECKIN, values, view_id=modal["id"])
    assert replay.json is not None and "expired" in json.dumps(replay.json)  # once saved, spent
    assert len(vault_package.vault_for(stack.services).entries(TEAM, "UPARENT")) == 1
    for record in caplog.records:  # nothing the person wrote reached a log line or a traceback
        assert CANARY not in record.getMessage(), record.name
        assert record.exc_text is None or CANARY not in record.exc_text, record.name


def test_a_reflection_whose_save_fails_keeps_its_screen_and_its_milestone_unmarked(
    stack: AppStack, org: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The milestone answer, its mark in the profile and the token: all kept, or none."""
    flow.enrol(stack, "UPARENT")
    flow.consent(stack, "UPARENT")
    vault = vault_package.vault_for(stack.services)
    token = vault_service.ModalToken("milestone-3_months", vault.token(TEAM, "UPARENT", "milestone-3_months"))
    failing = _fail_first_key_read(monkeypatch, stack)

    with pytest.raises(KeyStoreDown) as broken:
        vault.save_reflection(
            TEAM, "UPARENT", "milestone", {"answer": CANARY}, milestone="3_months", token=token
        )

    assert failing == [1] and CANARY not in str(broken.value)
    assert vault.reflections(TEAM, "UPARENT", "milestone") == []
    assert vault.profile(TEAM, "UPARENT").answered_milestones == []
    vault.save_reflection(TEAM, "UPARENT", "milestone", {"answer": CANARY}, milestone="3_months", token=token)
    assert [r["answer"] for r in vault.reflections(TEAM, "UPARENT", "milestone")] == [CANARY]
    assert vault.profile(TEAM, "UPARENT").answered_milestones == ["3_months"]
    with pytest.raises(vault_service.StaleScreen):
        vault.save_reflection(
            TEAM, "UPARENT", "milestone", {"answer": "again"}, milestone="3_months", token=token
        )
    assert len(vault.reflections(TEAM, "UPARENT", "milestone")) == 1


def _checkin(rating: str) -> vault_service.CheckinInput:
    return vault_service.CheckinInput(restorative=CANARY, rating=rating)


def test_one_check_in_screen_submitted_twice_at_once_stores_one_entry(
    stack: AppStack, org: dict[str, str]
) -> None:
    """The first submission is held after spending the token and reading the week, before its
    entry is written; the second runs meanwhile (it waits for the first's transaction)."""
    flow.enrol(stack, "UPARENT")
    vault = vault_package.vault_for(stack.services)
    vault.consent(TEAM, "UPARENT")
    token = vault_service.ModalToken("checkin", vault.token(TEAM, "UPARENT", "checkin"))

    def submit(rating: str) -> Callable[[], None]:
        return lambda: vault.save_checkin(TEAM, "UPARENT", _checkin(rating), from_reminder=False, token=token)

    first, second = interleave(vault_service, submit("neutral"), submit("demanding"))

    assert first.error is None, type(first.error)
    assert isinstance(second.error, vault_service.StaleScreen), type(second.error)
    assert [entry["rating"] for entry in vault.entries(TEAM, "UPARENT")] == ["neutral"]
    with pytest.raises(vault_service.StaleScreen) as later:
        submit("restorative")()
    assert _answer_of(second) == str(later.value)  # the loser is told what a second click is told
    assert _rows(stack, VaultRecord) == 1


def test_one_check_in_screen_sent_by_many_at_once_is_stored_once(
    stack: AppStack, org: dict[str, str]
) -> None:
    """Eight signed submissions of the same modal at once (a double click, two devices): one
    entry, one "saved", and every other one gets the expired-screen answer."""
    flow.enrol(stack, "UPARENT")
    flow.consent(stack, "UPARENT")
    modal = flow.open_checkin(stack, "UPARENT")
    start = threading.Barrier(8)
    answers: list[str] = []
    guard = threading.Lock()

    def submit(rating: str) -> None:
        start.wait(10)
        answer = stack.slack.view_submission(
            "UPARENT", flow.CHECKIN, flow.checkin_values(CANARY, rating), view_id=modal["id"]
        )
        with guard:
            answers.append(json.dumps(answer.json))

    ratings = ["neutral", "demanding", "restorative", "none_good"] * 2
    threads = [threading.Thread(target=submit, args=(rating,), daemon=True) for rating in ratings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert len(answers) == 8
    expired = [answer for answer in answers if "expired" in answer]
    assert len(expired) == 7, f"{8 - len(expired)} submissions of one screen were accepted"
    entries = vault_package.vault_for(stack.services).entries(TEAM, "UPARENT")
    assert len(entries) == 1
    assert _rows(stack, VaultRecord) == 1


def _reminder_values(at: str) -> dict[str, Any]:
    return {
        "weekday": {"value": {"selected_option": {"value": "2"}}},
        "time": {"value": {"selected_time": at}},
    }


def test_a_reminder_time_refused_inline_leaves_the_screen_usable_for_the_corrected_one(
    stack: AppStack, org: dict[str, str]
) -> None:
    """An inline error keeps the modal open for a correction: the refused save must not have
    spent the token the corrected submission carries."""
    flow.enrol(stack, "UPARENT")
    flow.consent(stack, "UPARENT")
    stack.slack.block_action("UPARENT", flow.REMINDERS_OPEN, "open", view=flow.space())
    modal = stack.fake.last_modal("UPARENT")
    assert modal is not None and modal["callback_id"] == flow.REMINDERS, modal

    wrong = stack.slack.view_submission(
        "UPARENT", flow.REMINDERS, _reminder_values("9:30"), view_id=modal["id"]
    )
    corrected = stack.slack.view_submission(
        "UPARENT", flow.REMINDERS, _reminder_values("09:30"), view_id=modal["id"]
    )
    again = stack.slack.view_submission(
        "UPARENT", flow.REMINDERS, _reminder_values("10:30"), view_id=modal["id"]
    )

    assert wrong.json is not None and wrong.json["response_action"] == "errors", wrong.body
    assert corrected.json is not None and "expired" not in json.dumps(corrected.json), corrected.body
    weekday, at, _, _ = vault_package.vault_for(stack.services).reminder_settings(TEAM, "UPARENT")
    assert (weekday, at) == (2, "09:30")
    assert again.json is not None and "expired" in json.dumps(again.json)  # saved, so now spent


@pytest.mark.parametrize("from_screens", [True, False], ids=["from two screens", "without tokens"])
def test_two_check_ins_of_one_week_at_once_keep_one_entry(
    stack: AppStack, org: dict[str, str], from_screens: bool
) -> None:
    """One entry per week: a check-in again the same week replaces that week's entry, so two at
    once (two screens, two tokens) must leave one too. The first is held after reading the week
    (no entry yet) and before writing; the second runs meanwhile. Both are saved, as one after
    the other are, and the week keeps one entry: the one written last."""
    flow.enrol(stack, "UPARENT")
    vault = vault_package.vault_for(stack.services)
    vault.consent(TEAM, "UPARENT")

    def submit(rating: str) -> Callable[[], None]:
        token = (
            vault_service.ModalToken("checkin", vault.token(TEAM, "UPARENT", "checkin"))
            if from_screens
            else None
        )
        return lambda: vault.save_checkin(TEAM, "UPARENT", _checkin(rating), from_reminder=False, token=token)

    first, second = interleave(vault_service, submit("neutral"), submit("demanding"))

    assert (first.error, second.error) == (None, None), (type(first.error), type(second.error))
    stored = vault.entries(TEAM, "UPARENT")
    assert len(stored) == 1, f"{len(stored)} entries for one week"
    assert stored[0]["rating"] in ("neutral", "demanding")
    assert _rows(stack, VaultRecord) == 1
    submit("restorative")()  # a later one the same week replaces it, as it always did
    assert [entry["rating"] for entry in vault.entries(TEAM, "UPARENT")] == ["restorative"]
    assert _rows(stack, VaultRecord) == 1


def test_two_profile_saves_at_once_keep_one_profile(stack: AppStack, org: dict[str, str]) -> None:
    """The settings screen saved from two devices at once: one profile, the last one written.
    The first save is held after reading (no profile yet) and before writing, while the second
    runs to the end; with a random id for each, the person had two profiles and was shown either."""
    flow.enrol(stack, "UPARENT")
    vault = vault_package.vault_for(stack.services)
    vault.consent(TEAM, "UPARENT")

    def save(arrival: str) -> Callable[[], None]:
        profile = vault_service.Profile(partner_questions=False, arrival_date=arrival)
        return lambda: vault.save_profile(TEAM, "UPARENT", profile)

    first, second = interleave(vault_service, save("2026-01-05"), save("2026-02-09"))

    assert (first.error, second.error) == (None, None), (type(first.error), type(second.error))
    with unit_of_work(stack.factory) as session:
        kinds = list(session.scalars(select(VaultRecord.kind)))
    assert kinds.count("profile") == 1, f"{kinds.count('profile')} profiles for one person"
    assert vault.profile(TEAM, "UPARENT").arrival_date == "2026-01-05"  # the first, held, wrote last
