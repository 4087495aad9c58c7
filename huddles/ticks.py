"""Huddles' ticks: plan each cycle once its planning opens, and enqueue what is due around
each huddle (reminders, the facilitator's notes, the rating question)."""

from __future__ import annotations

from datetime import timedelta

from hr_plugin.ticks import Tick, TickContext
from huddles import service


def ticks(find_facilitators: service.FacilitatorSource) -> list[Tick]:
    """``find_facilitators`` comes from the app wiring (mentoring knows who volunteered)."""

    def plan(context: TickContext) -> object:
        return service.plan_cycles(context.factory, context.clock, find_facilitators)

    def deliver(context: TickContext) -> object:
        return service.deliver(context.factory, context.clock)

    return [
        Tick("huddles-plan", timedelta(hours=6), plan),
        Tick("huddles-deliver", timedelta(minutes=5), deliver),
    ]
