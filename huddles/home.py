"""Huddles' parts of the App Home: a member's next huddle, a facilitator's, HR's schedule."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, bindparam

from hr_plugin.models import UTCDateTime
from hr_plugin.services import HomeContext, HomeProvider
from huddles import service
from huddles import views as v


def probe(
    tenant_id: SQLColumnExpression[str],
    employee_id: SQLColumnExpression[int],
    now: SQLColumnExpression[datetime],
) -> tuple[ColumnElement[Any], ...]:
    """For the Home's first statement: the next huddle, having left, the reason for not being
    placed (``service.person_probe``). A huddle that started up to 30 minutes ago is still the
    next: that moment is bound as ``huddles_since`` (``params``)."""
    return service.person_probe(tenant_id, employee_id, bindparam("huddles_since", type_=UTCDateTime()))


def params(now: datetime) -> dict[str, Any]:
    return {"huddles_since": service.next_huddle_since(now)}


def home_sections(context: HomeContext) -> dict[str, list[Any]]:
    """What the App Home shows of huddles; ``now`` places "next huddle" to the minute."""
    session, tenant_id, roles, now = context.session, context.tenant_id, context.roles, context.now
    found: dict[str, list[Any]] = {}
    state = service.person_state_from(session, context.person.id, context.probed)
    upcoming = state.next_huddle
    if upcoming is not None and upcoming.facilitator:
        found["mentor"] = list(
            v.facilitator_blocks(
                huddle_id=upcoming.huddle_id,
                start_utc=upcoming.start_utc,
                rsvp=upcoming.rsvp,
                names=upcoming.names,
            )
        )
    elif "employee" in roles or upcoming is not None or state.left:
        found["employee"] = list(
            v.member_blocks(
                huddle_id=upcoming.huddle_id if upcoming else None,
                start_utc=upcoming.start_utc if upcoming else None,
                rsvp=upcoming.rsvp if upcoming else None,
                names=upcoming.names if upcoming else (),
                video_link=upcoming.video_link if upcoming else None,
                left=state.left,
                unplaced_reason=state.unplaced_reason,
            )
        )
    if "hr_admin" in roles:
        config = service.config_of(session, tenant_id)
        schedule = service.hr_schedule(session, tenant_id, now, limit=v.HOME_SCHEDULE_ROWS)
        months = service.hr_figures(session, tenant_id)
        found["hr_admin"] = list(
            v.hr_blocks(
                schedule=[(row.start_utc, row.group_size, row.has_facilitator) for row in schedule],
                months=[
                    (m.month, m.huddles, m.invited, m.attended, m.ratings, m.average_rating, m.unplaced)
                    for m in months
                ],
                summary=settings_summary(config),
            )
        )
    return found


def settings_summary(config: service.HuddleConfig) -> str:
    if not config.enabled:
        return "Huddles are switched off."
    cadence = config.cadence
    often = {1: "Every month", 2: "Every 2 months", 3: "Every 3 months"}[cadence.every_months]
    week = f"in week {cadence.week_of_month}" if cadence.week_of_month else "in any week"
    avoided = ", ".join(v.WEEKDAYS[d] for d in sorted(cadence.avoided_weekdays))
    return (
        f"{often}, {week}"
        + (f", avoiding {avoided}" if avoided else "")
        + f"; groups of {cadence.min_size} to {cadence.max_size}; people in their first "
        f"{cadence.eligible_months} months back."
    )


HOME = HomeProvider(home_sections, probe, params)
