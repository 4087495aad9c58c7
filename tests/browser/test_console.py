"""The HR console in a real browser (Debian's Chromium, through Playwright), against one real app
stack for the module: an HR admin signs in through the fake Slack's OpenID pages, sees the
overview's charts and tables under the page's strict CSP, downloads a figure as CSV, fixes a
budget the Slack modal would refuse; someone else is refused; a form without its CSRF token
changes nothing. Every page is reached by keyboard, in order, with a visible focus, and axe-core
finds nothing serious or critical on any of them.

Each test has its own browser context (no cookies), so each signs in afresh.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page
from sqlalchemy import Engine, select, update

from hr_plugin.admins import appoint_by_email
from hr_plugin.clock import SimulatedClock
from hr_plugin.db import unit_of_work
from hr_plugin.models import Tenant
from hr_plugin.resources import add_help_link
from hr_plugin.testing.stack import AppStack, start_stack
from tests.browser.test_export_page import EVERY, FOCUSABLE, SERIOUS, violations
from tests.conftest import START, _truncate_all
from tests.e2e.conftest import TEAM
from tests.e2e.console_flows import (
    add_people,
    import_org,
    seed_program,
)

LINK = {
    "kind": "counselling",
    "name": "Talk it through",
    "url": "https://example.org/talk",
    "country": "gb",
    "description": "Free and confidential.",
    "sessions": "6",
}
PAGES = {
    "home": "",
    "overview": "overview",
    "help links": "help-links",
    "budgets": "budgets",
    "mentoring": "mentoring",
    "huddles": "huddles",
    "audit log": "audit",
}
# One control each page must have among those Tab reaches (so an empty page cannot pass).
HAS = {
    "home": "BUTTON#:Sign out",
    "overview": "A#:Download “People in the program, by phase” as CSV",
    "help links": "BUTTON#:Remove",
    "budgets": "INPUT#return_date:",
    "mentoring": "BUTTON#:Ask the mentor",
    "huddles": "INPUT#min_size:",
    "audit log": "INPUT#start:",
}
POLICY = {
    "name": "Engineering",
    "scope_value": "Engineering",
    "reduced_weeks": "3",
    "reduced_percent": "150",
    "ramp_percents": "75, 90",
    "extension_weeks": "1",
}


@pytest.fixture(scope="module")
def console(
    tmp_path_factory: pytest.TempPathFactory,
    _postgres_engine: Engine | None,
    _sqlite_template: Path,
) -> Iterator[AppStack]:
    """One stack for the module: an HR admin, three people proposed, one of whom accepted, every
    group shown (a minimum of one), and a help link (so its page has a table and a Remove button)."""
    if _postgres_engine is not None:
        _truncate_all(_postgres_engine)
        url = _postgres_engine.url.render_as_string(hide_password=False)
    else:
        target = tmp_path_factory.mktemp("console") / "test.db"
        shutil.copyfile(_sqlite_template, target)
        target.chmod(0o600)
        url = f"sqlite:///{target}"
    clock = SimulatedClock(START)
    with start_stack(url, clock, console=True) as running:
        add_people(running)
        import_org(running, TEAM)
        appoint_by_email(running.factory, clock, tenant_id=TEAM, email="hr@example.com", actor="test")
        seed_program(running, clock)
        add_help_link(running.factory, clock, tenant_id=TEAM, actor_user_id="UHR", fields=LINK)
        with unit_of_work(running.factory) as session:
            session.execute(update(Tenant).where(Tenant.id == TEAM).values(anonymity_minimum=1))
            session.commit()
        yield running


def _url(stack: AppStack, path: str = "") -> str:
    return f"{stack.server.url}/hr/{path}"


def _csp_errors(page: Page) -> list[str]:
    """Every console message about the Content Security Policy, from now on."""
    said: list[str] = []

    def heard(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            said.append(message.text)

    page.on("console", heard)
    return said


def _sign_in(stack: AppStack, page: Page, user: str = "UHR") -> Any:
    """The browser goes to the console, is sent to the fake Slack's authorize page, which sends
    it back with a code and the state; the console's answer to that last step."""
    stack.fake.sign_in_as(user)
    return page.goto(_url(stack))


def _policies(stack: AppStack) -> list[tuple[str, str, int]]:
    from hr_plugin.reintegration.models import Policy

    with unit_of_work(stack.factory) as session:
        return [
            (row.name, row.scope_value, row.reduced_percent)
            for row in session.scalars(select(Policy).order_by(Policy.name))
        ]


