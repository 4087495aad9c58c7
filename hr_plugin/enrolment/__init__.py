"""Enrolment: who is in the program, from invitation or request to leaving it.

The core package where the features meet: program membership, consent to be contacted during
leave and the mark that leaves baby and partner content out. Features react to enrolment
changes through hooks (``hr_plugin.services.EnrolmentHook``) and use only the names below.

- ``models``: the table and its statuses; ``contact``: when a message may reach someone (the
  outbox asks it before every send nobody asked for).
- ``service``: the use cases (propose, accept, decline, self-enrol, confirm, withdraw, leave,
  move the return date, preferences, HR's import), one transaction each.
- ``listeners``: the Slack surfaces for them; ``views``: their modals; ``messages``: the
  invitation; ``actions``: their ids; ``feature``: the declaration the app reads.

Why the use cases are imported on first use (``__getattr__`` below): the core's own modules
(``hr_plugin.roles``, ``hr_plugin.services``, the outbox) read the table and the contact rule
from this package, and the use cases import those modules. Importing ``hr_plugin.enrolment.models``
runs this file first; if it imported the service, the core module asking for the table would be
imported again half-made. So only the table, its statuses, the ids and the messages are imported
here; the rest on the first ``from hr_plugin.enrolment import accept``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hr_plugin.enrolment.actions import DECLINE_ACTION, INVITE_ACTION
from hr_plugin.enrolment.messages import invitation_blocks, invitation_text
from hr_plugin.enrolment.models import (
    ACTIVE,
    AWAITING_HR,
    DECLINED,
    LEFT,
    OPEN_STATUSES,
    PROPOSED,
    WITHDRAWN,
    Enrolment,
)

if TYPE_CHECKING:
    from hr_plugin.enrolment.service import (
        EnrolmentError,
        EnrolmentHook,
        EnrolmentImportError,
        EnrolmentView,
        accept,
        check_dates,
        confirm,
        decline,
        import_enrolments,
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
    "Enrolment",
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


def __getattr__(name: str) -> Any:
    """A public name not imported above is a use case: imported from ``service`` on first use
    and kept here, so the next lookup (and a test replacing it) finds it as any other name."""
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from hr_plugin.enrolment import service

    value = getattr(service, name)
    globals()[name] = value
    return value
