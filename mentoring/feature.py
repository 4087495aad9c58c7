"""Mentoring as one feature value: returning parents matched with colleagues who have been there.

It adds the mentor form and the mentee's preferences, the mentor's answer to a proposed match,
ending a match and the "did you meet?" question, HR's pairing by hand, the App Home sections by
role, the matching and met-check ticks, ``hr-plugin match solve`` and its tables. Who volunteered
to facilitate huddles is ``mentoring.service.huddle_facilitators``: the one list of features
(``hr_plugin.features``) hands it to huddles, so neither feature imports the other.
"""

from __future__ import annotations

from hr_plugin.feature_api import Feature
from hr_plugin.slack.declare import Changes, Shows, action, submitted
from hr_plugin.slack.listeners.home import republish_home
from mentoring import actions as a
from mentoring import models
from mentoring.cli import add_commands
from mentoring.console import mentoring_page
from mentoring.home import HOME
from mentoring.listeners import (
    answer,
    end_match,
    mentor_state,
    met,
    open_assign,
    open_become,
    open_preferences,
    submit_assign,
    submit_become,
    submit_preferences,
)
from mentoring.ticks import ticks

FEATURE = Feature(
    name="mentoring",
    listeners=(
        Shows(action(a.BECOME_ACTION), open_become),
        Changes(submitted(a.MENTOR_CALLBACK), submit_become, after=(republish_home,)),
        Changes(action(a.PAUSE_ACTION), mentor_state, after=(republish_home,)),
        Changes(action(a.RESUME_ACTION), mentor_state, after=(republish_home,)),
        Changes(action(a.STOP_ACTION), mentor_state, after=(republish_home,)),
        Shows(action(a.PREFERENCES_ACTION), open_preferences),
        Changes(submitted(a.PREFERENCES_CALLBACK), submit_preferences, after=(republish_home,)),
        Changes(action(a.ACCEPT_ACTION), answer),
        Changes(action(a.DECLINE_ACTION), answer),
        Changes(action(a.END_ACTION), end_match, after=(republish_home,)),
        Changes(action(a.MET_YES_ACTION), met),
        Changes(action(a.MET_NOT_YET_ACTION), met),
        Shows(action(a.ASSIGN_ACTION), open_assign),
        Changes(submitted(a.ASSIGN_CALLBACK), submit_assign, after=(republish_home,)),
    ),
    home=(HOME,),
    ticks=ticks,
    commands=add_commands,
    tables=models,
    console_pages=(mentoring_page,),
)
