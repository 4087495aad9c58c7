"""Once-only operations under concurrent requests to a running ``hr-plugin serve``.

A double click, two devices or a link previewer send the same request several times at once.
Each test fires twelve at the real server (gunicorn, two workers, each with its companion) and
checks the database and what the fake Slack recorded: one effect, and everyone else gets the
answer a later click gets. ``tests/reliability/test_once_only.py`` interleaves the same
operations deterministically, which chance alone may never do.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from hr_plugin.clock import SystemClock
from hr_plugin.db import SessionFactory, make_engine, make_session_factory, unit_of_work, upgrade
from hr_plugin.directory import find_by_email, find_by_slack_id, import_directory, parse_directory_csv
from hr_plugin.enrolment import accept, propose
from hr_plugin.models import AuditEntry, Enrolment, OutboxMessage, Plan
from hr_plugin.settings import decode_master_key
from hr_plugin.slack.views import enrolment as enrolment_views
from hr_plugin.slack_clients import make_client
from hr_plugin.testing.fake_slack import FakeSlack
from hr_plugin.testing.processes import Served, serving
from hr_plugin.testing.signed_client import SignedResponse, SlackRequestClient
from hr_plugin.vault.crypto import LocalKeyProvider
from hr_plugin.vault.keystore import KeyStore
from hr_plugin.vault.service import CheckinInput, Vault
from hr_plugin.vault.store import VaultExport, VaultSpace
from huddles import messages as huddle_words
from huddles import service as huddle_service
from huddles.models import HuddleMember, HuddleRating
from mentoring import messages as mentoring_words
from mentoring.models import Match
from tests.e2e.conftest import ORG_CSV, TEAM, USERS
from tests.huddle_rows import add_huddle
from tests.waiting import wait_for

TOKEN = "xoxb-fake-token"
AT_ONCE = 12
CANARY = "CANARY-once-5d1e"

T = TypeVar("T")


@dataclass
class Running:
    app: Served
    fake: FakeSlack
    factory: SessionFactory
    vault: Vault  # the same master key and key store as the server's

    def client(self) -> SlackRequestClient:
        return SlackRequestClient(f"{self.app.base}/slack/events", self.app.secret, self.fake)


@pytest.fixture
def running(database_url: str, tmp_path: Path) -> Iterator[Running]:
    engine = make_engine(database_url)
    upgrade(engine)  # PostgreSQL is upgraded by the deploy step, not by serve
    factory = make_session_factory(engine)
    clock = SystemClock()
    vault_key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    master = decode_master_key(vault_key, "test")
    keystore = KeyStore(f"sqlite:///{tmp_path / 'keys.db'}", LocalKeyProvider(master))
    with FakeSlack(clock=clock, bot_tokens=[TOKEN]) as fake:
        for email, user_id in USERS.items():
            fake.add_user(user_id, name=email.split("@")[0], real_name=email, email=email, tz="Europe/London")
        import_directory(
            factory,
            tenant_id=TEAM,
            rows=parse_directory_csv(ORG_CSV),
            slack=make_client(TOKEN, fake.base_url, wait_on_rate_limit=True),
            clock=clock,
            full=True,
            actor="test",
        )
        fake.reset_calls()
        with serving(
            database_url=database_url,
            slack_api_url=fake.base_url,
            bot_token=TOKEN,
            folder=tmp_path,
            web_workers="2",
            vault_key=vault_key,
        ) as app:
            yield Running(app, fake, factory, Vault(factory, keystore, clock, master))
        assert app.process.returncode == 0, app.log.read_text()
    keystore.dispose()
    engine.dispose()


def all_at_once(count: int, send: Callable[[int], T]) -> list[T]:
    """``send(i)`` from ``count`` threads released together; their results in order."""
    start = threading.Barrier(count)
    results: list[T | None] = [None] * count
    failures: list[BaseException] = []

    def run(index: int) -> None:
        start.wait(10)
        try:
            results[index] = send(index)
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures, failures[:3]
    return [result for result in results if result is not None]


def _enrol(running: Running, email: str, user_id: str) -> None:
    clock = SystemClock()
    with unit_of_work(running.factory) as session:
        employee = find_by_email(session, TEAM, email)
        assert employee is not None
        today = clock.now().date()
        propose(
            session,
            clock,
            tenant_id=TEAM,
            employee=employee,
            leave_start=date(today.year - 1, 1, 5),
            expected_return=today,
            actor="test",
        )
        session.commit()
    accept(
        running.factory,
        clock,
        [],
        tenant_id=TEAM,
        user_id=user_id,
        contact_during_leave=True,
        leave_out_family=False,
    )


# -- the export link -----------------------------------------------------------------------


def _http(link: str, *, post: bool, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(
        link, data=b"download=yes" if post else None, headers=headers or {}, method="POST" if post else "GET"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()


def test_an_export_link_hit_by_twelve_requests_at_once_is_served_once(running: Running) -> None:
    _enrol(running, "parent@example.com", "UPARENT")
    running.vault.consent(TEAM, "UPARENT")
    running.vault.save_checkin(
        TEAM, "UPARENT", CheckinInput(restorative=CANARY, rating="neutral"), from_reminder=False
    )
    link = f"{running.app.base}/vault/export/{running.vault.export_link(TEAM, 'UPARENT')}"
    own_page = {"Origin": running.app.base, "Sec-Fetch-Site": "same-origin"}

    # A link previewer (or a mail scanner) fetches it first, several times: nothing is spent.
    previews = all_at_once(AT_ONCE, lambda _: _http(link, post=False))
    another_site = _http(
        link, post=True, headers={"Origin": "https://elsewhere.example", "Sec-Fetch-Site": "cross-site"}
    )
    downloads = all_at_once(AT_ONCE, lambda _: _http(link, post=True, headers=own_page))
    later = _http(link, post=True, headers=own_page)

    assert {status for status, _ in previews} == {200}
    assert all(b"<form" in body and CANARY.encode() not in body for _, body in previews)
    assert another_site[0] == 403 and CANARY.encode() not in another_site[1]
    served = [json.loads(body) for status, body in downloads if status == 200]
    assert len(served) == 1, f"the export was served {len(served)} times"
    assert served[0]["checkins"][0]["restorative"] == CANARY
    refused = [body for status, body in downloads if status != 200]
    assert [status for status, _ in downloads].count(404) == AT_ONCE - 1
    assert later[0] == 404 and set(refused) == {later[1]}  # the same answer as a later click
    with unit_of_work(running.factory) as session:
        links = list(session.scalars(select(VaultExport)))
    assert len(links) == 1 and links[0].used_at is not None
    assert all(CANARY not in json.dumps(call) for call in running.fake.calls)  # nothing went to Slack
    assert urlsplit(link).path.startswith("/vault/export/")


def test_consent_sent_from_twelve_screens_at_once_opens_one_space(running: Running) -> None:
    """Twelve consent screens (each with its own single-use token, as twelve devices would
    have) submitted together: one space, and every screen shows it, none an error."""
    _enrol(running, "parent@example.com", "UPARENT")
    tokens = [running.vault.token(TEAM, "UPARENT", "consent-home") for _ in range(AT_ONCE)]
    client = running.client()

    answers = all_at_once(
        AT_ONCE,
        lambda i: client.view_submission("UPARENT", "vault.consent", {}, private_metadata=tokens[i]),
    )

    assert [answer.status for answer in answers] == [200] * AT_ONCE
    shown = [answer.json["view"]["callback_id"] for answer in answers if answer.json]
    assert shown == ["vault.space"] * AT_ONCE  # everyone sees the space, as a later click would
    with unit_of_work(running.factory) as session:
        assert session.scalar(select(func.count()).select_from(VaultSpace)) == 1
    assert running.vault.has_consented(TEAM, "UPARENT") is True
    assert b"Traceback" not in running.app.log.read_bytes()


def test_a_mentor_accepting_twelve_times_at_once_is_introduced_once(running: Running) -> None:
    with unit_of_work(running.factory) as session:
        mentee = find_by_slack_id(session, TEAM, "UPARENT")
        mentor = find_by_slack_id(session, TEAM, "UPEER")
        assert mentee is not None and mentor is not None
        match = Match(
            tenant_id=TEAM,
            mentee_id=mentee.id,
            mentor_id=mentor.id,
            status="asked",
            origin="auto",
            proposed_at=SystemClock().now(),
        )
        session.add(match)
        session.commit()
        match_id = match.id
    client = running.client()

    answers = all_at_once(
        AT_ONCE, lambda _: client.block_action("UPEER", mentoring_words.ACCEPT_ACTION, str(match_id))
    )
    assert [answer.status for answer in answers] == [200] * AT_ONCE
    wait_for(lambda: len(_replies(running, "UPEER")) >= AT_ONCE, 20, "a reply to every click")

    with unit_of_work(running.factory) as session:
        accepted = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "mentoring.accepted")
        )
        intros = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.idempotency_key.like("mentor-intro:%"))
        )
        status = session.scalar(select(Match.status).where(Match.id == match_id))
    assert (accepted, intros, status) == (1, 1, "active")
    replies = _replies(running, "UPEER")
    assert replies.count("You have already answered this request.") == AT_ONCE - 1


# -- enrolment -----------------------------------------------------------------------------


def _audited(running: Running, action: str) -> int:
    with unit_of_work(running.factory) as session:
        return int(
            session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))
            or 0
        )


def _modal_errors(answer: SignedResponse) -> list[str]:
    """The sentences a submitted modal shows under its inputs (none: it closed)."""
    body = answer.json or {}
    return list(body.get("errors", {}).values()) if body.get("response_action") == "errors" else []


def test_an_invitation_accepted_from_twelve_screens_at_once_enrols_once(running: Running) -> None:
    clock = SystemClock()
    with unit_of_work(running.factory) as session:
        parent = find_by_email(session, TEAM, "parent@example.com")
        assert parent is not None
        today = clock.now().date()
        propose(
            session,
            clock,
            tenant_id=TEAM,
            employee=parent,
            leave_start=date(today.year - 1, 1, 5),
            expected_return=today + timedelta(days=30),
            actor="test",
        )
        session.commit()
    client = running.client()
    values = {
        enrolment_views.CHOICES_BLOCK: {
            "value": {"type": "checkboxes", "selected_options": [{"value": enrolment_views.CONTACT_CHOICE}]}
        }
    }

    def submit(_: int) -> SignedResponse:
        return client.view_submission("UPARENT", enrolment_views.ACCEPT_CALLBACK, values)

    answers = all_at_once(AT_ONCE, submit)
    later = submit(0)

    assert [answer.status for answer in answers] == [200] * AT_ONCE
    refused = [_modal_errors(answer) for answer in answers if _modal_errors(answer)]
    assert len(refused) == AT_ONCE - 1  # one modal closed: the one that enrolled
    assert all(errors == _modal_errors(later) for errors in refused)  # as a later click is told
    assert _modal_errors(later) == ["There is no invitation waiting for you."]
    assert _audited(running, "enrolment.accepted") == 1
    with unit_of_work(running.factory) as session:
        assert list(session.scalars(select(Enrolment.status))) == ["active"]
        assert session.scalar(select(func.count()).select_from(Plan)) == 1  # the plan was made once
    assert b"Traceback" not in running.app.log.read_bytes()


def test_asking_to_join_from_twelve_screens_at_once_opens_one_enrolment(running: Running) -> None:
    today = SystemClock().now().date()
    client = running.client()
    values = {
        enrolment_views.LEAVE_START_BLOCK: {
            "value": {"type": "datepicker", "selected_date": date(today.year, 1, 5).isoformat()}
        },
        enrolment_views.RETURN_BLOCK: {
            "value": {"type": "datepicker", "selected_date": (today + timedelta(days=60)).isoformat()}
        },
        enrolment_views.CHOICES_BLOCK: {"value": {"type": "checkboxes", "selected_options": []}},
    }

    def submit(_: int) -> SignedResponse:
        return client.view_submission("UPEER", enrolment_views.SELF_ENROL_CALLBACK, values)

    answers = all_at_once(AT_ONCE, submit)
    later = submit(0)

    assert [answer.status for answer in answers] == [200] * AT_ONCE
    refused = [_modal_errors(answer) for answer in answers if _modal_errors(answer)]
    assert len(refused) == AT_ONCE - 1
    assert _modal_errors(later) == ["You are already enrolled or waiting for HR."]
    assert all(errors == _modal_errors(later) for errors in refused)
    assert _audited(running, "enrolment.self_enrolled") == 1
    with unit_of_work(running.factory) as session:
        assert list(session.scalars(select(Enrolment.status))) == ["awaiting_hr"]
    assert b"Traceback" not in running.app.log.read_bytes()


# -- huddles -------------------------------------------------------------------------------


def _huddle(running: Running, starts_in: timedelta) -> int:
    return add_huddle(
        running.factory, TEAM, SystemClock().now(), starts_in=starts_in, members=("UPARENT", "UPEER")
    )


def _replies(running: Running, user_id: str) -> list[str]:
    return [str(call["params"].get("text")) for call in running.fake.calls_for("response_url", user=user_id)]


def test_a_member_clicking_a_rating_twelve_times_at_once_is_counted_once(running: Running) -> None:
    huddle_id = _huddle(running, -timedelta(hours=2))
    client = running.client()

    def click(index: int) -> SignedResponse:
        score = index % 5 + 1
        return client.block_action("UPARENT", f"{huddle_words.RATE_ACTION}.{score}", f"{huddle_id}:{score}")

    answers = all_at_once(AT_ONCE, click)
    assert [answer.status for answer in answers] == [200] * AT_ONCE
    wait_for(lambda: len(_replies(running, "UPARENT")) >= AT_ONCE, 20, "a reply to every click")

    with unit_of_work(running.factory) as session:
        scores = list(session.scalars(select(HuddleRating.score).where(HuddleRating.huddle_id == huddle_id)))
        rated = list(session.scalars(select(HuddleMember.rated).where(HuddleMember.huddle_id == huddle_id)))
    assert len(scores) == 1, f"{len(scores)} ratings stored for one member"
    assert sorted(rated) == [False, True]
    replies = _replies(running, "UPARENT")
    assert replies.count(huddle_words.rating_reply(scores[0])) == 1
    assert replies.count(huddle_service.ALREADY_ANSWERED) == AT_ONCE - 1  # what a later click is told


def test_an_rsvp_clicked_twelve_times_at_once_is_recorded_once(running: Running) -> None:
    huddle_id = _huddle(running, timedelta(days=2))
    client = running.client()

    answers = all_at_once(
        AT_ONCE, lambda _: client.block_action("UPARENT", huddle_words.ATTEND_ACTION, str(huddle_id))
    )
    assert [answer.status for answer in answers] == [200] * AT_ONCE
    wait_for(lambda: len(_replies(running, "UPARENT")) >= AT_ONCE, 20, "a reply to every click")

    with unit_of_work(running.factory) as session:
        recorded = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "huddles.attend")
        )
        rsvps = list(session.scalars(select(HuddleMember.rsvp).where(HuddleMember.huddle_id == huddle_id)))
    assert recorded == 1, f"{recorded} audit rows for one answer"
    assert sorted(rsvps) == ["attending", "invited"]
    assert set(_replies(running, "UPARENT")) == {huddle_words.rsvp_reply("attend")}
