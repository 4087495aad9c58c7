"""Checking the org a directory file would produce: managers who exist, reporting lines that end.

Pure: it takes the file's rows and the people already known, and returns every problem with
its line. The import calls it twice, before asking Slack anything (so a bad file fails in a
second) and again inside the write transaction, against what the database holds by then.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple, Protocol

from hr_plugin.org_chart import find_cycle


class OrgRow(Protocol):
    """What the org check reads of a row: a ``DirectoryRow``, or the import's compact ``RowKey``."""

    @property
    def line(self) -> int: ...

    @property
    def email(self) -> str: ...

    @property
    def manager_email(self) -> str | None: ...


class KnownPerson(NamedTuple):
    """Someone already in the directory, as the org check needs them."""

    active: bool
    manager_email: str | None


def check_org(
    rows: Sequence[OrgRow], known: Mapping[str, KnownPerson], *, full: bool
) -> list[tuple[int, str]]:
    """Problems with the org that importing ``rows`` over ``known`` people would produce.

    A manager must be in the file, or (without ``full``, where people missing from the file
    stay) an active person already known. The resulting reporting lines must not loop: a loop
    would make "everyone above this person" endless and the mentor exclusion meaningless.
    """
    problems: list[tuple[int, str]] = []
    line_of: dict[str, int] = {}
    for row in rows:
        if row.email in line_of:
            problems.append((row.line, f'duplicate email "{row.email}" (also on line {line_of[row.email]})'))
        else:
            line_of[row.email] = row.line
    for row in rows:
        manager = row.manager_email
        if manager is None or manager in line_of:
            continue
        person = known.get(manager)
        if full:
            problems.append(
                (row.line, f'manager "{manager}" is not in this file (a full import lists everyone)')
            )
        elif person is None:
            problems.append((row.line, f'unknown manager "{manager}"'))
        elif not person.active:
            problems.append((row.line, f'manager "{manager}" has left'))

    manager_of: dict[str, str | None] = {}
    if not full:
        manager_of.update(
            (email, person.manager_email)
            for email, person in known.items()
            if person.active and email not in line_of
        )
    manager_of.update((row.email, row.manager_email) for row in rows)
    while (cycle := find_cycle(manager_of)) is not None:
        lines = sorted({line_of[email] for email in cycle if email in line_of})
        if lines:
            where = ", ".join(str(line) for line in lines)
            problems.append((lines[0], f"reporting cycle {' -> '.join(cycle)} (lines {where})"))
        for email in cycle:
            manager_of[email] = None  # break it, and look for the next one
    return problems
