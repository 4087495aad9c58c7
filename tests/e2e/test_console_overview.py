"""The console's Overview and Downloads over real HTTP, as a signed-in HR admin: SVG charts with
no script, allowed by the page's CSP, each with a table of the same numbers; the same numbers as
CSV; small groups hidden with the next-smallest; another tenant's figures never shown; no
private-space table read."""

from __future__ import annotations

import base64
import csv
import hashlib
import html
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, update

from hr_plugin.admins import appoint_by_email
from hr_plugin.clock import SimulatedClock
from hr_plugin.db import unit_of_work
from hr_plugin.models import Tenant
from hr_plugin.testing.stack import AppStack, start_stack
from tests.e2e.conftest import TEAM
from tests.e2e.console_flows import (
    Browser,
    add_people,
    import_org,
    seed_program,
    sign_in,
)

FIGURES = ("phases", "returns", "huddles", "mentoring", "met")


def _minimum(stack: AppStack, tenant: str, minimum: int) -> None:
    with unit_of_work(stack.factory) as session:
        session.execute(update(Tenant).where(Tenant.id == tenant).values(anonymity_minimum=minimum))
        session.commit()


@pytest.fixture
def console(database_url: str, clock: SimulatedClock) -> Iterator[AppStack]:
    """Three people proposed, one of whom accepted (enrolled, no plan without a policy)."""
    with start_stack(database_url, clock, console=True) as running:
        add_people(running)
        import_org(running, TEAM)
        appoint_by_email(running.factory, clock, tenant_id=TEAM, email="hr@example.com", actor="test")
        seed_program(running, clock)
        yield running


def _overview(stack: AppStack, browser: Browser | None = None) -> Any:
    browser = browser or Browser()
    sign_in(stack, browser, "UHR")
    return browser.request(f"{stack.server.url}/hr/overview")


def _table(page: str, key: str) -> dict[str, list[str]]:
    section = page.split(f'id="figure-{key}"', 1)[1].split("</section>", 1)[0]
    body = section.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body):
        label = html.unescape(re.findall(r"<th scope=\"row\">(.*?)</th>", row)[0])
        rows[label] = [html.unescape(cell) for cell in re.findall(r"<td>(.*?)</td>", row)]
    return rows


def _csv(stack: AppStack, browser: Browser, key: str) -> tuple[Any, list[list[str]]]:
    answer = browser.request(f"{stack.server.url}/hr/downloads/{key}.csv")
    return answer, list(csv.reader(io.StringIO(answer.body)))


def test_the_overview_shows_each_figure_as_an_svg_chart_and_a_table(console: AppStack) -> None:
    _minimum(console, TEAM, 1)
    answer = _overview(console)
    assert answer.status == 200
    page = answer.body
    assert page.count("<svg") == len(FIGURES)
    assert page.count("<table>") == len(FIGURES)
    assert _table(page, "phases") == {
        "Proposed": ["2"],
        "On leave": ["1"],
        "In the reduced weeks": ["0"],
        "Ramping up": ["0"],
        "Back at full capacity": ["0"],
    }
    assert _table(page, "returns") == {"2026-12": ["1"]}
    assert _table(page, "mentoring") == {
        "Paired with a mentor": ["0"],
        "Waiting for a mentor's answer": ["0"],
        "Not matched yet": ["1"],
    }
    assert _table(page, "met") == {"Yes, we met": ["0"], "Not yet": ["0"]}


