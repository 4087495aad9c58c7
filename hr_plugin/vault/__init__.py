"""The private check-in's vault: the only package that holds keys or check-in content.

Outside it, only the app wiring, the CLI, the scheduler and the employee's App Home may
import it, and only the names below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hr_plugin.vault.cli import add_commands as cli
from hr_plugin.vault.entry import (
    SLACK_TOKEN_PURPOSE,
    export_routes,
    prepare_keystore,
    shred_tenant,
    slack_token_key,
    vault_for,
)
from hr_plugin.vault.home import home_entry
from hr_plugin.vault.ticks import ticks

if TYPE_CHECKING:
    from hr_plugin.vault.feature import FEATURE

__all__ = [
    "FEATURE",
    "SLACK_TOKEN_PURPOSE",
    "cli",
    "export_routes",
    "home_entry",
    "prepare_keystore",
    "shred_tenant",
    "slack_token_key",
    "ticks",
    "vault_for",
]


def __getattr__(name: str) -> Any:
    """``FEATURE``, imported on first use: it names the Slack listeners, which the CLI and the
    scheduler importing this package do not need, and it imports the names defined here."""
    if name == "FEATURE":
        from hr_plugin.vault.feature import FEATURE

        return FEATURE
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
