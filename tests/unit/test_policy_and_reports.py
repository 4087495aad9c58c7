"""HR budgets as HR writes them, and HR figures with small groups hidden."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hr_plugin.reintegration.policy import DEFAULT_POLICY, PolicyError, choose, parse_policy
from hr_plugin.reports import ReducedTime, budget_in_use, suppress

GOOD = {
    "name": "UK",
    "scope": {"country": "gb"},
    "reduced_weeks": 2,
    "reduced_percent": 50,
    "ramp_percents": [75],
    "extension_weeks": 1,
}


def test_a_policy_as_design_md_writes_it() -> None:
    policy = parse_policy(GOOD)

    assert (policy.scope_kind, policy.scope_value) == ("country", "GB")
    assert policy.summary() == "2 weeks at 50%, then 1 week at 75%; employees may add up to 1 week"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"scope": "everyone"}, "scope"),
        ({"scope": {"country": "Britain"}}, "scope"),
        ({"reduced_weeks": 13}, "reduced_weeks"),
        ({"reduced_weeks": 2.5}, "reduced_weeks"),
        ({"reduced_percent": True}, "reduced_percent"),
        ({"ramp_percents": [40]}, "ramp_percents"),
        ({"ramp_percents": [90, 80]}, "ramp_percents"),
        ({"ramp_percents": "75"}, "ramp_percents"),
        ({"extension_weeks": -1}, "extension_weeks"),
    ],
)
def test_each_bad_field_is_named(change: dict[str, object], field: str) -> None:
    with pytest.raises(PolicyError) as refused:
        parse_policy({**GOOD, **change})
    assert refused.value.field == field


def test_the_most_specific_policy_wins() -> None:
    everyone = parse_policy({**GOOD, "name": "All", "scope": "all"})
    uk = parse_policy(GOOD)
    engineering = parse_policy({**GOOD, "name": "Eng", "scope": {"department": "Engineering"}})

    assert choose([everyone, uk, engineering], country="GB", department="engineering") == engineering
    assert choose([everyone, uk, engineering], country="GB", department="Sales") == uk
    assert choose([everyone, uk], country="DE", department="Sales") == everyone
    assert choose([], country="DE", department="Sales") == DEFAULT_POLICY


def test_one_small_group_hides_the_next_smallest_too() -> None:
    shown = suppress({"A": 10.0, "B": 7.0, "C": 1.0}, {"A": 9, "B": 6, "C": 2}, minimum=5)

    assert shown == {"A": 10.0, "B": None, "C": None}


@given(
    st.dictionaries(st.text(min_size=1, max_size=3), st.integers(1, 12), min_size=1, max_size=8),
    st.integers(2, 6),
)
def test_a_single_hidden_group_can_never_be_derived_from_the_total(
    people: dict[str, int], minimum: int
) -> None:
    shown = suppress({key: float(count) for key, count in people.items()}, people, minimum)

    hidden = [key for key, value in shown.items() if value is None]
    assert all(shown[key] is None for key, count in people.items() if count < minimum)
    assert len(hidden) != 1 or len(people) == 1


def test_budget_in_use_counts_person_weeks_and_hides_small_departments() -> None:
    def person(number: int, department: str, days: int, per_week: int = 5) -> ReducedTime:
        return ReducedTime(number, department, per_week, tuple(date(2026, 3, 2 + d) for d in range(days)))

    rows = [person(n, "Engineering", 5) for n in range(5)] + [person(10, "Sales", 3, per_week=3)]
    rows += [person(11, "Finance", 5), person(12, "Finance", 5)]

    report = budget_in_use(rows, minimum=5)

    assert report.total_person_weeks == 8.0
    figures = {figure.label: figure for figure in report.by_department}
    assert figures["Engineering"].value == 5.0 and figures["Engineering"].people == 5
    assert figures["Sales"].value is None and figures["Sales"].people is None
    assert figures["Finance"].value is None  # hidden with Sales, so Sales cannot be derived


def test_budget_in_use_says_nothing_below_the_minimum() -> None:
    rows = [ReducedTime(1, "Engineering", 5, (date(2026, 3, 2),))]

    report = budget_in_use(rows, minimum=5)

    assert report.total_person_weeks is None
    assert all(figure.value is None for figure in report.by_month)