def test_the_page_has_no_script_and_its_csp_allows_exactly_the_charts_styles(console: AppStack) -> None:
    answer = _overview(console)
    page, policy = answer.body, answer.headers["Content-Security-Policy"]
    assert "<script" not in page.lower()
    assert "javascript:" not in page.lower()
    assert re.search(r"\sstyle=", page) is None  # no inline style attribute (would need unsafe-hashes)
    assert "script-src 'self'" in policy and "unsafe" not in policy
    styles = re.findall(r"<style[^>]*>(.*?)</style>", page, flags=re.S)
    assert len(styles) == len(FIGURES)
    allowed = re.search(r"style-src ([^;]*)", policy)
    assert allowed is not None
    for text in styles:
        digest = base64.b64encode(hashlib.sha256(html.unescape(text).encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed.group(1).split()
    assert re.findall(r"(?:href|src)=\"(?:https?:)?//", page) == []  # nothing from elsewhere
    assert "<!--" not in page


def test_a_group_under_the_minimum_is_hidden_and_the_next_smallest_with_it(console: AppStack) -> None:
    _minimum(console, TEAM, 2)
    browser = Browser()
    page = _overview(console, browser).body
    # One on leave is under two: hidden, and the next-smallest (two proposed) with it.
    assert _table(page, "phases")["On leave"] == ["suppressed"]
    assert _table(page, "phases")["Proposed"] == ["suppressed"]
    assert _table(page, "returns") == {"2026-12": ["suppressed"]}
    answer, rows = _csv(console, browser, "phases")
    assert answer.status == 200
    assert rows[1:3] == [["Proposed", "suppressed"], ["On leave", "suppressed"]]


@pytest.mark.parametrize("key", FIGURES)
def test_each_figure_downloads_as_csv_with_the_pages_numbers(console: AppStack, key: str) -> None:
    _minimum(console, TEAM, 1)
    browser = Browser()
    page = _overview(console, browser).body
    answer, rows = _csv(console, browser, key)
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("text/csv")
    assert answer.headers["Content-Disposition"] == f'attachment; filename="{key}.csv"'
    assert {row[0]: row[1:] for row in rows[1:]} == _table(page, key)


def test_the_phases_csv(console: AppStack) -> None:
    _minimum(console, TEAM, 1)
    browser = Browser()
    sign_in(console, browser, "UHR")
    _, rows = _csv(console, browser, "phases")
    assert rows == [
        ["Phase", "People"],
        ["Proposed", "2"],
        ["On leave", "1"],
        ["In the reduced weeks", "0"],
        ["Ramping up", "0"],
        ["Back at full capacity", "0"],
    ]


def test_an_unknown_figure_is_not_found(console: AppStack) -> None:
    browser = Browser()
    sign_in(console, browser, "UHR")
    assert browser.request(f"{console.server.url}/hr/downloads/nothing.csv").status == 404


def test_another_tenants_figures_never_appear(console: AppStack, clock: SimulatedClock) -> None:
    """The figures are read for one tenant: a second workspace, with nobody enrolled, reads
    only zeros (through the same sources the app runs with), while the page shows the first's."""
    from hr_plugin import features
    from hr_plugin.console import program

    other = "T0OTHER"
    with unit_of_work(console.factory) as session:
        session.add(
            Tenant(id=other, name="Other", team_id=other, anonymity_minimum=1, created_at=clock.now())
        )
        session.commit()
    sources = features.Sources(
        plans=features.reintegration.active_plans,
        huddles=features.huddles_service.hr_figures,
        mentoring=features._mentoring_counts,
        met=features.mentoring.met_answers,
    )
    tables = program.overview(console.factory, sources, other, clock.now().date())
    assert all(value == 0.0 for table in tables for row in table.rows for value in row.values)
    _minimum(console, TEAM, 1)
    assert _table(_overview(console).body, "phases")["Proposed"] == ["2"]


def test_a_person_who_is_not_an_hr_admin_is_refused(console: AppStack) -> None:
    browser = Browser()
    sign_in(console, browser, "UPEER")
    for path in ("overview", "downloads/phases.csv"):
        answer = browser.request(f"{console.server.url}/hr/{path}")
        assert answer.status in (302, 403)
        assert "Proposed" not in answer.body


def test_no_private_space_table_is_read(console: AppStack) -> None:
    statements: list[str] = []
    engine = console.factory.kw["bind"]

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    browser = Browser()
    sign_in(console, browser, "UHR")
    event.listen(engine, "before_cursor_execute", seen)
    try:
        page = browser.request(f"{console.server.url}/hr/overview").body
        for key in FIGURES:
            browser.request(f"{console.server.url}/hr/downloads/{key}.csv")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert statements
    assert not [s for s in statements if "vault" in s.lower()]
    assert "vault" not in page.lower() and "private" not in page.lower()
