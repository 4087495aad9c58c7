"""Calendar invitations for a huddle: an .ics file (RFC 5545, via ``icalendar``) and a link.

The event carries the time and how to meet, nothing about who else is in the group beyond
what the group DM already shows, and never anything said in a huddle.

``icalendar`` is imported when an invitation is drawn, not with the module: it is about 3 MB
of resident memory in every web worker, which sends invitations only when a huddle is formed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode

PRODUCT = "-//Return to Work//Peer huddles//EN"


def ics(
    *, uid: str, start_utc: datetime, minutes: int, title: str, description: str, stamp: datetime
) -> bytes:
    """One VEVENT in UTC; ``uid`` is stable per huddle so a re-sent invitation updates, not duplicates."""
    if start_utc.tzinfo is None:
        raise ValueError("the start must be an aware UTC datetime")
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", start_utc)
    event.add("dtend", start_utc + timedelta(minutes=minutes))
    event.add("summary", title)
    event.add("description", description)
    calendar.add_component(event)
    return calendar.to_ical()


def google_calendar_link(*, start_utc: datetime, minutes: int, title: str, details: str) -> str:
    """A link that opens a prefilled event in Google Calendar (one of the calendar links offered)."""
    fmt = "%Y%m%dT%H%M%SZ"
    end = start_utc + timedelta(minutes=minutes)
    query = urlencode(
        {"action": "TEMPLATE", "text": title, "details": details, "dates": f"{start_utc:{fmt}}/{end:{fmt}}"}
    )
    return f"https://calendar.google.com/calendar/render?{query}"


def outlook_link(*, start_utc: datetime, minutes: int, title: str, details: str) -> str:
    end = start_utc + timedelta(minutes=minutes)
    query = urlencode(
        {
            "path": "/calendar/action/compose",
            "rru": "addevent",
            "subject": title,
            "body": details,
            "startdt": start_utc.isoformat(),
            "enddt": end.isoformat(),
        }
    )
    return f"https://outlook.office.com/calendar/0/deeplink/compose?{query}"
