"""The schema's head read from the revision files is Alembic's own head."""

from __future__ import annotations

from pathlib import Path

from hr_plugin.migrations import _read_revisions, alembic_head_revision, head_revision, script_location


def test_the_head_read_from_the_files_is_alembics() -> None:
    assert head_revision() == alembic_head_revision()


def test_every_revision_file_is_read_and_forms_one_line() -> None:
    found = _read_revisions(Path(script_location()) / "versions")
    assert found is not None
    revised = {parent for parents in found.values() for parent in parents}
    assert [revision for revision in found if revision not in revised] == [head_revision()]


def test_a_second_head_is_left_to_alembic(tmp_path: Path) -> None:
    for name, revision, down in (("a.py", "a", None), ("b.py", "b", "a"), ("c.py", "c", "a")):
        (tmp_path / name).write_text(f"revision = {revision!r}\ndown_revision = {down!r}\n", encoding="utf-8")
    found = _read_revisions(tmp_path)
    assert found == {"a": (), "b": ("a",), "c": ("a",)}  # two heads: head_revision asks Alembic
