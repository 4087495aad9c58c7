"""What enrolment adds to the app: answering an invitation, asking to join, changing one's own
enrolment from the App Home, and HR proposing and confirming."""

from __future__ import annotations

from hr_plugin.enrolment import DECLINE_ACTION, INVITE_ACTION, views
from hr_plugin.enrolment import listeners as on
from hr_plugin.feature_api import Feature
from hr_plugin.slack.declare import Changes, Shows, action, submitted
from hr_plugin.slack.listeners.home import republish_home
from hr_plugin.slack.views.home import (
    CONFIRM_ACTION,
    CONTACT_TOGGLE_ACTION,
    FAMILY_OPEN_ACTION,
    FAMILY_TOGGLE_ACTION,
    JOIN_ACTION,
    LEAVE_PROGRAM_ACTION,
    PROPOSE_ACTION,
    RETURN_DATE_ACTION,
    WITHDRAW_ACTION,
)

REFRESH = (republish_home,)

FEATURE = Feature(
    name="enrolment",
    listeners=(
        Shows(action(INVITE_ACTION), on.open_invitation),
        Changes(action(DECLINE_ACTION), on.decline, after=REFRESH),
        Changes(submitted(views.ACCEPT_CALLBACK), on.submit_accept, after=REFRESH),
        Shows(action(JOIN_ACTION), on.open_join),
        Changes(submitted(views.SELF_ENROL_CALLBACK), on.submit_join, after=REFRESH),
        Shows(action(RETURN_DATE_ACTION), on.open_return_date),
        Changes(submitted(views.RETURN_DATE_CALLBACK), on.submit_return_date, after=REFRESH),
        Changes(action(CONTACT_TOGGLE_ACTION), on.toggle, after=REFRESH),
        Changes(action(FAMILY_TOGGLE_ACTION), on.toggle, after=REFRESH),  # Homes published before
        Shows(action(FAMILY_OPEN_ACTION), on.open_content_choices),
        Changes(submitted(views.CONTENT_CHOICES_CALLBACK), on.submit_content_choices, after=REFRESH),
        Changes(action(LEAVE_PROGRAM_ACTION), on.leave, after=REFRESH),
        Shows(action(PROPOSE_ACTION), on.open_propose),
        Changes(submitted(views.PROPOSE_CALLBACK), on.submit_propose, after=REFRESH),
        Changes(action(CONFIRM_ACTION), on.hr_decision, after=REFRESH),
        Changes(action(WITHDRAW_ACTION), on.hr_decision, after=REFRESH),
    ),
)
