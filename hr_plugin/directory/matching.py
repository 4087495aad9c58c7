"""Which person already known each row of a directory file updates, and whether the org holds.

Rows match by email, or a new address by the Slack account of someone no longer in the file
(the same person, renamed); the org they would produce is then checked
(``hr_plugin.directory.org``), and no Slack account may go to two rows. The import plans
twice: before asking Slack anything, so a bad file fails in a second, and again inside the
write transaction, against what the database holds by then.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from hr_plugin.directory.org import KnownPerson, check_org
from hr_plugin.directory.rows import DirectoryError, RowKey


class KnownEmployee(NamedTuple):
    """Someone the directory already holds, as planning needs them: a few fields, not an ORM
    object, so that a tenant of 100,000 people fits in a few megabytes while the file is matched."""

    id: int
    email: str
    slack_user_id: str | None
    manager_id: int | None
    active: bool


@dataclass
class ImportPlan:
    """Which existing employee each row updates (None: a new one), after the org check."""

    targets: dict[str, KnownEmployee | None]


def plan_import(
    rows: Sequence[RowKey],
    employees: Sequence[KnownEmployee],
    slack_ids: Mapping[str, str | None],
    *,
    full: bool,
) -> ImportPlan:
    """Match rows to employees and check the resulting org; raise ``DirectoryError``.

    Rows match by email. A row whose email is new but whose Slack account belongs to someone
    no longer in the file is that same person under a new address (a name change, say): they
    are updated in place, so their enrolment and plan stay theirs.
    """
    by_email = {employee.email: employee for employee in employees}
    by_slack = {employee.slack_user_id: employee for employee in employees if employee.slack_user_id}
    file_emails = {row.email for row in rows}
    targets: dict[str, KnownEmployee | None] = {}
    claimed: set[int] = set()
    for row in rows:
        match = by_email.get(row.email)
        targets[row.email] = match
        if match is not None:
            claimed.add(match.id)
    for row in rows:
        user_id = slack_ids.get(row.email)
        if targets[row.email] is not None or user_id is None:
            continue
        holder = by_slack.get(user_id)
        if holder is not None and holder.email not in file_emails and holder.id not in claimed:
            targets[row.email] = holder
            claimed.add(holder.id)
    new_email_of = {target.id: email for email, target in targets.items() if target is not None}
    email_by_id = {employee.id: employee.email for employee in employees}

    def email_of(employee_id: int | None) -> str | None:
        if employee_id is None:
            return None
        return new_email_of.get(employee_id) or email_by_id.get(employee_id)

    known = {
        email_of(employee.id) or employee.email: KnownPerson(employee.active, email_of(employee.manager_id))
        for employee in employees
    }
    problems = check_org(rows, known, full=full)
    line_of_id: dict[str, int] = {}
    for row in rows:
        user_id = slack_ids.get(row.email)
        if user_id is None:
            continue
        if user_id in line_of_id:
            problems.append(
                (row.line, f"Slack account {user_id} is also given to line {line_of_id[user_id]}")
            )
        else:
            line_of_id[user_id] = row.line
    if problems:
        raise DirectoryError(problems)
    return ImportPlan(targets=targets)
