"""Alembic migrations for the main database.

``head_revision`` reads the revision files' ``revision`` and ``down_revision`` assignments
itself rather than through Alembic: every web worker checks the schema
as it starts, and Alembic (with Mako and Pygments behind it) is about 7.5 MB of resident memory
that a process whose schema is already at head never uses. The files are parsed, not
imported, so their ``from alembic import op`` does not run either. A revision history this
reading does not understand (no single head, a revision it cannot read) is handed to Alembic,
which answers or explains. A test checks this reading against Alembic's own.
"""

from __future__ import annotations

import ast
import functools
from importlib import resources
from pathlib import Path


def script_location() -> str:
    return str(Path(str(resources.files("hr_plugin") / "migrations")))


@functools.cache
def head_revision() -> str | None:
    """The newest revision: the one no other revision revises. Computed once per process."""
    found = _read_revisions(Path(script_location()) / "versions")
    if found is not None:
        revised = {parent for parents in found.values() for parent in parents}
        heads = [revision for revision in found if revision not in revised]
        if len(heads) == 1:
            return heads[0]
    return alembic_head_revision()


def alembic_head_revision() -> str | None:
    """Alembic's own answer (which loads Alembic)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", script_location())
    return ScriptDirectory.from_config(config).get_current_head()


def _read_revisions(versions: Path) -> dict[str, tuple[str, ...]] | None:
    """Each revision and the revisions it revises, or None if a file is not plainly readable."""
    found: dict[str, tuple[str, ...]] = {}
    for file in sorted(versions.glob("*.py")):
        if file.name == "__init__.py":
            continue
        names: dict[str, object] = {}
        for statement in ast.parse(file.read_text(encoding="utf-8")).body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target = statement.targets[0]
                if isinstance(target, ast.Name) and target.id in ("revision", "down_revision", "depends_on"):
                    try:
                        names[target.id] = ast.literal_eval(statement.value)
                    except ValueError:
                        return None
        revision, down = names.get("revision"), names.get("down_revision")
        if not isinstance(revision, str) or names.get("depends_on") is not None:
            return None
        if down is None:
            found[revision] = ()
        elif isinstance(down, str):
            found[revision] = (down,)
        elif isinstance(down, tuple) and all(isinstance(parent, str) for parent in down):
            found[revision] = down
        else:
            return None
    return found or None
