"""What an App Home shows, as plain data: the service fills it, the view builder draws it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class WorkingHours:
    timezone: str
    days: tuple[int, ...]
    start: str
    end: str


@dataclass(frozen=True)
class OwnEnrolment:
    """The person's own enrolment: only they (and HR) see it. Not the mark that leaves family
    content out: the Home may be on a shared screen, so it is shown only in a modal."""

    status: str
    leave_start: date
    expected_return: date
    contact_during_leave: bool | None


@dataclass(frozen=True)
class ManagerPanel:
    direct_reports: int


@dataclass(frozen=True)
class PendingEnrolment:
    enrolment_id: int
    name: str
    status: str
    expected_return: date


@dataclass(frozen=True)
class HrPanel:
    people_active: int
    people_without_slack: int
    people_left: int
    admins: tuple[str, ...]
    last_import_at: datetime | None
    awaiting_confirmation: tuple[PendingEnrolment, ...] = ()
    upcoming_returns: tuple[PendingEnrolment, ...] = ()


@dataclass(frozen=True)
class HomeState:
    """Everything one person's App Home may show, and nothing another person's data would add.

    ``sections`` holds Block Kit blocks that features (plans, mentoring, ...) add under a
    role's heading: the key is the role (``employee``, ``manager``, ``hr_admin``).
    """

    known: bool
    name: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    working_hours: WorkingHours | None = None
    enrolment: OwnEnrolment | None = None
    manager: ManagerPanel | None = None
    hr: HrPanel | None = None
    can_appoint_admins: bool = False
    sections: Mapping[str, Sequence[Any]] = field(default_factory=dict)
