"""The single-use export link's page in a real browser (Debian's Chromium, through Playwright),
against the real app stack: the person opens the link Slack gave them, sees a page with one
button and none of their words, downloads their entries with the keyboard, and the link is spent.
axe-core checks the page and the export for serious or critical accessibility problems."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page

from hr_plugin.testing.stack import AppStack
from tests.e2e import vault_flows as flow

CANARY = "CANARY-browser-7c2a"
GONE = "This link has expired or was already used."
CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
# What a keyboard reaches with Tab, in the browser's own order.
FOCUSABLE = (
    "a[href], area[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), "
    "select:not([disabled]), textarea:not([disabled]), summary, iframe, [contenteditable], "
    "[tabindex]:not([tabindex='-1'])"
)


@pytest.fixture
def link(stack: AppStack, org: dict[str, str]) -> str:
    """A fresh single-use export link, made the way a person gets one: from their private space."""
    stack.services.settings.public_url = stack.server.url
    flow.enrol(stack, "UPARENT")
    flow.consent(stack, "UPARENT")
    flow.check_in(stack, "UPARENT", CANARY, "neutral")
    stack.slack.block_action("UPARENT", flow.EXPORT, "open", view=flow.space())
    shown = json.dumps(stack.fake.calls_for("views.push", user="UPARENT")[-1]["params"]["view"])
    link = shown.split("<", 1)[1].split("|", 1)[0]
    assert link.startswith(stack.server.url + "/vault/export/"), link
    return link


SERIOUS = ("serious", "critical")
EVERY = ("minor", "moderate", *SERIOUS)


def violations(page: Page, impacts: tuple[str, ...] = SERIOUS) -> list[dict[str, Any]]:
    """axe-core's findings of these impacts on the page as shown (each rule, with where)."""
    results = Axe().run(page)
    return [
        {"rule": found["id"], "impact": found["impact"], "where": [node["target"] for node in found["nodes"]]}
        for found in results.response["violations"]
        if found["impact"] in impacts
    ]


def focused(page: Page) -> str:
    """The focused element, described by its tag and text (empty when the page has no focus)."""
    return str(
        page.evaluate(
            "() => { const e = document.activeElement;"
            " return !e || e === document.body ? '' : e.tagName + ':' + e.textContent.trim(); }"
        )
    )


def tab_order(page: Page) -> tuple[list[str], list[str]]:
    """Every interactive element in document order, and what Tab focuses, one press each, from
    the top of the page until focus leaves it."""
    expected = page.eval_on_selector_all(
        FOCUSABLE, "elements => elements.map(e => e.tagName + ':' + e.textContent.trim())"
    )
    reached = []
    for _ in range(len(expected) + 1):
        page.keyboard.press("Tab")
        reached.append(focused(page))
    return expected, reached


def test_the_page_shows_nothing_written_and_downloads_once_by_keyboard(
    page: Page, link: str, tmp_path: Path
) -> None:
    response = page.goto(link)
    assert response is not None and response.status == 200
    assert CANARY not in page.content()  # before the click, nothing the person wrote
    assert page.title() and page.locator("h1").inner_text() == page.title()
    assert violations(page) == []

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('name')") == "download"
    with page.expect_download() as started:
        page.keyboard.press("Enter")
    download = started.value
    assert download.failure() is None
    assert download.suggested_filename == "my-private-space.html"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    assert page.url == link and CANARY not in page.content()  # the page stays; the file arrived
    assert violations(page) == []

    export = page.context.new_page()
    export.goto(saved.as_uri())
    assert CANARY in export.locator("body").inner_text()  # the entry, readable
    embedded = export.evaluate("JSON.parse(document.getElementById('data').textContent)")
    assert embedded["checkins"][0]["restorative"] == CANARY  # and the data, inside it
    assert violations(export) == []
    with export.expect_download() as json_file:
        export.get_by_role("link", name="Download the data (JSON)").click()
    assert json_file.value.suggested_filename == "my-private-space.json"
    assert json.loads(Path(json_file.value.path()).read_text()) == embedded

    # Pressing the button again: the link is spent.
    with page.expect_navigation() as again:
        page.keyboard.press("Enter")
    assert again.value is not None and again.value.status == 404
    assert GONE in page.locator("body").inner_text()

    # Going back to the page and trying again: a page that may not be cached is asked for anew.
    back = page.go_back()
    assert back is not None and back.status == 404
    assert GONE in page.locator("body").inner_text() and CANARY not in page.content()
    reloaded = page.goto(link)
    assert reloaded is not None and reloaded.status == 404


def test_a_link_previewer_spends_nothing(context: BrowserContext, link: str, tmp_path: Path) -> None:
    previewer = urllib.request.Request(link, headers={"User-Agent": "Slackbot-LinkExpanding 1.1"})
    for method in ("GET", "HEAD", "GET"):
        previewer.method = method
        with urllib.request.urlopen(previewer, timeout=5) as preview:
            assert preview.status == 200 and CANARY.encode() not in preview.read()
    glance = context.new_page()  # a browser that opens the page and leaves
    assert (opened := glance.goto(link)) is not None and opened.status == 200
    glance.close()

    page = context.new_page()
    assert (shown := page.goto(link)) is not None and shown.status == 200
    with page.expect_download() as started:
        page.get_by_role("button").click()
    saved = tmp_path / "export.html"
    started.value.save_as(saved)
    assert CANARY in saved.read_text()


def test_tab_reaches_every_control_in_order_on_the_page_and_the_export(
    context: BrowserContext, link: str, tmp_path: Path
) -> None:
    page = context.new_page()
    page.goto(link)
    assert violations(page, EVERY) == []  # not even a moderate finding (landmarks: all in <main>)
    expected, reached = tab_order(page)
    assert len(expected) == 1 and expected[0].startswith("BUTTON:")
    assert reached == [*expected, ""]  # each in turn, then focus leaves the page

    page.keyboard.press("Shift+Tab")  # and back from outside the page to the button
    assert focused(page) == expected[0]
    with page.expect_download() as started:
        page.keyboard.press("Enter")
    saved = tmp_path / "export.html"
    started.value.save_as(saved)
    export = context.new_page()
    export.goto(saved.as_uri())
    assert violations(export, EVERY) == []
    expected, reached = tab_order(export)
    assert expected == ["A:Download the data (JSON)"]
    assert reached == [*expected, ""]


def test_the_page_forbids_everything_but_its_own_style_and_form(page: Page, link: str) -> None:
    said: list[str] = []
    page.on("console", lambda message: said.append(message.text))
    response = page.goto(link)
    assert response is not None
    headers = response.headers
    assert headers["content-security-policy"] == CSP
    assert headers["cache-control"] == "no-store" and headers["referrer-policy"] == "same-origin"
    assert headers["x-content-type-options"] == "nosniff"
    # The page works under its own policy: its style applies, nothing it needs is refused.
    assert page.evaluate("getComputedStyle(document.body).maxWidth") != "none"
    assert not any("Content Security Policy" in text for text in said)

    # A script slipped into the page does not run: the browser enforces the policy.
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = true'; document.body.append(s); }"
    )
    assert page.evaluate("window.ran === undefined")
    assert any("Content Security Policy" in text for text in said)
