"""HR figures, with small groups suppressed so no individual can be picked out.

"Aggregates only" (DESIGN.md): a group with fewer people than the tenant's anonymity minimum
is hidden, and when exactly one group is hidden the next-smallest is hidden too, so the hidden
one cannot be worked out from the total. Check-in data never comes here at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Figure:
    label: str
    value: float | None  # None: suppressed, and so is the head count
    people: int | None


def suppress(values: Mapping[K, float], people: Mapping[K, int], minimum: int) -> dict[K, float | None]:
    """Hide groups under ``minimum`` people, plus the next-smallest when only one is hidden."""
    shown: dict[K, float | None] = dict(values)
    hidden = [key for key in values if people.get(key, 0) < minimum]
    for key in hidden:
        shown[key] = None
    if len(hidden) == 1:
        candidates = sorted((people.get(key, 0), str(key), key) for key in values if key not in hidden)
        if candidates:
            shown[candidates[0][2]] = None
    return shown


@dataclass(frozen=True)
class ReducedTime:
    """One person's reduced-capacity days, with what is needed to group them."""

    person: int
    department: str
    days_per_week: int
    reduced_days: tuple[date, ...]


@dataclass(frozen=True)
class BudgetInUse:
    by_month: tuple[Figure, ...]
    by_department: tuple[Figure, ...]
    total_person_weeks: float | None  # None below the anonymity minimum
    people: int


def budget_in_use(rows: Iterable[ReducedTime], minimum: int) -> BudgetInUse:
    """Reduced-capacity person-weeks by month and by department (a day is 1/working-days of a week)."""
    month_weeks: dict[str, float] = defaultdict(float)
    month_people: dict[str, set[int]] = defaultdict(set)
    dept_weeks: dict[str, float] = defaultdict(float)
    dept_people: dict[str, set[int]] = defaultdict(set)
    total = 0.0
    everyone: set[int] = set()
    for row in rows:
        if not row.reduced_days:
            continue
        share = 1 / max(row.days_per_week, 1)
        for day in row.reduced_days:
            month = f"{day:%Y-%m}"
            month_weeks[month] += share
            month_people[month].add(row.person)
            dept_weeks[row.department] += share
            dept_people[row.department].add(row.person)
            total += share
        everyone.add(row.person)
    return BudgetInUse(
        by_month=_figures(month_weeks, month_people, minimum),
        by_department=_figures(dept_weeks, dept_people, minimum),
        total_person_weeks=round(total, 1) if len(everyone) >= minimum else None,
        people=len(everyone),
    )


def _figures(weeks: Mapping[str, float], people: Mapping[str, set[int]], minimum: int) -> tuple[Figure, ...]:
    counts = {key: len(members) for key, members in people.items()}
    shown = suppress(weeks, counts, minimum)
    return tuple(
        Figure(key, round(value, 1), counts[key]) if value is not None else Figure(key, None, None)
        for key, value in sorted(shown.items())
    )
