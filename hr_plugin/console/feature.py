"""What the HR console adds to the app: its pages under ``/hr/``."""

from __future__ import annotations

from hr_plugin.console.web import PREFIX, route
from hr_plugin.feature_api import Feature

FEATURE = Feature(name="console", web_routes={PREFIX + "/": route})
