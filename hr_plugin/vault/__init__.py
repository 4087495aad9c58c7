"""The private check-in's vault: the only package that holds keys or check-in content.

Outside it, only the app wiring, the CLI, the scheduler and the employee's App Home may
import it, and only the names below.
"""

from __future__ import annotations

from hr_plugin.vault.cli import add_commands as cli

__all__ = ["cli"]
