"""Use cases behind the App Home: what a person sees, and the settings they change there."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, Select, String, bindparam, func, select, update
from sqlalchemy.orm import Session, aliased, load_only

from hr_plugin import audit
from hr_plugin.admins import list_admins
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, autocommit, autocommit_connection, one_of, unit_of_work
from hr_plugin.enrolment import ACTIVE, AWAITING_HR, PROPOSED
from hr_plugin.enrolment.models import OPEN_STATUSES, Enrolment
from hr_plugin.events import claim_event
from hr_plugin.home_model import (
    HomeState,
    HrPanel,
    ManagerPanel,
    OwnEnrolment,
    PendingEnrolment,
    WorkingHours,
)
from hr_plugin.models import AuditEntry, Employee, Leave, UTCDateTime, weekdays_of
from hr_plugin.roles import ROLE_ORDER, Role, role_columns
from hr_plugin.services import HomeContext, HomeProvider

UPCOMING_SHOWN = 10

# What the Home reads of the person, their open enrolment and its leave (``load_home`` and the
# features' sections through ``HomeContext.person``); the first statement loads only these.
HOME_COLUMNS = {
    "person": ("id", "name", "slack_user_id", "active", "timezone", "working_days", "work_start", "work_end"),
    "enrolment": ("id", "status", "leave_id", "contact_during_leave"),
    "leave": ("id", "leave_start", "expected_return"),
}
# psycopg keeps the parse of a statement's placeholders only for statements up to this many
# characters (``psycopg._queries.MAX_CACHED_STATEMENT_LENGTH``); a longer one is parsed at every
# execution.
STATEMENT_CACHED = 4096


class SettingsError(ValueError):
    """A setting the person entered cannot be used; ``field`` names the modal block."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def load_home(
    factory: SessionFactory,
    clock: Clock,
    *,
    tenant_id: str,
    user_id: str,
    workspace_admin: bool,
    providers: Sequence[HomeProvider] = (),
) -> HomeState:
    """What the person's App Home shows, read in as few statements as it can be.

    It runs after every change a person makes and every time they open the Home, so its first
    statement reads at once the person, their roles, the size of their team, their open
    enrolment with its leave, and each feature's probe columns (``HomeProvider.probe``), which
    tell the feature whether it has anything to read further. A colleague with no part in the
    program costs that one statement; a returning parent one more per thing they have.

    It reads on a session in autocommit (``hr_plugin.db.autocommit``): the Home only reads, and
    none of its statements needs a BEGIN and a ROLLBACK around it."""
    with autocommit(factory) as session:
        return _load_home(session, clock, tenant_id, user_id, workspace_admin, providers)


def load_home_for_event(
    factory: SessionFactory,
    clock: Clock,
    *,
    event_id: str | None,
    tenant_id: str,
    user_id: str,
    providers: Sequence[HomeProvider] = (),
) -> HomeState | None:
    """``load_home`` for a person who opened their Home (``app_home_opened``, ``event_id``);
    None when that event was handled before (Slack retried it: ``hr_plugin.events``).

    The event's claim and the reads share one connection in autocommit: one checkout, and no
    BEGIN or COMMIT, where a claim and a load each of their own took two checkouts and four
    more round trips (measured in process: 0.67 against 0.46 ms CPU for a colleague's Home,
    0.23 to 0.26 ms less for every kind of person)."""
    with autocommit(factory) as session:
        if event_id is not None and not claim_event(session.connection(), tenant_id, event_id, clock.now()):
            return None
        return _load_home(session, clock, tenant_id, user_id, False, providers)


def _load_home(
    session: Session,
    clock: Clock,
    tenant_id: str,
    user_id: str,
    workspace_admin: bool,
    providers: Sequence[HomeProvider],
) -> HomeState:
    now = clock.now()
    statement, widths = _first_statement(tuple(providers))
    params = _first_params(providers, tenant_id, user_id, now)
    row = session.execute(statement, params).first()
    if row is None or not row[0].active:
        return HomeState(known=False, can_appoint_admins=workspace_admin)
    person, enrolment, leave, reports, hr_admin = row[:5]
    # The roles as ``role_columns`` defines them, two of them read off what the row holds
    # anyway: an open enrolment, an active direct report.
    held = {Role.EMPLOYEE: enrolment is not None, Role.MANAGER: bool(reports), Role.HR_ADMIN: hr_admin}
    roles = frozenset(str(role) for role in ROLE_ORDER if held[role])
    probed = row[5:]
    sections: dict[str, list[Any]] = {}
    for provider, width in zip(providers, widths, strict=True):
        context = HomeContext(session, tenant_id, person, roles, now, tuple(probed[:width]))
        probed = probed[width:]
        for role, blocks in provider.sections(context).items():
            sections.setdefault(role, []).extend(blocks)
    return HomeState(
        known=True,
        name=person.name,
        roles=roles,
        working_hours=WorkingHours(
            person.timezone, person.working_weekdays(), person.work_start, person.work_end
        ),
        enrolment=(
            OwnEnrolment(
                enrolment.status,
                leave.leave_start,
                leave.expected_return,
                enrolment.contact_during_leave,
            )
            if enrolment is not None and leave is not None
            else None
        ),
        manager=ManagerPanel(direct_reports=int(reports)) if Role.MANAGER in roles else None,
        hr=_hr_panel(session, tenant_id, now.date()) if Role.HR_ADMIN in roles else None,
        can_appoint_admins=workspace_admin or Role.HR_ADMIN in roles,
        sections=sections,
    )


