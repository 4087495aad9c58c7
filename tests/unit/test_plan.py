"""Capacity plans: worked examples a person can check by hand, then properties for any input.

The examples pin the calendar arithmetic (holidays push the plan later, weeks run Monday to
Sunday, week percents round half up); the properties check the rules of DESIGN.md hold for
random return dates, working weeks, holiday sets and budgets, which is where off-by-one
mistakes in a working-day counter hide.
"""

from __future__ import annotations

import itertools
import math
from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hr_plugin.reintegration.calendar import holiday_checker, holidays_between, public_holidays
from hr_plugin.reintegration.plan import (
    Budget,
    CapacityPlan,
    PlanDay,
    PlanWeek,
    generate_plan,
    half_up_mean,
    week_start,
)


def d(text: str) -> date:
    return date.fromisoformat(text)


def dates(*texts: str) -> tuple[date, ...]:
    return tuple(d(text) for text in texts)


def listed(plan: CapacityPlan) -> list[tuple[str, int]]:
    return [(day.date.isoformat(), day.percent) for day in plan.days]


# --- worked examples -------------------------------------------------------------------------


def test_two_weeks_at_half_then_a_week_at_three_quarters() -> None:
    plan = generate_plan(d("2026-11-02"), Budget(reduced_weeks=2, reduced_percent=50, ramp_percents=(75,)))

    assert [p for _, p in listed(plan)] == [50] * 10 + [75] * 5
    assert plan.days[0].date == d("2026-11-02")
    assert plan.days[-1].date == d("2026-11-20")
    assert plan.full_capacity_from == d("2026-11-23")
    assert plan.weeks == (
        PlanWeek(
            d("2026-11-02"),
            50,
            dates("2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05", "2026-11-06"),
            (),
        ),
        PlanWeek(
            d("2026-11-09"),
            50,
            dates("2026-11-09", "2026-11-10", "2026-11-11", "2026-11-12", "2026-11-13"),
            (),
        ),
        PlanWeek(
            d("2026-11-16"),
            75,
            dates("2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20"),
            (),
        ),
    )


def test_uk_bank_holidays_push_the_plan_later_without_using_the_budget() -> None:
    # Christmas 2026 is a Friday; Boxing Day falls on Saturday, so Monday 28 December is the
    # substitute bank holiday; New Year's Day 2027 is a Friday.
    gb = public_holidays("GB", None, [2026, 2027])
    plan = generate_plan(d("2026-12-21"), Budget(2, 50, (75,)), holidays=gb)

    assert listed(plan) == [
        ("2026-12-21", 50), ("2026-12-22", 50), ("2026-12-23", 50), ("2026-12-24", 50),
        ("2026-12-29", 50), ("2026-12-30", 50), ("2026-12-31", 50),
        ("2027-01-04", 50), ("2027-01-05", 50), ("2027-01-06", 50),
        ("2027-01-07", 75), ("2027-01-08", 75),
        ("2027-01-11", 75), ("2027-01-12", 75), ("2027-01-13", 75),
    ]  # fmt: skip
    assert plan.full_capacity_from == d("2027-01-14")
    assert [(w.week_start.isoformat(), w.percent, len(w.working_days)) for w in plan.weeks] == [
        ("2026-12-21", 50, 4),
        ("2026-12-28", 50, 3),
        ("2027-01-04", 60, 5),  # 50, 50, 50, 75, 75: mean 60
        ("2027-01-11", 75, 3),
    ]
    # Boxing Day (a Saturday) is not on a working weekday, so it is not reported.
    assert [w.holidays for w in plan.weeks] == [
        dates("2026-12-25"),
        dates("2026-12-28", "2027-01-01"),
        (),
        (),
    ]


def test_a_german_subdivision_adds_its_own_holidays() -> None:
    # Epiphany (6 January) is a public holiday in Bavaria but not nationwide.
    budget = Budget(1, 50)
    national = generate_plan(d("2026-01-05"), budget, holidays=holiday_checker("DE", None))
    bavaria = generate_plan(d("2026-01-05"), budget, holidays=holiday_checker("DE", "BY"))

    assert national.full_capacity_from == d("2026-01-12")
    assert national.weeks[0].holidays == ()
    assert [day.date for day in bavaria.days] == list(
        dates("2026-01-05", "2026-01-07", "2026-01-08", "2026-01-09", "2026-01-12")
    )
    assert bavaria.full_capacity_from == d("2026-01-13")
    assert bavaria.weeks[0].holidays == dates("2026-01-06")
    assert bavaria.weeks[1] == PlanWeek(d("2026-01-12"), 50, dates("2026-01-12"), ())


