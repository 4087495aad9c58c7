"""The directory as every feature reads it, and the one mark a feature writes into it.

Mentors must sit outside a person's reporting chain, capacity plans go to the current manager,
and nothing goes to someone whose Slack account is gone: these lookups answer that, always
within one tenant, the chains up and down in one recursive query each.
``record_deactivated_in_slack`` is the write: the outbox marks an account Slack refused a
message to, as the next import would.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, literal, select, update
from sqlalchemy.orm import Session, aliased

from hr_plugin.models import Employee

# A guard for the recursive chain query should the table ever hold a loop; real orgs are far
# shallower than this.
_MAX_CHAIN_DEPTH = 1000


def find_by_email(session: Session, tenant_id: str, email: str) -> Employee | None:
    return session.scalars(
        select(Employee).where(Employee.tenant_id == tenant_id, Employee.email == email.strip().lower())
    ).first()


def record_deactivated_in_slack(
    session: Session, tenant_id: str, user_ids: Iterable[str], now: datetime
) -> int:
    """Slack says these accounts are deactivated (it refused a message to them): the people who
    hold them are marked, as the next import would mark them. How many were not marked yet."""
    result = session.execute(
        update(Employee)
        .where(
            Employee.tenant_id == tenant_id,
            Employee.slack_user_id.in_(list(user_ids)),
            Employee.slack_deactivated.is_(False),
        )
        .values(slack_deactivated=True, updated_at=now)
    )
    return int(cast(CursorResult[Any], result).rowcount)


def find_by_slack_id(session: Session, tenant_id: str, user_id: str) -> Employee | None:
    return session.scalars(
        select(Employee).where(Employee.tenant_id == tenant_id, Employee.slack_user_id == user_id)
    ).first()


def direct_reports(session: Session, tenant_id: str, employee_id: int) -> list[Employee]:
    """The people who report to this person now (those who left are not anyone's reports)."""
    return list(
        session.scalars(
            select(Employee)
            .where(
                Employee.tenant_id == tenant_id, Employee.manager_id == employee_id, Employee.active.is_(True)
            )
            .order_by(Employee.name, Employee.id)
        )
    )


def managers_above(session: Session, tenant_id: str, employee_id: int) -> list[int]:
    """Everyone above this person, nearest first, in one recursive query.

    Depth is carried so the order survives the database; it also bounds the recursion, so
    even a loop that slipped into the table cannot make the query endless.
    """
    start = (
        select(Employee.manager_id.label("id"), literal(1).label("depth"))
        .where(Employee.tenant_id == tenant_id, Employee.id == employee_id, Employee.manager_id.is_not(None))
        .cte("managers_above", recursive=True)
    )
    above = aliased(Employee)
    chain = start.union_all(
        select(above.manager_id, start.c.depth + 1).where(
            above.tenant_id == tenant_id,
            above.id == start.c.id,
            above.manager_id.is_not(None),
            start.c.depth < _MAX_CHAIN_DEPTH,
        )
    )
    ordered: list[int] = []
    seen = {employee_id}
    for manager_id in session.scalars(select(chain.c.id).order_by(chain.c.depth)):
        if manager_id in seen:
            break
        seen.add(manager_id)
        ordered.append(manager_id)
    return ordered


def reports_below(session: Session, tenant_id: str, employee_id: int) -> set[int]:
    """Everyone below this person at any depth, in one recursive query.

    ``UNION`` (not ``UNION ALL``) makes the recursion stop at people already found, on SQLite
    and PostgreSQL alike. People who have left are included: they are harmless in an
    exclusion set and keep this in step with ``org_map``.
    """
    start = (
        select(Employee.id.label("id"))
        .where(Employee.tenant_id == tenant_id, Employee.manager_id == employee_id)
        .cte("reports_below", recursive=True)
    )
    below = aliased(Employee)
    tree = start.union(select(below.id).where(below.tenant_id == tenant_id, below.manager_id == start.c.id))
    found = set(session.scalars(select(tree.c.id)))
    found.discard(employee_id)
    return found


def reporting_chain(session: Session, tenant_id: str, employee_id: int) -> set[int]:
    """Everyone above or below this person: who may never mentor them or share their huddle."""
    return set(managers_above(session, tenant_id, employee_id)) | reports_below(
        session, tenant_id, employee_id
    )


def org_map(session: Session, tenant_id: str) -> dict[int, int | None]:
    """Every employee's manager in one query, for bulk work with ``hr_plugin.org_chart``."""
    rows = session.execute(select(Employee.id, Employee.manager_id).where(Employee.tenant_id == tenant_id))
    return {employee_id: manager_id for employee_id, manager_id in rows}
