"""Once-only operations under concurrent requests to a running ``hr-plugin serve``.

A double click, two devices or a link previewer send the same request several times at once.
Each test fires twelve at the real server (gunicorn, two workers) and checks the database and
what the fake Slack recorded: one effect, and everyone else gets the answer a later click gets.
``tests/reliability/test_once_only.py`` interleaves the same operations deterministically,
which chance alone may never do.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from datetime import date, timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select

from hr_plugin.clock import SystemClock
from hr_plugin.db import unit_of_work
from hr_plugin.directory import find_by_email, find_by_slack_id
from hr_plugin.enrolment import propose
from hr_plugin.enrolment import views as enrolment_views
from hr_plugin.enrolment.models import Enrolment
from hr_plugin.models import AuditEntry, OutboxMessage, ProcessedEvent
from hr_plugin.reintegration.models import Plan
from hr_plugin.slack.views.modals import DAYS_BLOCK, END_BLOCK, START_BLOCK, WORKING_HOURS_CALLBACK
from hr_plugin.testing.signed_client import SignedResponse, SlackRequestClient
from hr_plugin.vault.models import VaultExport, VaultSpace
from hr_plugin.vault.service import CheckinInput
from huddles import messages as huddle_words
from huddles import service as huddle_service
from huddles.models import HuddleMember, HuddleRating
from mentoring import messages as mentoring_words
from mentoring.models import Match
from tests.e2e.conftest import TEAM
from tests.e2e.once_serving import (
    AT_ONCE,
    CANARY,
    Running,
    all_at_once,
    audited,
    enrol,
    modal_errors,
    nothing_failed,
    replies,
)
from tests.e2e.vault_flows import exported_data
from tests.huddle_rows import add_huddle
from tests.waiting import wait_for

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
    enrol(running, "parent@example.com", "UPARENT")
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
    served = [exported_data(body) for status, body in downloads if status == 200]
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
    enrol(running, "parent@example.com", "UPARENT")
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
    nothing_failed(running)


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
    wait_for(lambda: len(replies(running, "UPEER")) >= AT_ONCE, 20, "a reply to every click")

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
    told = replies(running, "UPEER")
    assert told.count("You have already answered this request.") == AT_ONCE - 1


# -- enrolment -----------------------------------------------------------------------------


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
    refused = [modal_errors(answer) for answer in answers if modal_errors(answer)]
    assert len(refused) == AT_ONCE - 1  # one modal closed: the one that enrolled
    assert all(errors == modal_errors(later) for errors in refused)  # as a later click is told
    assert modal_errors(later) == ["There is no invitation waiting for you."]
    assert audited(running, "enrolment.accepted") == 1
    with unit_of_work(running.factory) as session:
        assert list(session.scalars(select(Enrolment.status))) == ["active"]
        assert session.scalar(select(func.count()).select_from(Plan)) == 1  # the plan was made once
    nothing_failed(running)


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
    refused = [modal_errors(answer) for answer in answers if modal_errors(answer)]
    assert len(refused) == AT_ONCE - 1
    assert modal_errors(later) == ["You are already enrolled or waiting for HR."]
    assert all(errors == modal_errors(later) for errors in refused)
    assert audited(running, "enrolment.self_enrolled") == 1
    with unit_of_work(running.factory) as session:
        assert list(session.scalars(select(Enrolment.status))) == ["awaiting_hr"]
    nothing_failed(running)


# -- huddles -------------------------------------------------------------------------------


def _huddle(running: Running, starts_in: timedelta) -> int:
    return add_huddle(
        running.factory, TEAM, SystemClock().now(), starts_in=starts_in, members=("UPARENT", "UPEER")
    )


def test_a_member_clicking_a_rating_twelve_times_at_once_is_counted_once(running: Running) -> None:
    huddle_id = _huddle(running, -timedelta(hours=2))
    client = running.client()

    def click(index: int) -> SignedResponse:
        score = index % 5 + 1
        return client.block_action("UPARENT", f"{huddle_words.RATE_ACTION}.{score}", f"{huddle_id}:{score}")

    answers = all_at_once(AT_ONCE, click)
    assert [answer.status for answer in answers] == [200] * AT_ONCE
    wait_for(lambda: len(replies(running, "UPARENT")) >= AT_ONCE, 20, "a reply to every click")

    with unit_of_work(running.factory) as session:
        scores = list(session.scalars(select(HuddleRating.score).where(HuddleRating.huddle_id == huddle_id)))
        rated = list(session.scalars(select(HuddleMember.rated).where(HuddleMember.huddle_id == huddle_id)))
    assert len(scores) == 1, f"{len(scores)} ratings stored for one member"
    assert sorted(rated) == [False, True]
    told = replies(running, "UPARENT")
    assert told.count(huddle_words.rating_reply(scores[0])) == 1
    assert told.count(huddle_service.ALREADY_ANSWERED) == AT_ONCE - 1  # what a later click is told


def test_an_rsvp_clicked_twelve_times_at_once_is_recorded_once(running: Running) -> None:
    huddle_id = _huddle(running, timedelta(days=2))
    client = running.client()

    answers = all_at_once(
        AT_ONCE, lambda _: client.block_action("UPARENT", huddle_words.ATTEND_ACTION, str(huddle_id))
    )
    assert [answer.status for answer in answers] == [200] * AT_ONCE
    wait_for(lambda: len(replies(running, "UPARENT")) >= AT_ONCE, 20, "a reply to every click")

    with unit_of_work(running.factory) as session:
        recorded = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "huddles.attend")
        )
        rsvps = list(session.scalars(select(HuddleMember.rsvp).where(HuddleMember.huddle_id == huddle_id)))
    assert recorded == 1, f"{recorded} audit rows for one answer"
    assert sorted(rsvps) == ["attending", "invited"]
    assert set(replies(running, "UPARENT")) == {huddle_words.rsvp_reply("attend")}


def test_the_questions_on_paper_and_the_ritual_hit_twelve_times_at_once_are_each_served_once(
    running: Running,
) -> None:
    """The two links made for home (#18) redeem like the export's: of twelve simultaneous
    downloads of each, one is served and eleven are told what a later click is told."""
    enrol(running, "parent@example.com", "UPARENT")
    running.vault.consent(TEAM, "UPARENT")
    running.vault.set_reminder(TEAM, "UPARENT", 2, "20:30")  # the ritual's day and time
    own_page = {"Origin": running.app.base, "Sec-Fetch-Site": "same-origin"}
    for kind, served_as in (("questions", b"<html"), ("ritual", b"BEGIN:VCALENDAR")):
        link = f"{running.app.base}/vault/export/{running.vault.export_link(TEAM, 'UPARENT', kind)}"

        downloads = all_at_once(AT_ONCE, lambda _, link=link: _http(link, post=True, headers=own_page))
        later = _http(link, post=True, headers=own_page)

        served = [body for status, body in downloads if status == 200]
        assert len(served) == 1 and served_as in served[0], (kind, len(served))
        assert [status for status, _ in downloads].count(404) == AT_ONCE - 1
        assert later[0] == 404 and {body for status, body in downloads if status == 404} == {later[1]}
    with unit_of_work(running.factory) as session:
        links = list(session.scalars(select(VaultExport)))
    assert sorted(link.kind for link in links) == ["questions", "ritual"]
    assert all(link.used_at is not None for link in links)


def test_a_milestone_answered_from_twelve_screens_at_once_keeps_one_answer(running: Running) -> None:
    """Twelve screens of the same milestone (two devices, a screen opened again) submitted
    together keep one answer, as one after the other does, and mark the milestone once."""
    enrol(running, "parent@example.com", "UPARENT")
    running.vault.consent(TEAM, "UPARENT")
    tokens = [running.vault.token(TEAM, "UPARENT", "milestone-6_weeks") for _ in range(AT_ONCE + 1)]
    client = running.client()

    def submit(index: int) -> SignedResponse:
        answer = {"answer": {"value": {"type": "plain_text_input", "value": f"{CANARY} {index}"}}}
        return client.view_submission("UPARENT", "vault.reflection", answer, private_metadata=tokens[index])

    answers = all_at_once(AT_ONCE, submit)
    assert [answer.status for answer in answers] == [200] * AT_ONCE
    assert len(running.vault.reflections(TEAM, "UPARENT", "milestone")) == 1
    assert submit(AT_ONCE).status == 200  # a later screen of it replaces the answer
    kept = running.vault.reflections(TEAM, "UPARENT", "milestone")
    assert [answer["answer"] for answer in kept] == [f"{CANARY} {AT_ONCE}"]
    assert running.vault.profile(TEAM, "UPARENT").answered_milestones == ["6_weeks"]
    assert all(CANARY not in json.dumps(call) for call in running.fake.calls)


# -- one signed submission, sent twelve times at once (a replay) --------------------------------


class _Keeping(SlackRequestClient):
    """Signs a request as Slack would and keeps it instead of sending it."""

    kept: tuple[dict[str, str], bytes] | None = None

    def send(self, headers: dict[str, str], body: bytes) -> SignedResponse:
        self.kept = (headers, body)
        return SignedResponse(0, {}, "", None)


def test_one_working_hours_submission_sent_twelve_times_at_once_is_saved_once(running: Running) -> None:
    """The save is one prebuilt UPDATE and audit INSERT in the transaction that claims the
    request's signature (``hr_plugin.home.update_working_hours``): the same signed bytes, twelve
    times at once, save once and are refused as replays eleven times."""
    values = {
        DAYS_BLOCK: {"value": {"type": "checkboxes", "selected_options": [{"value": "1"}, {"value": "3"}]}},
        START_BLOCK: {"value": {"type": "timepicker", "selected_time": "07:45"}},
        END_BLOCK: {"value": {"type": "timepicker", "selected_time": "13:15"}},
    }
    keeping = _Keeping(f"{running.app.base}/slack/events", running.app.secret, running.fake)
    keeping.view_submission("UPARENT", WORKING_HOURS_CALLBACK, values)
    assert keeping.kept is not None
    client = running.client()

    answers = all_at_once(AT_ONCE, lambda _index: client.send(*keeping.kept))

    assert sorted(answer.status for answer in answers) == [200] + [401] * (AT_ONCE - 1)
    assert audited(running, "settings.working_hours") == 1
    with unit_of_work(running.factory) as session:
        parent = find_by_slack_id(session, TEAM, "UPARENT")
        assert parent is not None
        assert (parent.working_days, parent.work_start, parent.work_end) == ("1,3", "07:45", "13:15")
    nothing_failed(running)


# -- the App Home ----------------------------------------------------------------------------


def test_an_opened_home_delivered_twelve_times_at_once_is_published_once(running: Running) -> None:
    """``app_home_opened`` claims its event after the answer, on the connection it then reads the
    Home on (``hr_plugin.home.load_home_for_event``): the first delivery and Slack's retries of
    one event id, twelve at once to both workers, are all answered and publish the Home once."""
    client = running.client()

    def deliver(index: int) -> int:
        retry = {"retry_num": index, "retry_reason": "http_timeout"} if index else {}
        return client.app_home_opened("UPARENT", event_id="Ev0HOMEATONCE", **retry).status

    statuses = all_at_once(AT_ONCE, deliver)

    assert statuses == [200] * AT_ONCE
    published = lambda: running.fake.calls_for("views.publish", user="UPARENT")  # noqa: E731
    wait_for(published, what="the Home published")
    time.sleep(1.0)  # the work after the other eleven answers has long run by now
    assert len(published()) == 1
    with unit_of_work(running.factory) as session:
        claims = session.scalars(
            select(ProcessedEvent.event_id).where(ProcessedEvent.event_id == "Ev0HOMEATONCE")
        )
        assert list(claims) == ["Ev0HOMEATONCE"]
    nothing_failed(running)
