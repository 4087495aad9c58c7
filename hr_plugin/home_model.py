"""What an App Home shows, as plain data: the service fills it, the view builder draws it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class WorkingHours:
    timezone: str
    days: tuple[int, ...]
    start: str
    end: str


@dataclass(frozen=True)
class OwnLeave:
    leave_start: date
    expected_return: date


@dataclass(frozen=True)
class ManagerPanel:
    direct_reports: int
    plans: tuple[str, ...] = ()


@dataclass(frozen=True)
class HrPanel:
    people_active: int
    people_without_slack: int
    people_left: int
    admins: tuple[str, ...]
    last_import_at: datetime | None


@dataclass(frozen=True)
class HomeState:
    """Everything one person's App Home may show, and nothing another person's data would add."""

    known: bool
    name: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    working_hours: WorkingHours | None = None
    leave: OwnLeave | None = None
    manager: ManagerPanel | None = None
    hr: HrPanel | None = None
    can_appoint_admins: bool = False
