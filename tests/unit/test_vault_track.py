"""The longer track's pure rules: the week from the start date, the suggested step (never a
target), the monthly fresh look at the household list, and what each tool accepts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hr_plugin.vault import content, track
from hr_plugin.vault.values import VaultError

START = date(2026, 3, 2)


@pytest.mark.parametrize(
    ("days", "week"), [(0, 1), (6, 1), (7, 2), (13, 2), (14, 3), (55, 8), (56, 9), (400, 58), (-3, 1)]
)
def test_the_week_counts_from_the_start_day(days: int, week: int) -> None:
    assert track.week_of(START, START + timedelta(days=days)) == week


@given(st.integers(min_value=-30, max_value=2000))
def test_the_week_is_never_below_one_and_never_falls_as_days_pass(days: int) -> None:
    today = START + timedelta(days=days)
    assert track.week_of(START, today) >= 1
    assert track.week_of(START, today + timedelta(days=1)) >= track.week_of(START, today)


def test_the_shared_aim_comes_first_then_the_step_of_the_week_then_the_review() -> None:
    nothing: set[str] = set()
    assert track.suggested(5, nothing) == track.GOALS  # before anything, whatever the week
    done = {track.GOALS}
    assert track.suggested(1, done) == track.RULES
    assert track.suggested(2, done) == track.RULES
    assert track.suggested(3, done) == track.HOUSEHOLD
    assert track.suggested(5, done) == track.RITUAL
    assert track.suggested(7, done) == track.HELP
    assert track.suggested(9, done) == track.REVIEW
    assert track.suggested(30, done) == track.REVIEW


@given(st.integers(min_value=0, max_value=200), st.sets(st.sampled_from(track.TOOLS)))
def test_a_suggestion_is_always_a_step_of_the_track(week: int, saved: set[str]) -> None:
    assert track.suggested(week, saved) in track.STEP_IDS


def test_the_household_list_asks_for_a_fresh_look_after_a_month_only_once_saved() -> None:
    assert track.look_again_due(None, START) is False
    assert track.look_again_due(START, START + timedelta(days=29)) is False
    assert track.look_again_due(START, START + timedelta(days=30)) is True


def test_each_tool_keeps_its_fields_trimmed_and_names_the_field_it_refuses() -> None:
    kept = track.clean(track.GOALS, {"my_problem": "  tired  ", "my_outcome": "rest", "extra": "x"})
    assert kept == {"my_problem": "tired", "my_outcome": "rest", "their_problem": "", "their_outcome": ""}
    assert "their_problem" not in track.clean(track.GOALS, {}, include_partner=False)
    with pytest.raises(VaultError) as too_long:
        track.clean(track.RULES, {"pause_phrase": "x" * (track.PHRASE_MAX + 1)})
    assert too_long.value.field == "pause_phrase"
    assert "x" not in str(too_long.value)  # a refusal never quotes what was written
    with pytest.raises(VaultError) as empty:
        track.clean(track.ASK, {"when": " ", "felt": "", "ask": ""})
    assert empty.value.field == "when"
    with pytest.raises(VaultError) as stage:
        track.clean(track.TOUCH, {"stage": "4"})
    assert stage.value.field == "stage"
    assert track.clean(track.TOUCH, {"stage": None})["stage"] is None
    with pytest.raises(VaultError) as tally:
        track.clean(track.TALLY, {"repairs": "11"})
    assert tally.value.field == "repairs"


def test_the_household_list_drops_empty_rows_and_checks_owners() -> None:
    rows = [
        {"task": "Bins", "owner": "me"},
        {"task": "", "owner": "partner"},
        {"task": "Shop", "owner": None},
    ]
    assert track.clean(track.HOUSEHOLD, {"tasks": rows}) == {
        "tasks": [{"task": "Bins", "owner": "me"}, {"task": "Shop", "owner": "undecided"}]
    }
    with pytest.raises(VaultError) as owner:
        track.clean(track.HOUSEHOLD, {"tasks": [{"task": "Bins", "owner": "boss"}]})
    assert owner.value.field == "owner_0"
    with pytest.raises(VaultError):
        track.clean(track.HOUSEHOLD, {"tasks": [{"task": "t"}] * (track.HOUSEHOLD_ROWS + 1)})


def test_the_tally_adds_up() -> None:
    assert track.add_to_tally({"repairs": 2}, {"repairs": 1, "gestures": 3}) == {"repairs": 3, "gestures": 3}


def test_progress_reads_where_a_person_is() -> None:
    progress = track.Progress(
        started=START,
        today=START + timedelta(days=15),
        parts={track.GOALS: {"my_problem": "p"}, track.HOUSEHOLD: {"reviewed_on": "2026-03-10"}},
        asks=({"when": "w"},),
    )
    assert progress.active and progress.week == 3
    assert progress.saved == {track.GOALS, track.HOUSEHOLD, track.ASK}
    assert progress.suggested == track.HOUSEHOLD
    assert progress.reviewed() == date(2026, 3, 10)
    assert track.Progress(started=None, today=START, parts={}).week == 0


def test_every_step_has_words_and_the_touch_stages_set_no_target() -> None:
    steps = content.track_words("steps")
    assert set(steps) == set(track.STEP_IDS)
    for step in steps.values():
        assert len(step["title"]) <= 24  # a modal's title
    touch = content.track_words("touch")
    assert set(touch["stages"]) == set(track.STAGES)
    assert all(len(stage["label"]) <= 75 for stage in touch["stages"].values())
    words = str(content.track_words("")).lower()
    for target in ("by week", "should be at", "on track", "behind"):
        assert target not in words
    assert len(content.track_words("household")["defaults"]) == track.HOUSEHOLD_ROWS
