"""Every action id and callback id of enrolment: its invitation message, its modals and the App
Home buttons that lead to them (the core's App Home shows them, enrolment's listeners answer)."""

from __future__ import annotations

# The invitation message HR's proposal sends, and the same look from the App Home.
INVITE_ACTION = "enrolment.invite_open"
DECLINE_ACTION = "enrolment.decline"

# The employee's buttons on the App Home.
JOIN_ACTION = "enrolment.join_open"
RETURN_DATE_ACTION = "enrolment.return_open"
CONTACT_TOGGLE_ACTION = "enrolment.contact_toggle"
FAMILY_TOGGLE_ACTION = "enrolment.family_toggle"  # on Homes published before the content choices modal
FAMILY_OPEN_ACTION = "enrolment.family_open"
LEAVE_PROGRAM_ACTION = "enrolment.leave_program"

# HR's buttons on the App Home.
PROPOSE_ACTION = "enrolment.propose_open"
CONFIRM_ACTION = "enrolment.confirm"
WITHDRAW_ACTION = "enrolment.withdraw"

# The modals' callback ids.
ACCEPT_CALLBACK = "enrolment.accept"
SELF_ENROL_CALLBACK = "enrolment.self"
PROPOSE_CALLBACK = "enrolment.propose"
RETURN_DATE_CALLBACK = "enrolment.return"
CONTENT_CHOICES_CALLBACK = "enrolment.content_choices"
