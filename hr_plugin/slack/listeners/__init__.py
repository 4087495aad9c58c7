"""The shell's own Slack surfaces, and the wiring of every feature's onto one Bolt app."""

from __future__ import annotations

from collections.abc import Sequence

from slack_bolt import App

from hr_plugin.feature_api import Feature
from hr_plugin.services import Services
from hr_plugin.slack import deferred
from hr_plugin.slack.declare import wire
from hr_plugin.slack.listeners import events
from hr_plugin.slack.matching import match_on_body


def register_listeners(app: App, services: Services, features: Sequence[Feature]) -> None:
    """The middleware first (it guards every listener), then each feature's listeners in the
    order of the list; ``services`` takes in the features' subcommands, Home sections, hooks.
    Bolt asks the listeners in that order, each matcher with the body alone (``matching``)."""
    deferred.register(app, services)  # showing calls go out after the answer; failures are told
    events.register(app, services)  # middleware first: it guards every listener
    for feature in features:
        for subcommand in feature.subcommands:
            services.subcommands[subcommand.name] = subcommand
        services.home_providers.extend(feature.home)
        services.enrolment_hooks.extend(feature.enrolment_hooks)
    for feature in features:
        for listener in feature.listeners:
            wire(app, services, listener)
        for build in feature.on_build:
            build(services)
    match_on_body(app)  # once all are registered: Bolt asks each in turn