def test_an_hr_admin_signs_in_through_slack_and_lands_on_the_home(console: AppStack, page: Page) -> None:
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url) if request.is_navigation_request() else None)
    errors = _csp_errors(page)
    answer = _sign_in(console, page)
    assert answer is not None and answer.status == 200
    assert page.url == _url(console)
    assert any(url.startswith(console.fake.url + "/openid/connect/authorize") for url in seen), seen
    assert any("/hr/oidc/callback?code=" in url and "state=" in url for url in seen), seen
    assert "Signed in as Hal Resources, HR admin of" in page.locator("main").inner_text()
    assert page.title() == "HR console · Return to Work"
    cookie = next(cookie for cookie in page.context.cookies() if cookie["name"] == "hr_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert errors == []


def test_the_overview_shows_its_charts_and_tables_under_its_csp(console: AppStack, page: Page) -> None:
    errors = _csp_errors(page)
    _sign_in(console, page)
    with page.expect_navigation() as opened:
        page.get_by_role("navigation", name="Console pages").get_by_role("link", name="Overview").click()
    assert opened.value is not None and opened.value.status == 200
    assert page.url == _url(console, "overview")
    charts = page.locator("main svg[role=img]")
    assert charts.count() == 5
    for index in range(charts.count()):
        chart = charts.nth(index)
        assert chart.is_visible()
        box = chart.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 50
        assert chart.get_attribute("aria-label")
    tables = page.locator("main table")
    assert tables.count() == 5 and all(tables.nth(i).is_visible() for i in range(5))
    rows = page.get_by_role("table", name="People in the program, by phase").locator("tbody tr")
    shown = {row.locator("th").inner_text(): row.locator("td").inner_text() for row in rows.all()}
    assert shown["Proposed"] == "2" and shown["On leave"] == "1"
    # The charts' <style> (allowed by its hash) took effect: pygal's white background, where an
    # SVG rect without it would be filled black.
    background = page.evaluate("() => getComputedStyle(document.querySelector('main svg .background')).fill")
    assert background == "rgb(255, 255, 255)", background
    assert errors == []


def test_a_figure_downloads_as_csv(console: AppStack, page: Page, tmp_path: Path) -> None:
    _sign_in(console, page)
    page.goto(_url(console, "overview"))
    link = page.locator("section[aria-labelledby=figure-phases] a[download]")
    with page.expect_download() as started:
        link.click()
    download = started.value
    assert download.failure() is None and download.suggested_filename == "phases.csv"
    saved = tmp_path / "phases.csv"
    download.save_as(saved)
    assert list(csv.reader(io.StringIO(saved.read_text()))) == [
        ["Phase", "People"],
        ["Proposed", "2"],
        ["On leave", "1"],
        ["In the reduced weeks", "0"],
        ["Ramping up", "0"],
        ["Back at full capacity", "0"],
    ]


def test_a_budget_refused_shows_the_modals_sentence_beside_its_field_then_saves(
    console: AppStack, page: Page
) -> None:
    from hr_plugin.reintegration.policy import PolicyError, parse_policy
    from hr_plugin.reintegration.views import PolicySubmission

    errors = _csp_errors(page)
    _sign_in(console, page)
    page.goto(_url(console, "budgets"))
    before = _policies(console)
    for name, value in POLICY.items():
        page.locator(f"#{name}").fill(value)
    page.locator("#scope").select_option("department")
    with page.expect_navigation() as refused:
        page.get_by_role("button", name="Save").click()
    assert refused.value is not None and refused.value.status == 400
    with pytest.raises(PolicyError) as modal:
        parse_policy(PolicySubmission.from_typed({**POLICY, "scope": "department"}).policy_fields())
    assert modal.value.field == "reduced_percent"
    field = page.locator("#reduced_percent")
    # The sentence is the field's description to assistive technology, and shown just above it.
    assert field.get_attribute("aria-invalid") == "true"
    described = field.get_attribute("aria-describedby") or ""
    assert "reduced_percent-error" in described.split()
    error = page.locator("#reduced_percent-error")
    assert error.is_visible() and error.inner_text() == modal.value.message
    error_box, field_box = error.bounding_box(), field.bounding_box()
    assert error_box is not None and field_box is not None
    assert 0 <= field_box["y"] - error_box["y"] < 60  # next to its field, not at the top
    assert page.get_by_role("alert").inner_text().startswith("Not saved")
    assert field.input_value() == "150" and page.locator("#ramp_percents").input_value() == "75, 90"
    assert _policies(console) == before

    field.fill("50")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    assert page.url == _url(console, "budgets")
    assert ("Engineering", "Engineering", 50) in _policies(console)
    row = page.locator("main table").first.locator("tr", has_text="Engineering")
    assert "3 weeks at 50%, then 1 week at 75%, then 1 week at 90%" in row.inner_text()
    assert errors == []


def test_someone_not_an_hr_admin_is_refused(console: AppStack, page: Page) -> None:
    answer = _sign_in(console, page, "UPEER")
    assert answer is not None and answer.status == 403
    assert "Not for you" in page.locator("main").inner_text()
    assert page.get_by_role("navigation", name="Console pages").count() == 0
    overview = page.goto(_url(console, "overview"))
    assert overview is not None and overview.status == 403 and "Proposed" not in page.content()


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(console: AppStack, page: Page) -> None:
    _sign_in(console, page)
    page.goto(_url(console, "budgets"))
    before = _policies(console)
    page.locator("#name").fill("Forged")
    page.locator("#reduced_percent").fill("50")
    # Taken out of the page, the token is not sent with the form.
    page.evaluate("() => document.querySelectorAll('input[name=csrf_token]').forEach(e => e.remove())")
    with page.expect_navigation() as refused:
        page.get_by_role("button", name="Save").click()
    assert refused.value is not None and refused.value.status == 400
    # Posted from outside the page with the session's cookie but no token, or a forged one.
    form = {**POLICY, "name": "Forged", "reduced_percent": "50", "scope": "all", "scope_value": ""}
    for extra in ({}, {"csrf_token": "forged"}):
        answer = page.context.request.post(_url(console, "budgets"), form={**form, **extra}, max_redirects=0)
        assert answer.status == 400
    assert _policies(console) == before
    # Signing out needs it too: the session stays.
    out = page.context.request.post(_url(console, "signout"), form={}, max_redirects=0)
    assert out.status == 400
    assert (home := page.goto(_url(console))) is not None and home.status == 200


def _describe(page: Page) -> str:
    """The focused element: tag, id or name, and text (empty when nothing on the page has it)."""
    return str(
        page.evaluate(
            "() => { const e = document.activeElement;"
            " if (!e || e === document.body) return '';"
            " return e.tagName + '#' + (e.id || e.getAttribute('name') || '') + ':' + e.textContent.trim(); }"
        )
    )


def _focus_shown(page: Page) -> list[Any]:
    """Whether the focused element matches :focus-visible, and its outline's style and width."""
    return list(
        page.evaluate(
            "() => { const e = document.activeElement; const s = getComputedStyle(e);"
            " return [e.matches(':focus-visible'), s.outlineStyle, s.outlineWidth]; }"
        )
    )


@pytest.mark.parametrize("name", PAGES)
def test_tab_reaches_every_control_of_the_page_in_order_with_a_visible_focus(
    console: AppStack, context: BrowserContext, name: str
) -> None:
    page = context.new_page()
    _sign_in(console, page)
    page.goto(_url(console, PAGES[name]))
    expected = page.eval_on_selector_all(
        FOCUSABLE,
        "elements => elements.map(e =>"
        " e.tagName + '#' + (e.id || e.getAttribute('name') || '') + ':' + e.textContent.trim())",
    )
    assert expected[:7] == [
        "A#:Home",
        "A#:Overview",
        "A#:Help links",
        "A#:Budgets",
        "A#:Mentoring",
        "A#:Huddles",
        "A#:Audit log",
    ]
    assert HAS[name] in expected, expected
    reached: list[str] = []
    for _ in range(3 * len(expected) + 2):
        page.keyboard.press("Tab")
        now = _describe(page)
        # A date field's month, day, year and calendar button are each a stop on the same
        # element: one entry, and the ring checked where focus arrives (the later stops are
        # drawn by Chromium inside the field).
        if reached and reached[-1] == now:
            continue
        reached.append(now)
        if now:
            shown = _focus_shown(page)
            assert shown[0] and shown[1] != "none" and float(shown[2].removesuffix("px")) > 0, (
                name,
                now,
                shown,
            )
        if now == "":
            break
    assert reached == [*expected, ""], name


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_nothing_on_any_page(console: AppStack, page: Page, name: str) -> None:
    _sign_in(console, page)
    page.goto(_url(console, PAGES[name]))
    assert violations(page, SERIOUS) == [], name
    assert violations(page, EVERY) == [], name  # not even a minor or moderate finding today


def test_axe_finds_nothing_serious_on_an_invalid_form_nor_the_refusal(
    console: AppStack, page: Page, browser: Browser
) -> None:
    _sign_in(console, page)
    page.goto(_url(console, "budgets"))
    page.locator("#reduced_percent").fill("150")
    with page.expect_navigation() as refused:
        page.get_by_role("button", name="Save").click()
    assert refused.value is not None and refused.value.status == 400
    assert violations(page, EVERY) == []
    stranger = browser.new_context()
    try:
        other = stranger.new_page()
        answer = _sign_in(console, other, "UPEER")
        assert answer is not None and answer.status == 403
        assert violations(other, EVERY) == []
    finally:
        stranger.close()