def test_a_mid_week_return_splits_the_steps_across_calendar_weeks() -> None:
    plan = generate_plan(d("2026-11-04"), Budget(1, 50, (80,)))  # a Wednesday

    assert listed(plan) == [
        ("2026-11-04", 50), ("2026-11-05", 50), ("2026-11-06", 50), ("2026-11-09", 50), ("2026-11-10", 50),
        ("2026-11-11", 80), ("2026-11-12", 80), ("2026-11-13", 80), ("2026-11-16", 80), ("2026-11-17", 80),
    ]  # fmt: skip
    assert [(w.week_start.isoformat(), w.percent) for w in plan.weeks] == [
        ("2026-11-02", 50),  # the week starts on Monday even though the plan starts on Wednesday
        ("2026-11-09", 68),  # 50, 50, 80, 80, 80
        ("2026-11-16", 80),
    ]
    assert plan.full_capacity_from == d("2026-11-18")


def test_a_part_time_week_counts_only_the_days_worked() -> None:
    # Works Monday to Wednesday; comes back on a Thursday, a day they do not work.
    plan = generate_plan(d("2026-11-05"), Budget(2, 50, (75,)), working_weekdays=(0, 1, 2))

    assert listed(plan) == [
        ("2026-11-09", 50), ("2026-11-10", 50), ("2026-11-11", 50),
        ("2026-11-16", 50), ("2026-11-17", 50), ("2026-11-18", 50),
        ("2026-11-23", 75), ("2026-11-24", 75), ("2026-11-25", 75),
    ]  # fmt: skip
    assert plan.full_capacity_from == d("2026-11-30")
    assert plan.percent_on(d("2026-11-05")) == 50  # back, though not working that day
    assert plan.percent_on(d("2026-11-12")) == 50  # a Thursday off inside the reduced period
    assert plan.percent_on(d("2026-11-19")) == 50
    assert plan.percent_on(d("2026-11-26")) == 75
    assert plan.percent_on(d("2026-11-30")) == 100
    assert plan.percent_on(d("2026-11-04")) == 100  # before the plan


def test_a_return_on_a_holiday_starts_on_the_next_working_day() -> None:
    gb = holidays_between("GB", None, d("2026-12-01"), d("2027-01-31"))
    plan = generate_plan(d("2026-12-25"), Budget(1, 40), holidays=gb)

    assert plan.days[0].date == d("2026-12-29")
    assert plan.weeks[0].week_start == d("2026-12-28")
    assert plan.weeks[0].holidays == dates("2026-12-28", "2027-01-01")
    # The 25th is in a week with no listed day, so no week reports it.
    assert all(d("2026-12-25") not in week.holidays for week in plan.weeks)


def test_an_extension_taken_adds_reduced_weeks_before_the_ramp() -> None:
    budget = Budget(2, 50, (75,), extension_weeks=2)
    plan = generate_plan(d("2026-11-02"), budget, extension_weeks_taken=1)

    assert [p for _, p in listed(plan)] == [50] * 15 + [75] * 5
    assert plan.days[14].date == d("2026-11-20")
    assert plan.full_capacity_from == d("2026-11-30")
    with pytest.raises(ValueError, match="extension_weeks_taken"):
        generate_plan(d("2026-11-02"), budget, extension_weeks_taken=3)
    with pytest.raises(ValueError, match="extension_weeks_taken"):
        generate_plan(d("2026-11-02"), budget, extension_weeks_taken=-1)


def test_an_empty_budget_gives_full_capacity_on_the_first_working_day() -> None:
    plan = generate_plan(d("2026-11-07"), Budget(reduced_weeks=0, reduced_percent=50))  # a Saturday

    assert plan.days == ()
    assert plan.weeks == ()
    assert plan.full_capacity_from == d("2026-11-09")
    assert plan.to_json() == {"days": [], "weeks": [], "full_capacity_from": "2026-11-09"}
    assert plan.percent_on(d("2026-11-07")) == 100


