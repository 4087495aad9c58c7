"""Every action id and callback id huddles' messages, views and listeners use, in one place.

The builders put them on buttons and modals, ``feature.py`` wires listeners to them; naming
them once keeps the two from drifting apart (a typo would be a button nothing answers).
"""

from __future__ import annotations

# The invitation's buttons, in the group DM and on the App Home.
ATTEND_ACTION = "huddles.attend"
SKIP_ACTION = "huddles.skip"
LEAVE_ACTION = "huddles.leave"

# The rating question: one button per score, ``huddles.rate.1`` to ``huddles.rate.5``, and
# "I couldn't make it".
RATE_ACTION = "huddles.rate"
MISSED_ACTION = "huddles.missed"
SCORES = range(1, 6)
RATING_ACTIONS = (*(f"{RATE_ACTION}.{score}" for score in SCORES), MISSED_ACTION)

# The invitation's calendar link buttons (Slack opens the link; the click is only acked).
CALENDAR_ACTION = "huddles.calendar"
GOOGLE_CALENDAR_ACTION = f"{CALENDAR_ACTION}.google"
OUTLOOK_CALENDAR_ACTION = f"{CALENDAR_ACTION}.outlook"
CALENDAR_ACTIONS = (GOOGLE_CALENDAR_ACTION, OUTLOOK_CALENDAR_ACTION)

# The App Home: a member who left asks back in; HR opens and submits the settings modal.
REJOIN_ACTION = "huddles.rejoin"
SETTINGS_ACTION = "huddles.settings_open"
SETTINGS_CALLBACK = "huddles.settings"
