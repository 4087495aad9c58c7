"""The installer's browser for the OAuth flow: the app's install link, Slack's consent, back.

Three steps over real HTTP, none following redirects by itself, so a test can look at each
one and tamper with it: ``start`` opens ``/slack/install`` (the app issues a state, sets it as a
cookie and redirects to Slack's consent screen), ``consent`` opens that screen on the fake
(which approves at once and redirects back with a code), ``finish`` opens the app's redirect
URL with the cookie, as the browser would.
"""

from __future__ import annotations

import http.client
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlencode, urlsplit

STATE_COOKIE = "slack-app-oauth-state"


@dataclass(frozen=True)
class InstallPage:
    """What the browser got: status, headers (lower-case names), body."""

    status: int
    headers: dict[str, str]
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


@dataclass(frozen=True)
class Started:
    authorize_url: str
    state: str
    cookie: str  # the ``Cookie`` header the browser sends back


class Installer:
    def __init__(self, app_url: str, timeout: float = 10.0) -> None:
        self.app_url = app_url.rstrip("/")
        self.timeout = timeout

    def start(self, team_id: str | None = None) -> Started:
        query = f"?{urlencode({'team': team_id})}" if team_id else ""
        page = self.get(f"{self.app_url}/slack/install{query}")
        if page.status != 302:
            raise AssertionError(f"/slack/install answered {page.status}, not a redirect to Slack")
        state = parse_qs(urlsplit(page.location).query).get("state", [""])[0]
        jar: SimpleCookie = SimpleCookie()
        jar.load(page.headers.get("set-cookie", ""))
        cookie = f"{STATE_COOKIE}={jar[STATE_COOKIE].value}" if STATE_COOKIE in jar else ""
        return Started(page.location, state, cookie)

    def consent(self, authorize_url: str) -> str:
        """Slack's consent screen, approved; the app's redirect URL with ``code`` and ``state``."""
        page = self.get(authorize_url)
        if page.status != 302:
            raise AssertionError(f"Slack's consent screen answered {page.status}: {page.body}")
        return page.location

    def finish(self, redirect_url: str, cookie: str | None) -> InstallPage:
        return self.get(redirect_url, {"Cookie": cookie} if cookie else {})

    def install(self, team_id: str | None = None) -> InstallPage:
        started = self.start(team_id)
        return self.finish(self.consent(started.authorize_url), started.cookie)

    def get(self, url: str, headers: dict[str, str] | None = None) -> InstallPage:
        parts = urlsplit(url)
        if parts.scheme != "http" or parts.hostname is None:
            raise ValueError(f"the test browser only opens local http URLs, not {url}")
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=self.timeout)
        try:
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            connection.request("GET", target, headers=headers or {})
            response = connection.getresponse()
            body = response.read().decode("utf-8", errors="replace")
            found = {name.lower(): value for name, value in response.getheaders()}
            return InstallPage(response.status, found, body)
        finally:
            connection.close()
