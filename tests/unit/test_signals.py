"""Check-in signals, the look back and the dates after an arrival.

Worked examples first, written so a person can check them with a calendar (2026 has 53 ISO
weeks, 2027 has 52, which is where a "week after" computed by string arithmetic goes wrong);
then properties over generated histories.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hr_plugin.vault.signals import (
    GOOD_SIGNS,
    MILESTONE_WINDOW,
    MILESTONES,
    RATINGS,
    Signal,
    TrendPoint,
    WeekEntry,
    current_signals,
    first_conversation_offered,
    iso_week,
    milestone_dates,
    milestones_due,
    milestones_from,
    quarterly_review_due,
    shift_week,
    trend,
    warning_signs_offered,
    week_start,
)

NONE_GOOD = "none_good"
TWO_NONE = Signal.TWO_WEEKS_NONE_GOOD
SAME = Signal.SAME_THREE_WEEKS
NO_REMINDER = Signal.WITHOUT_REMINDER
BOTH_NONE = Signal.BOTH_TWO_WEEKS_NONE_GOOD
CLOSE = Signal.CLOSENESS_OUTSIDE_PLAN


def entry(
    week: str,
    rating: str = "neutral",
    answers: tuple[str, ...] = ("a hug", "none", "a walk"),
    *,
    reminder: bool = True,
    experiment: str | None = None,
    partner: str | None = None,
    close: bool = False,
) -> WeekEntry:
    return WeekEntry(
        week,
        rating,
        answers,
        experiment,
        came_from_reminder=reminder,
        partner_rating=partner,
        closeness_outside=close,
    )


# --- weeks ----------------------------------------------------------------------------------


def test_weeks_across_a_53_week_year() -> None:
    assert week_start("2026-W53") == date(2026, 12, 28)
    assert shift_week("2026-W52", 1) == "2026-W53"
    assert shift_week("2026-W53", 1) == "2027-W01"
    assert shift_week("2027-W52", 1) == "2028-W01"
    assert iso_week(date(2027, 1, 1)) == "2026-W53"


@pytest.mark.parametrize("week", ["2027-W53", "2026-W00", "2026-48", "2026-W4", "26-W48"])
def test_a_week_that_does_not_exist_is_refused(week: str) -> None:
    with pytest.raises(ValueError):
        WeekEntry(week, "neutral", ())


def test_an_unknown_rating_is_refused() -> None:
    with pytest.raises(ValueError):
        WeekEntry("2026-W48", "great", ())


def test_an_entry_is_read_from_the_stored_record() -> None:
    record = {
        "week": "2026-W48",
        "rating": "demanding",
        "restorative": "a hug",
        "demand": "",
        "vulnerability": "ask",
        "experiment": None,
        "from_reminder": False,
    }
    assert WeekEntry.from_record(record) == WeekEntry(
        "2026-W48", "demanding", ("a hug", "", "ask"), None, False
    )


# --- worked examples: signals ---------------------------------------------------------------


def test_two_consecutive_weeks_with_nothing_good() -> None:
    entries = [entry("2026-W46"), entry("2026-W47", NONE_GOOD), entry("2026-W48", NONE_GOOD)]
    assert TWO_NONE in current_signals(entries)


def test_nothing_good_twice_but_with_a_gap_is_not_two_weeks_running() -> None:
    entries = [entry("2026-W46", NONE_GOOD), entry("2026-W48", NONE_GOOD)]
    assert TWO_NONE not in current_signals(entries)


def test_a_better_week_in_between_breaks_the_run() -> None:
    entries = [entry("2026-W46", NONE_GOOD), entry("2026-W47", "neutral"), entry("2026-W48", NONE_GOOD)]
    assert TWO_NONE not in current_signals(entries)


def test_an_old_run_does_not_count_after_a_better_latest_week() -> None:
    entries = [entry("2026-W46", NONE_GOOD), entry("2026-W47", NONE_GOOD), entry("2026-W48", "restorative")]
    assert TWO_NONE not in current_signals(entries)


def test_two_weeks_running_across_new_year_in_a_53_week_year() -> None:
    assert TWO_NONE in current_signals([entry("2026-W53", NONE_GOOD), entry("2027-W01", NONE_GOOD)])
    # 2026-W52 and 2027-W01 look adjacent but 2026-W53 lies between them
    assert TWO_NONE not in current_signals([entry("2026-W52", NONE_GOOD), entry("2027-W01", NONE_GOOD)])
    assert TWO_NONE in current_signals([entry("2027-W52", NONE_GOOD), entry("2028-W01", NONE_GOOD)])


def test_the_same_answers_three_weeks_running() -> None:
    entries = [
        entry("2026-W46", answers=("A hug", "Nothing", "Talk")),
        entry("2026-W47", answers=("a  hug ", "nothing", "TALK")),
        entry("2026-W48", answers=("\ta hug", " Nothing\n", "talk")),
    ]
    assert SAME in current_signals(entries)


def test_same_answers_but_a_different_rating_is_not_routine() -> None:
    entries = [entry("2026-W46"), entry("2026-W47"), entry("2026-W48", "restorative")]
    assert SAME not in current_signals(entries)


def test_same_answers_with_a_week_missing_is_not_three_weeks_running() -> None:
    entries = [entry("2026-W45"), entry("2026-W47"), entry("2026-W48")]
    assert SAME not in current_signals(entries)


def test_one_changed_answer_is_enough() -> None:
    entries = [entry("2026-W46"), entry("2026-W47"), entry("2026-W48", answers=("a hug", "none", "a swim"))]
    assert SAME not in current_signals(entries)


def test_checking_in_without_a_reminder_is_noticed() -> None:
    assert current_signals([entry("2026-W47", reminder=False), entry("2026-W48")]) == []
    assert current_signals([entry("2026-W47"), entry("2026-W48", reminder=False)]) == [NO_REMINDER]


def test_both_partners_saying_nothing_felt_good_two_weeks_running_is_the_seeds_signal() -> None:
    both = [entry("2026-W47", NONE_GOOD, partner=NONE_GOOD), entry("2026-W48", NONE_GOOD, partner=NONE_GOOD)]
    assert current_signals(both) == [BOTH_NONE]
    # the partner's part left out one week, or the partner felt otherwise: one person's answers,
    # today's wording
    assert current_signals([entry("2026-W47", NONE_GOOD), both[1]]) == [TWO_NONE]
    assert current_signals([entry("2026-W47", NONE_GOOD, partner="neutral"), both[1]]) == [TWO_NONE]
    # the partner alone saying it twice is not the person's signal
    partner_only = [
        entry("2026-W47", "neutral", partner=NONE_GOOD),
        entry("2026-W48", "neutral", partner=NONE_GOOD),
    ]
    assert BOTH_NONE not in current_signals(partner_only) and TWO_NONE not in current_signals(partner_only)
    # a week between them is not "running"
    assert current_signals([both[0], entry("2026-W49", NONE_GOOD, partner=NONE_GOOD)]) == []
    with pytest.raises(ValueError):
        entry("2026-W48", partner="wonderful")


def test_a_good_sign_only_when_it_is_true() -> None:
    monday_w48 = date(2026, 11, 23)
    this_week = [entry("2026-W47"), entry("2026-W48", reminder=False)]
    assert current_signals(this_week, today=monday_w48) == [NO_REMINDER]
    # with reminders off, checking in "without a reminder" says nothing
    assert current_signals(this_week, today=monday_w48, reminders_on=False) == []
    # the latest entry was last week's: not "you checked in this week"
    assert current_signals(this_week, today=monday_w48 + timedelta(weeks=1)) == []
    # never beside a decay signal for the same weeks
    hard = [entry("2026-W47", NONE_GOOD), entry("2026-W48", NONE_GOOD, reminder=False)]
    assert current_signals(hard, today=monday_w48) == [TWO_NONE]
    same = [entry("2026-W46"), entry("2026-W47"), entry("2026-W48", reminder=False)]
    assert current_signals(same, today=monday_w48) == [SAME]


def test_warning_signs_are_offered_after_repeated_hard_weeks() -> None:
    today = date(2026, 11, 26)  # Thursday of 2026-W48
    assert not warning_signs_offered([entry("2026-W48", NONE_GOOD)], today=today)
    assert warning_signs_offered([entry("2026-W45", NONE_GOOD), entry("2026-W48", NONE_GOOD)], today=today)
    # the partner's hard week counts as a hard week
    assert warning_signs_offered(
        [entry("2026-W46", partner=NONE_GOOD), entry("2026-W47", NONE_GOOD)], today=today
    )
    # outside the four weeks ending this week, or dated after today, they do not count
    assert not warning_signs_offered(
        [entry("2026-W44", NONE_GOOD), entry("2026-W48", NONE_GOOD)], today=today
    )
    assert not warning_signs_offered(
        [entry("2026-W48", NONE_GOOD), entry("2026-W49", NONE_GOOD)], today=today
    )
    assert not warning_signs_offered(
        [entry("2026-W47", "demanding"), entry("2026-W48", "demanding")], today=today
    )


def test_milestones_count_from_the_arrival_else_the_leave() -> None:
    arrival, leave = date(2026, 9, 1), date(2026, 8, 15)
    assert milestones_from(arrival, leave) == arrival
    assert milestones_from(None, leave) == leave
    assert milestones_from(None, None) is None


def test_the_quarterly_review_comes_round_every_thirteen_weeks() -> None:
    started = date(2026, 1, 5)
    mark = started + timedelta(weeks=13)
    assert not quarterly_review_due(started, mark - timedelta(days=1), None)
    assert quarterly_review_due(started, mark, None)
    assert not quarterly_review_due(started, mark + timedelta(days=3), mark + timedelta(days=1))
    # a review written before the mark does not answer the new quarter
    assert quarterly_review_due(started, mark + timedelta(days=3), mark - timedelta(days=1))
    second = started + timedelta(weeks=26)
    assert quarterly_review_due(started, second, mark + timedelta(days=1))
    assert not quarterly_review_due(started, started, None)


def test_no_entries_no_signals() -> None:
    assert current_signals([]) == []
    assert current_signals([], today=date(2026, 11, 23)) == []


def test_a_week_entered_twice_counts_once_and_the_later_wins() -> None:
    entries = [entry("2026-W47", NONE_GOOD), entry("2026-W48", NONE_GOOD), entry("2026-W48", "neutral")]
    assert TWO_NONE not in current_signals(entries)


def test_with_today_only_recent_entries_speak() -> None:
    entries = [entry("2026-W47", NONE_GOOD), entry("2026-W48", NONE_GOOD)]
    monday_w48, monday_w49, monday_w50 = date(2026, 11, 23), date(2026, 11, 30), date(2026, 12, 7)
    assert TWO_NONE in current_signals(entries, today=monday_w48)
    assert TWO_NONE in current_signals(entries, today=monday_w49 + timedelta(days=6))
    assert current_signals(entries, today=monday_w50) == []
    # an entry dated after today (a clock moved back) is ignored
    assert TWO_NONE not in current_signals(entries, today=monday_w48 - timedelta(days=1))


# --- worked examples: trend and dates -------------------------------------------------------


def test_trend_shows_empty_weeks_as_gaps() -> None:
    entries = [entry("2026-W52", "restorative", experiment="walk"), entry("2027-W01", NONE_GOOD)]
    points = trend(entries, weeks=4, today=date(2027, 1, 4))
    assert points == [
        TrendPoint("2026-W51", date(2026, 12, 14), None, None),
        TrendPoint("2026-W52", date(2026, 12, 21), "restorative", "walk"),
        TrendPoint("2026-W53", date(2026, 12, 28), None, None),
        TrendPoint("2027-W01", date(2027, 1, 4), NONE_GOOD, None),
    ]


def test_trend_without_today_ends_at_the_latest_entry() -> None:
    points = trend([entry("2026-W40"), entry("2026-W48")], weeks=8)
    assert [p.week for p in points][-1] == "2026-W48"
    assert [p.rating for p in points] == [None] * 7 + ["neutral"]
    assert trend([], weeks=8) == []
    with pytest.raises(ValueError):
        trend([], weeks=0, today=date(2026, 11, 23))


def test_milestone_dates_and_windows() -> None:
    arrival = date(2026, 8, 31)
    assert milestone_dates(arrival) == {
        "6_weeks": date(2026, 10, 12),
        "3_months": date(2026, 11, 30),
        "6_months": date(2027, 2, 28),  # 31 February does not exist
    }
    assert milestones_due(arrival, date(2026, 10, 11)) == []
    assert milestones_due(arrival, date(2026, 10, 12)) == ["6_weeks"]
    assert milestones_due(arrival, date(2026, 11, 23)) == ["6_weeks"]
    assert milestones_due(arrival, date(2026, 11, 24)) == []
    assert milestones_due(arrival, date(2026, 12, 1)) == ["3_months"]
    assert milestones_due(arrival, date(2027, 4, 11)) == ["6_months"]
    assert milestones_due(arrival, date(2027, 4, 12)) == []


def test_first_conversation_is_offered_in_weeks_four_to_eight() -> None:
    arrival = date(2026, 9, 1)
    assert not first_conversation_offered(arrival, arrival + timedelta(days=27))
    assert first_conversation_offered(arrival, arrival + timedelta(days=28))
    assert first_conversation_offered(arrival, arrival + timedelta(days=56))
    assert not first_conversation_offered(arrival, arrival + timedelta(days=57))
    assert not first_conversation_offered(arrival, arrival - timedelta(days=30))


# --- properties -----------------------------------------------------------------------------

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
weeks = days.map(iso_week)
ratings = st.sampled_from(RATINGS)
answer_text = st.text(alphabet="abcdefghijklmnopqrstuvwxyz .,!'", max_size=20)
answer_sets = st.tuples(answer_text, answer_text, answer_text)


@st.composite
def entries_strategy(draw: st.DrawFn) -> list[WeekEntry]:
    """A history: distinct weeks, some adjacent and some not, in a random order."""
    start = draw(days)
    gaps = draw(st.lists(st.integers(min_value=1, max_value=3), min_size=0, max_size=10))
    offsets = [0]
    for gap in gaps:
        offsets.append(offsets[-1] + gap)
    made = [
        WeekEntry(
            iso_week(start + timedelta(weeks=offset)),
            draw(ratings),
            draw(answer_sets),
            draw(st.none() | st.just("walk")),
            draw(st.booleans()),
            draw(st.none() | ratings),
            closeness_outside=draw(st.booleans()),
        )
        for offset in offsets
    ]
    draw(st.randoms()).shuffle(made)
    return made


def monday(week: str) -> date:
    """A week's Monday, parsed here by hand rather than by the module under test."""
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


