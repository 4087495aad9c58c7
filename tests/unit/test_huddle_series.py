"""The rhythm of huddles (``huddles.series``) and the Block Kit around them, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.models.views import View

from huddles import messages, series
from huddles import views as v
from huddles.cohorts import Participant, form_cohorts
from huddles.plan import place
from huddles.prompts import notes_for
from huddles.slots import MonthGrid, Schedule, is_holiday

LONDON = Schedule("Europe/London", 9 * 60, 17 * 60, frozenset(range(5)), "GB")
NEW_YORK = Schedule("America/New_York", 9 * 60, 17 * 60, frozenset(range(5)), "US", "NY")


def test_cycle_months_follow_the_cadence() -> None:
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    assert all(series.is_cycle_month(m, 1) for m in months)
    assert [m for m in months if series.is_cycle_month(m, 3)] == ["2026-01", "2026-04", "2026-07", "2026-10"]
    assert series.next_month("2026-12") == "2027-01"


def test_planning_opens_two_weeks_before_the_allowed_week() -> None:
    cadence = series.Cadence(week_of_month=2)
    assert series.allowed_days("2026-02", 2) == (date(2026, 2, 8), date(2026, 2, 14))
    assert series.planning_opens("2026-02", cadence) == date(2026, 1, 25)
    assert series.allowed_days("2026-02", 0) == (date(2026, 2, 1), date(2026, 2, 28))


def test_the_window_keeps_the_allowed_days_and_two_days_notice() -> None:
    grid = MonthGrid.parse("2026-02")
    now = datetime(2026, 2, 9, 10, tzinfo=UTC)
    mask = series.window(grid, series.Cadence(week_of_month=2), now)
    first = grid.earliest(mask)
    assert first == now + series.MIN_NOTICE
    last = max(i for i in range(grid.slot_count) if mask >> i & 1)
    assert grid.slot_start(last) == datetime(2026, 2, 14, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("cadence", "field"),
    [
        (series.Cadence(every_months=4), "every_months"),
        (series.Cadence(week_of_month=5), "week_of_month"),
        (series.Cadence(avoided_weekdays=frozenset({0, 1, 2, 3, 4})), "avoided_weekdays"),
        (series.Cadence(min_size=3), "min_size"),
        (series.Cadence(min_size=6, max_size=5), "max_size"),
        (series.Cadence(max_size=8), "max_size"),
        (series.Cadence(eligible_months=0), "eligible_months"),
    ],
)
def test_settings_that_cannot_work_name_their_field(cadence: series.Cadence, field: str) -> None:
    with pytest.raises(series.SettingsError) as caught:
        cadence.check()
    assert caught.value.field == field


def test_eligibility_is_back_by_the_planning_day_and_inside_the_window() -> None:
    planning = date(2026, 1, 25)
    assert series.is_eligible(date(2026, 1, 19), "2026-02", planning, 9)
    assert not series.is_eligible(date(2026, 2, 9), "2026-02", planning, 9)  # a newcomer next time
    assert not series.is_eligible(date(2025, 5, 1), "2026-02", planning, 9)  # back 9 months by then
    assert series.stage_weeks(date(2026, 1, 19), "2026-02") == 3


def test_the_day_before_message_moves_to_friday_for_a_monday_huddle() -> None:
    monday = datetime(2026, 2, 9, 14, tzinfo=UTC)
    moment = series.day_before_moment(LONDON, monday, datetime(2026, 2, 1, tzinfo=UTC))
    assert moment == datetime(2026, 2, 6, 16, 30, tzinfo=UTC)  # Friday, the last half hour of the day
    tuesday = datetime(2026, 2, 10, 14, tzinfo=UTC)
    assert series.day_before_moment(LONDON, tuesday, datetime(2026, 2, 1, tzinfo=UTC)) == tuesday - timedelta(
        hours=24
    )
    late = datetime(2026, 2, 9, 12, tzinfo=UTC)
    assert series.day_before_moment(LONDON, monday, late) == late  # never in the past


@settings(max_examples=60, deadline=None)
@given(
    month=st.sampled_from(["2026-03", "2026-10", "2026-12", "2027-04"]),
    week=st.integers(0, 4),
    avoided=st.frozensets(st.integers(0, 6), max_size=3),
    zones=st.lists(
        st.sampled_from(
            ["Europe/London", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney"]
        ),
        min_size=4,
        max_size=10,
    ),
)
def test_planned_slots_keep_to_hr_settings_and_everyones_own_calendar(
    month: str, week: int, avoided: frozenset[int], zones: list[str]
) -> None:
    """Whatever HR chose: every slot is on an allowed day, not on an avoided weekday in any
    member's own calendar, inside each member's hours on a working day that is not a holiday
    there (DST included, since March, October and April change clocks)."""
    cadence = series.Cadence(week_of_month=week, avoided_weekdays=avoided)
    country = {"Europe/London": "GB", "Europe/Berlin": "DE", "America/New_York": "US"}
    people = [
        Participant(
            f"p{index}",
            series.without_avoided(
                Schedule(zone, 9 * 60, 17 * 60, frozenset(range(5)), country.get(zone)), avoided
            ),
        )
        for index, zone in enumerate(zones)
    ]
    grid = MonthGrid.parse(month)
    grid.window = series.window(grid, cadence, datetime(2026, 1, 1, tzinfo=UTC))
    cohorts = form_cohorts(people, grid)
    first, last = series.allowed_days(month, week)
    by_id = {person.id: person for person in people}
    for placed in place(cohorts.groups, [], {}, grid):
        assert first <= placed.start_utc.date() <= last
        for member in placed.members:
            schedule = by_id[member].schedule
            local = placed.start_utc.astimezone(ZoneInfo(schedule.timezone))
            end = (placed.start_utc + timedelta(minutes=30)).astimezone(ZoneInfo(schedule.timezone))
            assert local.weekday() in schedule.working_days and local.weekday() not in avoided
            assert not is_holiday(schedule, local.date())
            assert local.hour * 60 + local.minute >= 9 * 60 and end.hour * 60 + end.minute <= 17 * 60
            assert end.date() == local.date()


def test_a_group_keeps_its_facilitator_when_they_still_fit() -> None:
    members = [Participant(f"m{i}", LONDON) for i in range(4)]
    grid = MonthGrid.parse("2026-02")
    cohorts = form_cohorts(members, grid)
    helpers = [Participant("f1", LONDON), Participant("f2", LONDON)]
    assert place(cohorts.groups, helpers, {}, grid)[0].facilitator == helpers[0]
    assert place(cohorts.groups, helpers, {}, grid, ["f2"])[0].facilitator == helpers[1]


def _meeting(link: str | None = None) -> messages.Meeting:
    return messages.Meeting(
        7, datetime(2026, 3, 9, 13, tzinfo=UTC), 30, link, ("Europe/London", "America/New_York")
    )


def test_the_invitation_shows_each_zone_and_buttons_for_each_answer() -> None:
    blocks = messages.invitation_blocks(_meeting())
    text = str(blocks)
    assert "Mon 09:00 New York · Mon 13:00 London" in text  # New York is on summer time already
    actions = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert actions[:3] == [messages.ATTEND_ACTION, messages.SKIP_ACTION, messages.LEAVE_ACTION]
    assert "start a Slack huddle" in text
    assert "https://meet.example.com/x" in str(
        messages.invitation_blocks(_meeting("https://meet.example.com/x"))
    )


def test_the_calendar_file_is_an_ics_with_a_stable_uid() -> None:
    name, content = messages.ics_file(_meeting(), datetime(2026, 2, 20, tzinfo=UTC), "T1")
    assert name == "peer-huddle-2026-03-09.ics"
    assert "UID:huddle-7@T1.rtw" in content and "DTSTART:20260309T130000Z" in content


def test_the_facilitator_notes_carry_the_months_prompts_and_ground_rules() -> None:
    blocks = messages.notes_blocks(_meeting(), notes_for("2026-03"), 6)
    text = str(blocks)
    assert all(prompt in text for prompt in notes_for("2026-03").prompts)
    assert "nobody records" in text.lower() or "Nobody records" in text


def test_feedback_offers_one_to_five_and_a_way_to_say_you_missed_it() -> None:
    elements = messages.feedback_blocks(7)[1]["elements"]
    assert [e["value"] for e in elements] == ["7:1", "7:2", "7:3", "7:4", "7:5", "7:0"]


def test_the_settings_modal_is_valid_block_kit_with_current_values() -> None:
    view = v.settings_modal(
        enabled=True,
        every_months=2,
        week_of_month=3,
        avoided_weekdays=[4],
        min_size=5,
        max_size=6,
        eligible_months=12,
        video_link="https://meet.example.com/x",
    )
    assert isinstance(view, View)
    shown = view.to_dict()
    blocks = {b.get("block_id"): b for b in shown["blocks"]}
    assert blocks[v.EVERY_BLOCK]["element"]["initial_option"]["value"] == "2"
    assert blocks[v.WEEK_BLOCK]["element"]["initial_option"]["value"] == "3"
    assert blocks[v.AVOID_BLOCK]["element"]["initial_options"][0]["value"] == "4"
    assert blocks[v.LINK_BLOCK]["element"]["initial_value"] == "https://meet.example.com/x"


def test_hr_blocks_show_totals_and_hide_small_numbers() -> None:
    blocks = [
        b.to_dict()
        for b in v.hr_blocks(
            schedule=[(datetime(2026, 3, 9, 13, tzinfo=UTC), 6, True)],
            months=[("2026-03", 1, 6, 5, None, None, 0)],
            summary="Every month",
        )
    ]
    text = str(blocks)
    assert "Mon 09 Mar 13:00 UTC: 6 people, facilitated" in text
    assert "ratings: fewer than the anonymity minimum" in text
