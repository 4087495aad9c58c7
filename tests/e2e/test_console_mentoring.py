"""The mentoring page of the HR console (mentoring's own page, ``Feature.console_pages``),
through real HTTP with a signed-in HR admin: mentors and free places, the pairs, who is not
matched yet and why (timing, free places or the reporting line only), pairing by hand through
the Slack modal's service, audited; refusals shown beside the field, changing nothing.

HR sees the pair, to run the program (DESIGN.md's matrix): never a mentee's preferences or
exclusions, a mentor's experience tags, a decline, nor that someone asked to be left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from hr_plugin.admins import appoint_by_email
from hr_plugin.clock import SimulatedClock
from hr_plugin.db import unit_of_work
from hr_plugin.models import Employee, Tenant
from hr_plugin.testing.stack import AppStack, start_stack
from mentoring import service
from mentoring.models import Match, MentorProfile
from mentoring.scoring import TAGS
from mentoring.service.reads import NEXT_ROUND, NO_FREE_PLACE, NOT_DUE, ONLY_REPORTING_LINE
from mentoring.views import MentorForm
from tests.e2e import vault_flows as flow
from tests.e2e.conftest import TEAM, propose_enrolment
from tests.e2e.console_flows import (
    OTHER,
    add_people,
    audited,
    console_url,
    form_token,
    import_org,
    page_text,
    signed_in,
)

PERMITTED = {NEXT_ROUND, NO_FREE_PLACE, ONLY_REPORTING_LINE}


@pytest.fixture
def hr(database_url: str, clock: SimulatedClock) -> Iterator[AppStack]:
    """Pat Parent enrolled, back on 7 December 2026 (so due now, 23 November)."""
    with start_stack(database_url, clock, console=True) as running:
        add_people(running)
        import_org(running, TEAM)
        appoint_by_email(running.factory, clock, tenant_id=TEAM, email="hr@example.com", actor="test")
        propose_enrolment(running, "parent@example.com", date(2026, 6, 1), date(2026, 12, 7))
        flow.enrol(running, "UPARENT")
        yield running


def _mentor(stack: AppStack, user: str, capacity: int = 2, tags: frozenset[str] = frozenset()) -> None:
    form = MentorForm(True, capacity, tags, True, date(2024, 1, 8))
    service.opt_in(stack.factory, stack.services.clock, tenant_id=TEAM, user_id=user, form=form)


def _matches(stack: AppStack) -> list[tuple[str, str, str]]:
    """(mentee, mentor, status) of every match, by Slack user id."""
    mentee, mentor = aliased(Employee), aliased(Employee)
    with unit_of_work(stack.factory) as session:
        rows = session.execute(
            select(mentee.slack_user_id, mentor.slack_user_id, Match.status)
            .join(mentee, mentee.id == Match.mentee_id)
            .join(mentor, mentor.id == Match.mentor_id)
            .order_by(Match.id)
        ).all()
    return [(str(a), str(b), status) for a, b, status in rows]


def _row(text: str, *cells: str) -> bool:
    return "<tr><td>" + "</td><td>".join(cells) + "</td></tr>" in text


def test_the_page_lists_mentors_free_places_pairs_and_who_is_waiting_and_why(hr: AppStack) -> None:
    _mentor(hr, "UPEER", capacity=2)
    _mentor(hr, "ULEAD", capacity=1)
    propose_enrolment(hr, "boss@example.com", date(2026, 10, 1), date(2027, 3, 1))
    flow.enrol(hr, "UBOSS")
    browser = signed_in(hr)
    page = browser.request(console_url(hr, "mentoring"))
    assert page.status == 200 and "<script" not in page.body
    text = page_text(page)
    assert _row(text, "Lee Lead", "1", "0", "1") and _row(text, "Pim Peer", "2", "0", "2")
    assert _row(text, "Pat Parent", NEXT_ROUND)
    assert _row(text, "Bea Boss", NOT_DUE.format(back="1 March 2027"))
    assert "No pairs yet." in text
    assert '<a href="/hr/mentoring">Mentoring</a>' in page.body

    # Pair by hand; the page then shows the pair, the place taken and Pat no longer waiting.
    token = form_token(page)
    paired = browser.request(
        console_url(hr, "mentoring"), {"mentee": "UPARENT", "mentor": "UPEER", "csrf_token": token}
    )
    assert paired.status == 303 and paired.location == console_url(hr, "mentoring")
    assert _matches(hr) == [("UPARENT", "UPEER", "asked")]
    [entry] = audited(hr, "mentoring.mentor_asked")
    assert entry.actor == "UHR" and entry.tenant_id == TEAM
    with unit_of_work(hr.factory) as session:
        [origin] = session.scalars(select(Match.origin)).all()
    assert origin == service.BY_HR
    text = page_text(browser.request(console_url(hr, "mentoring")))
    assert _row(text, "Pat Parent", "Pim Peer", "Mentor asked, waiting for an answer")
    assert _row(text, "Pim Peer", "2", "1", "1")
    assert "<td>Pat Parent</td><td>" + NEXT_ROUND not in text


def test_only_mentors_in_the_reporting_line_or_none_free_is_the_reason_given(hr: AppStack) -> None:
    browser = signed_in(hr)
    assert _row(page_text(browser.request(console_url(hr, "mentoring"))), "Pat Parent", NO_FREE_PLACE)
    _mentor(hr, "ULEAD")
    _mentor(hr, "UBOSS")
    assert _row(page_text(browser.request(console_url(hr, "mentoring"))), "Pat Parent", ONLY_REPORTING_LINE)


@pytest.mark.parametrize(
    ("setup", "mentor", "reason"),
    [
        ("none", "ULEAD", "These two cannot be paired: they are in the same reporting line."),
        ("paused", "UPEER", "These two cannot be paired: the mentor has no free place just now."),
        ("full", "UPEER", "These two cannot be paired: the mentor has no free place just now."),
    ],
)
def test_a_refused_pairing_says_why_beside_the_mentor_and_changes_nothing(
    hr: AppStack, setup: str, mentor: str, reason: str
) -> None:
    _mentor(hr, "ULEAD")
    _mentor(hr, "UPEER", capacity=1)
    if setup == "paused":
        with unit_of_work(hr.factory) as session:
            for profile in session.scalars(select(MentorProfile)):
                profile.paused = True
            session.commit()
    if setup == "full":
        propose_enrolment(hr, "hr@example.com", date(2026, 6, 1), date(2026, 12, 7))
        flow.enrol(hr, "UHR")
        service.hr_assign(
            hr.factory,
            hr.services.clock,
            tenant_id=TEAM,
            actor_user_id="UHR",
            mentee_user_id="UHR",
            mentor_user_id="UPEER",
        )
    before, asked = _matches(hr), len(audited(hr, "mentoring.mentor_asked"))
    browser = signed_in(hr)
    token = form_token(browser.request(console_url(hr, "mentoring")))
    page = browser.request(
        console_url(hr, "mentoring"), {"mentee": "UPARENT", "mentor": mentor, "csrf_token": token}
    )
    assert page.status == 400
    assert f'<strong id="mentor-error">{reason}</strong>' in page_text(page)
    assert 'aria-invalid="true"' in page.body
    assert _matches(hr) == before and len(audited(hr, "mentoring.mentor_asked")) == asked


def test_a_pairing_without_the_csrf_token_changes_nothing(hr: AppStack) -> None:
    _mentor(hr, "UPEER")
    browser = signed_in(hr)
    browser.request(console_url(hr, "mentoring"))
    refused = browser.request(console_url(hr, "mentoring"), {"mentee": "UPARENT", "mentor": "UPEER"})
    assert refused.status == 400
    wrong = browser.request(
        console_url(hr, "mentoring"), {"mentee": "UPARENT", "mentor": "UPEER", "csrf_token": "x"}
    )
    assert wrong.status == 400
    assert _matches(hr) == [] and audited(hr, "mentoring.mentor_asked") == []


def test_preferences_exclusions_tags_declines_and_leaving_out_never_show(hr: AppStack) -> None:
    every_tag = frozenset(TAGS)
    _mentor(hr, "UPEER", tags=every_tag)
    _mentor(hr, "UHR", tags=every_tag)
    service.set_preferences(
        hr.factory,
        hr.services.clock,
        tenant_id=TEAM,
        user_id="UPARENT",
        preferences=sorted(TAGS)[:3],
        excluded_user_ids=["UHR"],
        wants_mentor=True,
        manager_may_know=True,
    )
    # Pim is asked and declines: a decline HR must never see.
    hr.ticks.run("mentoring-match")
    hr.ticks.context.drainer.drain(max_seconds=60)
    assert _matches(hr) == [("UPARENT", "UPEER", "asked")]
    with unit_of_work(hr.factory) as session:
        [match] = session.scalars(select(Match)).all()
        match_id = match.id
    service.respond(
        hr.factory, hr.services.clock, tenant_id=TEAM, user_id="UPEER", match_id=match_id, accept=False
    )
    browser = signed_in(hr)
    text = page_text(browser.request(console_url(hr, "mentoring")))
    # Pat waits: Hal is excluded and Pim declined, and the page says only a permitted reason.
    [reason] = [r for r in PERMITTED if _row(text, "Pat Parent", r)]
    assert reason == NEXT_ROUND
    # Then Pat asks to be left out of matching: still only a permitted reason.
    service.set_preferences(
        hr.factory,
        hr.services.clock,
        tenant_id=TEAM,
        user_id="UPARENT",
        preferences=[],
        excluded_user_ids=[],
        wants_mentor=False,
        manager_may_know=False,
    )
    later = page_text(browser.request(console_url(hr, "mentoring")))
    assert any(_row(later, "Pat Parent", r) for r in PERMITTED)
    # A refused pairing with the excluded (or the declining) mentor names neither.
    token = form_token(browser.request(console_url(hr, "mentoring")))
    refused = page_text(
        browser.request(
            console_url(hr, "mentoring"), {"mentee": "UPARENT", "mentor": "UPEER", "csrf_token": token}
        )
    )
    assert "These two cannot be paired just now. Please choose another mentor." in refused
    for page in (text, later, refused):
        lowered = page.lower()
        for secret in (
            *TAGS.values(),
            *TAGS,
            "declin",
            "exclu",
            "prefer",
            "left out",
            "leave out",
            "said no",
            "avoid",
        ):
            assert secret.lower() not in lowered, secret
        assert "manager may know" not in lowered and "wants" not in lowered


def test_another_tenants_mentors_and_people_never_show(hr: AppStack) -> None:
    _mentor(hr, "UPEER")
    now = hr.services.clock.now()
    with unit_of_work(hr.factory) as session:
        session.add(Tenant(id=OTHER, team_id=OTHER, name="Other", created_at=now))
        session.flush()
        other = Employee(
            tenant_id=OTHER,
            email="otto@other.example",
            name="Otto Other",
            slack_user_id="UOTTO",
            country="GB",
            department="Elsewhere",
            created_at=now,
            updated_at=now,
        )
        session.add(other)
        session.flush()
        session.add(
            MentorProfile(tenant_id=OTHER, employee_id=other.id, capacity=3, created_at=now, updated_at=now)
        )
        session.commit()
    browser = signed_in(hr)
    page = browser.request(console_url(hr, "mentoring"))
    assert page.status == 200 and "Otto Other" not in page.body and "UOTTO" not in page.body
    token = form_token(page)
    refused = browser.request(
        console_url(hr, "mentoring"), {"mentee": "UPARENT", "mentor": "UOTTO", "csrf_token": token}
    )
    assert refused.status == 400
    with unit_of_work(hr.factory) as session:
        assert session.scalar(select(func.count()).select_from(Match)) == 0