@given(entries_strategy())
def test_two_weeks_none_good_needs_both_latest_weeks_none_good_and_adjacent(entries: list[WeekEntry]) -> None:
    fired = TWO_NONE in current_signals(entries)
    ordered = sorted(entries, key=lambda e: monday(e.week))
    if len(ordered) < 2:
        assert not fired
        return
    before, last = ordered[-2], ordered[-1]
    adjacent = monday(before.week) + timedelta(days=7) == monday(last.week)
    both = before.partner_rating == NONE_GOOD and last.partner_rating == NONE_GOOD
    assert fired is (before.rating == NONE_GOOD and last.rating == NONE_GOOD and adjacent and not both)
    assert (BOTH_NONE in current_signals(entries)) is (
        before.rating == NONE_GOOD and last.rating == NONE_GOOD and adjacent and both
    )


@given(entries_strategy(), days, st.booleans())
def test_a_good_sign_never_stands_beside_a_decay_signal(
    entries: list[WeekEntry], today: date, on: bool
) -> None:
    found = current_signals(entries, today=today, reminders_on=on)
    if NO_REMINDER in found or CLOSE in found:
        assert set(found) <= GOOD_SIGNS
    if NO_REMINDER in found:
        assert on


@given(days, st.lists(ratings, max_size=6), st.booleans())
def test_two_weeks_none_good_fires_after_any_history(last_day: date, history: list[str], gap: bool) -> None:
    """Two none_good weeks at the end fire; with a week between them they never do."""
    last = iso_week(last_day)
    before = shift_week(last, -2 if gap else -1)
    older = [entry(shift_week(before, -(i + 1)), rating) for i, rating in enumerate(history)]
    entries = [*older, entry(before, NONE_GOOD), entry(last, NONE_GOOD)]
    assert (TWO_NONE in current_signals(entries)) is not gap


