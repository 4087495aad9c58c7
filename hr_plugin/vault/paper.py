"""What the two single-use links made for home deliver, built from plain values: the weekly
questions on paper, and the weekly ritual as a calendar file for both partners' calendars.

Pure (no database, no Slack). Neither names the company or carries anything from the app: the
page holds the questions and room to write, the calendar file a neutral title and a time. The
partner never enters the company's systems; these leave it in the employee's hands.

``icalendar`` is imported when a calendar file is made, not with the module: it is about 3 MB
of resident memory in every web worker, which makes one only when such a link is opened.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from html import escape
from zoneinfo import ZoneInfo

from hr_plugin.vault import content

PRODUCT = "-//Return to Work//Weekly ritual//EN"
RITUAL_MINUTES = 15
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

_PAGE_STYLE = (
    "body{font-family:Georgia,serif;max-width:44rem;margin:2rem auto;padding:0 1rem;line-height:1.5}"
    "h1{font-size:1.6rem}h2{font-size:1.1rem;margin-top:2rem}"
    ".room{display:grid;grid-template-columns:1fr 1fr;gap:1rem}"
    ".room div{border:1px solid #999;min-height:7rem;padding:.4rem;font-size:.85rem;color:#555}"
    "@media print{body{margin:0}}"
)


def questions_page(*, include_partner: bool) -> bytes:
    """A print-ready page: the three questions, each with room for both people to write."""
    words = content.paper_page(include_partner=include_partner)
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(words['title'])}</title><style>{_PAGE_STYLE}</style></head><body>",
        f"<h1>{escape(words['title'])}</h1>",
        f"<p>{escape(words['intro'])}</p>",
    ]
    columns = [words["first"], words["second"]] if include_partner else [words["first"]]
    for question in content.checkin_questions(include_partner_questions=include_partner):
        parts.append(f'<h2>{escape(question.text)}</h2><div class="room">')
        parts.extend(f"<div>{escape(column)}</div>" for column in columns)
        parts.append("</div>")
    parts.append(f"<p>{escape(words['closing'])}</p></body></html>")
    return "\n".join(parts).encode()


def next_on(weekday: int, at: str, timezone: str, today: date) -> datetime:
    """The first ``weekday`` (0 = Monday) at ``at`` (HH:MM) on or after ``today``, local time."""
    hour, minute = (int(part) for part in at.split(":"))
    day = today + timedelta(days=(weekday - today.weekday()) % 7)
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(timezone))


def ritual_ics(*, uid: str, weekday: int, at: str, timezone: str, today: date, stamp: datetime) -> bytes:
    """One weekly event at the check-in's local time, with a neutral title and no description:
    the file is meant to be forwarded, so it says nothing about what the time is for."""
    from icalendar import Calendar, Event

    start = next_on(weekday, at, timezone, today)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=RITUAL_MINUTES))
    event.add("rrule", {"freq": "weekly", "byday": _DAYS[weekday]})
    event.add("summary", content.ritual_title())
    calendar.add_component(event)
    calendar.add_missing_timezones(first_date=start.date(), last_date=start.date() + timedelta(days=3660))
    return calendar.to_ical()
