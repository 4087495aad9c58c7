"""What every surface needs to reach the core: settings, the database, the clock, and what the
features declared (``hr_plugin.feature_api``), gathered once when the app is built."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hr_plugin.clock import Clock, SystemClock
from hr_plugin.db import SessionFactory, make_engine, make_session_factory, prepare
from hr_plugin.enrolment.models import Enrolment
from hr_plugin.models import Employee
from hr_plugin.settings import Settings

if TYPE_CHECKING:
    from hr_plugin.slack.pool import LazyListenerPool

T = TypeVar("T")

# A `/rtw <name>` handler: Bolt's keyword arguments (ack, respond, command, client, context),
# ``argument`` (the text after the name) and ``services``.
SubcommandHandler = Callable[..., Any]

# A feature's contribution to someone's App Home: blocks keyed by the role they belong under.
# Arguments: the session, the tenant, the person, their roles, and now (the injected clock's).
HomeProvider = Callable[[Session, str, Employee, frozenset[str], datetime], Mapping[str, Sequence[Any]]]

# What features hear about an enrolment, in its transaction: "activated", "return_moved", "ended".
EnrolmentHook = Callable[[Session, Clock, Enrolment, str], None]


@dataclass(frozen=True)
class Subcommand:
    name: str
    summary: str
    handler: SubcommandHandler
    # Only shows something: answered at once, run after the answer. It opens a modal with the
    # command's trigger, kept alive by a loading view if its reads take long
    # (``hr_plugin.slack.triggers``).
    shows_only: bool = False


# Where the web app (a Flask app: ``hr_plugin.web``) keeps the services, for the views of the
# features' pages (``current_app.extensions[WEB_SERVICES]``).
WEB_SERVICES = "hr_services"


class Slot(Generic[T]):
    """A process-wide object a surface builds on first use and keeps in ``Services`` (the vault,
    the installation store, caches), typed by the slot that names it."""

    def __init__(self, name: str) -> None:
        self.name = name


@dataclass
class Services:
    settings: Settings
    engine: Engine
    factory: SessionFactory
    clock: Clock = field(default_factory=SystemClock)
    # What the features declared for requests, taken in when the Bolt app is built
    # (``hr_plugin.slack.listeners.register_listeners``).
    subcommands: dict[str, Subcommand] = field(default_factory=dict)
    home_providers: list[HomeProvider] = field(default_factory=list)
    enrolment_hooks: list[EnrolmentHook] = field(default_factory=list)
    # Set by build_app: the pool running work after the ack (lazy listeners).
    lazy_pool: LazyListenerPool | None = None
    # Buttons that only show something (``hr_plugin.slack.showing``): a replay changes nothing.
    show_only_actions: set[str] = field(default_factory=set)
    # Process-wide objects by slot name; reached only through ``singleton`` below, typed.
    extensions: dict[str, Any] = field(default_factory=dict)


_SINGLETONS_LOCK = threading.RLock()


def singleton(services: Services, slot: Slot[T], build: Callable[[], T]) -> T:
    """The object ``slot`` names in ``services``, built by ``build`` the first time."""
    with _SINGLETONS_LOCK:
        found: T | None = services.extensions.get(slot.name)
        if found is None:
            found = services.extensions[slot.name] = build()
        return found


def make_services(settings: Settings, clock: Clock | None = None) -> Services:
    """Connect to the database (upgrading the embedded SQLite default) and bundle the core.

    The pool holds a connection for each web thread, and as many again may open beside them
    for the threads that finish a late save (``hr_plugin.slack.deadline``, one per web thread)
    and the threads of work after the answer: no thread waits for a connection."""
    from hr_plugin.slack.pool import LAZY_LISTENER_THREADS

    engine = make_engine(
        settings.database_url,
        pool_size=settings.web_threads,
        max_overflow=settings.web_threads + LAZY_LISTENER_THREADS,
    )
    prepare(engine)
    return Services(
        settings=settings, engine=engine, factory=make_session_factory(engine), clock=clock or SystemClock()
    )
