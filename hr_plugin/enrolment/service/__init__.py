"""Who is in the program, with what consent. Every feature starts from here.

Taking part is the employee's choice: HR proposes and the employee accepts or declines, or
the employee enrols themselves and HR confirms. Features (plans, mentoring, huddles) react
to changes through hooks the app wiring registers, in the same transaction as the change,
so an enrolment never becomes active without its plan, or the other way round.

The use cases, one transaction each, by idea: ``proposals`` (HR proposes, one or a file),
``answers`` (the invitation accepted or declined, a request to join and HR's confirmation),
``changes`` (the return date, choices, leaving, withdrawal), ``reading`` (an enrolment as
people may see it, and the dates checked); ``_common`` holds what they share.
"""

from __future__ import annotations

from collections.abc import Callable

from hr_plugin.enrolment.models import (
    ACTIVE,
    AWAITING_HR,
    DECLINED,
    LEFT,
    OPEN_STATUSES,
    PROPOSED,
    WITHDRAWN,
)
from hr_plugin.enrolment.service import _common
from hr_plugin.enrolment.service._common import EnrolmentError
from hr_plugin.enrolment.service.answers import accept, confirm, decline, self_enrol
from hr_plugin.enrolment.service.changes import leave_program, move_return_date, set_preferences, withdraw
from hr_plugin.enrolment.service.proposals import (
    EnrolmentImportError,
    import_enrolments,
    propose,
    propose_for_slack_user,
)
from hr_plugin.enrolment.service.reading import (
    EnrolmentView,
    check_dates,
    open_enrolment,
    own_enrolment,
    view_of,
)
from hr_plugin.services import EnrolmentHook

# The test seam every once-only use case calls between its read and its write, held here so a
# test replaces it for all of them at once (``_common.between_read_and_write`` looks it up here
# at each call; ``tests/reliability/test_once_only.py``).
_between_read_and_write: Callable[[], None] = _common.nothing

__all__ = [
    "ACTIVE",
    "AWAITING_HR",
    "DECLINED",
    "LEFT",
    "OPEN_STATUSES",
    "PROPOSED",
    "WITHDRAWN",
    "EnrolmentError",
    "EnrolmentHook",
    "EnrolmentImportError",
    "EnrolmentView",
    "accept",
    "check_dates",
    "confirm",
    "decline",
    "import_enrolments",
    "leave_program",
    "move_return_date",
    "open_enrolment",
    "own_enrolment",
    "propose",
    "propose_for_slack_user",
    "self_enrol",
    "set_preferences",
    "view_of",
    "withdraw",
]
