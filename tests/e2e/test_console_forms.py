"""The HR console's pages with forms, through real HTTP with a signed-in HR admin: help links
(the App Home's own service), budgets (the Slack modal's rules and sentences) and the audit log.

Every page reads and changes the admin's tenant only; a POST without the session's CSRF token
changes nothing; someone not an HR admin is refused.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from hr_plugin.admins import appoint_by_email
from hr_plugin.clock import SimulatedClock
from hr_plugin.db import unit_of_work
from hr_plugin.models import AuditEntry, HelpResource, Tenant
from hr_plugin.resources import add_help_link, help_links
from hr_plugin.testing.stack import AppStack, start_stack
from tests.e2e.conftest import TEAM
from tests.e2e.console_flows import (
    OTHER,
    Browser,
    add_people,
    audited,
    console_url,
    form_token,
    import_org,
    page_text,
    sign_in,
    signed_in,
)


@pytest.fixture
def hr(database_url: str, clock: SimulatedClock) -> Iterator[AppStack]:
    with start_stack(database_url, clock, console=True) as running:
        add_people(running)
        import_org(running, TEAM)
        appoint_by_email(running.factory, clock, tenant_id=TEAM, email="hr@example.com", actor="test")
        yield running


def _link_count(stack: AppStack) -> int:
    with unit_of_work(stack.factory) as session:
        return session.scalar(select(func.count()).select_from(HelpResource)) or 0


LINK = {
    "kind": "counselling",
    "name": "Talk it through",
    "url": "https://example.org/talk",
    "country": "gb",
    "description": "Free and confidential.",
    "sessions": "6",
}


def _other_tenant(stack: AppStack) -> int:
    """Another workspace with a help link and an audit entry of its own; the link's id."""
    now = stack.services.clock.now()
    with unit_of_work(stack.factory) as session:
        session.add(Tenant(id=OTHER, team_id=OTHER, name="Other", created_at=now))
        session.flush()
        row = HelpResource(
            tenant_id=OTHER,
            kind="crisis",
            country="GB",
            name="Theirs",
            description="",
            url="https://other.example",
        )
        session.add(row)
        session.add(AuditEntry(tenant_id=OTHER, at=now, actor="UOTHER", action="other.secret", details={}))
        session.commit()
        return row.id


# -- help links --------------------------------------------------------------------------------


def test_an_added_help_link_is_the_app_homes_link(hr: AppStack, clock: SimulatedClock) -> None:
    browser = signed_in(hr)
    page = browser.request(console_url(hr, "help-links"))
    assert page.status == 200 and "No help links yet." in page.body and "<script" not in page.body
    for name in ("kind", "name", "url", "country", "description", "sessions"):
        assert f'<label for="{name}"' in page.body
    added = browser.request(console_url(hr, "help-links"), {**LINK, "csrf_token": form_token(page)})
    assert added.status == 303 and added.location == console_url(hr, "help-links")
    # The same data the HR App Home's editor reads.
    [link] = help_links(hr.factory, tenant_id=TEAM)
    assert (link.kind, link.country, link.name, link.url, link.sessions) == (
        "counselling",
        "GB",
        "Talk it through",
        "https://example.org/talk",
        6,
    )
    shown = browser.request(console_url(hr, "help-links"))
    assert "Talk it through" in shown.body and "https://example.org/talk" in shown.body
    [entry] = audited(hr, "resources.added")
    assert entry.actor == "UHR" and entry.tenant_id == TEAM and entry.at == clock.now()


@pytest.mark.parametrize(
    ("change", "field", "sentence"),
    [
        ({"url": "http://example.org/x"}, "url", "The link must start with https:// (or tel:)"),
        ({"kind": "horoscope"}, "kind", "Kind must be one of crisis, perinatal, safety, counselling"),
        ({"sessions": "six"}, "sessions", "Sessions is a whole number from 1 to 50"),
    ],
)
def test_an_invalid_help_link_shows_the_error_beside_its_field_and_changes_nothing(
    hr: AppStack, change: dict[str, str], field: str, sentence: str
) -> None:
    browser = signed_in(hr)
    token = form_token(browser.request(console_url(hr, "help-links")))
    typed = {**LINK, **change}
    page = browser.request(console_url(hr, "help-links"), {**typed, "csrf_token": token})
    assert page.status == 400
    assert f'<strong id="{field}-error">{html.escape(sentence)}</strong>' in page.body
    assert f'aria-describedby="{field}-hint {field}-error"' in page.body or (
        f'aria-describedby="{field}-error"' in page.body
    )
    assert 'aria-invalid="true"' in page.body
    # What was typed is kept.
    assert 'value="Talk it through"' in page.body
    if field != "kind":
        assert f'value="{html.escape(typed[field])}"' in page.body
    assert _link_count(hr) == 0 and audited(hr, "resources.added") == []