@given(entries_strategy(), st.randoms())
def test_signals_do_not_depend_on_the_order_entries_arrive_in(
    entries: list[WeekEntry], rnd: random.Random
) -> None:
    shuffled = list(entries)
    rnd.shuffle(shuffled)
    assert current_signals(shuffled) == current_signals(entries)


def disguise(text: str, rnd: random.Random) -> str:
    """The same answer typed differently: other case, extra and different spaces."""
    cased = "".join(c.upper() if rnd.random() < 0.5 else c.lower() for c in text)
    spaced = "".join(c + rnd.choice(["", " ", "  ", "\t", "\n", "\u00a0"]) if c == " " else c for c in cased)
    return rnd.choice(["", " ", "\n"]) + spaced + rnd.choice(["", " ", "  "])


@given(weeks, ratings, answer_sets, st.randoms())
def test_same_three_weeks_ignores_case_and_spacing(
    first: str, rating: str, answers: tuple[str, str, str], rnd: random.Random
) -> None:
    entries = [
        entry(shift_week(first, n), rating, tuple(disguise(a, rnd) for a in answers)) for n in range(3)
    ]
    assert SAME in current_signals(entries)


@given(entries_strategy())
def test_same_three_weeks_needs_three_adjacent_weeks_with_one_rating(entries: list[WeekEntry]) -> None:
    last_three = sorted(entries, key=lambda e: e.start)[-3:]
    fired = SAME in current_signals(entries)
    if len(last_three) < 3 or len({e.rating for e in last_three}) > 1:
        assert not fired
    if last_three[-1].start - last_three[0].start != timedelta(weeks=2):
        assert not fired