def _first_params(
    providers: Sequence[HomeProvider], tenant_id: str, user_id: str, now: datetime
) -> dict[str, Any]:
    """The first statement's bound values: the person's, then each provider's own."""
    params: dict[str, Any] = {"tenant": tenant_id, "user": user_id, "now": now}
    for provider in providers:
        if provider.params is not None:
            params.update(provider.params(now))
    return params


@functools.lru_cache(maxsize=8)
def _first_statement(providers: tuple[HomeProvider, ...]) -> tuple[Select[Any], tuple[int, ...]]:
    """Person, open enrolment (the latest, as ``open_enrolment``) and its leave, active direct
    reports, roles, then every provider's probe columns in the providers' order; and how many
    columns each provider's probe added.

    Built once for the app's providers, with bound parameters (``tenant``, ``user``, ``now``
    and the providers' own ``params``, which use other names): made anew at every load, its
    aliases and subqueries cost more CPU than running it.

    The person and their enrolment are read through aliases, so a probe's subquery over
    ``employees`` or ``enrolments`` is never correlated with them by accident: a probe reaches
    the person only through the id column it is given.

    Its text stays under psycopg's parse cache (``STATEMENT_CACHED``): the aliases and
    parameters have short names, only the columns the Home reads are loaded (``HOME_COLUMNS``;
    touching another raises rather than making a statement more), and of the roles only HR
    admin is a column of its own (an open enrolment and the team count are read anyway). At
    5,540 characters it was parsed again at every load, a fifth to a quarter of the CPU of a
    load (``python -m bench.home_people``)."""
    tenant = bindparam("tenant", type_=String())
    user = bindparam("user", type_=String())
    now = bindparam("now", type_=UTCDateTime())
    person, enrolment = aliased(Employee, name="p"), aliased(Enrolment, name="e")
    leave = aliased(Leave, name="l")
    latest, reports = aliased(Enrolment, name="le"), aliased(Employee, name="r")
    latest_open = (
        select(func.max(latest.id))
        .where(
            latest.tenant_id == tenant, latest.employee_id == person.id, one_of(latest.status, OPEN_STATUSES)
        )
        .scalar_subquery()
    )
    team = (
        select(func.count(reports.id))
        .where(reports.tenant_id == tenant, reports.manager_id == person.id, reports.active.is_(True))
        .scalar_subquery()
    )
    probes = [
        tuple(provider.probe(tenant, person.id, now)) if provider.probe else () for provider in providers
    ]
    statement = (
        select(person, enrolment, leave, team, role_columns(tenant, person.id)[Role.HR_ADMIN])
        .add_columns(*(column for columns in probes for column in columns))
        .select_from(person)
        .outerjoin(enrolment, enrolment.id == latest_open)
        .outerjoin(leave, leave.id == enrolment.leave_id)
        .where(person.tenant_id == tenant, person.slack_user_id == user)
        .limit(1)
        .options(
            *(
                load_only(*(getattr(entity, name) for name in HOME_COLUMNS[read]), raiseload=True)
                for read, entity in (("person", person), ("enrolment", enrolment), ("leave", leave))
            )
        )
    )
    return statement, tuple(len(columns) for columns in probes)


def working_hours(factory: SessionFactory, *, tenant_id: str, user_id: str) -> WorkingHours | None:
    """The person's own working hours, for the modal that changes them; None if unknown.

    One read, not ``load_home`` (an HR admin's Home would count the whole tenant first): five
    columns by a statement built once, on a connection rather than an ORM session. It runs on
    every click of the button, and measured in process it costs half the CPU of loading the
    person through the ORM (0.69 ms before). The connection is in autocommit: one statement
    needs no transaction around it."""
    with autocommit_connection(factory) as connection:
        row = connection.execute(_HOURS, {"tenant": tenant_id, "user": user_id}).first()
    if row is None or not row.active:
        return None
    return WorkingHours(row.timezone, weekdays_of(row.working_days), row.work_start, row.work_end)


