"""The import: bring a tenant's directory in line with a checked file, in one transaction.

The rows are matched to the people already known and the org checked
(``hr_plugin.directory.matching``) before Slack is asked anything, Slack is read with no
transaction open (``hr_plugin.directory.slack_ids``), and the write plans again against what
the database holds by then. A file that would leave the org in a bad state is refused whole, and
any failure writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hr_plugin import audit
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.directory.matching import ImportPlan, plan_import
from hr_plugin.directory.rows import (
    DEFAULT_WORK_END,
    DEFAULT_WORK_START,
    DEFAULT_WORKING_DAYS,
    DirectoryError,
    DirectoryRow,
)
from hr_plugin.directory.slack_ids import DEFAULT_LOOKUP_LIMIT, Progress, SlackAccount, resolve_slack_ids
from hr_plugin.models import Employee
from hr_plugin.tenants import ensure_tenant

_WRITE_PROGRESS_EVERY = 500


@dataclass
class ImportReport:
    """What an import changed, for the person who ran it (emails, since HR reads it)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    left: list[str] = field(default_factory=list)
    manager_changed: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    deactivated_in_slack: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.left)} left, {len(self.manager_changed)} with a new manager, "
            f"{len(self.deactivated_in_slack)} deactivated in Slack, "
            f"{len(self.unresolved)} without a Slack account"
        )


def _load_employees(session: Session, tenant_id: str) -> list[Employee]:
    return list(session.scalars(select(Employee).where(Employee.tenant_id == tenant_id)))


_TRACKED = (
    "email",
    "name",
    "slack_user_id",
    "timezone",
    "working_days",
    "work_start",
    "work_end",
    "country",
    "subdivision",
    "department",
    "manager_id",
    "active",
    "slack_deactivated",
    "left_at",
)


def _snapshot(employee: Employee) -> tuple[Any, ...]:
    return tuple(getattr(employee, name) for name in _TRACKED)


def import_directory(
    session_factory: SessionFactory,
    *,
    tenant_id: str,
    rows: Sequence[DirectoryRow],
    slack: WebClient | None,
    clock: Clock,
    full: bool,
    actor: str,
    progress: Progress | None = None,
    lookup_limit: int = DEFAULT_LOOKUP_LIMIT,
) -> ImportReport:
    """Bring the tenant's directory in line with ``rows``, in one transaction.

    The org is checked against the database before Slack is asked anything (a bad file fails
    in a second, not after minutes of paging), Slack is read with no transaction open, and the
    write re-checks against what the database holds by then. Any failure writes nothing.
    ``slack=None`` imports offline, keeping the ids and zones the file (or the database) has.
    """
    say: Progress = progress or (lambda _message: None)
    if full and not rows:
        raise DirectoryError([(1, "the file lists nobody: a full import would mark everyone as having left")])
    with unit_of_work(session_factory) as session:
        employees = _load_employees(session, tenant_id)
        plan_import(rows, employees, {row.email: row.slack_user_id for row in rows}, full=full)
        stored_ids = {employee.email: employee.slack_user_id for employee in employees}

    slack_ids, accounts = resolve_slack_ids(rows, stored_ids, slack, lookup_limit, say)

    with unit_of_work(session_factory) as session:
        now = clock.now()
        ensure_tenant(session, tenant_id, now)
        employees = _load_employees(session, tenant_id)
        plan = plan_import(rows, employees, slack_ids, full=full)
        writing = _Writing(session, tenant_id, now, actor)
        report = _write(writing, rows, employees, plan, slack_ids, accounts, full=full, say=say)
        session.commit()
    say(f"Directory imported: {report.summary()}")
    return report


@dataclass(frozen=True)
class _Writing:
    """What every step of one import's write shares: its transaction, tenant, time and actor."""

    session: Session
    tenant_id: str
    now: datetime
    actor: str

    def audit(self, action: str, subject: int | None = None, details: dict[str, Any] | None = None) -> None:
        """An audit entry for this import; its subject is an employee id, never an address."""
        audit.record(
            self.session,
            tenant_id=self.tenant_id,
            at=self.now,
            actor=self.actor,
            action=action,
            subject=None if subject is None else str(subject),
            details=details,
        )


