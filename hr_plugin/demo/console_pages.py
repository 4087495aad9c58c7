"""The demo's last scene: the HR admin signs in to the console and its pages are saved.

Priya signs in with Slack for real: a browser that keeps cookies follows the redirects from
``/hr/`` through the fake Slack's OpenID endpoints and back to the app's callback. Each page, as
she sees it, is written to ``OUT/console/<page>.html`` and each figure's download to
``OUT/console/<figure>.csv``. The pages are self-contained (their styles and charts are inline
already); links between them are rewritten to the saved files' names, and a link to a page
that is not saved (the audit log's older entries) keeps its words but loses its address.
"""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from hr_plugin.demo.narration import Narrator, person, require
from hr_plugin.testing.stack import AppStack

PREFIX = "/hr"
# Each saved page: its file name, its path under /hr/ and its title.
PAGES = (
    ("home", "/", "HR console"),
    ("overview", "/overview", "Overview"),
    ("help-links", "/help-links", "Help links"),
    ("budgets", "/budgets", "Budgets"),
    ("mentoring", "/mentoring", "Mentoring"),
    ("huddles", "/huddles", "Huddles"),
    ("audit", "/audit", "Audit log"),
)
_DOWNLOAD = re.compile(r'href="/hr/downloads/([a-z_-]+)\.csv"')
_HREF = re.compile(r'\shref="(/hr/[^"]*)"')


@dataclass
class _Answer:
    status: int
    url: str
    headers: Any
    body: bytes


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class _Browser:
    """Keeps cookies and follows redirects one by one (each one a request over HTTP)."""

    def __init__(self) -> None:
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)

    def get(self, url: str) -> _Answer:
        for _ in range(10):
            try:
                with self.opener.open(url, timeout=10) as answer:
                    return _Answer(answer.status, url, answer.headers, answer.read())
            except urllib.error.HTTPError as error:
                if error.code not in (301, 302, 303):
                    return _Answer(error.code, url, error.headers, error.read())
                url = urljoin(url, str(error.headers.get("Location", "")))
        return _Answer(0, url, {}, b"too many redirects")


def save_console(stack: AppStack, hr_user: str, out: Path, say: Narrator) -> None:
    """Sign in as ``hr_user`` and write the console's pages and downloads to ``out/console``."""
    folder = out / "console"
    folder.mkdir(parents=True, exist_ok=True)
    for stale in [*folder.glob("*.html"), *folder.glob("*.csv")]:
        stale.unlink()
    admin = person(stack, hr_user)
    claim = f"{admin.name} signs in to the HR console with Slack"
    browser = _Browser()
    stack.fake.sign_in_as(hr_user)
    home = browser.get(f"{stack.server.url}{PREFIX}/")
    signed_in = f"Signed in as {admin.name}, HR admin of"
    require(
        home.status == 200 and signed_in in home.body.decode(), claim, f"the console answered {home.status}"
    )

    pages: dict[str, str] = {}
    for name, path, title in PAGES:
        answer = home if path == "/" else browser.get(f"{stack.server.url}{PREFIX}{path}")
        body = answer.body.decode()
        require(
            answer.status == 200 and f"<title>{title} · " in body and f"<h1>{title}</h1>" in body,
            f"the console's {title} page is saved",
            f"it answered {answer.status}",
        )
        pages[name] = body
    figures = sorted(set(_DOWNLOAD.findall(pages["overview"])))
    require(bool(figures), "the overview's figures are saved as CSV", "the overview offers no download")
    for figure in figures:
        answer = browser.get(f"{stack.server.url}{PREFIX}/downloads/{figure}.csv")
        require(
            answer.status == 200 and str(answer.headers.get("Content-Type", "")).startswith("text/csv"),
            f"the {figure} figure is saved as CSV",
            f"its download answered {answer.status}",
        )
        (folder / f"{figure}.csv").write_bytes(answer.body)
    saved = {path: f"{name}.html" for name, path, _ in PAGES}
    saved.update({f"/downloads/{figure}.csv": f"{figure}.csv" for figure in figures})
    for name, body in pages.items():
        (folder / f"{name}.html").write_text(_self_contained(body, saved), encoding="utf-8")
    say(
        f"{claim}; the console's {len(pages)} pages and {len(figures)} CSV downloads, as she sees "
        f"them, are in {folder}."
    )


def _self_contained(body: str, saved: dict[str, str]) -> str:
    """Links to the console's saved pages become their file names; a link to a page not saved
    loses its address (its words stay)."""

    def local(match: re.Match[str]) -> str:
        target = saved.get(match.group(1).removeprefix(PREFIX))
        return f' href="{target}"' if target else ""

    return _HREF.sub(local, body)