@given(entries_strategy())
def test_without_reminder_follows_the_latest_entry_unless_a_decay_signal_speaks(
    entries: list[WeekEntry],
) -> None:
    latest = max(entries, key=lambda e: e.start)
    found = current_signals(entries)
    decay = [signal for signal in found if signal not in GOOD_SIGNS]
    assert (NO_REMINDER in found) is (not latest.came_from_reminder and not decay)


@given(entries_strategy(), st.integers(min_value=1, max_value=16), days)
def test_trend_has_exactly_n_points_one_per_week_in_order(
    entries: list[WeekEntry], n: int, today: date
) -> None:
    points = trend(entries, weeks=n, today=today)
    assert len(points) == n
    assert points[-1].week == iso_week(today)
    assert all(b.start - a.start == timedelta(weeks=1) for a, b in pairwise(points))
    by_week = {e.week: e for e in entries}
    for point in points:
        assert point.start == week_start(point.week)
        found = by_week.get(point.week)
        assert point.rating == (found.rating if found else None)


@given(days, st.integers(min_value=-60, max_value=400))
def test_at_most_one_milestone_is_due_and_only_inside_its_window(arrival: date, offset: int) -> None:
    today = arrival + timedelta(days=offset)
    due = milestones_due(arrival, today)
    assert len(due) <= 1
    assert set(due) <= set(MILESTONES)
    dates = milestone_dates(arrival)
    for key in MILESTONES:
        assert (key in due) is (dates[key] <= today <= dates[key] + MILESTONE_WINDOW)
    assert dates["6_weeks"] < dates["3_months"] < dates["6_months"]