@dataclass(frozen=True)
class _Before:
    """The employees as they were before the write: what changed is judged against this.

    Addresses and managers are kept apart from the snapshots because pass 1 rewrites addresses
    and the report names a changed manager by the address they had.
    """

    snapshots: dict[int, tuple[Any, ...]]
    emails: dict[int, str]
    manager_ids: dict[int, int | None]

    @classmethod
    def of(cls, employees: Sequence[Employee]) -> _Before:
        return cls(
            snapshots={employee.id: _snapshot(employee) for employee in employees},
            emails={employee.id: employee.email for employee in employees},
            manager_ids={employee.id: employee.manager_id for employee in employees},
        )


def _write(
    writing: _Writing,
    rows: Sequence[DirectoryRow],
    employees: Sequence[Employee],
    plan: ImportPlan,
    slack_ids: Mapping[str, str | None],
    accounts: Mapping[str, SlackAccount],
    *,
    full: bool,
    say: Progress,
) -> ImportReport:
    """Write ``plan`` in the caller's transaction (the caller commits) and report what changed.

    In order: the Slack ids that change hands are freed, everyone in the file is written with
    their own fields, then their managers (a new person has an id only by then), then, for a
    full import, those missing from the file have left; last the changes are counted and the
    import is audited.
    """
    report = ImportReport()
    before = _Before.of(employees)
    _free_moving_slack_ids(writing.session, rows, employees, plan, slack_ids)
    by_email = _write_people(writing, rows, plan, slack_ids, accounts, report, say)
    _write_managers(writing, rows, employees, by_email, before, report)
    if full:
        _mark_left(writing, employees, by_email, report)
    _count_changes(employees, by_email, before, writing.now, report)
    report.created = sum(1 for row in rows if plan.targets[row.email] is None)
    _audit_import(writing, rows, full, report)
    writing.session.flush()
    return report


def _free_moving_slack_ids(
    session: Session,
    rows: Sequence[DirectoryRow],
    employees: Sequence[Employee],
    plan: ImportPlan,
    slack_ids: Mapping[str, str | None],
) -> None:
    """Clear, and flush, every Slack id that changes hands or goes, before anything is written.

    Slack ids are unique per tenant, and an id can move between people within one file (a
    recreated account, a corrected column). Clearing them first means no statement ever sees
    two rows holding the same one.
    """
    final_slack_id: dict[int, str | None] = {}
    for row in rows:
        target = plan.targets[row.email]
        if target is not None:
            final_slack_id[target.id] = slack_ids.get(row.email)
    taken = {user_id for user_id in slack_ids.values() if user_id}
    for employee in employees:
        if employee.id not in final_slack_id:
            keeps = employee.slack_user_id not in taken
            final_slack_id[employee.id] = employee.slack_user_id if keeps else None
    moving = [
        employee
        for employee in employees
        if employee.slack_user_id is not None and final_slack_id[employee.id] != employee.slack_user_id
    ]
    for employee in moving:
        employee.slack_user_id = None
    if moving:
        session.flush()


def _write_people(
    writing: _Writing,
    rows: Sequence[DirectoryRow],
    plan: ImportPlan,
    slack_ids: Mapping[str, str | None],
    accounts: Mapping[str, SlackAccount],
    report: ImportReport,
    say: Progress,
) -> dict[str, Employee]:
    """Pass 1: everyone in the file exists with their own fields, flushed so new people have ids."""
    by_email: dict[str, Employee] = {}
    total = len(rows)
    for index, row in enumerate(rows, start=1):
        target = plan.targets[row.email]
        user_id = slack_ids.get(row.email)
        account = accounts.get(user_id) if user_id else None
        if target is None:
            employee = _new_employee(writing, row.email)
        else:
            employee = target
            if employee.email != row.email:
                # The same Slack account under a new address: ids only, the addresses are personal.
                writing.audit("directory.email_changed", employee.id)
        _copy_row(employee, row, user_id, account)
        if not employee.active:
            employee.active = True
            employee.left_at = None
            if target is not None:
                writing.audit("directory.rejoined", target.id)
        if employee.slack_deactivated:
            report.deactivated_in_slack.append(row.email)
        if user_id is None:
            report.unresolved.append(row.email)
        by_email[row.email] = employee
        if index % _WRITE_PROGRESS_EVERY == 0:
            say(f"Writing the directory: {index} of {total} people")
    writing.session.flush()
    return by_email


