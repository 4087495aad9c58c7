"""Which Chromium the browser tests drive, and what its absence means (pure: no Playwright here).

The tests drive Debian's Chromium (``apt-get install chromium``), never a browser Playwright
downloads itself. Without it the browser tests are skipped, so a laptop without Chromium still
runs the rest of the suite; CI sets ``HR_PLUGIN_REQUIRE_BROWSER=1`` so that a missing browser
fails there instead of passing quietly.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

DEFAULT_CHROMIUM = "/usr/bin/chromium"
PATH_VARIABLE = "HR_PLUGIN_CHROMIUM"
REQUIRE_VARIABLE = "HR_PLUGIN_REQUIRE_BROWSER"

# As root, in a container, on a machine whose network is closed: no sandbox, no GPU, and none of
# Chromium's own calls home (without the background-networking flags they are refused, many at
# a time, and slow every start).
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


@dataclass(frozen=True)
class Missing:
    """Why the browser tests cannot run, and whether that fails them (else they are skipped)."""

    reason: str
    fail: bool


def chromium_path(environ: Mapping[str, str]) -> str:
    return environ.get(PATH_VARIABLE) or DEFAULT_CHROMIUM


def runnable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def missing_browser(environ: Mapping[str, str], can_run: Callable[[str], bool] = runnable) -> Missing | None:
    """None when the browser is there; otherwise the reason, and whether it is a failure
    (``HR_PLUGIN_REQUIRE_BROWSER=1``) or a skip (the default)."""
    path = chromium_path(environ)
    if can_run(path):
        return None
    reason = f"Chromium not found at {path}: apt-get install chromium (or set {PATH_VARIABLE})"
    if environ.get(REQUIRE_VARIABLE, "").strip() == "1":
        return Missing(f"{reason}; {REQUIRE_VARIABLE}=1 makes a missing browser a failure", fail=True)
    return Missing(reason, fail=False)
