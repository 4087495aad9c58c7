"""What the private space's modals submit, parsed beside the blocks that define them (so no
listener reads a view's state).

What a person wrote lives in these objects only for the call that saves it, sealed, in the
vault: ``repr=False`` keeps it out of any repr (a log line, a traceback, a test failure), and
every value is made a string or None before the model is built, so a forged payload never raises
a pydantic error quoting what was submitted.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, Field

from hr_plugin.slack.blockkit import state_value
from hr_plugin.vault import content
from hr_plugin.vault.values import MAX_EXPERIMENTS, FollowUpAnswer, PlannedExperiment, nth
from hr_plugin.vault.views.screens import (
    ARRIVAL_BLOCK,
    CLOSENESS_BLOCK,
    EXPERIMENT_BLOCK,
    EXPERIMENT_DAY_BLOCK,
    EXPERIMENT_TIME_BLOCK,
    FOLLOW_UP_BLOCK,
    FOLLOW_UP_NOTE_BLOCK,
    OWN_EXPERIMENT_BLOCK,
    PARTNER_BLOCK,
    PARTNER_RATING_BLOCK,
    PARTNER_WORDS_BLOCK,
    RATING_BLOCK,
    TIME_BLOCK,
    WEEKDAY_BLOCK,
)


def _text(view: dict[str, Any], block: str) -> str:
    return str(state_value(view, block).get("value") or "")


def _chosen(view: dict[str, Any], block: str) -> str | None:
    """The value of the option chosen in a select or radio buttons, or None if none was."""
    value = (state_value(view, block).get("selected_option") or {}).get("value")
    return None if value is None else str(value)


def _experiment(view: dict[str, Any], suffix: str) -> str:
    """The experiment the person wrote, else the label of the one they chose, else ""."""
    own = _text(view, f"{OWN_EXPERIMENT_BLOCK}{suffix}").strip()
    if own:
        return own
    chosen = _chosen(view, f"{EXPERIMENT_BLOCK}{suffix}")
    labels = {experiment.id: experiment.label for experiment in content.experiments(include_partner=True)}
    return labels.get(chosen, "") if chosen else ""


def _experiments(view: dict[str, Any]) -> list[PlannedExperiment]:
    """The experiments planned, in order; one with neither words nor a day or time is none."""
    planned = []
    for index in range(MAX_EXPERIMENTS):
        suffix = nth(index)
        time = state_value(view, f"{EXPERIMENT_TIME_BLOCK}{suffix}").get("selected_time")
        one = PlannedExperiment(
            text=_experiment(view, suffix),
            day=_chosen(view, f"{EXPERIMENT_DAY_BLOCK}{suffix}"),
            time=None if time is None else str(time),
        )
        if one.text or one.day is not None or one.time is not None:
            planned.append(one)
    return planned


def _follow_ups(view: dict[str, Any]) -> list[FollowUpAnswer]:
    """How each of last week's experiments went, in their order (empty ones included, so the
    n-th answer stays the n-th experiment's)."""
    return [
        FollowUpAnswer(
            outcome=_chosen(view, f"{FOLLOW_UP_BLOCK}{nth(index)}"),
            note=_text(view, f"{FOLLOW_UP_NOTE_BLOCK}{nth(index)}"),
        )
        for index in range(MAX_EXPERIMENTS)
    ]


class CheckinSubmission(BaseModel):
    """The weekly check-in as submitted (``checkin_modal``): checked by the vault when saved."""

    restorative: str = Field(default="", repr=False)
    demand: str = Field(default="", repr=False)
    vulnerability: str = Field(default="", repr=False)
    rating: str | None = Field(default=None, repr=False)
    experiments: list[PlannedExperiment] = Field(default_factory=list, repr=False)
    follow_ups: list[FollowUpAnswer] = Field(default_factory=list, repr=False)
    partner_rating: str | None = Field(default=None, repr=False)
    partner_words: str = Field(default="", repr=False)
    closeness_outside: str | None = Field(default=None, repr=False)

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> Self:
        return cls(
            restorative=_text(view, "restorative"),
            demand=_text(view, "demand"),
            vulnerability=_text(view, "vulnerability"),
            rating=_chosen(view, RATING_BLOCK),
            experiments=_experiments(view),
            follow_ups=_follow_ups(view),
            partner_rating=_chosen(view, PARTNER_RATING_BLOCK),
            partner_words=_text(view, PARTNER_WORDS_BLOCK),
            closeness_outside=_chosen(view, CLOSENESS_BLOCK),
        )


class RemindersSubmission(BaseModel):
    """The reminder's day and time as submitted (``reminders_modal``); None where none was picked."""

    weekday: int | None
    at: str | None

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> Self:
        raw_day = _chosen(view, WEEKDAY_BLOCK)
        at = state_value(view, TIME_BLOCK).get("selected_time")
        return cls(
            weekday=int(raw_day) if raw_day is not None and raw_day.isdigit() else None,
            at=None if at is None else str(at),
        )


def _date(view: dict[str, Any], block: str) -> str | None:
    picked = state_value(view, block).get("selected_date")
    return str(picked) if picked else None


class ConsentSubmission(BaseModel):
    """The consent as submitted (``consent_modal``): the optional arrival date, unchecked."""

    arrival_date: str | None = Field(default=None, repr=False)

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> Self:
        return cls(arrival_date=_date(view, ARRIVAL_BLOCK))


class ProfileSubmission(BaseModel):
    """The private settings as submitted (``profile_modal``)."""

    partner_questions: bool = Field(repr=False)
    arrival_date: str | None = Field(default=None, repr=False)

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> Self:
        return cls(
            partner_questions=_chosen(view, PARTNER_BLOCK) != "no",
            arrival_date=_date(view, ARRIVAL_BLOCK),
        )


class ReflectionSubmission(BaseModel):
    """A milestone's or a quarterly review's answers as submitted (``reflection_modal``), by
    question id: every input of the modal, as the modal was drawn."""

    answers: dict[str, str] = Field(repr=False)

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> Self:
        blocks = (view.get("state") or {}).get("values") or {}
        return cls(answers={block: _text(view, block) for block in blocks})
