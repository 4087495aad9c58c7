"""Every action id and callback id of mentoring, in one place: the views and messages put them on
buttons and modals, ``feature.py`` routes them to listeners, and the listeners tell them apart."""

from __future__ import annotations

# Buttons on the App Home.
BECOME_ACTION = "mentoring.become_open"
PAUSE_ACTION = "mentoring.pause"
RESUME_ACTION = "mentoring.resume"
STOP_ACTION = "mentoring.stop"
END_ACTION = "mentoring.end"
PREFERENCES_ACTION = "mentoring.preferences_open"
ASSIGN_ACTION = "mentoring.assign_open"

# Buttons in messages: the mentor's answer to a proposed match, and the "did you meet?" answer.
ACCEPT_ACTION = "mentoring.accept"
DECLINE_ACTION = "mentoring.decline"
MET_YES_ACTION = "mentoring.met_yes"
MET_NOT_YET_ACTION = "mentoring.met_not_yet"

# Modals: the mentor form, the mentee's preferences, HR's pairing by hand.
MENTOR_CALLBACK = "mentoring.mentor"
PREFERENCES_CALLBACK = "mentoring.preferences"
ASSIGN_CALLBACK = "mentoring.assign"
