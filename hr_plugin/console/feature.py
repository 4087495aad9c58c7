"""What the HR console adds to the app: its pages under ``/hr/``."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Blueprint

from hr_plugin.console import overview
from hr_plugin.console.pages import forms
from hr_plugin.console.program import Sources
from hr_plugin.console.web import PREFIX, BaseKey, install
from hr_plugin.feature_api import Feature


def feature(*, base_key: BaseKey, sources: Sources, pages: Sequence[Blueprint] = ()) -> Feature:
    """``base_key``: the key the session cookie's key is derived from (``hr_plugin.features``
    passes the one the vault derives from the master key); ``sources``: the features' HR
    figures for the overview, passed in by ``hr_plugin.features`` too; ``pages``: the pages the
    features add (``Feature.console_pages``)."""
    return Feature(
        name="console",
        web=lambda web, services: install(
            web, services, base_key, [overview.blueprint(sources), forms, *pages]
        ),
        web_prefix=PREFIX + "/",
    )
