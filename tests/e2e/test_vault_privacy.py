"""What the vault promises, checked where an attacker or a careless operator would look:
logs at DEBUG, the database files, a PostgreSQL dump, the outbox, messages, and the keys."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from hr_plugin import vault as vault_package
from hr_plugin.db import unit_of_work
from hr_plugin.testing.stack import AppStack, start_stack
from tests.e2e import vault_flows as flow
from tests.e2e.conftest import TEAM

CANARY = "CANARY-c4b1"


# The arrival date someone gives at setup: sealed in their profile, so never in plaintext.
ARRIVAL = "2026-10-11"


def _everything(stack: AppStack, user: str) -> None:
    """Type the canary into every free-text field of the private space, and give every other
    private answer (the arrival date, experiments' days and times, closeness outside the plan)."""
    stack.slack.block_action(user, flow.OPEN, "home", view=flow.HOME)
    modal = stack.fake.last_modal(user)
    assert modal is not None and modal["callback_id"] == flow.CONSENT
    agreed = stack.slack.view_submission(
        user, flow.CONSENT, {"arrival_date": {"value": {"selected_date": ARRIVAL}}}, view_id=modal["id"]
    )
    assert agreed.json is not None and agreed.json["view"]["callback_id"] == "vault.space", agreed.body
    planned = flow.checkin_values(f"{CANARY}:{user}", "none_good")
    for index in range(3):
        suffix = "" if index == 0 else f"_{index + 1}"
        planned[f"own_experiment{suffix}"] = {"value": {"value": f"{CANARY}:{user} experiment {index}"}}
        planned[f"experiment_day{suffix}"] = {"value": {"selected_option": {"value": str(index)}}}
        planned[f"experiment_time{suffix}"] = {"value": {"selected_time": f"0{index + 1}:17"}}
    planned["closeness_outside"] = {"value": {"selected_option": {"value": "yes"}}}
    checkin = flow.open_checkin(stack, user)
    saved = stack.slack.view_submission(user, flow.CHECKIN, planned, view_id=checkin["id"])
    assert saved.json is not None and saved.json["response_action"] == "update", saved.body
    flow.check_in(stack, user, (f"{CANARY}:{user}" * 200), "neutral")  # refused: too long
    stack.services.clock.advance(timedelta(weeks=1))  # type: ignore[attr-defined]
    followed = flow.checkin_values(f"{CANARY}:{user}", "neutral")
    for index in range(3):
        suffix = "" if index == 0 else f"_{index + 1}"
        followed[f"follow_up{suffix}"] = {"value": {"selected_option": {"value": "partly"}}}
        followed[f"follow_up_note{suffix}"] = {"value": {"value": f"{CANARY}:{user} note {index}"}}
    checkin = flow.open_checkin(stack, user)
    saved = stack.slack.view_submission(user, flow.CHECKIN, followed, view_id=checkin["id"])
    assert saved.json is not None and saved.json["response_action"] == "update", saved.body
    flow.look_back(stack, user)
    stack.slack.block_action(user, "vault.review_open", "open", view=flow.space())
    review = stack.fake.last_modal(user)
    assert review is not None
    answers = {
        block["block_id"]: {"value": {"type": "plain_text_input", "value": f"{CANARY}:{user} review"}}
        for block in review["blocks"]
        if block.get("type") == "input"
    }
    stack.slack.view_submission(user, "vault.reflection", answers, view_id=review["id"])
    stack.slack.block_action(user, "vault.reviews_open", "open", view=flow.space())  # past reviews
    stack.slack.block_action(user, flow.OPEN, "home", view=flow.HOME)  # the space, with its signs
    stack.slack.block_action(user, flow.EXPORT, "open", view=flow.space())
    stack.settle()


@pytest.fixture
def two_employees(stack: AppStack, org: dict[str, str]) -> tuple[str, str]:
    from datetime import date

    from hr_plugin.directory import find_by_email
    from hr_plugin.enrolment import propose

    with unit_of_work(stack.factory) as session:
        peer = find_by_email(session, TEAM, "peer@example.com")
        assert peer is not None
        propose(
            session,
            stack.services.clock,
            tenant_id=TEAM,
            employee=peer,
            leave_start=date(2026, 5, 1),
            expected_return=date(2026, 11, 2),
            actor="test",
        )
        session.commit()
    flow.enrol(stack, "UPARENT")
    flow.enrol(stack, "UPEER")
    return "UPARENT", "UPEER"


def test_at_debug_the_canary_is_in_no_log_line_and_no_exception(
    stack: AppStack, two_employees: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")  # every statement and its parameters
    for user in two_employees:
        _everything(stack, user)

    assert any(record.levelno == logging.DEBUG for record in caplog.records), "DEBUG logging must be on"
    for record in caplog.records:
        rendered = record.getMessage() + (
            logging.Formatter().formatException(record.exc_info) if record.exc_info else ""
        )
        assert CANARY not in rendered, f"{record.name}: {rendered[:200]}"
        assert ARRIVAL not in rendered, f"{record.name}: {rendered[:200]}"


def test_the_canary_reaches_each_owner_only_and_never_an_app_home_or_a_message(
    stack: AppStack, two_employees: tuple[str, str]
) -> None:
    for user in two_employees:
        _everything(stack, user)

    for user in two_employees:
        seen = [call for call in stack.fake.calls if f"{CANARY}:{user}" in json.dumps(call)]
        assert seen, "the owner must see their own words, or this test proves nothing"
        shown = json.dumps(seen)
        for words in ("experiment 2", "note 1", "review"):  # each new field came back to its owner
            assert f"{CANARY}:{user} {words}" in shown, words
        for call in seen:
            assert call["audience"] == [user]
            assert call["method"] not in (
                "views.publish",
                "chat.postMessage",
                "chat.postEphemeral",
                "response_url",
            )


def test_nothing_of_the_content_is_stored_in_plaintext(
    stack: AppStack, two_employees: tuple[str, str], database_url: str
) -> None:
    for user in two_employees:
        _everything(stack, user)
    stack.ticks.context.drainer.drain(max_seconds=5)

    needles = [CANARY.encode(), CANARY.encode().hex().encode(), ARRIVAL.encode()]
    if database_url.startswith("sqlite:///"):
        main = Path(database_url.removeprefix("sqlite:///"))
        files = [p for p in main.parent.iterdir() if p.name.startswith(main.stem)]
        assert any(p.name.endswith("-keys.db") for p in files), "the key store is a file of its own"
        for path in files:
            data = path.read_bytes()
            assert not any(needle in data for needle in needles), path.name
    with stack.services.engine.connect() as connection:
        tables = [
            name
            for (name,) in connection.execute(
                text(
                    "SELECT name FROM sqlite_master WHERE type='table'"
                    if database_url.startswith("sqlite")
                    else "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                )
            )
        ]
        for table in tables:
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                dumped = repr(tuple(row)).encode()
                assert CANARY.encode() not in dumped, table
                assert ARRIVAL.encode() not in dumped and b"2026, 10, 11" not in dumped, table
                assert not any(
                    isinstance(v, bytes | memoryview) and CANARY.encode() in bytes(v) for v in row
                ), table


def test_a_ciphertext_moved_to_another_row_or_person_does_not_open(
    stack: AppStack, two_employees: tuple[str, str]
) -> None:
    from hr_plugin.vault.models import VaultRecord

    parent, peer = two_employees
    for user in two_employees:
        flow.consent(stack, user)
        flow.check_in(stack, user, f"{CANARY}:{user}", "neutral")
    vault = vault_package.vault_for(stack.services)
    with unit_of_work(stack.factory) as session:
        rows = {
            row.employee_id: row
            for row in session.scalars(select(VaultRecord).where(VaultRecord.kind == "checkin"))
        }
        parent_id = vault.owner(session, TEAM, parent).employee_id
        peer_id = vault.owner(session, TEAM, peer).employee_id
        stolen = rows[parent_id].sealed
        session.execute(update(VaultRecord).where(VaultRecord.id == rows[peer_id].id).values(sealed=stolen))
        session.add(
            VaultRecord(id="f" * 32, tenant_id=TEAM, employee_id=parent_id, kind="checkin", sealed=stolen)
        )
        session.commit()

    assert vault.entries(TEAM, peer) == []  # the parent's words never open as the peer's
    assert [e["restorative"] for e in vault.entries(TEAM, parent)] == [
        f"{CANARY}:{parent}"
    ]  # copy under new id: no


def test_the_main_database_without_the_key_store_decrypts_nothing(
    stack: AppStack, two_employees: tuple[str, str], database_url: str, tmp_path: Path
) -> None:
    from hr_plugin.clock import SystemClock

    parent, _ = two_employees
    flow.consent(stack, parent)
    flow.check_in(stack, parent, CANARY, "neutral")

    restored = start_stack(
        database_url, SystemClock(), vault_keystore_url=f"sqlite:///{tmp_path / 'empty-keys.db'}"
    )
    try:
        elsewhere = vault_package.vault_for(restored.services)
        with pytest.raises(vault_package_error(), match="not set up"):
            elsewhere.entries(TEAM, parent)
        assert elsewhere.keystore.count() == 0
    finally:
        restored.stop()


def test_after_delete_nothing_the_system_holds_can_decrypt_a_backup(
    stack: AppStack, two_employees: tuple[str, str]
) -> None:
    from hr_plugin.vault.crypto import DecryptionError, open_sealed, record_context
    from hr_plugin.vault.models import VaultRecord

    parent, _ = two_employees
    flow.consent(stack, parent)
    flow.check_in(stack, parent, CANARY, "neutral")
    vault = vault_package.vault_for(stack.services)
    with unit_of_work(stack.factory) as session:
        backup = [(r.id, r.employee_id, r.sealed) for r in session.scalars(select(VaultRecord))]
    assert backup

    vault.delete_everything(TEAM, parent)

    with unit_of_work(stack.factory) as session:
        assert session.scalars(select(VaultRecord)).all() == []
    for record_id, employee_id, sealed in backup:
        assert vault.keystore.data_key(TEAM, employee_id, create=False) is None
        fresh = vault.keystore.data_key(TEAM, employee_id, create=True)
        assert fresh is not None
        with pytest.raises(DecryptionError):
            open_sealed(fresh, sealed, record_context(TEAM, employee_id, record_id, "checkin"))


def vault_package_error() -> type[Exception]:
    from hr_plugin.vault.service import VaultError

    return VaultError