def test_week_percents_round_half_up() -> None:
    # Mon-Wed worker back on a Wednesday: the second week is Mon 50, Tue 50, Wed 75 -> 58.33 -> 58.
    three = generate_plan(d("2026-11-04"), Budget(1, 50, (75,)), working_weekdays=(0, 1, 2))
    assert [
        (w.week_start.isoformat(), [day.isoformat() for day in w.working_days], w.percent)
        for w in three.weeks
    ][1] == ("2026-11-09", ["2026-11-09", "2026-11-10", "2026-11-11"], 58)

    # Mon-Tue worker back on a Tuesday: the second week is Mon 50, Tue 75 -> 62.5 -> 63.
    two = generate_plan(d("2026-11-03"), Budget(1, 50, (75,)), working_weekdays=(0, 1))
    assert two.weeks[1] == PlanWeek(d("2026-11-09"), 63, dates("2026-11-09", "2026-11-10"), ())


@pytest.mark.parametrize(
    ("values", "expected"),
    [([50, 75], 63), ([50, 50, 75], 58), ([1, 2], 2), ([0, 1], 1), ([33, 33, 34], 33), ([100], 100)],
)
def test_half_up_mean(values: list[int], expected: int) -> None:
    assert half_up_mean(values) == expected


def test_to_json_is_the_preview_format() -> None:
    plan = generate_plan(d("2026-12-24"), Budget(0, 50, (60,)), holidays={d("2026-12-25")})
    assert plan.to_json() == {
        "days": [
            {"date": "2026-12-24", "percent": 60},
            {"date": "2026-12-28", "percent": 60},
            {"date": "2026-12-29", "percent": 60},
            {"date": "2026-12-30", "percent": 60},
            {"date": "2026-12-31", "percent": 60},
        ],
        "weeks": [
            {
                "week_start": "2026-12-21",
                "percent": 60,
                "working_days": ["2026-12-24"],
                "holidays": ["2026-12-25"],
            },
            {
                "week_start": "2026-12-28",
                "percent": 60,
                "working_days": ["2026-12-28", "2026-12-29", "2026-12-30", "2026-12-31"],
                "holidays": [],
            },
        ],
        "full_capacity_from": "2027-01-01",
    }


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"reduced_weeks": -1, "reduced_percent": 50}, "reduced_weeks"),
        ({"reduced_weeks": 13, "reduced_percent": 50}, "reduced_weeks"),
        ({"reduced_weeks": 2, "reduced_percent": 0}, "reduced_percent"),
        ({"reduced_weeks": 2, "reduced_percent": 101}, "reduced_percent"),
        ({"reduced_weeks": True, "reduced_percent": 50}, "reduced_weeks"),
        ({"reduced_weeks": 2.0, "reduced_percent": 50}, "reduced_weeks"),
        ({"reduced_weeks": 2, "reduced_percent": 50, "ramp_percents": (40,)}, r"ramp_percents\[0\]"),
        ({"reduced_weeks": 2, "reduced_percent": 50, "ramp_percents": (80, 70)}, r"ramp_percents\[1\]"),
        ({"reduced_weeks": 2, "reduced_percent": 50, "ramp_percents": (75, 101)}, r"ramp_percents\[1\]"),
        ({"reduced_weeks": 2, "reduced_percent": 50, "ramp_percents": ("75",)}, r"ramp_percents\[0\]"),
        ({"reduced_weeks": 2, "reduced_percent": 50, "ramp_percents": 75}, "ramp_percents"),
        ({"reduced_weeks": 2, "reduced_percent": 50, "extension_weeks": 13}, "extension_weeks"),
        ({"reduced_weeks": 2, "reduced_percent": 50, "extension_weeks": -1}, "extension_weeks"),
    ],
)
def test_a_bad_budget_is_refused_naming_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        Budget(**kwargs)  # type: ignore[arg-type]


def test_a_budget_accepts_a_list_and_stores_a_tuple() -> None:
    budget = Budget(2, 50, [75, 100])  # type: ignore[arg-type]
    assert budget.ramp_percents == (75, 100)
    assert hash(budget) == hash(Budget(2, 50, (75, 100)))


def test_no_working_weekdays_is_refused() -> None:
    with pytest.raises(ValueError, match="working_weekdays is empty"):
        generate_plan(d("2026-11-02"), Budget(2, 50), working_weekdays=())
    with pytest.raises(ValueError, match="0 \\(Monday\\) to 6"):
        generate_plan(d("2026-11-02"), Budget(2, 50), working_weekdays=(0, 7))