@given(days, st.integers(min_value=-30, max_value=120))
def test_first_conversation_window(arrival: date, offset: int) -> None:
    assert first_conversation_offered(arrival, arrival + timedelta(days=offset)) is (28 <= offset <= 56)


# --- closeness outside the plan ---------------------------------------------------------------


def test_closeness_outside_the_plan_is_a_good_sign_for_this_week_or_last() -> None:
    today = date(2026, 11, 25)
    this, last = iso_week(today), shift_week(iso_week(today), -1)
    assert CLOSE in current_signals([entry(this, close=True)], today=today)
    assert CLOSE in current_signals([entry(last, close=True), entry(this)], today=today)
    assert CLOSE in current_signals([entry(last, close=True)], today=today)
    assert CLOSE not in current_signals([entry(shift_week(this, -2), close=True), entry(this)], today=today)
    assert CLOSE not in current_signals([entry(this, close=False)], today=today)


def test_closeness_outside_the_plan_never_stands_beside_a_decay_signal() -> None:
    today = date(2026, 11, 25)
    this, last = iso_week(today), shift_week(iso_week(today), -1)
    hard = [entry(last, NONE_GOOD), entry(this, NONE_GOOD, close=True)]
    assert current_signals(hard, today=today) == [TWO_NONE]


def test_the_closeness_answer_is_read_from_the_stored_record() -> None:
    base = {"week": "2026-W48", "rating": "neutral"}
    assert WeekEntry.from_record({**base, "closeness_outside": "yes"}).closeness_outside is True
    for other in ("no", "rather_not_say", None):
        assert WeekEntry.from_record({**base, "closeness_outside": other}).closeness_outside is False


