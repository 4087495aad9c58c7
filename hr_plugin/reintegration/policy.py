"""HR budgets ("policies"): what they may say, how they are read, which one applies to whom.

Pure: the JSON HR writes and the modal HR fills both come through ``parse_policy``, so the
same rules give the same error whichever way a policy arrives.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from hr_plugin.reintegration.plan import Budget

SCOPE_KINDS = ("all", "country", "department")
SPECIFICITY = {"department": 2, "country": 1, "all": 0}


class PolicyError(ValueError):
    """A policy field is wrong; ``field`` names it (the modal shows the message beside it)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class PolicyInput:
    name: str
    scope_kind: str
    scope_value: str
    reduced_weeks: int
    reduced_percent: int
    ramp_percents: tuple[int, ...]
    extension_weeks: int

    @property
    def budget(self) -> Budget:
        return Budget(self.reduced_weeks, self.reduced_percent, self.ramp_percents, self.extension_weeks)

    def scope_words(self) -> str:
        return "everyone" if self.scope_kind == "all" else f"{self.scope_kind} {self.scope_value}"

    def summary(self) -> str:
        ramp = ", then ".join(f"1 week at {percent}%" for percent in self.ramp_percents)
        reduced = "week" if self.reduced_weeks == 1 else "weeks"
        steps = [f"{self.reduced_weeks} {reduced} at {self.reduced_percent}%"] + ([ramp] if ramp else [])
        weeks = "week" if self.extension_weeks == 1 else "weeks"
        extension = (
            f"; employees may add up to {self.extension_weeks} {weeks}" if self.extension_weeks else ""
        )
        return ", then ".join(steps) + extension


DEFAULT_POLICY = PolicyInput("Default", "all", "", 2, 50, (75,), 1)


def parse_policy(data: Mapping[str, Any]) -> PolicyInput:
    """Read a policy as ``hr-plugin policy set`` takes it (DESIGN.md) and check every field."""
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 100:
        raise PolicyError("name", "give the policy a name of 1 to 100 characters")
    scope_kind, scope_value = _scope(data.get("scope", "all"))
    fields = {
        "reduced_weeks": (data.get("reduced_weeks"), 0, 12),
        "reduced_percent": (data.get("reduced_percent"), 1, 100),
        "extension_weeks": (data.get("extension_weeks", 0), 0, 12),
    }
    numbers = {field: _whole(field, value, low, high) for field, (value, low, high) in fields.items()}
    ramps_raw = data.get("ramp_percents", [])
    if not isinstance(ramps_raw, list | tuple):
        raise PolicyError("ramp_percents", "a list of percents, like [75, 90]")
    ramps = tuple(_whole("ramp_percents", value, 1, 100) for value in ramps_raw)
    if len(ramps) > 6:
        raise PolicyError("ramp_percents", "at most 6 ramp weeks")
    policy = PolicyInput(
        name.strip(),
        scope_kind,
        scope_value,
        numbers["reduced_weeks"],
        numbers["reduced_percent"],
        ramps,
        numbers["extension_weeks"],
    )
    steps = (policy.reduced_percent, *policy.ramp_percents)
    if any(later < earlier for earlier, later in itertools.pairwise(steps)):
        raise PolicyError(
            "ramp_percents",
            f"each ramp week must be at or above {policy.reduced_percent}% and never below the week before",
        )
    return policy


def choose(policies: Iterable[PolicyInput], *, country: str, department: str) -> PolicyInput:
    """The most specific policy that covers a person: department, then country, then all."""
    matching = [
        policy
        for policy in policies
        if policy.scope_kind == "all"
        or (policy.scope_kind == "country" and policy.scope_value.upper() == country.upper())
        or (policy.scope_kind == "department" and policy.scope_value.casefold() == department.casefold())
    ]
    if not matching:
        return DEFAULT_POLICY
    return max(matching, key=lambda policy: SPECIFICITY[policy.scope_kind])


def _scope(raw: Any) -> tuple[str, str]:
    if raw == "all":
        return "all", ""
    if isinstance(raw, Mapping) and len(raw) == 1:
        ((kind, value),) = raw.items()
        if kind in ("country", "department") and isinstance(value, str) and value.strip():
            value = value.strip().upper() if kind == "country" else value.strip()
            if kind == "country" and (len(value) != 2 or not value.isalpha()):
                raise PolicyError("scope", "a country is a two-letter code, like GB")
            return kind, value
    raise PolicyError("scope", 'use "all", {"country": "GB"} or {"department": "Engineering"}')


def _whole(field: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PolicyError(field, f"a whole number from {low} to {high}")
    if not low <= value <= high:
        raise PolicyError(field, f"a whole number from {low} to {high}")
    return value
