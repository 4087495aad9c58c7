"""The huddles page of the HR console (huddles' own page, ``Feature.console_pages``), through
real HTTP with a signed-in HR admin: the settings saved through the Slack modal's parsing,
checks, sentences and audit entry; the schedule as the HR App Home shows it (times, group sizes,
facilitated or not, monthly totals with small numbers suppressed), never who is in a group.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from hr_plugin.admins import appoint_by_email
from hr_plugin.clock import SimulatedClock
from hr_plugin.db import unit_of_work
from hr_plugin.models import Tenant
from hr_plugin.testing.stack import AppStack, start_stack
from huddles import service
from huddles.models import Huddle, HuddleCycle
from huddles.series import Cadence
from tests.e2e.conftest import TEAM
from tests.e2e.console_flows import (
    OTHER,
    Answer,
    Browser,
    add_people,
    audited,
    console_url,
    form_token,
    import_org,
    page_text,
    signed_in,
)
from tests.huddle_rows import add_huddle

SETTINGS = {
    "enabled": "y",
    "every_months": "2",
    "week_of_month": "3",
    "min_size": "5",
    "max_size": "6",
    "eligible_months": "12",
    "video_link": "https://video.example/huddle",
}


@pytest.fixture
def hr(database_url: str, clock: SimulatedClock) -> Iterator[AppStack]:
    with start_stack(database_url, clock, console=True) as running:
        add_people(running)
        import_org(running, TEAM)
        appoint_by_email(running.factory, clock, tenant_id=TEAM, email="hr@example.com", actor="test")
        yield running


def _post(browser: Browser, stack: AppStack, data: dict[str, str | list[str]]) -> Answer:
    """A POST of the huddles form, with repeated fields (the days to avoid) as a browser sends them."""
    url = console_url(stack, "huddles")
    body = urlencode(data, doseq=True).encode()
    try:
        with browser.opener.open(urllib.request.Request(url, data=body), timeout=10) as answer:
            return Answer(answer.status, url, answer.headers, answer.read().decode())
    except urllib.error.HTTPError as error:
        return Answer(error.code, url, error.headers, error.read().decode())


def test_the_page_shows_the_settings_and_the_schedule_without_names(hr: AppStack) -> None:
    now = hr.services.clock.now()
    add_huddle(hr.factory, TEAM, now, starts_in=timedelta(days=3, hours=2), members=("UPARENT", "UPEER"))
    before = now - timedelta(days=40)  # last month's cycle, taken place
    add_huddle(hr.factory, TEAM, before, starts_in=timedelta(hours=1), members=("ULEAD", "UBOSS", "UHR"))
    browser = signed_in(hr)
    page = browser.request(console_url(hr, "huddles"))
    assert page.status == 200 and "<script" not in page.body
    text = page_text(page)
    assert '<a href="/hr/huddles">Huddles</a>' in page.body
    start = now + timedelta(days=3, hours=2)
    assert f"<tr><td>{start:%a %d %b %Y %H:%M}</td><td>2</td><td>No facilitator yet</td></tr>" in text
    # Each month's totals: who came is fewer than the anonymity minimum, so not shown.
    assert f"<tr><td>{before:%Y-%m}</td><td>1</td><td>3</td><td>fewer than the anonymity minimum</td>" in text
    for name in ("Pat Parent", "Pim Peer", "Lee Lead", "Bea Boss", "UPARENT", "UPEER"):
        assert name not in text
    # The form holds the current settings (the defaults here).
    assert '<input checked id="enabled" name="enabled" type="checkbox" value="y">' in page.body
    assert '<option selected value="1">Every month</option>' in page.body
    for name in (
        "enabled",
        "every_months",
        "week_of_month",
        "min_size",
        "max_size",
        "eligible_months",
        "video_link",
    ):
        assert f'<label for="{name}"' in page.body


def test_saved_settings_are_the_slack_modals_and_audited(hr: AppStack) -> None:
    browser = signed_in(hr)
    token = form_token(browser.request(console_url(hr, "huddles")))
    saved = _post(browser, hr, {**SETTINGS, "avoided_weekdays": ["4", "0"], "csrf_token": token})
    assert saved.status == 303 and saved.location == console_url(hr, "huddles")
    config = service.current_config(hr.factory, tenant_id=TEAM)
    assert config == service.HuddleConfig(
        True,
        Cadence(
            every_months=2,
            week_of_month=3,
            avoided_weekdays=frozenset({0, 4}),
            min_size=5,
            max_size=6,
            eligible_months=12,
        ),
        "https://video.example/huddle",
    )
    [entry] = audited(hr, "huddles.settings_changed")
    assert entry.actor == "UHR" and entry.tenant_id == TEAM and entry.details["video_link"] is True
    page = browser.request(console_url(hr, "huddles"))
    assert "Every 2 months, in week 3, avoiding Monday, Friday; groups of 5 to 6" in page_text(page)
    assert 'value="https://video.example/huddle"' in page.body
    assert (
        '<input checked id="avoided_weekdays-4" name="avoided_weekdays" type="checkbox" value="4">'
        in page.body
    )
    # Switched off: the unchecked box is the modal's empty checkbox.
    off = {key: value for key, value in SETTINGS.items() if key != "enabled"}
    assert _post(browser, hr, {**off, "csrf_token": token}).status == 303
    assert service.current_config(hr.factory, tenant_id=TEAM).enabled is False


@pytest.mark.parametrize(
    ("change", "field", "sentence"),
    [
        ({"min_size": "9"}, "min_size", "The smallest group is 4 to 7 people."),
        ({"min_size": "six"}, "min_size", "Enter a whole number."),
        ({"max_size": "4"}, "max_size", "The largest group is at least the smallest"),
        ({"video_link": "http://video.example"}, "video_link", "A video link starts with https://"),
        (
            {"avoided_weekdays": ["0", "1", "2", "3", "4"]},
            "avoided_weekdays",
            "Leave at least three weekdays open, or nobody can meet.",
        ),
        ({"every_months": "7"}, "every_months", "Choose every month, every 2 months or every 3 months."),
    ],
)
def test_invalid_settings_show_the_modals_sentence_beside_the_field_and_change_nothing(
    hr: AppStack, change: dict[str, str | list[str]], field: str, sentence: str
) -> None:
    browser = signed_in(hr)
    token = form_token(browser.request(console_url(hr, "huddles")))
    page = _post(browser, hr, {**SETTINGS, **change, "csrf_token": token})
    assert page.status == 400
    assert f'<strong id="{field}-error">{sentence}' in page_text(page)
    assert 'aria-invalid="true"' in page.body
    assert service.current_config(hr.factory, tenant_id=TEAM) == service.DEFAULT_CONFIG
    assert audited(hr, "huddles.settings_changed") == []


def test_settings_without_the_csrf_token_change_nothing(hr: AppStack) -> None:
    browser = signed_in(hr)
    browser.request(console_url(hr, "huddles"))
    assert _post(browser, hr, {**SETTINGS}).status == 400
    assert _post(browser, hr, {**SETTINGS, "csrf_token": "forged"}).status == 400
    assert service.current_config(hr.factory, tenant_id=TEAM) == service.DEFAULT_CONFIG
    assert audited(hr, "huddles.settings_changed") == []


def test_another_tenants_huddles_never_show(hr: AppStack) -> None:
    now = hr.services.clock.now()
    with unit_of_work(hr.factory) as session:
        session.add(Tenant(id=OTHER, team_id=OTHER, name="Other", created_at=now))
        session.commit()
    with unit_of_work(hr.factory) as session:
        cycle = HuddleCycle(tenant_id=OTHER, month="2031-01", planned_at=now)
        session.add(cycle)
        session.flush()
        session.add(
            Huddle(
                tenant_id=OTHER,
                cycle_id=cycle.id,
                month="2031-01",
                series=0,
                start_utc=now + timedelta(days=9),
                minutes=30,
            )
        )
        session.commit()
    page = signed_in(hr).request(console_url(hr, "huddles"))
    text = page_text(page)
    assert "Nothing scheduled yet." in text and "No huddles yet." in text and "2031-01" not in text
