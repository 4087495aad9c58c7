"""What the huddle use cases share: the answers a member row holds, the error they raise, the
test seam, and reading people, memberships and schedules. Private to ``huddles.service``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from hr_plugin.directory import find_by_slack_id
from hr_plugin.models import Employee
from hr_plugin.quiet_hours import parse_clock as parse_hhmm
from huddles import messages as words
from huddles.models import Huddle, HuddleMember
from huddles.slots import Schedule

INVITED, ATTENDING, SKIPPED, LEFT = "invited", "attending", "skipped", "left"
ALREADY_ANSWERED = "You've already answered for this huddle. Thank you."
HAS_LEFT = "You've left peer huddles; rejoin from the app's Home tab first."

# The package the use cases are reached through; tests replace its seam (below).
_PACKAGE = __name__.rpartition(".")[0]


def nothing() -> None:
    """The default of the test seam: nothing happens between a check and its write."""


def between_read_and_write() -> None:
    """Call the test seam ``huddles.service._between_read_and_write``.

    Tests replace it on the package (``tests/reliability/test_once_only.py``), where it was when
    the use cases were one module, so it is looked up there at each call rather than imported.
    """
    sys.modules[_PACKAGE]._between_read_and_write()


class HuddleError(ValueError):
    """Why something cannot be done, in words for the person; ``field`` names a modal input."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _person(session: Session, tenant_id: str, user_id: str) -> Employee:
    person = find_by_slack_id(session, tenant_id, user_id)
    if person is None or not person.active:
        raise HuddleError("You are not in the HR directory yet.")
    return person


def _membership(
    session: Session, tenant_id: str, huddle_id: int, employee_id: int
) -> tuple[Huddle, HuddleMember]:
    huddle = session.get(Huddle, huddle_id)
    member = session.scalars(
        select(HuddleMember).where(
            HuddleMember.huddle_id == huddle_id, HuddleMember.employee_id == employee_id
        )
    ).first()
    if huddle is None or huddle.tenant_id != tenant_id or member is None:
        raise HuddleError("That huddle isn't one of yours.")
    return huddle, member


def _members(session: Session, huddle: Huddle) -> list[tuple[HuddleMember, Employee]]:
    return [
        (member, person)
        for member, person in session.execute(
            select(HuddleMember, Employee)
            .join(Employee, Employee.id == HuddleMember.employee_id)
            .where(HuddleMember.huddle_id == huddle.id)
            .order_by(HuddleMember.facilitator, Employee.name)
        )
    ]


def _meeting(huddle: Huddle, people: Iterable[Employee]) -> words.Meeting:
    return words.Meeting(
        huddle.id, huddle.start_utc, huddle.minutes, huddle.video_link, tuple(p.timezone for p in people)
    )


def _schedule(person: Employee) -> Schedule:
    end = 24 * 60 if person.work_end == "24:00" else _minutes(person.work_end)
    return Schedule(
        person.timezone,
        _minutes(person.work_start),
        end,
        frozenset(person.working_weekdays()),
        person.country or None,
        person.subdivision or None,
    )


def _minutes(clock_text: str) -> int:
    moment = parse_hhmm(clock_text)
    return moment.hour * 60 + moment.minute
