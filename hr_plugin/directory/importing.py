"""The import: bring a tenant's directory in line with a checked file, in one transaction.

The rows are matched to the people already known and the org checked
(``hr_plugin.directory.matching``) before Slack is asked anything, Slack is read with no
transaction open (``hr_plugin.directory.slack_ids``), and the write plans again against what
the database holds by then. A file that would leave the org in a bad state is refused whole, and
any failure writes nothing.

Memory stays bounded as the file grows: the rows are read as a stream, once to check the whole
file (keeping only each row's ``RowKey``), then once more inside the write transaction, a
batch at a time; a manager who appears later in the file than their report is set at the
end, once they have an id. The people already known are held as ``KnownEmployee`` tuples, and
the ORM objects of a batch are let go once it is flushed. A file that changed between the two
readings is refused.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any, TypeVar

from slack_sdk import WebClient
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from hr_plugin import audit
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.directory.matching import ImportPlan, KnownEmployee, plan_import
from hr_plugin.directory.rows import (
    DEFAULT_WORK_END,
    DEFAULT_WORK_START,
    DEFAULT_WORKING_DAYS,
    DirectoryError,
    DirectoryRow,
    RowKey,
)
from hr_plugin.directory.slack_ids import DEFAULT_LOOKUP_LIMIT, Progress, SlackAccount, resolve_slack_ids
from hr_plugin.models import Employee
from hr_plugin.tenants import ensure_tenant

_T = TypeVar("_T")
_WRITE_PROGRESS_EVERY = 500
# Rows written per flush: the ORM objects of one batch are all that is held at a time.
_BATCH = 1_000


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


def _snapshot(employee: Employee, **instead: Any) -> tuple[Any, ...]:
    return tuple(instead[name] if name in instead else getattr(employee, name) for name in _TRACKED)


def import_directory(
    session_factory: SessionFactory,
    *,
    tenant_id: str,
    rows: Iterable[DirectoryRow],
    slack: WebClient | None,
    clock: Clock,
    full: bool,
    actor: str,
    progress: Progress | None = None,
    lookup_limit: int = DEFAULT_LOOKUP_LIMIT,
) -> ImportReport:
    """Bring the tenant's directory in line with ``rows``, in one transaction.

    ``rows`` is read twice, so it must be re-iterable: a list, or a ``DirectoryFile``,
    which reads its file again each time and so never holds the rows together. The whole file
    is checked first (every problem raised at once); then the org is checked against the
    database before Slack is asked anything (a bad file fails in a second, not after minutes
    of paging), Slack is read with no transaction open, and the write re-checks against what
    the database holds by then. Any failure writes nothing. ``slack=None`` imports offline,
    keeping the ids and zones the file (or the database) has.
    """
    if iter(rows) is rows:
        raise TypeError("import_directory reads the rows more than once: pass a list or a DirectoryFile")
    say: Progress = progress or (lambda _message: None)
    keys = _read_keys(rows)
    if full and not keys:
        raise DirectoryError([(1, "the file lists nobody: a full import would mark everyone as having left")])
    with unit_of_work(session_factory) as session:
        known = _load_known(session, tenant_id)
        plan_import(keys, known, {key.email: key.slack_user_id for key in keys}, full=full)
        stored_ids = {employee.email: employee.slack_user_id for employee in known}
    del known

    slack_ids, accounts = resolve_slack_ids(keys, stored_ids, slack, lookup_limit, say)
    del stored_ids

    with unit_of_work(session_factory) as session:
        now = clock.now()
        ensure_tenant(session, tenant_id, now)
        session.flush()
        known = _load_known(session, tenant_id)
        plan = plan_import(keys, known, slack_ids, full=full)
        writing = _Writing(session, tenant_id, now, actor)
        report = _write(writing, rows, keys, known, plan, slack_ids, accounts, full=full, say=say)
        session.commit()
    say(f"Directory imported: {report.summary()}")
    return report


def _read_keys(rows: Iterable[DirectoryRow]) -> list[RowKey]:
    """The first reading: the whole file checked, and each row's ``RowKey`` kept.

    Addresses are interned so that a manager's address, repeated on each of their reports'
    rows, is held once.
    """
    return [
        RowKey(
            row.line,
            sys.intern(row.email),
            sys.intern(row.manager_email) if row.manager_email else None,
            row.slack_user_id,
        )
        for row in rows
    ]


def _load_known(session: Session, tenant_id: str) -> list[KnownEmployee]:
    columns = (Employee.id, Employee.email, Employee.slack_user_id, Employee.manager_id, Employee.active)
    return [
        KnownEmployee(*found)
        for found in session.execute(select(*columns).where(Employee.tenant_id == tenant_id))
    ]


def _same_file(keys: Sequence[RowKey], rows: Iterable[DirectoryRow]) -> Iterator[tuple[RowKey, DirectoryRow]]:
    """The rows of a later reading beside the keys of the first, refusing a file that changed.

    The checks ran on the first reading; a file replaced or edited while the import ran (it
    is read from disk again) must not be written on their strength.
    """
    changed = "the file changed while it was being imported: import it again"
    count = 0
    for row in rows:
        if count >= len(keys) or RowKey.of(row) != keys[count]:
            raise DirectoryError([(row.line, changed)])
        yield keys[count], row
        count += 1
    if count != len(keys):
        raise DirectoryError([(1, changed)])


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

    def let_go(self) -> None:
        """Flush, and drop the ORM objects written so far: memory is one batch's, not the file's."""
        self.session.flush()
        self.session.expunge_all()


def _write(
    writing: _Writing,
    rows: Iterable[DirectoryRow],
    keys: Sequence[RowKey],
    known: Sequence[KnownEmployee],
    plan: ImportPlan,
    slack_ids: Mapping[str, str | None],
    accounts: Mapping[str, SlackAccount],
    *,
    full: bool,
    say: Progress,
) -> ImportReport:
    """Write ``plan`` in the caller's transaction (the caller commits) and report what changed.

    In order: the Slack ids that change hands are freed; everyone in the file is written, a
    batch at a time, with their manager when the manager has an id by then; the managers
    added later in the file are set; for a full import, those missing from the file have
    left; last the import is audited.
    """
    report = ImportReport()
    known_by_id = {employee.id: employee for employee in known}
    _free_moving_slack_ids(writing, keys, known, plan, slack_ids)
    claimed = {target.id for target in plan.targets.values() if target is not None}
    id_of = {key.email: target.id for key in keys if (target := plan.targets[key.email]) is not None}
    for employee in known:
        if employee.active and employee.id not in claimed and employee.email not in id_of:
            id_of[employee.email] = employee.id  # a manager who is not in the file
    pending = _write_people(writing, rows, keys, plan, known_by_id, id_of, slack_ids, accounts, report, say)
    _set_pending_managers(writing, pending, id_of, report)
    if full:
        _mark_left(writing, known, claimed, report)
    report.created = sum(1 for target in plan.targets.values() if target is None)
    _audit_import(writing, len(keys), full, report)
    writing.session.flush()
    return report


def _free_moving_slack_ids(
    writing: _Writing,
    keys: Sequence[RowKey],
    known: Sequence[KnownEmployee],
    plan: ImportPlan,
    slack_ids: Mapping[str, str | None],
) -> None:
    """Clear every Slack id that changes hands or goes, before anything is written.

    Slack ids are unique per tenant, and an id can move between people within one file (a
    recreated account, a corrected column). Clearing them first means no statement ever sees
    two rows holding the same one. Whoever loses one has changed, so is stamped.
    """
    final_slack_id: dict[int, str | None] = {}
    for key in keys:
        target = plan.targets[key.email]
        if target is not None:
            final_slack_id[target.id] = slack_ids.get(key.email)
    taken = {user_id for user_id in slack_ids.values() if user_id}
    moving = [
        employee.id
        for employee in known
        if employee.slack_user_id is not None
        and final_slack_id.get(
            employee.id, employee.slack_user_id if employee.slack_user_id not in taken else None
        )
        != employee.slack_user_id
    ]
    for chunk in _chunks(moving):
        writing.session.execute(
            update(Employee)
            .where(Employee.id.in_(chunk))
            .values(slack_user_id=None, updated_at=writing.now)
            .execution_options(synchronize_session=False)
        )


@dataclass(frozen=True)
class _PendingManager:
    """A row whose manager is someone new further on in the file (or in the same batch): their
    id exists only once that row is inserted, so the manager is set after the last batch."""

    employee_id: int
    email: str
    manager_email: str
    # Someone already known: their change of manager is reported and audited once it is set.
    known: bool = False
    previous_manager_id: int | None = None
    previous_manager_email: str | None = None


def _write_people(
    writing: _Writing,
    rows: Iterable[DirectoryRow],
    keys: Sequence[RowKey],
    plan: ImportPlan,
    known_by_id: Mapping[int, KnownEmployee],
    id_of: dict[str, int],
    slack_ids: Mapping[str, str | None],
    accounts: Mapping[str, SlackAccount],
    report: ImportReport,
    say: Progress,
) -> list[_PendingManager]:
    """The second reading, a batch at a time, in file order: the new people inserted, the
    people already known brought in line; each with their manager if that manager has an id.

    A manager is someone in the file or, when they are not, an active person already known.
    A change of manager is reported and audited; who changed is stamped and counted. New
    people's ids go into ``id_of`` as they are inserted; what is left is returned.
    """
    total = len(keys)
    pairs = _same_file(keys, rows)
    pending: list[_PendingManager] = []
    index = 0
    while batch := list(islice(pairs, _BATCH)):
        wanted = [target.id for key, _ in batch if (target := plan.targets[key.email]) is not None]
        found: Iterable[Employee] = (
            writing.session.scalars(select(Employee).where(Employee.id.in_(wanted))) if wanted else ()
        )
        loaded = {employee.id: employee for employee in found}
        new_people: list[dict[str, Any]] = []
        later: list[tuple[str, str]] = []  # new people whose manager has no id yet
        for key, row in batch:
            index += 1
            user_id = slack_ids.get(row.email)
            manager_id = id_of.get(row.manager_email) if row.manager_email else None
            target = plan.targets[key.email]
            if target is None:
                new_people.append(_new_employee(writing, row, user_id, manager_id, accounts))
                if row.manager_email and manager_id is None:
                    later.append((key.email, row.manager_email))
                account = accounts.get(user_id) if user_id else None
                deactivated = account is not None and account.deleted
            else:
                employee = loaded[target.id]
                waiting = _update_known(
                    writing, employee, target, row, user_id, manager_id, accounts, known_by_id, report
                )
                if waiting is not None:
                    pending.append(waiting)
                deactivated = employee.slack_deactivated
            # The key's address, not the row's: it is the one string already held for this person.
            if deactivated:
                report.deactivated_in_slack.append(key.email)
            if user_id is None:
                report.unresolved.append(key.email)
            if index % _WRITE_PROGRESS_EVERY == 0:
                say(f"Writing the directory: {index} of {total} people")
        if new_people:
            _insert_new_people(writing, new_people, id_of)
        pending.extend(_PendingManager(id_of[email], email, manager) for email, manager in later)
        writing.let_go()
    return pending


def _insert_new_people(writing: _Writing, new_people: list[dict[str, Any]], id_of: dict[str, int]) -> None:
    """Insert a batch of new people; their ids go into ``id_of``, by address."""
    # render_nulls: every row has the same columns, so the batch goes as multi-row INSERTs
    # (otherwise rows are grouped by which values are None: a few rows a statement). A
    # hundred rows a statement: psycopg prepares a statement of thousands of parameters slowly.
    statement = insert(Employee).returning(Employee.id, Employee.email)
    statement = statement.execution_options(render_nulls=True, insertmanyvalues_page_size=100)
    for employee_id, email in writing.session.execute(statement, new_people):
        id_of[sys.intern(email)] = employee_id


def _new_employee(
    writing: _Writing,
    row: DirectoryRow,
    user_id: str | None,
    manager_id: int | None,
    accounts: Mapping[str, SlackAccount],
) -> dict[str, Any]:
    """Someone the directory did not know: the row's fields over the defaults it may leave blank."""
    account = accounts.get(user_id) if user_id else None
    with_hours = row.work_start is not None and row.work_end is not None
    return {
        "tenant_id": writing.tenant_id,
        "email": row.email,
        "name": row.name,
        "department": row.department,
        "country": row.country,
        "subdivision": row.subdivision,
        "working_days": ",".join(
            str(day) for day in (DEFAULT_WORKING_DAYS if row.working_days is None else row.working_days)
        ),
        "work_start": row.work_start if with_hours else DEFAULT_WORK_START,
        "work_end": row.work_end if with_hours else DEFAULT_WORK_END,
        "slack_user_id": user_id,
        "timezone": (account.timezone if account else None) or row.timezone or "UTC",
        "slack_deactivated": account.deleted if account is not None else False,
        "active": True,
        "left_at": None,
        "manager_id": manager_id,
        "created_at": writing.now,
        "updated_at": writing.now,
    }


