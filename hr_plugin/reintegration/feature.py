"""What reintegration plans add to the app: the plan's buttons and modals (acknowledge, extend, ask
for more time, tell the manager a need, grant or decline, HR's budgets), the plan's App Home
sections by role, the plan made or moved when an enrolment changes, the plan's ticks, and the
``hr-plugin policy`` commands; its tables are in ``models``."""

from __future__ import annotations

from hr_plugin.feature_api import Feature
from hr_plugin.reintegration import actions as a
from hr_plugin.reintegration import listeners as on
from hr_plugin.reintegration import models, service
from hr_plugin.reintegration.cli import add_commands
from hr_plugin.reintegration.console import budgets
from hr_plugin.reintegration.home import HOME
from hr_plugin.reintegration.ticks import ticks
from hr_plugin.slack.declare import Changes, Shows, action, closed, submitted
from hr_plugin.slack.listeners.home import republish_home

_REFRESH = (republish_home,)

FEATURE = Feature(
    name="reintegration",
    listeners=(
        Changes(action(a.ACKNOWLEDGE_ACTION), on.acknowledge, after=_REFRESH),
        Changes(action(a.EXTEND_ACTION), on.extend, after=_REFRESH),
        Shows(action(a.MORE_OPEN_ACTION), on.open_more),
        Changes(submitted(a.MORE_CALLBACK), on.submit_more, after=_REFRESH),
        Shows(action(a.NEED_OPEN_ACTION), on.open_need),
        Changes(submitted(a.NEED_CALLBACK), on.preview_need),
        Changes(submitted(a.NEED_SEND_CALLBACK), on.send_need),
        Changes(closed(a.NEED_SEND_CALLBACK), on.close_need),
        Changes(action(a.GRANT_ACTION), on.decide, after=_REFRESH),
        Changes(action(a.DECLINE_ACTION), on.decide, after=_REFRESH),
        Shows(action(a.POLICY_OPEN_ACTION), on.open_policy),
        Changes(submitted(a.POLICY_CALLBACK), on.submit_policy, after=_REFRESH),
    ),
    home=(HOME,),
    enrolment_hooks=(service.on_enrolment,),
    ticks=ticks,
    commands=add_commands,
    tables=models,
    console_pages=(budgets,),
)
