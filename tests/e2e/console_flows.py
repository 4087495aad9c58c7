"""The HR console over real HTTP, as the console's tests use it: a browser that keeps cookies and
follows redirects by hand, the small company imported, a sign-in through the fake Slack's
OpenID endpoints, and ways to read a page.
"""

from __future__ import annotations

import html
import http.cookiejar
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode, urljoin

from sqlalchemy import select

from hr_plugin.clock import Clock
from hr_plugin.db import unit_of_work
from hr_plugin.directory import import_directory, parse_directory_csv
from hr_plugin.enrolment import accept
from hr_plugin.models import AuditEntry
from hr_plugin.testing.stack import AppStack
from tests.e2e.conftest import ORG_CSV, TEAM, USERS, propose_enrolment

OTHER = "T0OTHER"  # another workspace, whose data a console must never show


@dataclass
class Answer:
    status: int
    url: str
    headers: Any
    body: str

    @property
    def location(self) -> str:
        return urljoin(self.url, str(self.headers.get("Location", "")))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Browser:
    """Keeps cookies; ``get``/``post`` answer one request, ``follow`` walks the redirects."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def request(self, url: str, data: dict[str, str] | None = None) -> Answer:
        body = urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(urllib.request.Request(url, data=body), timeout=10) as answer:
                return Answer(answer.status, url, answer.headers, answer.read().decode())
        except urllib.error.HTTPError as error:
            return Answer(error.code, url, error.headers, error.read().decode())

    def follow(self, url: str) -> list[Answer]:
        answers = [self.request(url)]
        while answers[-1].status in (301, 302, 303) and len(answers) < 10:
            answers.append(self.request(answers[-1].location))
        return answers


def add_people(stack: AppStack) -> None:
    for email, user_id in USERS.items():
        stack.fake.add_user(user_id, name=email.split("@")[0], real_name=email, email=email)


def import_org(stack: AppStack, tenant: str) -> None:
    import_directory(
        stack.factory,
        tenant_id=tenant,
        rows=parse_directory_csv(ORG_CSV),
        slack=stack.clients.client_for(tenant),
        clock=stack.services.clock,
        full=True,
        actor="test",
    )


def console_home(stack: AppStack) -> str:
    return f"{stack.server.url}/hr/"


def sign_in(stack: AppStack, browser: Browser, user: str, team: str | None = None) -> list[Answer]:
    stack.fake.sign_in_as(user, team_id=team)
    return browser.follow(console_home(stack))


def audited(stack: AppStack, action: str) -> list[AuditEntry]:
    with unit_of_work(stack.factory) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def signed_in(stack: AppStack, user: str = "UHR") -> Browser:
    browser = Browser()
    assert sign_in(stack, browser, user)[-1].status == 200
    return browser


def console_url(stack: AppStack, path: str) -> str:
    return f"{stack.server.url}/hr/{path}"


def form_token(page: Answer) -> str:
    return page.body.split('name="csrf_token" value="')[1].split('"')[0]


def page_text(page: Answer) -> str:
    return html.unescape(page.body)


def seed_program(stack: AppStack, clock: Clock) -> None:
    """Three people proposed, one of whom accepted (enrolled, no plan without a policy)."""
    for email in ("parent@example.com", "peer@example.com", "lead@example.com"):
        propose_enrolment(stack, email, date(2026, 6, 1), date(2026, 12, 7))
    accept(
        stack.factory,
        clock,
        stack.services.enrolment_hooks,
        tenant_id=TEAM,
        user_id=USERS["parent@example.com"],
        contact_during_leave=True,
        leave_out_family=False,
    )
