"""What the HR console adds to the app: its pages under ``/hr/``."""

from __future__ import annotations

from hr_plugin.console.web import PREFIX, BaseKey, make_route
from hr_plugin.feature_api import Feature


def feature(*, base_key: BaseKey) -> Feature:
    """``base_key``: the key the session cookie's key is derived from (``hr_plugin.features``
    passes the one the vault derives from the master key)."""
    return Feature(name="console", web_routes={PREFIX + "/": make_route(base_key)})
