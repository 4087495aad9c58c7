"""The shape of background work: a tick and what it receives. Features define their ticks with
these; ``hr_plugin.scheduler`` runs them (one elected leader) and the demo drives them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory
from hr_plugin.outbox import Drainer
from hr_plugin.settings import Settings


@dataclass
class TickContext:
    factory: SessionFactory
    clock: Clock
    drainer: Drainer
    settings: Settings | None = None


@dataclass(frozen=True)
class Tick:
    """A periodic piece of background work: ``run`` reads due work and enqueues or sends it."""

    name: str
    every: timedelta
    run: Callable[[TickContext], object]