def _new_employee(writing: _Writing, email: str) -> Employee:
    """Someone the directory did not know, added with the defaults the file may override."""
    employee = Employee(
        tenant_id=writing.tenant_id,
        email=email,
        created_at=writing.now,
        updated_at=writing.now,
        active=True,
        slack_deactivated=False,
        timezone="UTC",
        working_days=",".join(str(day) for day in DEFAULT_WORKING_DAYS),
        work_start=DEFAULT_WORK_START,
        work_end=DEFAULT_WORK_END,
    )
    writing.session.add(employee)
    return employee


def _copy_row(
    employee: Employee, row: DirectoryRow, user_id: str | None, account: SlackAccount | None
) -> None:
    """The row's own fields onto ``employee``; blank working days or hours keep what they hold.

    The time zone is Slack's if it has a valid one, else the file's, else what is stored.
    """
    employee.email = row.email
    employee.name = row.name
    employee.department = row.department
    employee.country = row.country
    employee.subdivision = row.subdivision
    if row.working_days is not None:
        employee.working_days = ",".join(str(day) for day in row.working_days)
    if row.work_start is not None and row.work_end is not None:
        employee.work_start, employee.work_end = row.work_start, row.work_end
    employee.slack_user_id = user_id
    employee.timezone = (account.timezone if account else None) or row.timezone or employee.timezone or "UTC"
    if account is not None:
        employee.slack_deactivated = account.deleted


def _write_managers(
    writing: _Writing,
    rows: Sequence[DirectoryRow],
    employees: Sequence[Employee],
    by_email: Mapping[str, Employee],
    before: _Before,
    report: ImportReport,
) -> None:
    """Pass 2: each row's manager, now that everyone has an id; a change is reported and audited.

    A manager is someone in the file or, when they are not, an active person already known.
    """
    id_of = {email: employee.id for email, employee in by_email.items()}
    for employee in employees:
        if employee.active and employee.email not in id_of:
            id_of[employee.email] = employee.id
    for row in rows:
        employee = by_email[row.email]
        manager_id = id_of[row.manager_email] if row.manager_email else None
        previous = before.manager_ids.get(employee.id)
        if employee.manager_id != manager_id:
            employee.manager_id = manager_id
        if employee.id in before.snapshots and previous != manager_id:
            report.manager_changed.append(
                (row.email, before.emails.get(previous) if previous else None, row.manager_email)
            )
            writing.audit(
                "directory.manager_changed",
                employee.id,
                {"old_manager_id": previous, "new_manager_id": manager_id},
            )


def _mark_left(
    writing: _Writing,
    employees: Sequence[Employee],
    by_email: Mapping[str, Employee],
    report: ImportReport,
) -> None:
    """A full import: the active people the file does not list have left the company."""
    in_file = {employee.id for employee in by_email.values()}
    for employee in employees:
        if employee.active and employee.id not in in_file:
            employee.active = False
            employee.left_at = writing.now
            report.left.append(employee.email)
            writing.audit("directory.left", employee.id)


def _count_changes(
    employees: Sequence[Employee],
    by_email: Mapping[str, Employee],
    before: _Before,
    now: datetime,
    report: ImportReport,
) -> None:
    """Stamp whoever changed; count the people in the file who were updated or left unchanged."""
    for employee in employees:
        if _snapshot(employee) != before.snapshots[employee.id]:
            employee.updated_at = now
            if employee.email in by_email:
                report.updated += 1
        elif employee.email in by_email:
            report.unchanged += 1


def _audit_import(writing: _Writing, rows: Sequence[DirectoryRow], full: bool, report: ImportReport) -> None:
    """One audit entry for the whole import: counts only, never a name or an address."""
    writing.audit(
        "directory.import",
        details={
            "rows": len(rows),
            "full": full,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "left": len(report.left),
            "manager_changed": len(report.manager_changed),
            "deactivated_in_slack": len(report.deactivated_in_slack),
            "unresolved": len(report.unresolved),
        },
    )
