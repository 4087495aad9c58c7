"""Huddles as one feature value: monthly peer huddles for returning parents.

It adds answering an invitation (in the group DM or on the App Home), rejoining, rating, HR's
settings, the App Home sections, planning each cycle and delivering what is due around each
huddle (the ticks), ``hr-plugin huddles plan``, its tables, and a reaction to enrolment changes.

Planning needs to know who volunteered to facilitate, which mentoring knows; features meet
only in the core, so huddles cannot ask mentoring itself. That is why this module offers a
function, ``feature(facilitators)``, rather than a constant: the one list of features
(``hr_plugin.features``) calls it with mentoring's ``huddle_facilitators``, and the ticks it
returns plan with that source.
"""

from __future__ import annotations

from functools import partial

from hr_plugin.feature_api import Feature
from hr_plugin.slack.declare import Changes, Listener, Shows, action, submitted
from hr_plugin.slack.listeners.home import republish_home
from huddles import models, service
from huddles.actions import (
    CALENDAR_ACTIONS,
    RATING_ACTIONS,
    REJOIN_ACTION,
    SETTINGS_ACTION,
    SETTINGS_CALLBACK,
)
from huddles.cli import add_commands
from huddles.console import huddles_page
from huddles.home import HOME
from huddles.listeners import (
    CHOICE_OF,
    answer,
    open_calendar_link,
    open_settings,
    rate,
    rejoin,
    submit_settings,
)
from huddles.ticks import ticks

LISTENERS: tuple[Listener, ...] = (
    *(Changes(action(action_id), answer, after=(republish_home,)) for action_id in CHOICE_OF),
    Changes(action(REJOIN_ACTION), rejoin, after=(republish_home,)),
    *(Changes(action(action_id), rate) for action_id in RATING_ACTIONS),
    *(Changes(action(action_id), open_calendar_link) for action_id in CALENDAR_ACTIONS),
    Shows(action(SETTINGS_ACTION), open_settings),
    Changes(submitted(SETTINGS_CALLBACK), submit_settings, after=(republish_home,)),
)


def feature(facilitators: service.FacilitatorSource) -> Feature:
    """Huddles, with ticks that plan each cycle using ``facilitators`` (who volunteered to
    facilitate, per workspace): ``hr_plugin.features`` passes mentoring's ``huddle_facilitators``."""
    return Feature(
        name="huddles",
        listeners=LISTENERS,
        home=(HOME,),
        enrolment_hooks=(service.on_enrolment_change,),
        ticks=partial(ticks, facilitators),
        commands=add_commands,
        tables=models,
        console_pages=(huddles_page,),
    )