_HOURS: Final = (
    select(Employee.active, Employee.timezone, Employee.working_days, Employee.work_start, Employee.work_end)
    .where(Employee.tenant_id == bindparam("tenant"), Employee.slack_user_id == bindparam("user"))
    .limit(1)
)


def _hr_panel(session: Session, tenant_id: str, today: date) -> HrPanel:
    def count(*conditions: ColumnElement[bool]) -> int:
        return int(
            session.scalar(
                select(func.count()).select_from(Employee).where(Employee.tenant_id == tenant_id, *conditions)
            )
            or 0
        )

    last_import = session.scalar(
        select(func.max(AuditEntry.at)).where(
            AuditEntry.tenant_id == tenant_id, AuditEntry.action == "directory.import"
        )
    )
    return HrPanel(
        people_active=count(Employee.active.is_(True)),
        people_without_slack=count(Employee.active.is_(True), Employee.slack_user_id.is_(None)),
        people_left=count(Employee.active.is_(False)),
        admins=tuple(admin.name for admin in list_admins(session, tenant_id)),
        last_import_at=last_import,
        awaiting_confirmation=_enrolments(session, tenant_id, (AWAITING_HR,)),
        upcoming_returns=_enrolments(session, tenant_id, (PROPOSED, ACTIVE), from_day=today),
    )


def _enrolments(
    session: Session, tenant_id: str, statuses: tuple[str, ...], *, from_day: date | None = None
) -> tuple[PendingEnrolment, ...]:
    query = (
        select(Enrolment.id, Employee.name, Enrolment.status, Leave.expected_return)
        .join(Employee, Employee.id == Enrolment.employee_id)
        .join(Leave, Leave.id == Enrolment.leave_id)
        .where(Enrolment.tenant_id == tenant_id, Enrolment.status.in_(statuses))
        .order_by(Leave.expected_return, Employee.name)
        .limit(UPCOMING_SHOWN)
    )
    if from_day is not None:
        query = query.where(Leave.expected_return >= from_day)
    return tuple(
        PendingEnrolment(row.id, row.name, row.status, row.expected_return) for row in session.execute(query)
    )


def update_working_hours(
    factory: SessionFactory,
    clock: Clock,
    *,
    tenant_id: str,
    user_id: str,
    days: list[int],
    start: str,
    end: str,
) -> WorkingHours:
    """A person sets when messages they did not ask for may reach them."""
    if not days:
        raise SettingsError("days", "Pick at least one working day.")
    if not start or not end:
        raise SettingsError("start" if not start else "end", "Pick a time.")
    if start >= end:
        raise SettingsError("end", "The end of your day must come after its start.")
    working_days = ",".join(str(day) for day in sorted(set(days)))
    now = clock.now()
    with unit_of_work(factory) as session:
        # The session's first statement carries the request's replay claim
        # (hr_plugin.events), so the claim, the change and its audit row commit together.
        connection = session.connection()
        person = connection.execute(
            _SET_HOURS,
            {
                "tenant": tenant_id,
                "user": user_id,
                "working_days": working_days,
                "work_start": start,
                "work_end": end,
                "updated_at": now,
            },
        ).first()
        if person is None:
            raise SettingsError("days", "You are not in the HR directory yet, so there is nothing to set.")
        audit.record(
            connection,
            tenant_id=tenant_id,
            at=now,
            actor=user_id,
            action="settings.working_hours",
            subject=str(person.id),
        )
        session.commit()
    return WorkingHours(person.timezone, weekdays_of(working_days), start, end)


# Every working-hours save: built once, and run on the session's connection rather than through
# the ORM (one UPDATE that also returns what the answer needs, instead of a SELECT, a flush and
# an UPDATE). Measured in process on PostgreSQL, a save with its claim went from 1.90 to 0.89 ms
# of CPU and from 2.7 to 1.6 ms of wall time (the benchmark's company, 2,000 saves). Only an
# active person in the directory matches; the SET clause is the parameters' other names.
_SET_HOURS: Final = (
    update(Employee)
    .where(
        Employee.tenant_id == bindparam("tenant"),
        Employee.slack_user_id == bindparam("user"),
        Employee.active.is_(True),
    )
    .returning(Employee.id, Employee.timezone)
)
