"""The overview's figures as tables: pure, no I/O. Counts only, never names.

Every count of people under the tenant's anonymity minimum is hidden, and when only one is
hidden the next-smallest goes with it (``hr_plugin.reports.suppress``, the rule of today's
reports). A count of zero names nobody and is shown. Huddle figures arrive already suppressed
by the huddles' own service (the App Home's figures), and are shown as they come.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from hr_plugin.reports import suppress

PROPOSED, ON_LEAVE, REDUCED, RAMPING, FULL = "proposed", "on_leave", "reduced", "ramping", "full"
PHASES: tuple[tuple[str, str], ...] = (
    (PROPOSED, "Proposed"),
    (ON_LEAVE, "On leave"),
    (REDUCED, "In the reduced weeks"),
    (RAMPING, "Ramping up"),
    (FULL, "Back at full capacity"),
)


@dataclass(frozen=True)
class Row:
    label: str
    values: tuple[float | None, ...]  # None: hidden, too few people behind it


@dataclass(frozen=True)
class Table:
    """One figure: its chart and its table show the same numbers; its CSV too."""

    key: str  # the CSV's name: /hr/downloads/<key>.csv
    title: str
    label: str  # the heading of the first column
    columns: tuple[str, ...]
    rows: tuple[Row, ...]

    @property
    def hidden(self) -> bool:
        return any(value is None for row in self.rows for value in row.values)


class Week(Protocol):
    @property
    def percent(self) -> int: ...


class PlanWeeks(Protocol):
    """What a phase needs of a plan (``PlanView`` fits)."""

    @property
    def return_date(self) -> date: ...
    @property
    def full_capacity_from(self) -> date: ...
    @property
    def weeks(self) -> Sequence[Week]: ...
    def percent_in_week(self, day: date) -> int: ...


def phase_of(plan: PlanWeeks, today: date) -> str:
    """Where someone with a plan is today: on leave, in the reduced weeks (at the plan's lowest
    percent), ramping back up, or back at full capacity."""
    if today < plan.return_date:
        return ON_LEAVE
    if today >= plan.full_capacity_from:
        return FULL
    reduced = min((week.percent for week in plan.weeks), default=100)
    return REDUCED if plan.percent_in_week(today) <= reduced else RAMPING


def phases(phase_by_person: Iterable[str], minimum: int) -> Table:
    counts = Counter(phase_by_person)
    return _counted("phases", "People in the program, by phase", "Phase", "People", counts, PHASES, minimum)


def returns_per_month(return_dates: Iterable[date], minimum: int) -> Table:
    counts = Counter(f"{day:%Y-%m}" for day in return_dates)
    months = [(month, month) for month in sorted(counts)]
    return _counted("returns", "Returns from leave, by month", "Month", "Returns", counts, months, minimum)


def mentoring_pairs(matched: int, waiting: int, unmatched: int, minimum: int) -> Table:
    counts = {"matched": matched, "waiting": waiting, "unmatched": unmatched}
    labels = (
        ("matched", "Paired with a mentor"),
        ("waiting", "Waiting for a mentor's answer"),
        ("unmatched", "Not matched yet"),
    )
    return _counted("mentoring", "Mentoring pairs", "Where they are", "People", counts, labels, minimum)


def met_answers(yes: int, no: int, minimum: int) -> Table:
    counts = {"yes": yes, "no": no}
    labels = (("yes", "Yes, we met"), ("no", "Not yet"))
    return _counted("met", 'Answers to "did you meet?"', "Answer", "Answers", counts, labels, minimum)


class HuddleMonth(Protocol):
    """A month of huddles as the huddles' service reports it, suppressed already."""

    @property
    def month(self) -> str: ...
    @property
    def invited(self) -> int: ...
    @property
    def attended(self) -> int | None: ...
    @property
    def ratings(self) -> int | None: ...
    @property
    def average_rating(self) -> float | None: ...


def huddles_per_month(months: Iterable[HuddleMonth]) -> Table:
    rows = tuple(
        Row(m.month, (float(m.invited), _num(m.attended), _num(m.ratings), m.average_rating))
        for m in sorted(months, key=lambda m: m.month)
    )
    return Table(
        "huddles",
        "Huddles: attendance and ratings, by month",
        "Month",
        ("Invited", "Came", "Ratings", "Average rating"),
        rows,
    )


def _num(value: int | None) -> float | None:
    return None if value is None else float(value)


def _counted(
    key: str,
    title: str,
    label: str,
    column: str,
    counts: Mapping[str, int],
    labels: Sequence[tuple[str, str]],
    minimum: int,
) -> Table:
    present = {group: float(n) for group, n in counts.items() if n > 0}
    shown = suppress(present, {group: int(n) for group, n in present.items()}, minimum)
    rows = tuple(Row(text, (shown[group] if group in present else 0.0,)) for group, text in labels)
    return Table(key, title, label, (column,), rows)