def _set_pending_managers(
    writing: _Writing, pending: Sequence[_PendingManager], id_of: Mapping[str, int], report: ImportReport
) -> None:
    """The managers who were new further on in the file, now that everyone has an id; for
    someone already known it is a change of manager, reported and audited."""
    for chunk in _chunks(pending):
        writing.session.execute(
            update(Employee),
            [{"id": item.employee_id, "manager_id": id_of[item.manager_email]} for item in chunk],
        )
        for item in chunk:
            if item.known:
                report.manager_changed.append((item.email, item.previous_manager_email, item.manager_email))
                writing.audit(
                    "directory.manager_changed",
                    item.employee_id,
                    {"old_manager_id": item.previous_manager_id, "new_manager_id": id_of[item.manager_email]},
                )
        writing.let_go()


def _update_known(
    writing: _Writing,
    employee: Employee,
    before: KnownEmployee,
    row: DirectoryRow,
    user_id: str | None,
    manager_id: int | None,
    accounts: Mapping[str, SlackAccount],
    known_by_id: Mapping[int, KnownEmployee],
    report: ImportReport,
) -> _PendingManager | None:
    """Someone already known, brought in line with their row; stamped and counted if changed.

    What changed is judged against ``before``, read before the write began: the Slack id may
    have been freed since. A manager who is new further on in the file has no id yet: that
    change is returned, to be made (and reported) once they do.
    """
    snapshot = _snapshot(employee, slack_user_id=before.slack_user_id)
    if employee.email != row.email:
        # The same Slack account under a new address: ids only, the addresses are personal.
        writing.audit("directory.email_changed", employee.id)
    _copy_row(employee, row, user_id, accounts.get(user_id) if user_id else None)
    if not employee.active:
        employee.active = True
        employee.left_at = None
        writing.audit("directory.rejoined", employee.id)
    previous = before.manager_id
    old = known_by_id.get(previous) if previous is not None else None
    waiting: _PendingManager | None = None
    if row.manager_email and manager_id is None:
        waiting = _PendingManager(
            employee.id, row.email, row.manager_email, True, previous, old and old.email
        )
    elif previous != manager_id:
        employee.manager_id = manager_id
        report.manager_changed.append((row.email, old.email if old else None, row.manager_email))
        writing.audit(
            "directory.manager_changed",
            employee.id,
            {"old_manager_id": previous, "new_manager_id": manager_id},
        )
    if waiting is not None or _snapshot(employee) != snapshot:
        employee.updated_at = writing.now
        report.updated += 1
    else:
        report.unchanged += 1
    return waiting


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


def _mark_left(
    writing: _Writing, known: Sequence[KnownEmployee], claimed: set[int], report: ImportReport
) -> None:
    """A full import: the active people the file does not list have left the company."""
    leaving = [employee for employee in known if employee.active and employee.id not in claimed]
    for chunk in _chunks(leaving):
        writing.session.execute(
            update(Employee)
            .where(Employee.id.in_([employee.id for employee in chunk]))
            .values(active=False, left_at=writing.now, updated_at=writing.now)
            .execution_options(synchronize_session=False)
        )
        for employee in chunk:
            report.left.append(employee.email)
            writing.audit("directory.left", employee.id)
        writing.let_go()


def _audit_import(writing: _Writing, rows: int, full: bool, report: ImportReport) -> None:
    """One audit entry for the whole import: counts only, never a name or an address."""
    writing.audit(
        "directory.import",
        details={
            "rows": rows,
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


def _chunks(items: Sequence[_T]) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), _BATCH):
        yield items[start : start + _BATCH]
