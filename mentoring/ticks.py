"""Mentoring's ticks: propose matches for people due (and retry the unmatched), and the
two-week "did you meet?" question."""

from __future__ import annotations

from datetime import timedelta

from hr_plugin.ticks import Tick, TickContext
from mentoring import service


def _match(context: TickContext) -> object:
    weeks = context.settings.mentor_match_weeks if context.settings is not None else 4
    return service.run_matching(context.factory, context.clock, lead=timedelta(weeks=weeks))


def _met(context: TickContext) -> object:
    return service.send_met_checks(context.factory, context.clock)


def ticks() -> list[Tick]:
    return [
        Tick("mentoring-match", timedelta(hours=6), _match),
        Tick("mentoring-met-check", timedelta(hours=6), _met),
    ]
