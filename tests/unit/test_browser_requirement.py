"""Whether the browser tests skip or fail without Chromium (tests/browser/chromium.py)."""

from __future__ import annotations

import stat
from pathlib import Path

from tests.browser.chromium import DEFAULT_CHROMIUM, Missing, chromium_path, missing_browser, runnable


def nowhere(path: str) -> bool:
    return False


def test_without_chromium_the_browser_tests_are_skipped_with_how_to_install_it() -> None:
    assert missing_browser({}, nowhere) == Missing(
        "Chromium not found at /usr/bin/chromium: apt-get install chromium (or set HR_PLUGIN_CHROMIUM)",
        fail=False,
    )
    assert missing_browser({"HR_PLUGIN_REQUIRE_BROWSER": "0"}, nowhere) == missing_browser({}, nowhere)


def test_when_the_browser_is_required_a_missing_one_is_a_failure() -> None:
    missing = missing_browser({"HR_PLUGIN_REQUIRE_BROWSER": "1"}, nowhere)

    assert missing is not None and missing.fail
    assert missing.reason.startswith("Chromium not found at /usr/bin/chromium: apt-get install chromium")
    assert "HR_PLUGIN_REQUIRE_BROWSER=1" in missing.reason


def test_a_browser_that_is_there_is_neither_skipped_nor_failed() -> None:
    asked: list[str] = []

    def there(path: str) -> bool:
        asked.append(path)
        return True

    assert missing_browser({"HR_PLUGIN_REQUIRE_BROWSER": "1"}, there) is None
    assert missing_browser({"HR_PLUGIN_CHROMIUM": "/opt/chromium/chrome"}, there) is None
    assert asked == [DEFAULT_CHROMIUM, "/opt/chromium/chrome"]


def test_the_path_can_be_overridden_and_names_itself_when_missing() -> None:
    environ = {"HR_PLUGIN_CHROMIUM": "/opt/chromium/chrome"}

    assert chromium_path(environ) == "/opt/chromium/chrome" and chromium_path({}) == DEFAULT_CHROMIUM
    missing = missing_browser(environ, nowhere)
    assert missing is not None and "not found at /opt/chromium/chrome:" in missing.reason


def test_only_an_executable_file_counts_as_a_browser(tmp_path: Path) -> None:
    browser = tmp_path / "chromium"
    assert not runnable(str(browser))  # absent
    browser.write_text("#!/bin/sh\n")
    assert not runnable(str(browser))  # not executable
    browser.chmod(browser.stat().st_mode | stat.S_IXUSR)
    assert runnable(str(browser))
    assert not runnable(str(tmp_path))  # a folder
