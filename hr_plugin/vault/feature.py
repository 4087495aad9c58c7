"""What the private space adds to the app: its button on the App Home, ``/rtw checkin``, a global
shortcut, the reminder's buttons and the modals behind them; the reminder and retention ticks;
the ``hr-plugin vault`` commands; its tables; the single-use export page; the key store made
before ``serve`` starts its workers; crypto-shredding when a workspace is erased; and the key
sealing multi-workspace Slack tokens, derived from the master key that stays in this package.

The core reaches this value as ``hr_plugin.vault.FEATURE``, never through this module.
"""

from __future__ import annotations

from hr_plugin.feature_api import Feature
from hr_plugin.services import Subcommand
from hr_plugin.slack.declare import Changes, Shows, action, shortcut, submitted
from hr_plugin.vault import listeners as on
from hr_plugin.vault import models
from hr_plugin.vault import views as v
from hr_plugin.vault.cli import add_commands as cli
from hr_plugin.vault.entry import (
    export_route,
    home_entry,
    prepare_keystore,
    shred_tenant,
    slack_token_key,
    ticks,
    vault_for,
)
from hr_plugin.vault.reminders import OPEN_ACTION, PAUSE_ACTION, STOP_ACTION

# Buttons on the space's screens: each pushes the screen it names (``listeners.push``).
_PUSHED = (
    v.CHECKIN_ACTION,
    v.LOOK_BACK_ACTION,
    v.REMINDERS_ACTION,
    v.PROFILE_ACTION,
    v.MILESTONE_ACTION,
    v.REVIEW_ACTION,
    v.GUIDE_ACTION,
    v.EXPORT_ACTION,
    v.DELETE_ACTION,
)
# The reminder's buttons and the space's own: pause for two weeks, or stop.
_PAUSE_OR_STOP = (PAUSE_ACTION, STOP_ACTION, v.PAUSE_IN_SPACE_ACTION, v.STOP_IN_SPACE_ACTION)

FEATURE = Feature(
    name="vault",
    listeners=(
        # Opening the space reads and shows; nothing is saved until a screen in it is submitted.
        Shows(action(OPEN_ACTION), on.on_open),
        Shows(shortcut(on.SHORTCUT), on.on_shortcut),
        Changes(submitted(v.CONSENT_CALLBACK), on.submit_consent),
        *(Changes(action(action_id), on.push) for action_id in _PUSHED),
        Changes(submitted(v.CHECKIN_CALLBACK), on.submit_checkin),
        Changes(submitted(v.REMINDERS_CALLBACK), on.submit_reminders),
        Changes(submitted(v.PROFILE_CALLBACK), on.submit_profile),
        Changes(submitted(v.REFLECTION_CALLBACK), on.submit_reflection),
        Changes(submitted(v.DELETE_CALLBACK), on.submit_delete),
        *(Changes(action(action_id), on.pause_or_stop) for action_id in _PAUSE_OR_STOP),
    ),
    subcommands=(
        Subcommand(
            "checkin",
            "open your private weekly check-in (only you can read it)",
            on.on_command,
            shows_only=True,
        ),
    ),
    home=(home_entry,),
    ticks=ticks,
    commands=cli,
    tables=models,
    web_routes={"/vault/export/": export_route},
    on_build=(vault_for,),
    before_serve=(prepare_keystore,),
    erase_tenant=(shred_tenant,),
    token_key=slack_token_key,
)
