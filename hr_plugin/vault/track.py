"""The longer track, pure: its steps and their weeks, where a person is, and what each of its
tools accepts.

No database, no Slack, no clock: the week is computed from the sealed start date and today's
date, both given. Nothing here ever sets a target: a step's weeks only say when it is
*suggested*; every step can be opened, skipped or repeated at any time, and the touch stages
have no expected pace at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from hr_plugin.vault.values import VaultError

# The parts a person's track records hold (inside the sealed data, never in a plaintext column).
STATE, GOALS, RULES, HOUSEHOLD, ASK, TOUCH, RITUAL, TALLY = (
    "state",
    "goals",
    "rules",
    "household",
    "ask",
    "touch",
    "ritual",
    "tally",
)
# Steps without a record of their own: the help there is, and the quarterly review (saved as a review).
HELP, REVIEW = "help", "review"


@dataclass(frozen=True)
class Step:
    """One step of the track: suggested from week ``first`` to week ``last`` (0 = before week 1)."""

    id: str
    first: int
    last: int


STEPS: Final = (
    Step(GOALS, 0, 0),
    Step(RULES, 1, 2),
    Step(HOUSEHOLD, 3, 4),
    Step(ASK, 3, 4),
    Step(TOUCH, 3, 8),
    Step(RITUAL, 5, 6),
    Step(HELP, 7, 8),
    Step(TALLY, 1, 8),
    Step(REVIEW, 9, 9),
)
STEP_IDS: Final = tuple(step.id for step in STEPS)
# The tools that save something, each under its own purpose ("track-<part>").
TOOLS: Final = (GOALS, RULES, HOUSEHOLD, ASK, TOUCH, RITUAL, TALLY)
LENGTH_WEEKS = 8

OWNERS: Final = ("me", "partner", "shared", "undecided")
STAGES: Final = ("1", "2", "3")
HOUSEHOLD_ROWS = 12
LOOK_AGAIN_DAYS = 30
TALLY_MAX_ADD = 10

GOAL_MAX, PHRASE_MAX, LINES_MAX, TASK_MAX, ASK_MAX, WORD_MAX, RITUAL_MAX = 600, 120, 1000, 80, 1000, 120, 300


def week_of(started: date, today: date) -> int:
    """The week of the track ``today`` is in: 1 on the day it started and the six after it.

    Never below 1 (a start date in the future, after a clock or time-zone change, counts as
    week 1); never capped, since a person may stay on the track as long as they like.
    """
    return max(1, (today - started).days // 7 + 1)


def suggested(week: int, saved: frozenset[str] | set[str]) -> str:
    """The step the track suggests now: the shared aim until something is written there, then
    the newest step whose weeks hold ``week`` (the one that began most recently; of two that
    began together, the first listed); after the eighth week, the quarterly review.

    Only a suggestion: the screen highlights it and every step stays open.
    """
    if GOALS not in saved:
        return GOALS
    if week > LENGTH_WEEKS:
        return REVIEW
    holding = [step for step in STEPS if step.id != GOALS and step.first <= week <= step.last]
    if not holding:
        return REVIEW
    newest = max(step.first for step in holding)
    return next(step.id for step in holding if step.first == newest)


def look_again_due(reviewed: date | None, today: date) -> bool:
    """Whether the household list has gone a month without a fresh look (only once there is one)."""
    return reviewed is not None and (today - reviewed).days >= LOOK_AGAIN_DAYS


# -- what each tool accepts ----------------------------------------------------------------


def _short(data: Mapping[str, Any], name: str, limit: int) -> str:
    value = str(data.get(name) or "").strip()
    if len(value) > limit:
        raise VaultError(f"Please keep this under {limit} characters.", name)
    return value


def clean(part: str, data: Mapping[str, Any], *, include_partner: bool = True) -> dict[str, Any]:
    """What a tool's submission keeps, checked; ``VaultError`` naming the field otherwise.

    Errors are fixed sentences: they never quote what was written.
    """
    if part == GOALS:
        names = ("my_problem", "my_outcome", *(("their_problem", "their_outcome") if include_partner else ()))
        return {name: _short(data, name, GOAL_MAX) for name in names}
    if part == RULES:
        return {
            "pause_phrase": _short(data, "pause_phrase", PHRASE_MAX),
            "return_phrase": _short(data, "return_phrase", PHRASE_MAX),
            "red_lines": _short(data, "red_lines", LINES_MAX),
        }
    if part == HOUSEHOLD:
        return {"tasks": _tasks(data.get("tasks") or [])}
    if part == ASK:
        kept = {name: _short(data, name, ASK_MAX) for name in ("when", "felt", "ask")}
        if not any(kept.values()):
            raise VaultError("Write at least one of the three parts.", "when")
        return kept
    if part == TOUCH:
        stage = data.get("stage")
        if stage is not None and str(stage) not in STAGES:
            raise VaultError("Choose one of the stages, or none.", "stage")
        return {
            "stage": None if stage is None else str(stage),
            "green": _short(data, "green", WORD_MAX),
            "yellow": _short(data, "yellow", WORD_MAX),
            "red": _short(data, "red", WORD_MAX),
        }
    if part == RITUAL:
        return {"what": _short(data, "what", RITUAL_MAX), "when": _short(data, "when", PHRASE_MAX)}
    if part == TALLY:
        added = {}
        for name in ("repairs", "gestures"):
            raw = str(data.get(name) or "0")
            if not raw.isdigit() or int(raw) > TALLY_MAX_ADD:
                raise VaultError(f"Choose a number from 0 to {TALLY_MAX_ADD}.", name)
            added[name] = int(raw)
        return added
    raise VaultError("Unknown step.")


def _tasks(rows: Any) -> list[dict[str, str]]:
    """The household list's rows: a task and who carries it, from noticing to finishing.

    Rows without a task are dropped (an owner alone says nothing); at most ``HOUSEHOLD_ROWS``.
    """
    if not isinstance(rows, list) or len(rows) > HOUSEHOLD_ROWS:
        raise VaultError("The list has too many rows.", "task_0")
    kept = []
    for index, row in enumerate(rows):
        task = str((row or {}).get("task") or "").strip()
        owner = (row or {}).get("owner") or "undecided"
        if len(task) > TASK_MAX:
            raise VaultError(f"Please keep each task under {TASK_MAX} characters.", f"task_{index}")
        if owner not in OWNERS:
            raise VaultError("Choose one of the options.", f"owner_{index}")
        if task:
            kept.append({"task": task, "owner": str(owner)})
    return kept


def add_to_tally(current: Mapping[str, Any], added: Mapping[str, int]) -> dict[str, int]:
    """The tally after adding ``added`` to ``current`` (missing counts are 0)."""
    return {name: int(current.get(name) or 0) + int(added.get(name) or 0) for name in ("repairs", "gestures")}


# -- where a person is ---------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """A person's track as opened from their sealed records: when it started (None when not
    started or left), today's local date, the latest record of each tool, and every saved ask."""

    started: date | None
    today: date
    parts: Mapping[str, Mapping[str, Any]]
    asks: tuple[Mapping[str, Any], ...] = ()

    @property
    def active(self) -> bool:
        return self.started is not None

    @property
    def week(self) -> int:
        return week_of(self.started, self.today) if self.started else 0

    @property
    def saved(self) -> frozenset[str]:
        """The steps with something written (the ask step once one ask is saved)."""
        return frozenset({*(p for p in self.parts if p in TOOLS), *((ASK,) if self.asks else ())})

    @property
    def suggested(self) -> str:
        return suggested(self.week, self.saved)

    def reviewed(self) -> date | None:
        """When the household list was last saved (each save is a fresh look)."""
        raw = (self.parts.get(HOUSEHOLD) or {}).get("reviewed_on")
        return date.fromisoformat(str(raw)) if raw else None