def test_a_calendar_of_nothing_but_holidays_fails_instead_of_looping() -> None:
    with pytest.raises(ValueError, match="could never end"):
        generate_plan(d("2026-11-02"), Budget(2, 50), holidays=lambda day: True)
    with pytest.raises(ValueError, match="could never end"):
        generate_plan(
            d("2026-11-02"), Budget(0, 50), working_weekdays=(2,), holidays=lambda day: day.weekday() == 2
        )


# --- the holiday calendar --------------------------------------------------------------------


def test_calendar_codes_are_case_insensitive_and_checked() -> None:
    assert public_holidays("de", "by", [2026]) == public_holidays("DE", "BY", [2026])
    assert d("2026-01-06") in public_holidays("DE", "BY", [2026])
    assert d("2026-01-06") not in public_holidays("DE", None, [2026])
    with pytest.raises(ValueError, match="unknown country code 'XX'"):
        public_holidays("XX", None, [2026])
    with pytest.raises(ValueError, match="unknown subdivision 'ZZ' for GB"):
        holidays_between("GB", "ZZ", d("2026-01-01"), d("2026-12-31"))
    with pytest.raises(ValueError, match="unknown country"):
        holiday_checker("Narnia", None)


def test_holidays_between_spans_years_and_includes_both_ends() -> None:
    found = holidays_between("GB", None, d("2026-12-25"), d("2027-01-01"))
    assert found == frozenset(dates("2026-12-25", "2026-12-26", "2026-12-28", "2027-01-01"))
    assert holidays_between("GB", None, d("2027-01-02"), d("2026-12-25")) == frozenset()


# --- properties ------------------------------------------------------------------------------


@st.composite
def budgets(draw: st.DrawFn) -> Budget:
    reduced = draw(st.integers(1, 100))
    ramp = sorted(draw(st.lists(st.integers(reduced, 100), max_size=4)))
    return Budget(
        reduced_weeks=draw(st.integers(0, 12)),
        reduced_percent=reduced,
        ramp_percents=tuple(ramp),
        extension_weeks=draw(st.integers(0, 12)),
    )


return_dates = st.dates(date(2000, 1, 1), date(2090, 12, 31))
weekday_sets = st.frozensets(st.integers(0, 6), min_size=1)
# Offsets from the return date (some before it), dense enough to cover whole weeks now and then.
holiday_offsets = st.frozensets(st.integers(-10, 400), max_size=120)


def holiday_set(start: date, offsets: frozenset[int]) -> frozenset[date]:
    return frozenset(start + timedelta(days=offset) for offset in offsets)


@settings(max_examples=300, deadline=None)
@given(return_dates, budgets(), weekday_sets, holiday_offsets, st.data())
def test_plan_rules_hold_for_any_input(
    start: date, budget: Budget, weekdays: frozenset[int], offsets: frozenset[int], data: st.DataObject
) -> None:
    holidays = holiday_set(start, offsets)
    taken = data.draw(st.integers(0, budget.extension_weeks), label="extension taken")
    plan = generate_plan(
        start, budget, working_weekdays=weekdays, holidays=holidays, extension_weeks_taken=taken
    )
    per_week = len(weekdays)
    reduced_days = (budget.reduced_weeks + taken) * per_week
    percents = [day.percent for day in plan.days]
    days = [day.date for day in plan.days]

    def works(day: date) -> bool:
        return day.weekday() in weekdays and day not in holidays

    # The budget counts working days, whatever holidays fall in it.
    assert percents[:reduced_days] == [budget.reduced_percent] * reduced_days
    assert percents[reduced_days:] == [p for p in budget.ramp_percents for _ in range(per_week)]
    assert percents.count(budget.reduced_percent) == reduced_days + per_week * budget.ramp_percents.count(
        budget.reduced_percent
    )
    # Only working days are listed, in order, and every one of them until full capacity.
    assert all(works(day) for day in days)
    assert all(a < b for a, b in itertools.pairwise(days))
    assert all(a <= b for a, b in itertools.pairwise(percents))
    span = (plan.full_capacity_from - start).days
    assert days == [start + timedelta(n) for n in range(span) if works(start + timedelta(n))]
    # The plan ends at 100 on a working day after every listed day.
    assert works(plan.full_capacity_from)
    assert plan.full_capacity_from >= start
    assert not days or plan.full_capacity_from > days[-1]
    assert plan.percent_on(plan.full_capacity_from) == 100
    assert all(plan.percent_on(day.date) == day.percent for day in plan.days)

    # Weeks: Monday-to-Sunday groups of exactly the listed days, percent their half-up mean.
    assert [day for week in plan.weeks for day in week.working_days] == days
    for week in plan.weeks:
        assert week.week_start.weekday() == 0
        assert list(week.working_days) == [day for day in days if week_start(day) == week.week_start]
        week_percents = [day.percent for day in plan.days if week_start(day.date) == week.week_start]
        mean = Fraction(sum(week_percents), len(week_percents))
        assert week.percent == math.floor(mean + Fraction(1, 2))
        assert all(week_start(h) == week.week_start for h in week.holidays)
        assert all(h in holidays and h.weekday() in weekdays for h in week.holidays)
        assert all(start <= h < plan.full_capacity_from for h in week.holidays)
        expected_holidays = [
            week.week_start + timedelta(n)
            for n in range(7)
            if start <= week.week_start + timedelta(n) < plan.full_capacity_from
            and (week.week_start + timedelta(n)).weekday() in weekdays
            and week.week_start + timedelta(n) in holidays
        ]
        assert list(week.holidays) == expected_holidays
    assert len({week.week_start for week in plan.weeks}) == len(plan.weeks)


