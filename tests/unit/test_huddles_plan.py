"""``huddles.plan``: the hard rules hold for any input, and worked examples come out as a person expects.

The slot checks here recompute local time with zoneinfo and holidays directly rather than through
``huddles.slots``' bit masks, so a bug in the mask arithmetic cannot hide itself.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huddles.cohorts import Participant, form_cohorts
from huddles.plan import plan
from huddles.slots import MonthGrid, Schedule, find_slot

PLACES = [
    ("Europe/London", "GB", "ENG"),
    ("America/New_York", "US", "NY"),
    ("Europe/Berlin", "DE", "BY"),
    ("Asia/Kolkata", "IN", None),
    ("Asia/Kathmandu", None, None),
    ("Australia/Sydney", "AU", "NSW"),
    ("America/Los_Angeles", "US", "CA"),
]
HOURS = [["09:00", "17:00"], ["08:30", "12:30"], ["13:00", "18:00"], ["07:00", "15:00"], ["10:00", "24:00"]]
# 2026-03 has both DST changes between the US (8th) and Europe (29th); 2026-10/11 the reverse.
MONTHS = ["2026-03", "2026-10", "2026-11", "2026-12"]


def person(
    pid: str, zone: str, *, stage: int = 4, hours: list[str] | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "id": pid,
        "timezone": zone,
        "stage_weeks": stage,
        "working_hours": hours or ["09:00", "17:00"],
        "working_days": [0, 1, 2, 3, 4],
        **extra,
    }


@st.composite
def instances(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(0, 40))
    ids = [f"p{index:02d}" for index in range(count)]
    people = []
    for pid in ids:
        zone, country, subdivision = draw(st.sampled_from(PLACES))
        item = person(
            pid,
            zone,
            stage=draw(st.integers(0, 40)),
            hours=draw(st.sampled_from(HOURS)),
            working_days=sorted(draw(st.sets(st.integers(0, 6), min_size=0, max_size=7))),
        )
        if country:
            item["country"] = country
            if subdivision:
                item["subdivision"] = subdivision
        if ids and draw(st.booleans()):
            item["excluded"] = draw(st.lists(st.sampled_from(ids), max_size=4))
        people.append(item)
    mentors = []
    for index in range(draw(st.integers(0, 6))):
        zone, country, _ = draw(st.sampled_from(PLACES))
        mentor = person(f"m{index}", zone, hours=draw(st.sampled_from(HOURS)))
        mentor.pop("stage_weeks")
        if country:
            mentor["country"] = country
        if ids and draw(st.booleans()):
            mentor["excluded"] = draw(st.lists(st.sampled_from(ids), max_size=6))
        mentors.append(mentor)
    previous = draw(st.lists(st.lists(st.sampled_from([*ids, "gone"]), min_size=1, max_size=7), max_size=6))
    min_size = draw(st.integers(4, 7))
    return {
        "month": draw(st.sampled_from(MONTHS)),
        "min_size": min_size,
        "max_size": draw(st.integers(min_size, 7)),
        "participants": people,
        "facilitators": mentors,
        "previous_groups": previous,
    }


def assert_fits(item: dict[str, Any], start: datetime) -> None:
    """The slot is inside this person's working hours on a working, non-holiday local day."""
    local_start = start.astimezone(ZoneInfo(item["timezone"]))
    local_end = (start + timedelta(minutes=30)).astimezone(ZoneInfo(item["timezone"]))
    day = local_start.date()
    assert day.weekday() in item["working_days"], (item, start)
    if item.get("country"):
        calendar = holidays.country_holidays(item["country"], subdiv=item.get("subdivision"), years=day.year)
        assert day not in calendar, (item, start)
    begin, end = item["working_hours"]
    assert local_start.strftime("%H:%M") >= begin, (item, start)
    if end == "24:00":
        assert local_end.date() == day or local_end.strftime("%H:%M") == "00:00", (item, start)
    else:
        assert local_end.date() == day and local_end.strftime("%H:%M") <= end, (item, start)


