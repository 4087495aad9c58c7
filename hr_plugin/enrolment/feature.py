"""What enrolment adds to the app: answering an invitation, asking to join, changing one's own
enrolment from the App Home, HR proposing and confirming, and its table."""

from __future__ import annotations

from hr_plugin.enrolment import listeners as on
from hr_plugin.enrolment import models
from hr_plugin.enrolment.actions import (
    ACCEPT_CALLBACK,
    CONFIRM_ACTION,
    CONTACT_TOGGLE_ACTION,
    CONTENT_CHOICES_CALLBACK,
    DECLINE_ACTION,
    FAMILY_OPEN_ACTION,
    FAMILY_TOGGLE_ACTION,
    INVITE_ACTION,
    JOIN_ACTION,
    LEAVE_PROGRAM_ACTION,
    PROPOSE_ACTION,
    PROPOSE_CALLBACK,
    RETURN_DATE_ACTION,
    RETURN_DATE_CALLBACK,
    SELF_ENROL_CALLBACK,
    WITHDRAW_ACTION,
)
from hr_plugin.feature_api import Feature
from hr_plugin.slack.declare import Changes, Shows, action, submitted
from hr_plugin.slack.listeners.home import republish_home

REFRESH = (republish_home,)

FEATURE = Feature(
    name="enrolment",
    listeners=(
        Shows(action(INVITE_ACTION), on.open_invitation),
        Changes(action(DECLINE_ACTION), on.decline, after=REFRESH),
        Changes(submitted(ACCEPT_CALLBACK), on.submit_accept, after=REFRESH),
        Shows(action(JOIN_ACTION), on.open_join),
        Changes(submitted(SELF_ENROL_CALLBACK), on.submit_join, after=REFRESH),
        Shows(action(RETURN_DATE_ACTION), on.open_return_date),
        Changes(submitted(RETURN_DATE_CALLBACK), on.submit_return_date, after=REFRESH),
        Changes(action(CONTACT_TOGGLE_ACTION), on.toggle, after=REFRESH),
        Changes(action(FAMILY_TOGGLE_ACTION), on.toggle, after=REFRESH),  # Homes published before
        Shows(action(FAMILY_OPEN_ACTION), on.open_content_choices),
        Changes(submitted(CONTENT_CHOICES_CALLBACK), on.submit_content_choices, after=REFRESH),
        Changes(action(LEAVE_PROGRAM_ACTION), on.leave, after=REFRESH),
        Shows(action(PROPOSE_ACTION), on.open_propose),
        Changes(submitted(PROPOSE_CALLBACK), on.submit_propose, after=REFRESH),
        Changes(action(CONFIRM_ACTION), on.hr_decision, after=REFRESH),
        Changes(action(WITHDRAW_ACTION), on.hr_decision, after=REFRESH),
    ),
    tables=models,
)
