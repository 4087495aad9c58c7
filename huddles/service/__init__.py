"""Huddle use cases: HR's settings, planning each cycle, the messages around each huddle, and
what members do (come, skip, leave, rejoin, rate). One transaction each; messages go through
the outbox in the same transaction as the change, under keys that make each one happen once.

The use cases live in submodules by idea (``settings``, ``planning``, ``delivery``, ``answers``,
``overview``; shared helpers in ``_common``); this package re-exports them, so callers write
``service.answer(...)`` wherever the code sits.

Outbox keys (``<t>`` the tenant):

- ``huddle-invite:<t>:<huddle>`` and ``huddle-ics:<t>:<huddle>``: the invitation and its
  calendar file, in the group DM of that huddle's members and facilitator;
- ``huddle-unplaced:<t>:<month>:<employee>``: why someone was not placed this cycle;
- ``huddle-day:<t>:<huddle>:<employee>``: the reminder 24 hours before, to each member who
  has not skipped; ``huddle-soon:<t>:<huddle>:<employee>``: 10 minutes before, to those who
  said they are coming and the facilitator (a reminder of a meeting they accepted is sent on
  time, whatever the hour, so it goes only to them);
- ``huddle-notes:<t>:<huddle>``: the facilitator's notes, 24 hours before, to them alone;
- ``huddle-feedback:<t>:<huddle>:<employee>``: the rating question once the huddle is over.
"""

from __future__ import annotations

from collections.abc import Callable

from huddles.service._common import (
    ALREADY_ANSWERED,
    ATTENDING,
    HAS_LEFT,
    INVITED,
    LEFT,
    SKIPPED,
    HuddleError,
    nothing,
)
from huddles.service.answers import ANSWERS, answer, on_enrolment_change, rate, rejoin
from huddles.service.delivery import FEEDBACK_WINDOW, deliver
from huddles.service.overview import (
    MemberView,
    MonthFigures,
    PersonState,
    ScheduleRow,
    hr_figures,
    hr_schedule,
    next_huddle_since,
    person_probe,
    person_state,
    person_state_from,
)
from huddles.service.planning import FacilitatorSource, plan_cycles
from huddles.service.settings import DEFAULT_CONFIG, HuddleConfig, config_of, current_config, save_config

# A test seam: called after a member's answer has read their row and before it writes. Tests
# replace it here to hold one click there while another runs to the end
# (``tests/reliability/test_once_only.py``); in the app it does nothing.
_between_read_and_write: Callable[[], None] = nothing

__all__ = [
    "ALREADY_ANSWERED",
    "ANSWERS",
    "ATTENDING",
    "DEFAULT_CONFIG",
    "FEEDBACK_WINDOW",
    "HAS_LEFT",
    "INVITED",
    "LEFT",
    "SKIPPED",
    "FacilitatorSource",
    "HuddleConfig",
    "HuddleError",
    "MemberView",
    "MonthFigures",
    "PersonState",
    "ScheduleRow",
    "answer",
    "config_of",
    "current_config",
    "deliver",
    "hr_figures",
    "hr_schedule",
    "next_huddle_since",
    "on_enrolment_change",
    "person_probe",
    "person_state",
    "person_state_from",
    "plan_cycles",
    "rate",
    "rejoin",
    "save_config",
]
