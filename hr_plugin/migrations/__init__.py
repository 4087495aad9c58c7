"""Alembic migrations for the main database."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory


def head_revision() -> str | None:
    config = Config()
    config.set_main_option("script_location", str(Path(str(resources.files("hr_plugin") / "migrations"))))
    return ScriptDirectory.from_config(config).get_current_head()
