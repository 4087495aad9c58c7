"""Mentoring's ticks: propose matches for people due (and retry the unmatched), the rematch
after a decline or an ending, and the two-week "did you meet?" question."""

from __future__ import annotations

from datetime import timedelta

from hr_plugin.ticks import Tick, TickContext
from mentoring import service


def _lead(context: TickContext) -> timedelta:
    return timedelta(weeks=context.settings.mentor_match_weeks if context.settings is not None else 4)


def _match(context: TickContext) -> object:
    return service.run_matching(context.factory, context.clock, lead=_lead(context))


def _rematch(context: TickContext) -> object:
    return service.run_rematches(context.factory, context.clock, lead=_lead(context))


def _met(context: TickContext) -> object:
    return service.send_met_checks(context.factory, context.clock)


def ticks() -> list[Tick]:
    return [
        Tick("mentoring-match", timedelta(hours=6), _match),
        # Often, and cheap when nobody waits: a decline or an ending only marks the mentee
        # (the click has no time for the tenant's solve), and the next best mentor should be
        # asked within seconds, not at the next 6-hourly run.
        Tick("mentoring-rematch", timedelta(seconds=10), _rematch),
        Tick("mentoring-met-check", timedelta(hours=6), _met),
    ]
