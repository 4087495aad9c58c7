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
from hr_plugin.vault.views.screens import (
    ARRIVAL_BLOCK,
    EXPERIMENT_BLOCK,
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


def _experiment(view: dict[str, Any]) -> str | None:
    """The experiment the person wrote, else the label of the one they chose, else None."""
    own = _text(view, OWN_EXPERIMENT_BLOCK).strip()
    if own:
        return own
    chosen = _chosen(view, EXPERIMENT_BLOCK)
    labels = {experiment.id: experiment.label for experiment in content.experiments(include_partner=True)}
    return labels.get(chosen) if chosen else None


class CheckinSubmission(BaseModel):
    """The weekly check-in as submitted (``checkin_modal``): checked by the vault when saved."""

    restorative: str = Field(default="", repr=False)
    demand: str = Field(default="", repr=False)
    vulnerability: str = Field(default="", repr=False)
    rating: str | None = Field(default=None, repr=False)
    experiment: str | None = Field(default=None, repr=False)
    follow_up: str | None = Field(default=None, repr=False)
    follow_up_note: str = Field(default="", repr=False)
    partner_rating: str | None = Field(default=None, repr=False)
    partner_words: str = Field(default="", repr=False)

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> Self:
        return cls(
            restorative=_text(view, "restorative"),
            demand=_text(view, "demand"),
            vulnerability=_text(view, "vulnerability"),
            rating=_chosen(view, RATING_BLOCK),
            experiment=_experiment(view),
            follow_up=_chosen(view, FOLLOW_UP_BLOCK),
            follow_up_note=_text(view, FOLLOW_UP_NOTE_BLOCK),
            partner_rating=_chosen(view, PARTNER_RATING_BLOCK),
            partner_words=_text(view, PARTNER_WORDS_BLOCK),
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
