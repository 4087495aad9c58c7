"""What every surface needs to reach the core: settings, the database, the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from hr_plugin.clock import Clock, SystemClock
from hr_plugin.db import SessionFactory, make_engine, make_session_factory, prepare
from hr_plugin.settings import Settings

# A `/rtw <name>` handler gets Bolt's keyword arguments (ack, respond, command, client, context).
SubcommandHandler = Callable[..., Any]


@dataclass(frozen=True)
class Subcommand:
    name: str
    summary: str
    handler: SubcommandHandler
    # Only shows something (opens a modal, replies): answered at once, run after the answer.
    shows_only: bool = False


@dataclass
class Services:
    settings: Settings
    engine: Engine
    factory: SessionFactory
    clock: Clock = field(default_factory=SystemClock)
    subcommands: dict[str, Subcommand] = field(default_factory=dict)
    # Features add to these when they register: App Home sections, reactions to enrolments.
    home_providers: list[Any] = field(default_factory=list)
    enrolment_hooks: list[Any] = field(default_factory=list)
    # Set by build_app: the pool running work after the ack (lazy listeners).
    lazy_pool: Any = None
    # Buttons that only show something (``hr_plugin.slack.showing``): a replay changes nothing.
    show_only_actions: set[str] = field(default_factory=set)
    # Feature-owned singletons (the vault keeps its key store here), built on first use.
    extensions: dict[str, Any] = field(default_factory=dict)

    def add_subcommand(
        self, name: str, summary: str, handler: SubcommandHandler, *, shows_only: bool = False
    ) -> None:
        self.subcommands[name] = Subcommand(name, summary, handler, shows_only)


def make_services(settings: Settings, clock: Clock | None = None) -> Services:
    """Connect to the database (upgrading the embedded SQLite default) and bundle the core."""
    engine = make_engine(settings.database_url)
    prepare(engine)
    return Services(
        settings=settings, engine=engine, factory=make_session_factory(engine), clock=clock or SystemClock()
    )
