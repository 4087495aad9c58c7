"""What the app listens to, read from the live Bolt app, so that a new listener is fuzzed and
checked without anyone remembering to add it here.

Bolt keeps no public list of its listeners' constraints: each built-in matcher is a closure
over the action id, callback id, command or event type it was registered with. Reading those
closures is brittle against a Bolt upgrade, so ``registered_surfaces`` refuses to return an
empty or partial answer (it checks the kinds it found) rather than letting a fuzz test pass
over nothing.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass, field
from re import Pattern

from slack_bolt import App

# Bolt's matcher factories, by the name of the closure they build.
_KINDS = {
    "action.<locals>.func": "action",
    "view_submission.<locals>.func": "view",
    "command.<locals>.func": "command",
    "shortcut.<locals>.func": "shortcut",
    "global_shortcut.<locals>.func": "shortcut",
    "event.<locals>.func": "event",
}

_PACKAGES = ("hr_plugin", "mentoring", "huddles")


@dataclass
class Surfaces:
    """Every constraint a listener was registered with, by kind (strings or patterns)."""

    actions: list[str | Pattern[str]] = field(default_factory=list)
    views: list[str | Pattern[str]] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    shortcuts: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)

    def add(self, kind: str, constraint: str | Pattern[str]) -> None:
        if kind == "action":
            target = self.actions
        elif kind == "view":
            target = self.views
        else:
            named = {"command": self.commands, "shortcut": self.shortcuts, "event": self.events}[kind]
            if isinstance(constraint, str) and constraint not in named:
                named.append(constraint)
            return
        if constraint not in target:
            target.append(constraint)


def registered_surfaces(app: App) -> Surfaces:
    found = Surfaces()
    for listener in app._listeners:  # no public accessor; see the module docstring
        for matcher in listener.matchers:
            func = getattr(matcher, "func", None)
            kind = _KINDS.get(getattr(func, "__qualname__", ""))
            if kind is None:
                continue
            for cell in getattr(func, "__closure__", None) or ():
                value = cell.cell_contents
                if isinstance(value, dict) and isinstance(value.get("type"), str):
                    value = value["type"]  # an event constraint
                if isinstance(value, str | re.Pattern):
                    found.add(kind, value)
    missing = [
        kind
        for kind, items in (("actions", found.actions), ("views", found.views), ("commands", found.commands))
        if not items
    ]
    if missing or "app_home_opened" not in found.events:
        raise AssertionError(f"could not read the app's listeners ({missing}): has Bolt changed?")
    return found


def block_ids() -> list[str]:
    """Every input block id the code names (constants ending in ``_BLOCK``), for view states."""
    names: set[str] = set()
    for package_name in _PACKAGES:
        package = importlib.import_module(package_name)
        for module_info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            if ".migrations" in module_info.name or module_info.name.endswith("__main__"):
                continue
            module = importlib.import_module(module_info.name)
            for attribute, value in vars(module).items():
                if attribute.endswith("_BLOCK") and isinstance(value, str):
                    names.add(value)
    # The policy modal names its blocks after the policy's fields rather than constants.
    names.update({"name", "scope", "scope_value", "reduced_weeks", "reduced_percent", "ramp_percents"})
    names.add("extension_weeks")
    return sorted(names)