def check_invariants(data: dict[str, Any], output: dict[str, Any]) -> None:
    people = {item["id"]: item for item in data["participants"]}
    mentors = {item["id"]: item for item in data.get("facilitators", [])}
    seen: list[str] = []
    year, month = map(int, data["month"].split("-"))
    used_mentors: list[str] = []
    for group in output["groups"]:
        members = group["members"]
        assert data["min_size"] <= len(members) <= data["max_size"]
        assert group["minutes"] == 30
        start = datetime.fromisoformat(group["start_utc"])
        assert start.utcoffset() == timedelta(0)
        assert (start.year, start.month) == (year, month)
        assert start.minute in (0, 30) and start.second == 0
        everyone = list(members) + ([group["facilitator"]] if group["facilitator"] else [])
        for pid in members:
            assert_fits(people[pid], start)
        if group["facilitator"] is not None:
            assert group["facilitator"] not in members
            assert_fits(mentors[group["facilitator"]], start)
            used_mentors.append(group["facilitator"])
        lists = {**people, **mentors}
        for one in everyone:
            for other in everyone:
                assert other not in lists[one].get("excluded", []) or other == one, (one, other)
        seen.extend(members)
    assert len(used_mentors) == len(set(used_mentors))
    for item in output["unplaced"]:
        assert item["reason"].strip()
        seen.append(item["id"])
    assert sorted(seen) == sorted(people)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_hard_rules_hold_for_any_input(data: dict[str, Any]) -> None:
    output = plan(data)
    check_invariants(data, output)
    # The same content in another order gives the same plan.
    shuffled = dict(data, participants=list(reversed(data["participants"])))
    assert plan(shuffled) == output


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_last_months_groups_stay_together(data: dict[str, Any]) -> None:
    first = plan(dict(data, previous_groups=[]))
    again = dict(data, previous_groups=[group["members"] for group in first["groups"]])
    second = plan(again)
    check_invariants(again, second)
    for old in first["groups"]:
        assert any(set(old["members"]) <= set(new["members"]) for new in second["groups"]), old
    # With someone gone, the rest still meet together (newcomers may fill the gap).
    if first["groups"]:
        leaver = first["groups"][0]["members"][0]
        fewer = dict(again, participants=[p for p in data["participants"] if p["id"] != leaver])
        third = plan(fewer)
        check_invariants(fewer, third)
        rest = set(first["groups"][0]["members"]) - {leaver}
        if len(rest) >= data["min_size"]:
            assert any(rest <= set(new["members"]) for new in third["groups"])


def test_dst_month_slot_matches_both_clocks() -> None:
    # In 2026-03 New York moves on the 8th and London on the 29th: between them, London's
    # 09:00-17:00 and New York's 09:00-17:00 overlap 13:00-17:00 UTC, not 14:00-17:00.
    london = Schedule("Europe/London", 9 * 60, 17 * 60, frozenset(range(5)), "GB", "ENG")
    new_york = Schedule("America/New_York", 9 * 60, 17 * 60, frozenset(range(5)), "US", "NY")
    assert find_slot("2026-03", [london, new_york]) == datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    grid = MonthGrid.parse("2026-03")
    mask = grid.common([london, new_york])
    between = [
        grid.slot_start(k) for k in range(grid.slot_count) if mask >> k & 1 and grid.slot_start(k).day == 10
    ]
    assert between[0] == datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
    assert between[-1] == datetime(2026, 3, 10, 16, 30, tzinfo=UTC)
    after = [
        grid.slot_start(k) for k in range(grid.slot_count) if mask >> k & 1 and grid.slot_start(k).day == 30
    ]
    assert after[0] == datetime(2026, 3, 30, 13, 0, tzinfo=UTC)  # London 14:00 BST, New York 09:00 EDT


