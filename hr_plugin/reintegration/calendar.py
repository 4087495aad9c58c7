"""Public holidays by country and subdivision, from the ``holidays`` package.

Kept apart from the pure plan module so that ``plan.py`` takes holidays as plain dates and can
be tested with any made-up calendar. Building a country's calendar is not free, and the app
asks for the same few (country, subdivision, year) triples over and over, so each is cached.

The package (with ``dateutil``) is imported on the first question, not with the module: it
is about 4 MB of resident memory in every web worker, most of which never draw a plan.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import date


def _normalise(country: str, subdivision: str | None) -> tuple[str, str | None]:
    """Resolve codes case-insensitively and fail with a message HR can act on.

    The ``holidays`` package wants exact case ("GB", "BY", but "Augsburg") and answers an
    unknown code with ``NotImplementedError``, which reads like a bug rather than a typo.
    """
    import holidays

    supported = holidays.list_supported_countries()
    code = country.strip().upper()
    if code not in supported:
        raise ValueError(f"unknown country code {country!r}: the holidays package has no calendar for it")
    if subdivision is None or not subdivision.strip():
        return code, None
    wanted = subdivision.strip().casefold()
    for known in supported[code]:
        if known.casefold() == wanted:
            return code, known
    choices = ", ".join(supported[code]) or "none"
    raise ValueError(f"unknown subdivision {subdivision!r} for {code} (known: {choices})")


@functools.lru_cache(maxsize=1024)
def _year(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    """One year's public holidays; only called with codes ``_normalise`` already checked."""
    import holidays

    calendar = holidays.country_holidays(country, subdiv=subdivision, years=year)
    # A frozen copy of the keys: the package's mapping grows new years when merely queried.
    return frozenset(calendar.keys())


def public_holidays(country: str, subdivision: str | None, years: Iterable[int]) -> frozenset[date]:
    """The public holidays of ``country`` (and ``subdivision``, when given) in ``years``.

    Raises ``ValueError`` naming the bad code for an unknown country or subdivision.
    """
    code, subdiv = _normalise(country, subdivision)
    result: frozenset[date] = frozenset()
    for year in sorted(set(years)):
        result |= _year(code, subdiv, year)
    return result


def holidays_between(country: str, subdivision: str | None, start: date, end: date) -> frozenset[date]:
    """The public holidays from ``start`` to ``end``, both included; empty when ``end < start``."""
    code, subdiv = _normalise(country, subdivision)
    if end < start:
        return frozenset()
    found = public_holidays(code, subdiv, range(start.year, end.year + 1))
    return frozenset(day for day in found if start <= day <= end)


def holiday_checker(country: str, subdivision: str | None) -> Callable[[date], bool]:
    """A predicate for ``generate_plan`` that loads each year's calendar only when reached.

    A plan's length depends on the holidays themselves, so its span is unknown beforehand;
    checking lazily avoids guessing how many years to load. The codes are checked now, so a
    typo fails before any plan is built.
    """
    code, subdiv = _normalise(country, subdivision)

    def is_holiday(day: date) -> bool:
        return day in _year(code, subdiv, day.year)

    return is_holiday