@given(entries_strategy(), days)
def test_closeness_outside_the_plan_is_shown_exactly_when_true_and_no_decay_speaks(
    entries: list[WeekEntry], today: date
) -> None:
    found = current_signals(entries, today=today)
    this_week = week_start(iso_week(today))
    known = sorted((e for e in entries if e.start <= this_week), key=lambda e: e.start)
    fresh = bool(known) and this_week - known[-1].start <= timedelta(weeks=1)
    recent = [e for e in known[-2:] if this_week - e.start <= timedelta(weeks=1)]
    decay = [signal for signal in found if signal not in GOOD_SIGNS]
    assert (CLOSE in found) is (fresh and any(e.closeness_outside for e in recent) and not decay)


def test_timing_counts_from_the_arrival_else_the_leave_start_and_skips_what_was_answered() -> None:
    from hr_plugin.vault.signals import timing

    today = date(2026, 3, 2)
    six_weeks_ago = today - timedelta(weeks=6)
    by_arrival = timing(
        today=today, arrival=six_weeks_ago, leave_start=None, answered=(), started=today, last_review=None
    )
    assert by_arrival.milestone_due == "6_weeks" and by_arrival.first_conversation
    by_leave = timing(
        today=today, arrival=None, leave_start=six_weeks_ago, answered=(), started=today, last_review=None
    )
    assert by_leave == by_arrival
    answered = timing(
        today=today,
        arrival=six_weeks_ago,
        leave_start=None,
        answered=("6_weeks",),
        started=today - timedelta(weeks=13),
        last_review=None,
    )
    assert answered.milestone_due is None and answered.review_due
    nothing = timing(
        today=today, arrival=None, leave_start=None, answered=(), started=today, last_review=None
    )
    assert nothing.milestone_due is None and not nothing.first_conversation and not nothing.review_due