def test_half_hour_zone() -> None:
    # Kolkata 09:00-17:00 is 03:30-11:30 UTC; London 08:00-16:00 GMT leaves 08:00-11:30 UTC.
    people = [person(f"in{i}", "Asia/Kolkata", country="IN") for i in range(2)]
    people += [person(f"gb{i}", "Europe/London", hours=["08:00", "16:00"], country="GB") for i in range(2)]
    data = {"month": "2026-02", "min_size": 4, "max_size": 7, "participants": people}
    output = plan(data)
    check_invariants(data, output)
    assert output == {
        "groups": [
            {
                "members": ["gb0", "gb1", "in0", "in1"],
                "facilitator": None,
                "start_utc": "2026-02-02T08:00:00+00:00",
                "minutes": 30,
            }
        ],
        "unplaced": [],
    }
    kathmandu = Schedule("Asia/Kathmandu", 9 * 60, 17 * 60, frozenset(range(5)))
    assert find_slot("2026-02", [kathmandu]) == datetime(2026, 2, 2, 3, 30, tzinfo=UTC)  # 09:15 there


def test_people_who_can_never_meet_are_told_why() -> None:
    sydney = [person(f"syd{i}", "Australia/Sydney", country="AU", subdivision="NSW") for i in range(2)]
    london = [person(f"lon{i}", "Europe/London", country="GB") for i in range(2)]
    output = plan({"month": "2026-05", "participants": sydney + london})
    assert output["groups"] == []
    assert [item["id"] for item in output["unplaced"]] == ["lon0", "lon1", "syd0", "syd1"]
    for item in output["unplaced"]:
        assert item["reason"].startswith("No group of at least 4 shares your working hours this month")


def test_similar_stage_reason() -> None:
    near = [person(f"a{i}", "Europe/Berlin", stage=2) for i in range(3)]
    far = [person(f"b{i}", "Europe/Berlin", stage=35) for i in range(3)]
    output = plan({"month": "2026-05", "participants": near + far})
    assert output["groups"] == []
    assert all(item["reason"].startswith("Only 3 people at a similar stage") for item in output["unplaced"])


def test_exclusions_split_groups_and_reach_the_facilitator() -> None:
    people = [person(f"p{i}", "Europe/Paris") for i in range(8)]
    people[0]["excluded"] = ["p1"]  # p1 is p0's manager: one direction is enough
    mentors = [
        {**person("m0", "Europe/Paris", excluded=["p0"]), "stage_weeks": 0},
        person("m1", "Europe/Paris"),
    ]
    people[5]["excluded"] = ["m1"]
    data = {"month": "2026-05", "participants": people, "facilitators": mentors}
    output = plan(data)
    check_invariants(data | {"min_size": 4, "max_size": 7}, output)
    groups = [group["members"] for group in output["groups"]]
    assert len(groups) == 2 and all(len(group) == 4 for group in groups)
    by_member = {pid: group for group in output["groups"] for pid in group["members"]}
    assert by_member["p0"] is not by_member["p1"]
    assert by_member["p0"]["facilitator"] != "m0"
    assert by_member["p5"]["facilitator"] != "m1"


def test_someone_off_all_month_is_told_so() -> None:
    people = [person(f"p{i}", "Europe/London") for i in range(4)]
    people.append(person("weekend", "Europe/London", working_days=[]))
    output = plan({"month": "2026-05", "participants": people})
    assert [group["members"] for group in output["groups"]] == [["p0", "p1", "p2", "p3"]]
    assert output["unplaced"][0]["id"] == "weekend"
    assert "no time a huddle could meet" in output["unplaced"][0]["reason"]


