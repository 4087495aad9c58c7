"""What the app shell itself adds, before any feature: the App Home, ``/rtw`` and its help,
uninstalls and revoked tokens, appointing HR admins, the help links HR sets and a person's working
hours.

Declared like a feature (``hr_plugin.feature_api``) so that every listener of the app, the
shell's too, is a module-level function found in some ``feature.py``.
"""

from __future__ import annotations

from hr_plugin.feature_api import Feature
from hr_plugin.slack.declare import Changes, Shows, action, command, event, submitted
from hr_plugin.slack.listeners import admins, commands, help_links, home, installs, settings
from hr_plugin.slack.views.help_links import HELP_LINKS_ACTION, HELP_LINKS_CALLBACK, REMOVE_LINK_ACTION
from hr_plugin.slack.views.home import APPOINT_ADMIN_ACTION, WORKING_HOURS_ACTION
from hr_plugin.slack.views.modals import APPOINT_ADMIN_CALLBACK, WORKING_HOURS_CALLBACK

# Republished after the answer, so Slack's latency never delays a modal closing.
REFRESH = (home.republish_home,)

FEATURE = Feature(
    name="shell",
    listeners=(
        Changes(event("app_uninstalled"), installs.uninstalled),
        Changes(event("tokens_revoked"), installs.revoked),
        # It routes to subcommands; one that only shows runs after the answer.
        Changes(command("/rtw"), commands.on_rtw, later=(commands.show_subcommand,)),
        Shows(event("app_home_opened"), home.on_home_opened),
        Shows(action(APPOINT_ADMIN_ACTION), admins.open_appoint),
        Changes(submitted(APPOINT_ADMIN_CALLBACK), admins.submit_appoint, after=REFRESH),
        Shows(action(WORKING_HOURS_ACTION), settings.open_working_hours),
        Changes(submitted(WORKING_HOURS_CALLBACK), settings.submit_working_hours, after=REFRESH),
        Shows(action(HELP_LINKS_ACTION), help_links.open_help_links),
        Changes(submitted(HELP_LINKS_CALLBACK), help_links.submit_help_link),
        Changes(action(REMOVE_LINK_ACTION), help_links.remove_help_link_clicked),
    ),
    subcommands=(commands.HELP,),
)
