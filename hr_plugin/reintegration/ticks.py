"""The plan's scheduler ticks: plans follow manager changes; managers hear when capacity changes;
needs previewed and never sent are deleted once they expire (``drafts``)."""

from __future__ import annotations

from datetime import timedelta

from hr_plugin.reintegration import drafts, service
from hr_plugin.ticks import Tick, TickContext


def _follow(context: TickContext) -> object:
    return service.follow_managers(context.factory, context.clock)


def _remind(context: TickContext) -> object:
    return service.remind_capacity_changes(context.factory, context.clock)


def _expire_drafts(context: TickContext) -> object:
    return drafts.expire(context.factory, context.clock)


def ticks() -> list[Tick]:
    return [
        Tick("plans-follow-managers", timedelta(minutes=5), _follow),
        Tick("plans-week-reminders", timedelta(hours=1), _remind),
        Tick("need-drafts-expire", drafts.EXPIRE_EVERY, _expire_drafts),
    ]