def test_public_holiday_is_skipped() -> None:
    # 2026-05-04 is the Early May bank holiday in England, not in Ireland's calendar then.
    england = Schedule("Europe/London", 9 * 60, 17 * 60, frozenset(range(5)), "GB", "ENG")
    assert find_slot("2026-05", [england]) == datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    mondays = Schedule("Europe/London", 9 * 60, 17 * 60, frozenset({0}), "GB", "ENG")
    assert find_slot("2026-05", [mondays]) == datetime(2026, 5, 11, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"month": "2026-13"}, "YYYY-MM"),
        ({"min_size": 3}, "min_size"),
        ({"max_size": 8}, "max_size"),
        ({"participants": [person("a", "Mars/Base")]}, "unknown time zone"),
        ({"participants": [person("a", "UTC", hours=["17:00", "09:00"])]}, "end after"),
        ({"participants": [person("a", "UTC", country="XX")]}, "no public holiday calendar"),
        ({"participants": [person("a", "UTC"), person("a", "UTC")]}, "appears twice"),
        ({"participants": [{"id": "a"}]}, "missing key"),
        ({"colour": "blue"}, "unknown key"),
    ],
)
def test_bad_input_is_named(change: dict[str, Any], message: str) -> None:
    data = {"month": "2026-05", "participants": []} | change
    with pytest.raises(ValueError, match=message):
        plan(data)


def test_ten_thousand_people_are_all_either_placed_or_listed_unplaced() -> None:
    """Every one of 10,000 people ends up in a group or among the unplaced, once. (How fast is
    the benchmark's: ``python -m bench --only huddles``, never a timed assertion here.)"""
    zones = ["Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "Europe/Berlin"]
    people = [
        Participant(
            f"u{i:05d}",
            Schedule(zones[i % 5], 9 * 60, 17 * 60, frozenset(range(5))),
            stage_weeks=i % 39,
        )
        for i in range(10_000)
    ]
    cohorts = form_cohorts(people, MonthGrid.parse("2026-03"))
    placed = [member for group in cohorts.groups for member in group.members]
    assert len(placed) + len(cohorts.unplaced) == 10_000
    ids = {getattr(member, "id", member) for member in placed} | {
        getattr(p, "id", p) for p in cohorts.unplaced
    }
    assert len(ids) == 10_000


def test_one_person_who_cannot_join_does_not_stop_the_others_forming_a_group() -> None:
    # Kolkata excludes one Londoner and cannot meet New York: the four others still share 14:00 UTC.
    def person(pid: str, zone: str, **extra: object) -> dict[str, object]:
        return {
            "id": pid,
            "timezone": zone,
            "stage_weeks": 4,
            "working_hours": ["09:00", "17:00"],
            "working_days": [0, 1, 2, 3, 4],
            **extra,
        }

    result = plan(
        {
            "month": "2026-03",
            "min_size": 4,
            "max_size": 7,
            "participants": [
                person("a", "Europe/London"),
                person("b", "Europe/Berlin"),
                person("c", "America/New_York"),
                person("d", "Asia/Kolkata", excluded=["a"]),
                person("e", "Europe/London"),
            ],
        }
    )

    assert [group["members"] for group in result["groups"]] == [["a", "b", "c", "e"]]
    assert [item["id"] for item in result["unplaced"]] == ["d"]


@pytest.mark.parametrize(
    ("field", "first", "second", "message"),
    [
        ("working_days", [1, 2], [True, 2], "working_days"),
        ("working_days", [1, 2], [1.0, 2], "working_days"),
        ("working_hours", ["09:00", "17:00"], ["09:00", 17], "HH:MM"),
        ("timezone", "Europe/London", ["Europe/London"], "timezone"),
    ],
)
def test_a_schedule_read_once_does_not_let_a_look_alike_through(
    field: str, first: Any, second: Any, message: str
) -> None:
    # Schedules already read are reused by their raw fields; a value that only compares equal
    # (True == 1, 1.0 == 1) or is of another type is still checked, and refused.
    people = [
        person("p0", "Europe/London", **{field: first}),
        person("p1", "Europe/London", **{field: second}),
    ]
    with pytest.raises(ValueError, match=rf"participants\[1\].*{message}"):
        plan({"month": "2026-05", "participants": people})
