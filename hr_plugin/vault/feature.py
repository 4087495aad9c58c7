"""What the private space adds to the app: its button on the App Home, ``/rtw checkin``, a global
shortcut, the reminder's buttons and the modals behind them; the reminder and retention ticks;
the ``hr-plugin vault`` commands; its tables; the single-use export page; the key store made
before ``serve`` starts its workers; crypto-shredding when a workspace is erased; and the key
sealing multi-workspace Slack tokens, derived from the master key that stays in this package.

The core reaches this value as ``hr_plugin.vault.FEATURE``, never through this module.
"""

from __future__ import annotations

from hr_plugin.feature_api import Feature
from hr_plugin.services import HomeProvider, Subcommand
from hr_plugin.slack.declare import Changes, Shows, action, shortcut, submitted
from hr_plugin.vault import actions as a
from hr_plugin.vault import listeners as on
from hr_plugin.vault import models, track
from hr_plugin.vault.cli import add_commands as cli
from hr_plugin.vault.entry import (
    EXPORT_PREFIX,
    export_routes,
    prepare_keystore,
    shred_tenant,
    slack_token_key,
    vault_for,
)
from hr_plugin.vault.home import home_entry
from hr_plugin.vault.ticks import ticks

# Buttons on the space's screens: each pushes the screen it names (``listeners.push``).
_PUSHED = (
    a.CHECKIN_ACTION,
    a.LOOK_BACK_ACTION,
    a.REMINDERS_ACTION,
    a.PROFILE_ACTION,
    a.MILESTONE_ACTION,
    a.REVIEW_ACTION,
    a.GUIDE_ACTION,
    a.PAST_REVIEWS_ACTION,
    a.EXPORT_ACTION,
    a.PAPER_ACTION,
    a.RITUAL_ACTION,
    a.DELETE_ACTION,
)
# The reminder's buttons and the space's own: pause for two weeks, or stop.
_PAUSE_OR_STOP = (a.PAUSE_ACTION, a.STOP_ACTION, a.PAUSE_IN_SPACE_ACTION, a.STOP_IN_SPACE_ACTION)

# The longer track: its button in the space, each step's button on its list, leaving it; and
# the one callback of every track screen that saves.
_TRACK = (
    *(
        Changes(action(action_id), on.push_track, opens=True)
        for action_id in (
            a.TRACK_ACTION,
            a.TRACK_STOP_ACTION,
            *(a.track_step_action(step) for step in track.STEP_IDS if step != track.REVIEW),
        )
    ),
    Changes(submitted(a.TRACK_CALLBACK), on.submit_track),
)

FEATURE = Feature(
    name="vault",
    listeners=(
        # Opening the space reads and shows; nothing is saved until a screen in it is submitted.
        Shows(action(a.OPEN_ACTION), on.on_open),
        Shows(shortcut(a.SHORTCUT), on.on_shortcut),
        Changes(submitted(a.CONSENT_CALLBACK), on.submit_consent),
        *(Changes(action(action_id), on.push, opens=True) for action_id in _PUSHED),
        Changes(submitted(a.CHECKIN_CALLBACK), on.submit_checkin),
        Changes(submitted(a.REMINDERS_CALLBACK), on.submit_reminders),
        Changes(submitted(a.PROFILE_CALLBACK), on.submit_profile),
        Changes(submitted(a.REFLECTION_CALLBACK), on.submit_reflection),
        Changes(submitted(a.DELETE_CALLBACK), on.submit_delete),
        *(Changes(action(action_id), on.pause_or_stop) for action_id in _PAUSE_OR_STOP),
        *_TRACK,
    ),
    subcommands=(
        Subcommand(
            "checkin",
            "open your private weekly check-in (only you can read it)",
            on.on_command,
            shows_only=True,
        ),
    ),
    home=(HomeProvider(home_entry),),
    ticks=ticks,
    commands=cli,
    tables=models,
    web=export_routes,
    web_prefix=EXPORT_PREFIX + "/",
    on_build=(vault_for,),
    before_serve=(prepare_keystore,),
    erase_tenant=(shred_tenant,),
    token_key=slack_token_key,
    # "Not even whether it is used": no request of the space moves a number in /metrics.
    private=True,
)
