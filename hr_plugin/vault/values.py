"""The private space's values and errors: what a person submits (a check-in, their settings),
the help shown on every screen, whose space a request is for, and the fixed sentences a refusal
says.

Pure (no database, no Slack), so that the screens (``views.py``) and the use cases
(``service``) share them without the screens importing the use cases. Errors never carry
content: their messages are fixed sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

MAX_ANSWER = 2000
RATINGS = ("restorative", "neutral", "demanding", "none_good")
FOLLOW_UPS = ("tried", "partly", "not_tried")
# An arrival date further ahead than this is taken for a typing slip (a date picked in the wrong
# year); one a little ahead is fine, for someone setting up the space before the arrival.
ARRIVAL_AHEAD = timedelta(days=366)


class VaultError(ValueError):
    """A fixed, content-free sentence for the person; ``field`` names the modal input."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


STALE_SCREEN = "This screen has expired. Open your private space again."


class StaleScreen(VaultError):
    """The modal's token is forged, another person's, for another screen, or already spent:
    the answer a second submission of the same screen gets."""

    def __init__(self) -> None:
        super().__init__(STALE_SCREEN)


@dataclass(frozen=True)
class ModalToken:
    """A private modal's single-use token (its ``private_metadata``) and the screen it must be for.

    A save given one spends it in the save's own transaction: the token is spent only if what
    was submitted is stored, so a save that fails leaves the screen usable for a retry, and of
    two submissions of one screen only one is stored.
    """

    purpose: str
    value: str


@dataclass(frozen=True)
class Owner:
    tenant_id: str
    employee_id: int
    country: str
    timezone: str
    enrolled: bool


MAX_EXPERIMENTS = 3
MAX_EXPERIMENT = 300
CLOSENESS_ANSWERS = ("yes", "no", "rather_not_say")
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def nth(index: int) -> str:
    """The suffix of the ``index``-th (from 0) experiment's or follow-up's inputs: the first has
    none (``own_experiment``), the others ``_2`` and ``_3``."""
    return "" if index == 0 else f"_{index + 1}"


@dataclass(frozen=True)
class PlannedExperiment:
    """One micro-experiment for the coming week, with an optional day (0 = Monday) and time
    (``HH:MM``). Nothing ever reminds anyone of it: the day and time are the person's own note."""

    text: str
    day: str | None = None
    time: str | None = None


@dataclass(frozen=True)
class FollowUpAnswer:
    """How one of last week's experiments went (``FOLLOW_UPS``), and a note; both optional."""

    outcome: str | None = None
    note: str = ""


@dataclass
class CheckinInput:
    restorative: str = ""
    demand: str = ""
    vulnerability: str = ""
    rating: str | None = None
    # Up to ``MAX_EXPERIMENTS`` for the coming week, and how last week's went, in their order.
    experiments: list[PlannedExperiment] = field(default_factory=list)
    follow_ups: list[FollowUpAnswer] = field(default_factory=list)
    # "What your partner shared", noted by the employee after talking: optional, sealed with
    # the rest, and read by the signals as the second voice.
    partner_rating: str | None = None
    partner_words: str = ""
    # "Was there closeness this week outside what you planned?": optional.
    closeness_outside: str | None = None

    def check(self) -> None:
        for name in ("restorative", "demand", "vulnerability", "partner_words"):
            if len(getattr(self, name)) > MAX_ANSWER:
                raise VaultError(f"Please keep this under {MAX_ANSWER} characters.", name)
        if self.rating not in RATINGS:
            raise VaultError("Choose how this week felt, even roughly.", "rating")
        if self.partner_rating is not None and self.partner_rating not in RATINGS:
            raise VaultError("Choose one of the options, or leave it empty.", "partner_rating")
        if self.closeness_outside is not None and self.closeness_outside not in CLOSENESS_ANSWERS:
            raise VaultError("Choose one of the options, or leave it empty.", "closeness_outside")
        if len(self.follow_ups) > MAX_EXPERIMENTS or len(self.experiments) > MAX_EXPERIMENTS:
            raise VaultError(f"At most {MAX_EXPERIMENTS} experiments a week.", "own_experiment")
        for index, answer in enumerate(self.follow_ups):
            if answer.outcome is not None and answer.outcome not in FOLLOW_UPS:
                raise VaultError("Choose one of the options.", f"follow_up{nth(index)}")
            if len(answer.note) > MAX_ANSWER:
                raise VaultError(
                    f"Please keep this under {MAX_ANSWER} characters.", f"follow_up_note{nth(index)}"
                )
        for index, planned in enumerate(self.experiments):
            if len(planned.text) > MAX_EXPERIMENT:
                raise VaultError(
                    f"Keep the experiment short: under {MAX_EXPERIMENT} characters.",
                    f"own_experiment{nth(index)}",
                )
            if not planned.text.strip() and (planned.day is not None or planned.time is not None):
                raise VaultError(
                    "Choose or describe the experiment, or leave its day and time empty.",
                    f"own_experiment{nth(index)}",
                )
            if planned.day is not None and planned.day not in {str(d) for d in range(7)}:
                raise VaultError("Choose one of the days, or leave it empty.", f"experiment_day{nth(index)}")
            if planned.time is not None and not _TIME.fullmatch(planned.time):
                raise VaultError("Choose a time, or leave it empty.", f"experiment_time{nth(index)}")


@dataclass
class Profile:
    """The person's private settings: sealed like everything else."""

    partner_questions: bool = True
    arrival_date: str | None = None
    answered_milestones: list[str] = field(default_factory=list)


def checked_arrival(raw: str | None, today: date) -> str | None:
    """The optional arrival date as stored (ISO), or None when none was given; a date that is
    not one, or more than about a year ahead, is a ``VaultError`` on the ``arrival_date`` input."""
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise VaultError("Pick a date from the calendar, or leave it empty.", "arrival_date") from None
    if day > today + ARRIVAL_AHEAD:
        raise VaultError(
            "That date is more than a year away. Check the year, or leave it empty.", "arrival_date"
        )
    return day.isoformat()


@dataclass(frozen=True)
class Resource:
    """A help link shown on every private screen: one HR set up, or, when HR set up none for the
    person's country, the country's emergency line (``built_in``)."""

    kind: str
    name: str
    description: str
    url: str
    sessions: int | None = None
    built_in: bool = False