def test_a_help_link_is_removed(hr: AppStack) -> None:
    [link] = add_help_link(hr.factory, hr.services.clock, tenant_id=TEAM, actor_user_id="UHR", fields=LINK)
    browser = signed_in(hr)
    token = form_token(browser.request(console_url(hr, "help-links")))
    gone = browser.request(console_url(hr, f"help-links/{link.id}/remove"), {"csrf_token": token})
    assert gone.status == 303
    assert help_links(hr.factory, tenant_id=TEAM) == []
    [entry] = audited(hr, "resources.removed")
    assert entry.actor == "UHR" and entry.details == {"id": link.id}


def test_a_post_without_the_right_csrf_token_is_refused_and_changes_nothing(hr: AppStack) -> None:
    [link] = add_help_link(hr.factory, hr.services.clock, tenant_id=TEAM, actor_user_id="UHR", fields=LINK)
    browser = signed_in(hr)
    other = {**LINK, "url": "https://example.org/other"}
    for token in ({}, {"csrf_token": "forged"}, {"csrf_token": ""}):
        assert browser.request(console_url(hr, "help-links"), {**other, **token}).status == 400
        assert browser.request(console_url(hr, f"help-links/{link.id}/remove"), token).status == 400
    # Another admin's session's token is not this session's.
    assert [item.id for item in help_links(hr.factory, tenant_id=TEAM)] == [link.id]
    assert audited(hr, "resources.removed") == []


def test_another_tenants_help_links_never_appear_nor_can_be_removed(hr: AppStack) -> None:
    theirs = _other_tenant(hr)
    browser = signed_in(hr)
    page = browser.request(console_url(hr, "help-links"))
    assert "Theirs" not in page.body and "other.example" not in page.body
    assert (
        browser.request(
            console_url(hr, f"help-links/{theirs}/remove"), {"csrf_token": form_token(page)}
        ).status
        == 303
    )
    assert len(help_links(hr.factory, tenant_id=OTHER)) == 1
    assert audited(hr, "resources.removed") == []


def test_someone_not_an_hr_admin_is_refused_every_page(hr: AppStack) -> None:
    browser = Browser()
    assert sign_in(hr, browser, "UPEER")[-1].status == 403
    for path in ("help-links", "budgets", "audit"):
        answer = browser.request(console_url(hr, path))
        assert answer.status == 302 and "/openid/connect/authorize" in answer.location


# -- budgets -----------------------------------------------------------------------------------

POLICY = {
    "name": "Engineering",
    "scope": "department",
    "scope_value": "Engineering",
    "reduced_weeks": "3",
    "reduced_percent": "150",
    "ramp_percents": "75, 90",
    "extension_weeks": "1",
}


def _policies(stack: AppStack) -> list[tuple[str, str]]:
    from hr_plugin.reintegration.models import Policy

    with unit_of_work(stack.factory) as session:
        return [(row.name, row.scope_value) for row in session.scalars(select(Policy).order_by(Policy.name))]


def test_a_budget_with_an_invalid_value_shows_the_modals_sentence_then_saves_when_fixed(
    hr: AppStack, clock: SimulatedClock
) -> None:
    from hr_plugin.reintegration.policy import PolicyError, parse_policy
    from hr_plugin.reintegration.views import PolicySubmission

    browser = signed_in(hr)
    page = browser.request(console_url(hr, "budgets"))
    assert page.status == 200 and "Default" in page.body and "<script" not in page.body
    before = _policies(hr)
    refused = browser.request(console_url(hr, "budgets"), {**POLICY, "csrf_token": form_token(page)})
    assert refused.status == 400
    # The sentence the Slack modal shows beside the same field, for the same typed values.
    with pytest.raises(PolicyError) as modal:
        parse_policy(PolicySubmission.from_typed(POLICY).policy_fields())
    assert modal.value.field == "reduced_percent"
    assert f'<strong id="reduced_percent-error">{modal.value.message}</strong>' in refused.body
    assert 'aria-describedby="reduced_percent-error"' in refused.body
    assert 'value="150"' in refused.body and 'value="75, 90"' in refused.body
    assert _policies(hr) == before and audited(hr, "policy.created") == []
    # Without the CSRF token, even a good policy is refused.
    fixed = {**POLICY, "reduced_percent": "50"}
    assert browser.request(console_url(hr, "budgets"), fixed).status == 400
    assert _policies(hr) == before
    saved = browser.request(console_url(hr, "budgets"), {**fixed, "csrf_token": form_token(page)})
    assert saved.status == 303
    assert ("Engineering", "Engineering") in _policies(hr)
    [entry] = audited(hr, "policy.created")
    assert entry.actor == "UHR" and entry.tenant_id == TEAM and entry.subject == "Engineering"
    assert entry.at == clock.now()
    shown = page_text(browser.request(console_url(hr, "budgets")))
    assert "3 weeks at 50%, then 1 week at 75%, then 1 week at 90%" in shown


