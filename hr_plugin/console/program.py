"""The program's figures for the console's overview and downloads, read in one transaction.

The features' own HR services give what they already give HR's App Home (the plans, the
huddles' monthly figures, the mentoring counts); ``hr_plugin.features`` passes them in as
``Sources``, so the console names no feature. Nothing here reads the private space.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hr_plugin.console import figures
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.enrolment import ACTIVE, AWAITING_HR, PROPOSED, Enrolment
from hr_plugin.models import Leave, Tenant


@dataclass(frozen=True)
class Sources:
    """The features' HR figures, as their services compute them for the App Home."""

    # Every active plan (reintegration's ``active_plans``: (plan, department, days a week)).
    plans: Callable[[Session, str], Iterable[tuple[figures.PlanWeeks, Any, Any]]]
    # Huddles' monthly figures, suppressed already (huddles' ``hr_figures``).
    huddles: Callable[[Session, str], Iterable[figures.HuddleMonth]]
    # Mentoring: (matched, waiting, not matched yet) and ("did you meet?" yes, no).
    mentoring: Callable[[Session, str, date], tuple[int, int, int]]
    met: Callable[[Session, str], tuple[int, int]]


def overview(
    factory: SessionFactory, sources: Sources, tenant_id: str, today: date
) -> Sequence[figures.Table]:
    """Every figure of the overview, in the page's order, for this tenant only."""
    with unit_of_work(factory) as session:
        minimum = session.scalar(select(Tenant.anonymity_minimum).where(Tenant.id == tenant_id)) or 5
        plans = [plan for plan, _, _ in sources.plans(session, tenant_id)]
        proposed = _count(session, tenant_id, (PROPOSED, AWAITING_HR))
        active = _count(session, tenant_id, (ACTIVE,))
        # Someone enrolled whose plan is not made yet is counted on leave.
        phase_list = [figures.phase_of(plan, today) for plan in plans]
        phase_list += [figures.ON_LEAVE] * max(active - len(plans), 0)
        phase_list += [figures.PROPOSED] * proposed
        returns = session.scalars(
            select(func.coalesce(Leave.actual_return, Leave.expected_return))
            .join(Enrolment, Enrolment.leave_id == Leave.id)
            .where(Enrolment.tenant_id == tenant_id, Enrolment.status == ACTIVE)
        ).all()
        matched, waiting, unmatched = sources.mentoring(session, tenant_id, today)
        yes, no = sources.met(session, tenant_id)
        return (
            figures.phases(phase_list, minimum),
            figures.returns_per_month(returns, minimum),
            figures.huddles_per_month(sources.huddles(session, tenant_id)),
            figures.mentoring_pairs(matched, waiting, unmatched, minimum),
            figures.met_answers(yes, no, minimum),
        )


def _count(session: Session, tenant_id: str, statuses: tuple[str, ...]) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Enrolment)
            .where(Enrolment.tenant_id == tenant_id, Enrolment.status.in_(statuses))
        )
        or 0
    )
