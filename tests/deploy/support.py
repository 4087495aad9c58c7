"""What the deployment tests share: where things are, and what the app itself accepts.

The checks ask the app rather than keep their own lists: a command is valid if ``hr-plugin``'s
own parser accepts it, a setting exists if ``Settings`` has the field.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from hr_plugin.cli import _parser
from hr_plugin.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"

# Environment variable names whose values are secret: they must come from a Secret, a Docker
# secret or an env file, never be written in a manifest.
SECRET_NAME = re.compile(r"(TOKEN|SECRET|PASSWORD|DATABASE_URL|KEYSTORE_URL|CLIENT_ID|_KEY)$")
# Variables the image or a library reads that are not the app's settings.
NON_SETTINGS = {"PROMETHEUS_MULTIPROC_DIR"}


def setting_names() -> set[str]:
    """Every ``HR_PLUGIN_*`` variable the app reads."""
    return {f"HR_PLUGIN_{name.upper()}" for name in Settings.model_fields}


def unknown_settings(names: Sequence[str]) -> list[str]:
    """Names that look like settings but that the app would ignore (a typo, a removed setting)."""
    known = setting_names()
    return sorted(name for name in names if name not in NON_SETTINGS and name not in known)


def is_command(args: Sequence[str]) -> bool:
    """True if ``hr-plugin ARGS`` names a command the CLI runs (not just a command group)."""
    try:
        parsed = _parser().parse_args(list(args))
    except SystemExit:
        return False
    return callable(getattr(parsed, "handler", None))


def names_a_command(words: Sequence[str]) -> bool:
    """True if ``hr-plugin WORDS --help`` succeeds: the words name a real command or group."""
    import contextlib
    import io

    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            _parser().parse_args([*words, "--help"])
    except SystemExit as exit_:
        return exit_.code == 0
    return False
