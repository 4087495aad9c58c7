"""Enrolment: who is in the program, from invitation or request to leaving it.

The core package where the features meet: program membership, consent to be contacted during
leave and the mark that leaves baby and partner content out. Features react to enrolment
changes through hooks (``hr_plugin.services.EnrolmentHook``) and use only the names below.

- ``service``: the use cases (propose, accept, decline, self-enrol, confirm, withdraw, leave,
  move the return date, preferences, HR's import), one transaction each.
- ``listeners``: the Slack surfaces for them; ``views``: their modals; ``feature``: the
  declaration the app reads.
"""

from __future__ import annotations

from hr_plugin.enrolment.service import (
    ACTIVE,
    AWAITING_HR,
    DECLINE_ACTION,
    DECLINED,
    INVITE_ACTION,
    LEFT,
    OPEN_STATUSES,
    PROPOSED,
    WITHDRAWN,
    EnrolmentError,
    EnrolmentHook,
    EnrolmentImportError,
    EnrolmentView,
    accept,
    check_dates,
    confirm,
    decline,
    import_enrolments,
    invitation_blocks,
    invitation_text,
    leave_program,
    move_return_date,
    open_enrolment,
    own_enrolment,
    propose,
    propose_for_slack_user,
    self_enrol,
    set_preferences,
    view_of,
    withdraw,
)

__all__ = [
    "ACTIVE",
    "AWAITING_HR",
    "DECLINED",
    "DECLINE_ACTION",
    "INVITE_ACTION",
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
    "invitation_blocks",
    "invitation_text",
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
