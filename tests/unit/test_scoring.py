"""Scoring and eligibility: hard constraints hold, weights are positive, reasons leak nothing.

The privacy properties follow DESIGN.md's disclosure matrix: a mentee's preferences never
reach the mentor, and a tag the mentor did not share never reaches the mentee, not in words
and not in the weight.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from mentoring.scoring import (
    TAG_REASONS,
    TAGS,
    MenteeProfile,
    MentorProfile,
    Person,
    ScoringConfig,
    eligible,
    score,
    weekly_working_minutes,
    working_overlap_minutes,
)

TODAY = date(2026, 11, 23)
ZONES = [
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/St_Johns",
    "UTC",
]
CLOCKS = ["00:00", "06:30", "08:00", "09:00", "10:15", "13:00", "17:00", "18:30", "22:00", "23:59"]
IDS = ["ana", "bo", "cy", "dee", "eli", "fay"]

tags = st.frozensets(st.sampled_from(sorted(TAGS)))
dates = st.dates(date(2018, 1, 1), date(2032, 12, 31))


@st.composite
def people(draw: st.DrawFn) -> Person:
    start, end = draw(st.lists(st.sampled_from(CLOCKS), min_size=2, max_size=2, unique=True))
    return Person(
        id=draw(st.sampled_from(IDS)),
        timezone=draw(st.sampled_from(ZONES)),
        work_start=start,
        work_end=end,
        working_days=tuple(draw(st.lists(st.integers(0, 6), unique=True, max_size=7))),
        department=draw(st.sampled_from(["", "Engineering", "Sales", "sales ", "People"])),
    )


@st.composite
def mentees(draw: st.DrawFn) -> MenteeProfile:
    return MenteeProfile(
        person=draw(people()),
        preferences=draw(tags),
        excluded=draw(st.frozensets(st.sampled_from(IDS))),
    )


@st.composite
def mentors(draw: st.DrawFn) -> MentorProfile:
    capacity = draw(st.integers(1, 3))
    return MentorProfile(
        person=draw(people()),
        tags=draw(tags),
        share_tags=draw(st.booleans()),
        returned_on=draw(st.none() | dates),
        capacity=capacity,
        load=draw(st.integers(0, 4)),
        paused=draw(st.booleans()),
    )


configs = st.builds(
    ScoringConfig,
    hours=st.integers(0, 60),
    department=st.integers(0, 30),
    per_shared_tag=st.integers(0, 20),
    max_shared_tags=st.integers(0, 4),
    recency=st.integers(0, 20),
    load=st.integers(0, 20),
    base=st.integers(1, 3),
    prefer_other_department=st.booleans(),
)


# --- eligibility: the hard constraints -------------------------------------------------------


@settings(max_examples=500)
@given(
    mentees(),
    mentors(),
    st.frozensets(st.sampled_from(IDS)),
    st.frozensets(st.tuples(st.sampled_from(IDS), st.sampled_from(IDS))),
)
def test_eligible_never_admits_a_broken_hard_constraint(
    mentee: MenteeProfile,
    mentor: MentorProfile,
    chain: frozenset[str],
    declined: frozenset[tuple[str, str]],
) -> None:
    admitted = eligible(mentee, mentor, chain=chain, declined_pairs=declined)
    a, b = mentee.person.id, mentor.person.id
    broken = (
        a == b
        or b in chain
        or mentor.paused
        or mentor.load >= mentor.capacity
        or (a, b) in declined
        or (b, a) in declined
        or b in mentee.excluded
    )
    # Never admits a broken constraint, and refuses nothing else.
    assert admitted is not broken


def test_eligible_worked_examples() -> None:
    mentee = MenteeProfile(Person("ana", "Europe/London"), excluded=frozenset({"cy"}))
    open_mentor = MentorProfile(Person("bo", "Europe/London"), capacity=2, load=1)
    none: frozenset[tuple[str, str]] = frozenset()
    assert eligible(mentee, open_mentor, chain=frozenset(), declined_pairs=none)
    # Manager, or anyone up or down the chain.
    assert not eligible(mentee, open_mentor, chain=frozenset({"bo"}), declined_pairs=none)
    assert not eligible(
        mentee, dataclasses.replace(open_mentor, load=2), chain=frozenset(), declined_pairs=none
    )
    assert not eligible(
        mentee, dataclasses.replace(open_mentor, paused=True), chain=frozenset(), declined_pairs=none
    )
    assert not eligible(mentee, open_mentor, chain=frozenset(), declined_pairs=frozenset({("ana", "bo")}))
    assert not eligible(mentee, open_mentor, chain=frozenset(), declined_pairs=frozenset({("bo", "ana")}))
    excluded = MentorProfile(Person("cy", "Europe/London"))
    assert not eligible(mentee, excluded, chain=frozenset(), declined_pairs=none)
    herself = MentorProfile(Person("ana", "Europe/London"))
    assert not eligible(mentee, herself, chain=frozenset(), declined_pairs=none)


# --- weights and reasons ---------------------------------------------------------------------


@settings(max_examples=400)
@given(mentees(), mentors(), dates, configs)
def test_weights_are_positive_integers_and_reasons_are_few_and_plain(
    mentee: MenteeProfile, mentor: MentorProfile, today: date, config: ScoringConfig
) -> None:
    scored = score(mentee, mentor, today=today, config=config)
    assert isinstance(scored.weight, int) and scored.weight >= 1
    for reasons in (scored.reasons_for_mentee, scored.reasons_for_mentor):
        assert 1 <= len(reasons) <= 3
        assert len(set(reasons)) == len(reasons)
        assert all(reason and reason[0].isupper() for reason in reasons)
    assert score(mentee, mentor, today=today, config=config) == scored


def labels_in(text: str) -> set[str]:
    return {tag for tag, label in TAGS.items() if label.casefold() in text.casefold()}


@settings(max_examples=400)
@given(mentees(), mentors(), dates, configs)
def test_reasons_for_the_mentor_never_mention_a_tag_or_preference(
    mentee: MenteeProfile, mentor: MentorProfile, today: date, config: ScoringConfig
) -> None:
    scored = score(mentee, mentor, today=today, config=config)
    for reason in scored.reasons_for_mentor:
        assert not labels_in(reason), reason
        assert reason not in TAG_REASONS.values()
    # Stronger: what the mentor reads does not depend on the mentee's preferences at all.
    other = dataclasses.replace(mentee, preferences=frozenset(TAGS) - mentee.preferences)
    assert score(other, mentor, today=today, config=config).reasons_for_mentor == scored.reasons_for_mentor


@settings(max_examples=400)
@given(mentees(), mentors(), dates, configs)
def test_reasons_for_the_mentee_never_mention_an_unshared_tag(
    mentee: MenteeProfile, mentor: MentorProfile, today: date, config: ScoringConfig
) -> None:
    scored = score(mentee, mentor, today=today, config=config)
    shown: set[str] = set()
    for reason in scored.reasons_for_mentee:
        shown |= labels_in(reason)
    shared = mentor.tags if mentor.share_tags else frozenset()
    assert shown <= shared & mentee.preferences
    if not mentor.share_tags:
        assert not shown


@settings(max_examples=300)
@given(mentees(), mentors(), dates, configs, tags)
def test_unshared_tags_do_not_count_at_all(
    mentee: MenteeProfile,
    mentor: MentorProfile,
    today: date,
    config: ScoringConfig,
    other_tags: frozenset[str],
) -> None:
    hidden = dataclasses.replace(mentor, share_tags=False)
    changed = dataclasses.replace(hidden, tags=other_tags)
    assert score(mentee, hidden, today=today, config=config) == score(
        mentee, changed, today=today, config=config
    )


def test_a_shared_tag_the_mentee_asked_for_carries_the_match_for_the_mentee_only() -> None:
    mentee = MenteeProfile(
        Person("ana", "Europe/London", department="Sales"), preferences=frozenset({"part_time_return"})
    )
    mentor = MentorProfile(
        Person("bo", "Europe/London", department="Sales"),
        tags=frozenset({"part_time_return", "twins"}),
        share_tags=True,
    )
    scored = score(mentee, mentor, today=TODAY)
    assert "They returned part-time" in scored.reasons_for_mentee
    assert not any("twins" in reason for reason in scored.reasons_for_mentee)  # not asked for
    assert not any("part-time" in reason for reason in scored.reasons_for_mentor)
    unshared = score(mentee, dataclasses.replace(mentor, share_tags=False), today=TODAY)
    assert scored.weight - unshared.weight == ScoringConfig().per_shared_tag


# --- working hours across time zones ---------------------------------------------------------


@settings(max_examples=300)
@given(people(), people(), dates)
def test_overlap_is_symmetric_and_bounded(a: Person, b: Person, today: date) -> None:
    shared = working_overlap_minutes(a, b, today=today)
    assert shared == working_overlap_minutes(b, a, today=today)
    assert 0 <= shared <= min(weekly_working_minutes(a, today=today), weekly_working_minutes(b, today=today))
    assert working_overlap_minutes(a, a, today=today) == weekly_working_minutes(a, today=today)


@pytest.mark.parametrize(
    ("today", "sydney_minutes"),
    [
        (date(2026, 1, 14), 5 * 8 * 60),
        # Sydney leaves summer time on Sunday 5 April: its Monday 30 March starts at 22:00 UTC on
        # Sunday (2 hours before this UTC week) and Monday 6 April at 23:00 UTC (1 hour in it).
        (date(2026, 4, 1), 5 * 8 * 60 - 60),
        (date(2026, 7, 15), 5 * 8 * 60),
        (date(2026, 10, 28), 5 * 8 * 60),
    ],
)
def test_sydney_and_london_office_hours_never_meet(today: date, sydney_minutes: int) -> None:
    sydney = Person("ana", "Australia/Sydney")
    london = Person("bo", "Europe/London")
    assert working_overlap_minutes(sydney, london, today=today) == 0
    assert weekly_working_minutes(sydney, today=today) == sydney_minutes
    scored = score(MenteeProfile(sydney), MentorProfile(london), today=today)
    assert not any("hours" in reason for reason in scored.reasons_for_mentee)


@given(people(), dates)
@example(
    Person("ana", "Europe/London", work_start="06:30", work_end="23:59", working_days=(0, 6)),
    date(2018, 10, 24),
)
def test_disjoint_hours_in_one_zone_never_meet(person: Person, today: date) -> None:
    # Found by hypothesis: in the week London's clocks went back, a Sunday evening to 23:59
    # "met" the next Monday's 00:00, because that Monday was folded in from summer time.
    assume("00:00" < person.work_start < person.work_end)
    early = dataclasses.replace(person, id="early", work_start="00:00", work_end=person.work_start)
    assert working_overlap_minutes(early, person, today=today) == 0


def test_london_and_new_york_share_three_hours_a_day_and_four_in_the_daylight_saving_gap() -> None:
    london = Person("ana", "Europe/London")
    new_york = Person("bo", "America/New_York")
    assert working_overlap_minutes(london, new_york, today=date(2026, 11, 23)) == 5 * 180
    # 9 to 27 March 2026: New York is on summer time, London not yet, so the gap is 4 hours.
    assert working_overlap_minutes(london, new_york, today=date(2026, 3, 11)) == 5 * 240


def test_a_night_shift_meets_an_early_shift_across_midnight() -> None:
    night = Person("ana", "UTC", work_start="22:00", work_end="06:00")
    early = Person("bo", "UTC", work_start="05:00", work_end="13:00")
    # The night that starts on Monday meets Tuesday's early shift; Friday's night runs into a
    # Saturday the early shift does not work, so four hours a week.
    assert working_overlap_minutes(night, early, today=TODAY) == 4 * 60
    assert weekly_working_minutes(night, today=TODAY) == 5 * 8 * 60


def test_working_days_count() -> None:
    weekdays = Person("ana", "Europe/Berlin")
    weekend = Person("bo", "Europe/Berlin", working_days=(5, 6))
    assert working_overlap_minutes(weekdays, weekend, today=TODAY) == 0
    four_days = Person("cy", "Europe/Berlin", working_days=(0, 1, 2, 3))
    assert working_overlap_minutes(weekdays, four_days, today=TODAY) == 4 * 480


# --- the other components, worked ------------------------------------------------------------


def test_a_worked_score() -> None:
    mentee = MenteeProfile(
        Person("ana", "Europe/London", department="Engineering"),
        preferences=frozenset({"adoptive_parent", "single_parent"}),
    )
    mentor = MentorProfile(
        Person("bo", "America/New_York", department="Sales"),
        tags=frozenset({"adoptive_parent"}),
        share_tags=True,
        returned_on=TODAY - timedelta(days=400),
        capacity=2,
        load=1,
    )
    scored = score(mentee, mentor, today=TODAY)
    # hours 40 * 900 / 2400 = 15, department 15, tag 12, recency 10, load 10 * 1 / 2 = 5, base 1
    assert scored.weight == 15 + 15 + 12 + 10 + 5 + 1
    assert scored.reasons_for_mentee == (
        "Your working hours overlap for some of the week",
        "Different teams, so you can speak freely",
        "They are an adoptive parent",
    )
    assert scored.reasons_for_mentor == (
        "Your working hours overlap for some of the week",
        "Different teams, so you can speak freely",
        "Your own return is recent enough to remember well",
    )


def test_same_office_same_hours_different_team() -> None:
    mentee = MenteeProfile(Person("ana", "Europe/London", department="Sales"))
    mentor = MentorProfile(Person("bo", "Europe/London", department="People"))
    scored = score(mentee, mentor, today=TODAY)
    assert scored.weight == 40 + 15 + 10 + 1
    assert scored.reasons_for_mentee[:2] == (
        "You both work mostly the same hours",
        "Different teams, so you can speak freely",
    )


@pytest.mark.parametrize(
    ("days_ago", "points"),
    [
        (-30, 0),
        (0, 5),
        (182, 5),
        (183, 10),
        (3 * 365, 10),
        (3 * 365 + 1, 5),
        (6 * 365 + 1, 5),
        (6 * 365 + 2, 0),
    ],
)
def test_recency_is_best_between_six_months_and_three_years(days_ago: int, points: int) -> None:
    mentee = MenteeProfile(Person("ana", "UTC", working_days=()))
    plain = MentorProfile(Person("bo", "UTC", working_days=()), load=1)  # full: no load points
    returned = dataclasses.replace(plain, returned_on=TODAY - timedelta(days=days_ago))
    assert score(mentee, returned, today=TODAY).weight - score(mentee, plain, today=TODAY).weight == points


@pytest.mark.parametrize(
    ("capacity", "load", "points"), [(1, 0, 10), (3, 0, 10), (3, 1, 6), (3, 2, 3), (2, 2, 0)]
)
def test_fewer_current_mentees_score_higher(capacity: int, load: int, points: int) -> None:
    mentee = MenteeProfile(Person("ana", "UTC", working_days=()))
    mentor = MentorProfile(Person("bo", "UTC", working_days=()), capacity=capacity, load=load)
    assert score(mentee, mentor, today=TODAY).weight == points + 1


def test_department_preference_is_configurable() -> None:
    mentee = MenteeProfile(Person("ana", "UTC", working_days=(), department="Sales"))
    same = MentorProfile(Person("bo", "UTC", working_days=(), department=" sales"), load=1)
    other = MentorProfile(Person("cy", "UTC", working_days=(), department="People"), load=1)
    unknown = MentorProfile(Person("dee", "UTC", working_days=()), load=1)
    assert score(mentee, other, today=TODAY).weight == 16
    assert score(mentee, same, today=TODAY).weight == 1
    assert score(mentee, unknown, today=TODAY).weight == 1
    same_team = ScoringConfig(prefer_other_department=False)
    assert score(mentee, same, today=TODAY, config=same_team).weight == 16
    assert score(mentee, other, today=TODAY, config=same_team).weight == 1
    assert "Same department, so they know how things work there" in (
        score(mentee, same, today=TODAY, config=same_team).reasons_for_mentee
    )


def test_a_pair_with_nothing_in_common_still_gets_a_true_reason() -> None:
    mentee = MenteeProfile(Person("ana", "UTC", working_days=()))
    mentor = MentorProfile(Person("bo", "UTC", working_days=()), load=1)
    scored = score(mentee, mentor, today=TODAY)
    assert scored.weight == 1
    assert scored.reasons_for_mentee == ("They have been through their own return to work",)


# --- vocabulary and validation ---------------------------------------------------------------


def test_every_tag_has_a_reason_that_names_it() -> None:
    assert TAGS.keys() == TAG_REASONS.keys()
    for tag, label in TAGS.items():
        assert label in TAG_REASONS[tag]
    words = " ".join([*TAGS.values(), *TAG_REASONS.values()]).casefold().split()
    for gendered in ("mother", "father", "mum", "mom", "dad", "she", "he", "her", "his", "wife", "husband"):
        assert gendered not in words


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Person("", "UTC"), "needs an id"),
        (lambda: Person("a", "Mars/Olympus"), "unknown time zone"),
        (lambda: Person("a", "UTC", work_start="9:00"), "work_start must be HH:MM"),
        (lambda: Person("a", "UTC", work_end="24:00"), "work_end must be HH:MM"),
        (lambda: Person("a", "UTC", work_start="09:00", work_end="09:00"), "start and end at the same time"),
        (lambda: Person("a", "UTC", working_days=(0, 7)), "working days"),
        (lambda: Person("a", "UTC", working_days=(1, 1)), "working days"),
        (lambda: MenteeProfile(Person("a", "UTC"), preferences=frozenset({"famous"})), "unknown experience"),
        (lambda: MentorProfile(Person("a", "UTC"), tags=frozenset({"famous"})), "unknown experience"),
        (lambda: MentorProfile(Person("a", "UTC"), capacity=4), "capacity must be 1 to 3"),
        (lambda: MentorProfile(Person("a", "UTC"), capacity=0), "capacity must be 1 to 3"),
        (lambda: MentorProfile(Person("a", "UTC"), load=-1), "load cannot be negative"),
        (lambda: ScoringConfig(base=0), "base must be at least 1"),
        (lambda: ScoringConfig(hours=-1), "hours"),
    ],
)
def test_bad_profiles_are_refused(build: object, message: str) -> None:
    assert callable(build)
    with pytest.raises(ValueError, match=message):
        build()
