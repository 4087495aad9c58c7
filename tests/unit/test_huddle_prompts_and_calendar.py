"""Facilitator notes rotate by month; calendar invitations are valid and stable."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from hr_plugin.vault.content import find_sensitive_words
from huddles.calendar import google_calendar_link, ics, outlook_link
from huddles.prompts import notes_for


def test_consecutive_months_get_different_prompts_and_the_same_ground_rules() -> None:
    march, april = notes_for("2026-03"), notes_for("2026-04")

    assert march.prompts != april.prompts
    assert march.ground_rules == april.ground_rules
    assert any("record" in rule for rule in march.ground_rules)
    assert any("pass" in rule for rule in march.ground_rules)


def test_facilitator_notes_carry_no_sensitive_word() -> None:
    for month in ("2026-01", "2026-02", "2026-03", "2026-04"):
        notes = notes_for(month)
        for line in (*notes.ground_rules, *notes.facilitation, *notes.prompts):
            assert find_sensitive_words(line) == set(), line


def test_the_ics_file_is_a_valid_thirty_minute_event_in_utc() -> None:
    start = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
    data = ics(
        uid="huddle-T1-42-2026-03@rtw",
        start_utc=start,
        minutes=30,
        title="Peer huddle",
        description="Start a Slack huddle in the group message, or use the video link.",
        stamp=datetime(2026, 3, 1, tzinfo=UTC),
    )

    event = next(iter(Calendar.from_ical(data).walk("VEVENT")))
    assert event.decoded("dtstart") == start
    assert (event.decoded("dtend") - start).total_seconds() == 30 * 60
    assert str(event.get("uid")) == "huddle-T1-42-2026-03@rtw"
    with pytest.raises(ValueError):
        ics(uid="x", start_utc=datetime(2026, 3, 10, 14), minutes=30, title="t", description="d", stamp=start)


def test_calendar_links_carry_the_time_in_utc() -> None:
    start = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)

    google = google_calendar_link(start_utc=start, minutes=30, title="Peer huddle", details="How to meet")
    outlook = outlook_link(start_utc=start, minutes=30, title="Peer huddle", details="How to meet")

    assert "20260310T140000Z%2F20260310T143000Z" in google
    assert "startdt=2026-03-10T14%3A00%3A00%2B00%3A00" in outlook
