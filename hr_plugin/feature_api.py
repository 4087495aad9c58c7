"""What a feature adds to the app, declared in one value: ``Feature``.

Each feature package (``hr_plugin.enrolment``, ``hr_plugin.reintegration``, ``hr_plugin.vault``,
``mentoring``, ``huddles``) and the app shell (``hr_plugin.slack.feature``) has a ``feature.py``
whose ``FEATURE`` says what it brings: its Slack listeners, ``/rtw`` subcommands, App Home
sections, reactions to enrolment changes, background ticks, ``hr-plugin`` commands, tables, web
routes and start-up or erasure steps. ``hr_plugin.features`` lists them; the Bolt app, the
scheduler, the CLI, the web app and the migrations read that list and name no feature, so adding a
feature is writing its package and adding one line there.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

from hr_plugin.services import EnrolmentHook, HomeProvider, Services, Subcommand
from hr_plugin.slack.declare import Listener
from hr_plugin.ticks import Tick

if TYPE_CHECKING:
    from flask import Flask

    from hr_plugin.settings import Settings

# ``hr-plugin <group> ...`` commands: given the CLI's subparsers, add the feature's own.
CommandAdder = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]

# Adds a feature's routes to the web app (a Flask app; ``hr_plugin.web``), given the services.
WebRoutes = Callable[["Flask", "Services"], None]


@dataclass(frozen=True)
class Feature:
    """Everything one feature adds to the app. Every field but ``name`` is optional."""

    name: str
    listeners: Sequence[Listener] = ()
    subcommands: Sequence[Subcommand] = ()
    home: Sequence[HomeProvider] = ()
    enrolment_hooks: Sequence[EnrolmentHook] = ()
    ticks: Callable[[], Sequence[Tick]] | None = None
    commands: CommandAdder | None = None
    # The module defining the feature's tables: imported with the feature, so the migrations
    # and ``create_all`` see them.
    tables: ModuleType | None = None
    # Routes served by the web app beside Slack's endpoint (Flask blueprints), all under
    # ``web_prefix``; a private feature's are left out of /metrics by that prefix.
    web: WebRoutes | None = None
    web_prefix: str = ""
    # Run when the Bolt app is built, so that what they build fails at start-up, not on the
    # first click (the vault opens its key store).
    on_build: Sequence[Callable[[Services], object]] = ()
    # Run by ``serve`` before it starts workers (one process, nothing racing).
    before_serve: Sequence[Callable[[Settings], None]] = ()
    # Run first when a workspace is erased after uninstalling: returns how many it destroyed.
    erase_tenant: Sequence[Callable[[Settings, str], int]] = ()
    # The key that seals multi-workspace Slack tokens, derived from the master key for that
    # purpose alone by the one feature that derives keys (the vault).
    token_key: Callable[[bytes], bytes] | None = None
    # Pages the feature adds to the HR console under ``/hr/`` (Flask Blueprints built on the
    # console's ``admin_page``): the console is core and names no feature.
    console_pages: Sequence[Any] = ()
    # Nobody may learn whether anyone uses this feature (the private space): its requests are
    # neither counted nor timed in ``/metrics`` (``hr_plugin.slack.private_requests``).
    private: bool = False

    def __post_init__(self) -> None:
        if self.web is not None and not self.web_prefix.startswith("/"):
            raise ValueError(f"{self.name}: a feature with web routes names the prefix they live under")


def token_key(features: Sequence[Feature], master_key: bytes) -> bytes:
    """The Slack-token sealing key, from the feature that offers it."""
    for feature in features:
        if feature.token_key is not None:
            return feature.token_key(master_key)
    raise RuntimeError("no feature derives the key sealing Slack tokens (the vault is not listed)")
