"""Every action id and callback id of the private space: the names Slack sends back when a button
of the space, of its reminder or of the App Home is clicked, a modal of the space is submitted,
or its shortcut is used. None of them says anything about what anyone wrote."""

from __future__ import annotations

# -- opening the space -----------------------------------------------------------------------

OPEN_ACTION = "vault.open"
"""Open the private space: the App Home's button and the reminder's "Open"."""
SHORTCUT = "vault.shortcut"
"""The global shortcut's callback id: opens the private space."""

# -- the reminder's buttons and the space's own ----------------------------------------------

PAUSE_ACTION = "vault.pause"
"""The reminder's "Pause 2 weeks"."""
STOP_ACTION = "vault.stop"
"""The reminder's "Stop reminders"."""
PAUSE_IN_SPACE_ACTION = "vault.pause_in_space"
""""Pause 2 weeks" on the reminder settings screen."""
STOP_IN_SPACE_ACTION = "vault.stop_in_space"
""""Stop reminders" on the reminder settings screen."""

# -- buttons in the space: each pushes the screen it names -----------------------------------

CHECKIN_ACTION = "vault.checkin_open"
LOOK_BACK_ACTION = "vault.look_back"
REMINDERS_ACTION = "vault.reminders_open"
PROFILE_ACTION = "vault.profile_open"
MILESTONE_ACTION = "vault.milestone_open"
REVIEW_ACTION = "vault.review_open"
GUIDE_ACTION = "vault.guide_open"
PAST_REVIEWS_ACTION = "vault.reviews_open"
EXPORT_ACTION = "vault.export"
PAPER_ACTION = "vault.paper"
RITUAL_ACTION = "vault.ritual"
DELETE_ACTION = "vault.delete_open"

# -- modals that save something when submitted -----------------------------------------------

CONSENT_CALLBACK = "vault.consent"
CHECKIN_CALLBACK = "vault.checkin"
REMINDERS_CALLBACK = "vault.reminders"
PROFILE_CALLBACK = "vault.profile"
REFLECTION_CALLBACK = "vault.reflection"
DELETE_CALLBACK = "vault.delete"

# -- modals that only show (nothing listens for their submission) ----------------------------

SPACE_CALLBACK = "vault.space"
LOOK_BACK_CALLBACK = "vault.look_back"
READING_CALLBACK = "vault.reading"
EXPORT_CALLBACK = "vault.export"
LINK_CALLBACK = "vault.link"
DONE_CALLBACK = "vault.done"

# -- the longer track (opt-in; every screen of it is pushed from the space) -------------------

TRACK_ACTION = "vault.track_open"
""""A longer track" in the space: the opt-in screen, or the track's list once started."""
TRACK_STEP_PREFIX = "vault.track_step."
"""Each step's button on the track's list is this prefix and the step's id (``track_step_action``)."""
TRACK_STOP_ACTION = "vault.track_stop_open"
""""Leave the track" on the track's list: asks first."""
TRACK_CALLBACK = "vault.track"
"""Every track screen that saves (start, leave, each tool); the token's purpose says which."""
TRACK_LIST_CALLBACK = "vault.track_list"
"""The track's list of steps: it only shows."""


def track_step_action(step: str) -> str:
    """The action id of one step's button on the track's list."""
    return f"{TRACK_STEP_PREFIX}{step}"