def test_a_scope_error_is_shown_beside_the_scope_value_as_in_the_modal(hr: AppStack) -> None:
    browser = signed_in(hr)
    token = form_token(browser.request(console_url(hr, "budgets")))
    typed = {**POLICY, "reduced_percent": "50", "scope": "country", "scope_value": "Germany"}
    refused = browser.request(console_url(hr, "budgets"), {**typed, "csrf_token": token})
    assert refused.status == 400
    assert '<strong id="scope_value-error">a country is a two-letter code, like GB</strong>' in refused.body


def test_the_plan_preview_shows_a_plan_with_the_countrys_holidays(hr: AppStack) -> None:
    browser = signed_in(hr)
    query = "policy=Default&return_date=2026-12-21&country=GB"
    page = page_text(browser.request(console_url(hr, f"budgets?{query}")))
    # Two weeks at 50% and a week at 75% from Monday 21 December: Christmas and Boxing Day
    # (the 28th, in lieu) push the plan later.
    assert "Plan from 2026-12-21" in page
    assert "<td>2026-12-21</td><td>50%</td>" in page and "2026-12-25" in page
    assert "full capacity from 2027-01-1" in page
    bad = page_text(
        browser.request(console_url(hr, "budgets?policy=Default&return_date=2026-12-21&country=XX"))
    )
    assert '<strong id="country-error">' in bad and "<caption>Plan from" not in bad


# -- audit log ---------------------------------------------------------------------------------


def _entries(stack: AppStack, count: int, action: str, start: datetime) -> None:
    with unit_of_work(stack.factory) as session:
        for index in range(count):
            session.add(
                AuditEntry(
                    tenant_id=TEAM,
                    at=start + timedelta(hours=index),
                    actor="UHR",
                    action=action,
                    subject=f"s{index}",
                    details={},
                )
            )
        session.commit()


def test_the_audit_log_pages_filters_and_shows_this_tenant_only(hr: AppStack, clock: SimulatedClock) -> None:

    _other_tenant(hr)
    _entries(hr, 60, "policy.bulk", datetime(2026, 1, 10, tzinfo=UTC))
    _entries(hr, 3, "policy.early", datetime(2025, 12, 1, tzinfo=UTC))
    browser = signed_in(hr)
    first = page_text(browser.request(console_url(hr, "audit")))
    assert "other.secret" not in first and "UOTHER" not in first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert first.count("<tr><td>") == 50
    # Newest first: the sign-in (at the clock's now) heads the list, then the latest bulk entry.
    rows = first.split("<tr><td>")[1:]
    bulk_rows = [row for row in rows if "policy.bulk" in row]
    assert "console.signed_in" in rows[0] and "s59" in bulk_rows[0] and "s58" in bulk_rows[1]
    with unit_of_work(hr.factory) as session:
        total = session.scalar(select(func.count()).where(AuditEntry.tenant_id == TEAM)) or 0
    assert 64 <= total <= 100
    second = page_text(browser.request(console_url(hr, "audit?page=2")))
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert second.count("<tr><td>") == total - 50 and "policy.early" in second
    # By kind, then by dates (both days included).
    bulk = page_text(browser.request(console_url(hr, "audit?action=policy.early")))
    assert bulk.count("<tr><td>") == 3 and "policy.bulk</td>" not in bulk
    dated = page_text(browser.request(console_url(hr, "audit?start=2026-01-10&end=2026-01-10")))
    assert dated.count("<tr><td>") == 24 and "policy.early</td>" not in dated
    paged = page_text(browser.request(console_url(hr, "audit?action=policy.bulk&page=2")))
    assert paged.count("<tr><td>") == 10
    assert (
        'href="/hr/audit?action=policy.bulk&amp;page=1"'
        in browser.request(console_url(hr, "audit?action=policy.bulk&page=2")).body
    )
    bad = browser.request(console_url(hr, "audit?start=soon"))
    assert bad.status == 200 and '<strong id="start-error">' in bad.body
    # The other tenant's kinds are not even offered as a filter.
    assert "other.secret" not in page_text(browser.request(console_url(hr, "audit?action=other.secret")))


def test_the_audit_log_shows_only_what_hr_may_see(hr: AppStack) -> None:
    """DESIGN.md's matrix: HR never learns a mentor's decline or who was asked, who ended a
    pairing, each person's huddle answers, matching preferences, working hours or the needs
    shared with a manager; and a kind nobody has decided on stays hidden."""
    hidden = (
        "mentoring.declined",
        "mentoring.mentor_asked",
        "mentoring.ended",
        "huddles.attending",
        "huddles.rejoined",
        "enrolment.preferences_changed",
        "plan.need_shared",
        "settings.working_hours",
        "someday.new_kind",
    )
    for kind in hidden:
        _entries(hr, 1, kind, datetime(2026, 1, 10, tzinfo=UTC))
    _entries(hr, 1, "resources.added", datetime(2026, 1, 11, tzinfo=UTC))
    browser = signed_in(hr)

    page = page_text(browser.request(console_url(hr, "audit")))

    assert "resources.added" in page and "console.signed_in" in page  # the page shows entries
    for kind in hidden:
        assert kind not in page, kind
        assert kind not in page_text(browser.request(console_url(hr, f"audit?action={kind}"))), kind