@settings(max_examples=200, deadline=None)
@given(return_dates, budgets(), weekday_sets, holiday_offsets, st.data())
def test_an_extension_adds_exactly_its_working_days(
    start: date, budget: Budget, weekdays: frozenset[int], offsets: frozenset[int], data: st.DataObject
) -> None:
    holidays = holiday_set(start, offsets)
    taken = data.draw(st.integers(0, budget.extension_weeks), label="extension taken")
    without = generate_plan(start, budget, working_weekdays=weekdays, holidays=holidays)
    with_extension = generate_plan(
        start, budget, working_weekdays=weekdays, holidays=holidays, extension_weeks_taken=taken
    )
    extra = taken * len(weekdays)
    assert len(with_extension.days) - len(without.days) == extra
    # Both list every working day from the return date on, so one is a prefix of the other.
    assert [day.date for day in without.days] == [
        day.date for day in with_extension.days[: len(without.days)]
    ]
    reduced = (budget.reduced_weeks) * len(weekdays)
    assert [day.percent for day in with_extension.days[reduced : reduced + extra]] == [
        budget.reduced_percent
    ] * extra
    assert [day.percent for day in with_extension.days[reduced + extra :]] == [
        day.percent for day in without.days[reduced:]
    ]
    assert with_extension.full_capacity_from >= without.full_capacity_from


@settings(max_examples=100, deadline=None)
@given(return_dates, budgets(), weekday_sets, holiday_offsets)
def test_a_holiday_predicate_and_a_holiday_set_give_the_same_plan(
    start: date, budget: Budget, weekdays: frozenset[int], offsets: frozenset[int]
) -> None:
    holidays = holiday_set(start, offsets)
    from_set = generate_plan(start, budget, working_weekdays=weekdays, holidays=holidays)
    from_predicate = generate_plan(start, budget, working_weekdays=weekdays, holidays=holidays.__contains__)
    assert from_set == from_predicate


@settings(max_examples=100, deadline=None)
@given(return_dates, budgets(), weekday_sets, holiday_offsets, st.dates(date(1999, 1, 1), date(2092, 12, 31)))
def test_percent_on_is_never_zero_and_follows_the_plan(
    start: date, budget: Budget, weekdays: frozenset[int], offsets: frozenset[int], day: date
) -> None:
    plan = generate_plan(start, budget, working_weekdays=weekdays, holidays=holiday_set(start, offsets))
    percent = plan.percent_on(day)
    assert 1 <= percent <= 100
    if day < start or day >= plan.full_capacity_from or not plan.days:
        assert percent == 100
    else:
        earlier = [p.percent for p in plan.days if p.date <= day]
        assert percent == (earlier[-1] if earlier else plan.days[0].percent)


def test_plan_day_is_a_plain_value() -> None:
    assert PlanDay(d("2026-11-02"), 50) == PlanDay(d("2026-11-02"), 50)
