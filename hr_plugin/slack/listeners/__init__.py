"""Every Slack surface, wired onto one Bolt app."""

from __future__ import annotations

from slack_bolt import App

from hr_plugin.services import Services
from hr_plugin.slack import deferred
from hr_plugin.slack.listeners import admins, commands, enrolment, events, home, installs, settings


def register_listeners(app: App, services: Services) -> None:
    """The core's surfaces, then each feature's (they add App Home sections and hooks too)."""
    from hr_plugin import vault
    from hr_plugin.reintegration import listeners as reintegration
    from huddles import listeners as huddles
    from mentoring import listeners as mentoring

    deferred.register(app, services)  # showing calls go out after the answer; failures are told
    events.register(app, services)  # middleware first: it guards every listener
    installs.register(app, services)
    commands.register(app, services)
    home.register(app, services)
    admins.register(app, services)
    settings.register(app, services)
    enrolment.register(app, services)
    reintegration.register(app, services)
    mentoring.register(app, services)
    huddles.register(app, services)
    vault.register(app, services)
