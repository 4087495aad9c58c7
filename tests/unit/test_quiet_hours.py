"""Quiet hours, computed in the person's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from hr_plugin.quiet_hours import next_working_moment

ZONES = ["Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Adelaide", "Pacific/Auckland", "UTC"]


def test_inside_working_hours_is_now() -> None:
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # Monday 10:00 in London
    assert next_working_moment(now, "Europe/London") == now


def test_before_the_day_starts_waits_for_nine_local() -> None:
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # 05:00 in New York
    assert next_working_moment(now, "America/New_York") == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def test_friday_evening_waits_for_monday() -> None:
    now = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)  # Friday 18:00 in London
    assert next_working_moment(now, "Europe/London") == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_the_daylight_saving_change_moves_the_utc_answer() -> None:
    saturday = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)  # clocks go forward in London overnight on Sunday
    assert next_working_moment(saturday, "Europe/London") == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)


def test_a_half_hour_zone_and_a_part_time_week() -> None:
    now = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)  # Thursday 11:30 in India, but they work Mon-Wed
    answer = next_working_moment(
        now, "Asia/Kolkata", working_days=(0, 1, 2), start=time(9, 30), end=time(15, 0)
    )
    assert answer.astimezone(ZoneInfo("Asia/Kolkata")) == datetime(
        2026, 11, 30, 9, 30, tzinfo=ZoneInfo("Asia/Kolkata")
    )


def test_nobody_is_held_forever() -> None:
    now = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    assert next_working_moment(now, "UTC", working_days=()) == now


@given(
    moment=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31)),
    zone=st.sampled_from(ZONES),
    days=st.sets(st.integers(0, 6), min_size=1),
    start_hour=st.integers(0, 20),
    length=st.integers(1, 3),
)
def test_the_answer_is_never_early_and_always_inside_working_hours(
    moment: datetime, zone: str, days: set[int], start_hour: int, length: int
) -> None:
    now = moment.replace(tzinfo=UTC)
    start, end = time(start_hour), time(start_hour + length)

    answer = next_working_moment(now, zone, days, start, end)

    assert answer >= now
    assert answer - now <= timedelta(days=8)
    local = answer.astimezone(ZoneInfo(zone))
    assert local.weekday() in days
    assert start <= local.time() < end or (local.time() >= start and answer == now)


def test_working_hours_swallowed_by_the_clocks_going_forward_move_to_the_next_day() -> None:
    # On 30 March 2025 London skips 01:00-02:00: a working hour there does not exist that day.
    now = datetime(2025, 3, 29, 2, 0, tzinfo=UTC)
    answer = next_working_moment(now, "Europe/London", range(7), time(1), time(2))
    assert answer == datetime(2025, 3, 31, 0, 0, tzinfo=UTC)  # 01:00 BST the day after
