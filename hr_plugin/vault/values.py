"""The private space's values and errors: what a person submits (a check-in, their settings),
the help shown on every screen, whose space a request is for, and the fixed sentences a refusal
says.

Pure (no database, no Slack), so that the screens (``views.py``) and the use cases
(``service``) share them without the screens importing the use cases. Errors never carry
content: their messages are fixed sentences.
"""

from __future__ import annotations

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


@dataclass
class CheckinInput:
    restorative: str = ""
    demand: str = ""
    vulnerability: str = ""
    rating: str | None = None
    experiment: str | None = None
    follow_up: str | None = None
    follow_up_note: str = ""
    # "What your partner shared", noted by the employee after talking: optional, sealed with
    # the rest, and read by the signals as the second voice.
    partner_rating: str | None = None
    partner_words: str = ""

    def check(self) -> None:
        for name in ("restorative", "demand", "vulnerability", "follow_up_note", "partner_words"):
            if len(getattr(self, name)) > MAX_ANSWER:
                raise VaultError(f"Please keep this under {MAX_ANSWER} characters.", name)
        if self.rating not in RATINGS:
            raise VaultError("Choose how this week felt, even roughly.", "rating")
        if self.partner_rating is not None and self.partner_rating not in RATINGS:
            raise VaultError("Choose one of the options, or leave it empty.", "partner_rating")
        if self.follow_up is not None and self.follow_up not in FOLLOW_UPS:
            raise VaultError("Choose one of the options.", "follow_up")
        if self.experiment is not None and len(self.experiment) > 300:
            raise VaultError("Keep the experiment short: under 300 characters.", "experiment")


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
