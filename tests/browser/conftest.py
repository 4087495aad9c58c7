"""Browser fixtures: one headless Debian Chromium per session, driven by Playwright, and a fresh
context (no cookies, no cache, no history) for every test.

The app under the browser is the same real stack the e2e tests use (``stack``, ``org``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.browser.chromium import FLAGS, chromium_path, missing_browser
from tests.e2e.conftest import org, stack

__all__ = ["browser", "context", "org", "page", "stack"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    missing = missing_browser(os.environ)
    if missing is not None:
        if missing.fail:
            pytest.fail(missing.reason, pytrace=False)
        pytest.skip(missing.reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path(os.environ), headless=True, args=list(FLAGS)
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    fresh = browser.new_context(accept_downloads=True)
    fresh.set_default_timeout(10_000)
    try:
        yield fresh
    finally:
        fresh.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()
