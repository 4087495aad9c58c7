"""The company directory: HRIS CSV import, Slack account resolution and reporting chains.

The directory is the ground every feature stands on: mentors must sit outside a person's
reporting chain, capacity plans go to the current manager, and nothing goes to someone whose
Slack account is gone. So the import is strict. A file is checked completely before anything
is written, every problem is reported at once with its line (HR fixes a spreadsheet in one go,
not one error per run), and a file that would leave the org in a bad state (an unknown manager,
a reporting loop) is refused whole.

Slack ids are resolved by paging ``users.list`` (Tier 2, hundreds of users a page: minutes for
a large company) rather than one ``users.lookupByEmail`` per person (Tier 3: hours), and that
happens before the write transaction opens, so no database transaction waits on Slack.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple, cast

import holidays
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import CursorResult, literal, select, update
from sqlalchemy.orm import Session, aliased

from hr_plugin import audit
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.models import Employee
from hr_plugin.org_chart import find_cycle
from hr_plugin.tenants import ensure_tenant

REQUIRED_COLUMNS = ("email", "name", "manager_email", "department", "country")
OPTIONAL_COLUMNS = ("subdivision", "timezone", "slack_user_id", "working_days", "working_hours")
ALL_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

DEFAULT_WORKING_DAYS = (0, 1, 2, 3, 4)
DEFAULT_WORK_START = "09:00"
DEFAULT_WORK_END = "17:00"

# Column widths of ``employees``: checked here because PostgreSQL refuses longer values
# (halfway through a write) while SQLite silently stores them.
_MAX_EMAIL = 320
_MAX_NAME = 200
_MAX_DEPARTMENT = 200
_MAX_SUBDIVISION = 10
_MAX_SLACK_ID = 32

# Characters that are not shown but change how the text around them is shown, or hide that two
# names differ: bidirectional embeddings and overrides (U+202A to U+202E) and isolates (U+2066 to
# U+2069), zero-width spaces, joiners and direction marks (U+200B to U+200F), the word joiner and
# invisible operators (U+2060 to U+2064), the Arabic letter mark, the Mongolian vowel separator
# and a byte order mark inside the text. A name holding U+202E reads backwards from there on, in
# every message that shows it; these are removed from names and departments at import.
INVISIBLE_CHARACTERS = frozenset(
    chr(code)
    for first, last in ((0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x2069))
    for code in range(first, last + 1)
) | {"\u061c", "\u180e", "\ufeff"}

# Deliberately plain: a mail address HR systems export, not every form RFC 5322 allows.
_EMAIL = re.compile(
    r"^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$"
)
_SLACK_ID = re.compile(r"^[UW][A-Z0-9]+$")
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")

USERS_LIST_PAGE = 200
DEFAULT_LOOKUP_LIMIT = 50
_WRITE_PROGRESS_EVERY = 500
# A guard for the recursive chain query should the table ever hold a loop; real orgs are far
# shallower than this.
_MAX_CHAIN_DEPTH = 1000

Progress = Callable[[str], None]


class DirectoryError(ValueError):
    """A directory file that cannot be imported, with every problem found and its line.

    Line 1 is the header; a row's line is its physical line in the file, so HR can go
    straight to it in a text editor or spreadsheet.
    """

    def __init__(self, problems: Iterable[tuple[int, str]]) -> None:
        self.problems: list[tuple[int, str]] = sorted(problems, key=lambda problem: problem[0])
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(f"line {line}: {message}" for line, message in self.problems)


@dataclass(frozen=True)
class DirectoryRow:
    """One person as the HRIS file describes them, already checked and normalised."""

    line: int
    email: str
    name: str
    manager_email: str | None
    department: str
    country: str
    subdivision: str | None = None
    timezone: str | None = None
    slack_user_id: str | None = None
    # None: the file leaves these blank. New people get Monday to Friday, 09:00 to 17:00;
    # people already known keep what they have, which may be what they chose in the App Home.
    working_days: tuple[int, ...] | None = None
    work_start: str | None = None
    work_end: str | None = None


# --------------------------------------------------------------------------------------------
# Parsing (pure)
# --------------------------------------------------------------------------------------------


@cache
def _countries() -> dict[str, tuple[str, ...]]:
    # Without aliases every key is an ISO 3166-1 alpha-2 code, which is what the file must hold.
    return {
        code: tuple(subdivisions)
        for code, subdivisions in holidays.list_supported_countries(include_aliases=False).items()
    }


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_valid_time_zone(name: str) -> bool:
    """Whether ``name`` is an IANA zone this machine knows (Slack's ``tz`` is checked too)."""
    return name in _time_zones()


def _has_control_characters(text: str) -> bool:
    return any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in text)


# The zero-width non-joiner and joiner are part of how some scripts are spelt: a Persian name
# such as "Mohammad\u200cReza" needs the non-joiner, and Indic scripts use both to pick a letter
# form. Between two letters of such a script they stay; anywhere else (between Latin letters, where
# "E\u200dli" would pass for "Eli") they go with the rest.
_JOINERS = frozenset({"\u200c", "\u200d"})
_JOINING_SCRIPTS = (
    (0x0600, 0x06FF),  # Arabic (Persian, Urdu ...)
    (0x0750, 0x077F),  # Arabic Supplement
    (0x08A0, 0x08FF),  # Arabic Extended-A
    (0x0900, 0x0DFF),  # Devanagari to Sinhala
    (0xFB50, 0xFDFF),  # Arabic presentation forms A
    (0xFE70, 0xFEFE),  # Arabic presentation forms B
)


def _joins_letters(before: str, after: str) -> bool:
    def joining(character: str) -> bool:
        is_letter_or_mark = unicodedata.category(character)[0] in "LM"  # a virama is a mark
        return is_letter_or_mark and any(low <= ord(character) <= high for low, high in _JOINING_SCRIPTS)

    return joining(before) and joining(after)


def visible_text(value: str) -> str:
    """``value`` without ``INVISIBLE_CHARACTERS`` and the spaces they may have hidden at its ends.

    Why: a name is shown to other people (a manager's DM, a mentor's introduction, HR's Home),
    and an override in it would make it read as something else there, or pass for another
    person's name. The one exception is a joiner between two letters of a script that spells
    with it (``_JOINING_SCRIPTS``).
    """
    kept = [
        character
        for index, character in enumerate(value)
        if character not in INVISIBLE_CHARACTERS
        or (
            character in _JOINERS
            and 0 < index < len(value) - 1
            and _joins_letters(value[index - 1], value[index + 1])
        )
    ]
    return "".join(kept).strip()


def decode_directory_file(data: bytes) -> str:
    """The text of a directory file, which must be UTF-8 (a byte order mark is allowed).

    Why: a spreadsheet saved as "CSV" in many locales is Latin-1 or Windows-1252, and Python's
    own error names a byte offset nobody can find in a spreadsheet. HR gets the line instead,
    and what to do about it; nothing is guessed, since a wrong guess would garble names.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DirectoryError(
            [
                (
                    line,
                    "this line is not UTF-8 text (the file is in another encoding): export the file "
                    'again as "CSV UTF-8" (in Excel: Save As, "CSV UTF-8 (Comma delimited)") and import that',
                )
            ]
        ) from None


def _check_text(value: str, column: str, limit: int, problems: list[str]) -> str:
    if not value:
        problems.append(f"empty {column}")
    elif len(value) > limit:
        problems.append(f"{column} is longer than {limit} characters")
    elif _has_control_characters(value):
        problems.append(f"{column} contains a line break or control character")
    return value


def _check_email(value: str, column: str, problems: list[str]) -> str:
    email = value.lower()
    if len(email) > _MAX_EMAIL or not _EMAIL.match(email):
        problems.append(f'bad {column} "{value}"')
    return email


def _check_country(value: str, problems: list[str]) -> str | None:
    country = value.upper()
    if not value:
        problems.append("empty country")
        return None
    if len(country) != 2 or country not in _countries():
        problems.append(f'unknown country "{value}": use a two-letter ISO code such as GB or US')
        return None
    return country


def _check_subdivision(value: str, country: str | None, problems: list[str]) -> str | None:
    if not value:
        return None
    if country is None:
        return value  # the country is already reported; a subdivision cannot be judged without it
    known = {code.upper(): code for code in _countries()[country] if len(code) <= _MAX_SUBDIVISION}
    canonical = known.get(value.upper())
    if canonical is None:
        if not known:
            problems.append(f'unknown subdivision "{value}": country {country} has none')
        elif len(known) <= 12:
            listed = ", ".join(sorted(known.values()))
            problems.append(f'unknown subdivision "{value}" for country {country} (known: {listed})')
        else:
            problems.append(f'unknown subdivision "{value}" for country {country}')
    return canonical


def _check_time_zone(value: str, problems: list[str]) -> str | None:
    if not value:
        return None
    if not is_valid_time_zone(value):
        problems.append(f'unknown time zone "{value}": use an IANA name such as Europe/London')
    return value


def _check_slack_id(value: str, problems: list[str]) -> str | None:
    if not value:
        return None
    if len(value) > _MAX_SLACK_ID or not _SLACK_ID.match(value):
        problems.append(f'bad slack_user_id "{value}": a Slack user id looks like U0123ABCD')
    return value


def _check_working_days(value: str, problems: list[str]) -> tuple[int, ...] | None:
    if not value:
        return None
    parts = [part.strip() for part in value.split(",")]
    days = [int(part) for part in parts if len(part) == 1 and part in "0123456"]
    if len(days) != len(parts) or len(set(days)) != len(days):
        problems.append(
            f'bad working_days "{value}": list weekday numbers 0 (Monday) to 6 (Sunday), each once, '
            'like "0,1,2,3,4"'
        )
        return None
    return tuple(sorted(days))


def _check_working_hours(value: str, problems: list[str]) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    match = _HOURS.match(value)
    if match:
        start_h, start_m, end_h, end_m = (int(group) for group in match.groups())
        in_range = start_h < 24 and end_h < 24 and start_m < 60 and end_m < 60
        if in_range and (start_h, start_m) < (end_h, end_m):
            return f"{start_h:02d}:{start_m:02d}", f"{end_h:02d}:{end_m:02d}"
    problems.append(f'bad working_hours "{value}": use HH:MM-HH:MM with the start before the end')
    return None, None


def _header_problems(header: Sequence[str]) -> tuple[dict[str, int], list[str]]:
    problems: list[str] = []
    positions: dict[str, int] = {}
    for index, column in enumerate(header):
        if column in positions:
            problems.append(f'column "{column}" appears twice')
        elif column not in ALL_COLUMNS:
            problems.append(f'unknown column "{column}"' if column else f"column {index + 1} has no name")
        else:
            positions[column] = index
    missing = [column for column in REQUIRED_COLUMNS if column not in positions]
    if missing:
        problems.insert(0, f"missing columns: {', '.join(missing)}")
    if len(header) == 1 and ";" in header[0]:
        problems.append("the file looks separated by semicolons: save it as comma-separated CSV")
    return positions, problems


def _parse_row(
    values: Sequence[str], positions: Mapping[str, int], line: int
) -> tuple[DirectoryRow, list[str]]:
    def value(column: str) -> str:
        index = positions.get(column)
        return values[index].strip() if index is not None else ""

    problems: list[str] = []
    email = _check_email(value("email"), "email", problems) if value("email") else ""
    if not email and "email" in positions:
        problems.append("empty email")
    name = (
        _check_text(visible_text(value("name")), "name", _MAX_NAME, problems) if "name" in positions else ""
    )
    department = (
        _check_text(visible_text(value("department")), "department", _MAX_DEPARTMENT, problems)
        if "department" in positions
        else ""
    )
    manager_email: str | None = None
    if value("manager_email"):
        manager_email = _check_email(value("manager_email"), "manager_email", problems)
        if manager_email == email:
            problems.append(f'"{email}" is their own manager')
    country = _check_country(value("country"), problems) if "country" in positions else None
    subdivision = _check_subdivision(value("subdivision"), country, problems)
    time_zone = _check_time_zone(value("timezone"), problems)
    slack_user_id = _check_slack_id(value("slack_user_id"), problems)
    working_days = _check_working_days(value("working_days"), problems)
    work_start, work_end = _check_working_hours(value("working_hours"), problems)
    row = DirectoryRow(
        line=line,
        email=email,
        name=name,
        manager_email=manager_email,
        department=department,
        country=country or "",
        subdivision=subdivision,
        timezone=time_zone,
        slack_user_id=slack_user_id,
        working_days=working_days,
        work_start=work_start,
        work_end=work_end,
    )
    return row, problems


def parse_directory_csv(text: str) -> list[DirectoryRow]:
    """Parse and check an HRIS export; raise ``DirectoryError`` listing every problem.

    Checks only what the file itself can answer. Whether managers exist, and whether the
    reporting lines loop, depends on the database too: ``import_directory`` checks that.
    """
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[tuple[int, str]] = []
    rows: list[DirectoryRow] = []
    positions: dict[str, int] = {}
    header: list[str] | None = None
    first_line_of: dict[str, int] = {}
    slack_id_line: dict[str, int] = {}
    previous_end = 0
    try:
        for record in reader:
            line = previous_end + 1
            previous_end = reader.line_num
            if not any(field_value.strip() for field_value in record):
                continue  # blank lines (and spreadsheet rows of empty cells) carry nobody
            if header is None:
                header = [column.strip().lower() for column in record]
                positions, header_problems = _header_problems(header)
                problems.extend((line, message) for message in header_problems)
                continue
            if len(record) != len(header):
                problems.append((line, f"{len(record)} fields, but the header has {len(header)}"))
                continue
            row, row_problems = _parse_row(record, positions, line)
            problems.extend((line, message) for message in row_problems)
            if row.email:
                if row.email in first_line_of:
                    problems.append(
                        (line, f'duplicate email "{row.email}" (also on line {first_line_of[row.email]})')
                    )
                else:
                    first_line_of[row.email] = line
            if row.slack_user_id:
                if row.slack_user_id in slack_id_line:
                    earlier = slack_id_line[row.slack_user_id]
                    problems.append((line, f"slack_user_id {row.slack_user_id} is also on line {earlier}"))
                else:
                    slack_id_line[row.slack_user_id] = line
            rows.append(row)
    except csv.Error as error:
        problems.append((previous_end + 1, f"malformed CSV: {error}"))
    if header is None:
        problems.append((1, "the file is empty: it needs a header line with " + ", ".join(REQUIRED_COLUMNS)))
    if problems:
        raise DirectoryError(problems)
    return rows


def format_directory_csv(rows: Iterable[DirectoryRow]) -> str:
    """Write rows as a directory file that ``parse_directory_csv`` reads back unchanged.

    Used for samples (the demo) and to prove the parser loses nothing.
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ALL_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.email,
                row.name,
                row.manager_email or "",
                row.department,
                row.country,
                row.subdivision or "",
                row.timezone or "",
                row.slack_user_id or "",
                ",".join(str(day) for day in row.working_days) if row.working_days is not None else "",
                f"{row.work_start}-{row.work_end}" if row.work_start and row.work_end else "",
            ]
        )
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# Checking the org the file would produce (pure)
# --------------------------------------------------------------------------------------------


class KnownPerson(NamedTuple):
    """Someone already in the directory, as the org check needs them."""

    active: bool
    manager_email: str | None


def check_org(
    rows: Sequence[DirectoryRow], known: Mapping[str, KnownPerson], *, full: bool
) -> list[tuple[int, str]]:
    """Problems with the org that importing ``rows`` over ``known`` people would produce.

    A manager must be in the file, or (without ``full``, where people missing from the file
    stay) an active person already known. The resulting reporting lines must not loop: a loop
    would make "everyone above this person" endless and the mentor exclusion meaningless.
    """
    problems: list[tuple[int, str]] = []
    line_of: dict[str, int] = {}
    for row in rows:
        if row.email in line_of:
            problems.append((row.line, f'duplicate email "{row.email}" (also on line {line_of[row.email]})'))
        else:
            line_of[row.email] = row.line
    for row in rows:
        manager = row.manager_email
        if manager is None or manager in line_of:
            continue
        person = known.get(manager)
        if full:
            problems.append(
                (row.line, f'manager "{manager}" is not in this file (a full import lists everyone)')
            )
        elif person is None:
            problems.append((row.line, f'unknown manager "{manager}"'))
        elif not person.active:
            problems.append((row.line, f'manager "{manager}" has left'))

    manager_of: dict[str, str | None] = {}
    if not full:
        manager_of.update(
            (email, person.manager_email)
            for email, person in known.items()
            if person.active and email not in line_of
        )
    manager_of.update((row.email, row.manager_email) for row in rows)
    while (cycle := find_cycle(manager_of)) is not None:
        lines = sorted({line_of[email] for email in cycle if email in line_of})
        if lines:
            where = ", ".join(str(line) for line in lines)
            problems.append((lines[0], f"reporting cycle {' -> '.join(cycle)} (lines {where})"))
        for email in cycle:
            manager_of[email] = None  # break it, and look for the next one
    return problems


# --------------------------------------------------------------------------------------------
# Slack resolution (no database)
# --------------------------------------------------------------------------------------------


class SlackAccount(NamedTuple):
    """What the directory takes from a Slack user: the id, the zone, and whether it is gone."""

    user_id: str
    timezone: str | None
    deleted: bool


def _account(member: Mapping[str, Any]) -> SlackAccount:
    tz = member.get("tz")
    return SlackAccount(
        user_id=str(member["id"]),
        timezone=tz if isinstance(tz, str) and is_valid_time_zone(tz) else None,
        deleted=bool(member.get("deleted", False)),
    )


@dataclass
class _SlackView:
    by_email: dict[str, SlackAccount] = field(default_factory=dict)
    by_id: dict[str, SlackAccount] = field(default_factory=dict)

    def add(self, member: Mapping[str, Any]) -> None:
        if not member.get("id"):
            return
        account = _account(member)
        self.by_id[account.user_id] = account
        email = (member.get("profile") or {}).get("email")
        if not isinstance(email, str) or not email:
            return
        email = email.lower()
        current = self.by_email.get(email)
        # A recreated account leaves the old, deactivated one behind with the same address.
        if current is None or (current.deleted and not account.deleted):
            self.by_email[email] = account


def _read_users_list(slack: WebClient, progress: Progress) -> _SlackView:
    view = _SlackView()
    cursor: str | None = None
    read = 0
    while True:
        response = slack.users_list(limit=USERS_LIST_PAGE, cursor=cursor)
        members = response.get("members") or []
        for member in members:
            view.add(member)
        read += len(members)
        progress(f"Resolving Slack accounts: {read} users read")
        cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return view


def _lookup_by_email(slack: WebClient, email: str) -> Mapping[str, Any] | None:
    try:
        response = slack.users_lookupByEmail(email=email)
    except SlackApiError as error:
        if error.response.get("error") == "users_not_found":
            return None
        raise
    user = response.get("user")
    return user if isinstance(user, Mapping) else None


def _resolve(
    rows: Sequence[DirectoryRow],
    stored_ids: Mapping[str, str | None],
    slack: WebClient | None,
    lookup_limit: int,
    progress: Progress,
) -> tuple[dict[str, str | None], dict[str, SlackAccount]]:
    """Each row's Slack id, and what Slack says about the accounts found.

    Precedence: an id the file gives (HR knows best, for example when Slack holds another
    address), then Slack's account for the email, then the id already stored (unless that
    account now goes to someone else in the file), then a ``users.lookupByEmail`` for the few
    left. Offline, the file's id or the stored one.
    """
    view = _read_users_list(slack, progress) if slack is not None else _SlackView()
    resolved: dict[str, str | None] = {}
    for row in rows:
        found = view.by_email.get(row.email)
        resolved[row.email] = row.slack_user_id or (found.user_id if found else None)
    claimed = {user_id for user_id in resolved.values() if user_id}
    stragglers: list[str] = []
    for row in rows:
        stored = stored_ids.get(row.email)
        if resolved[row.email] is None and stored is not None and stored not in claimed:
            resolved[row.email] = stored
        if resolved[row.email] is None:
            stragglers.append(row.email)
    if slack is None:
        return resolved, {}
    to_look_up = stragglers[:lookup_limit]
    if to_look_up:
        progress(f"Looking up {len(to_look_up)} Slack accounts by email")
    for email in to_look_up:
        user = _lookup_by_email(slack, email)
        if user is not None and user.get("id"):
            view.add(user)
            account = _account(user)
            resolved[email] = account.user_id
    if len(stragglers) > lookup_limit:
        progress(
            f"{len(stragglers) - lookup_limit} people were not looked up one by one (limit {lookup_limit})"
        )
    found_count = sum(1 for user_id in resolved.values() if user_id)
    progress(f"Slack accounts found for {found_count} of {len(rows)} people")
    return resolved, view.by_id


# --------------------------------------------------------------------------------------------
# The import service
# --------------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import changed, for the person who ran it (emails, since HR reads it)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    left: list[str] = field(default_factory=list)
    manager_changed: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    deactivated_in_slack: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.left)} left, {len(self.manager_changed)} with a new manager, "
            f"{len(self.deactivated_in_slack)} deactivated in Slack, "
            f"{len(self.unresolved)} without a Slack account"
        )


@dataclass
class _Plan:
    """Which existing employee each row updates (None: a new one), after the org check."""

    targets: dict[str, Employee | None]


def _plan(
    rows: Sequence[DirectoryRow],
    employees: Sequence[Employee],
    slack_ids: Mapping[str, str | None],
    *,
    full: bool,
) -> _Plan:
    """Match rows to employees and check the resulting org; raise ``DirectoryError``.

    Rows match by email. A row whose email is new but whose Slack account belongs to someone
    no longer in the file is that same person under a new address (a name change, say): they
    are updated in place, so their enrolment and plan stay theirs.
    """
    by_email = {employee.email: employee for employee in employees}
    by_slack = {employee.slack_user_id: employee for employee in employees if employee.slack_user_id}
    file_emails = {row.email for row in rows}
    targets: dict[str, Employee | None] = {}
    claimed: set[int] = set()
    for row in rows:
        match = by_email.get(row.email)
        targets[row.email] = match
        if match is not None:
            claimed.add(match.id)
    for row in rows:
        user_id = slack_ids.get(row.email)
        if targets[row.email] is not None or user_id is None:
            continue
        holder = by_slack.get(user_id)
        if holder is not None and holder.email not in file_emails and holder.id not in claimed:
            targets[row.email] = holder
            claimed.add(holder.id)
    new_email_of = {target.id: email for email, target in targets.items() if target is not None}
    email_by_id = {employee.id: employee.email for employee in employees}

    def email_of(employee_id: int | None) -> str | None:
        if employee_id is None:
            return None
        return new_email_of.get(employee_id) or email_by_id.get(employee_id)

    known = {
        email_of(employee.id) or employee.email: KnownPerson(employee.active, email_of(employee.manager_id))
        for employee in employees
    }
    problems = check_org(rows, known, full=full)
    line_of_id: dict[str, int] = {}
    for row in rows:
        user_id = slack_ids.get(row.email)
        if user_id is None:
            continue
        if user_id in line_of_id:
            problems.append(
                (row.line, f"Slack account {user_id} is also given to line {line_of_id[user_id]}")
            )
        else:
            line_of_id[user_id] = row.line
    if problems:
        raise DirectoryError(problems)
    return _Plan(targets=targets)


def _load_employees(session: Session, tenant_id: str) -> list[Employee]:
    return list(session.scalars(select(Employee).where(Employee.tenant_id == tenant_id)))


_TRACKED = (
    "email",
    "name",
    "slack_user_id",
    "timezone",
    "working_days",
    "work_start",
    "work_end",
    "country",
    "subdivision",
    "department",
    "manager_id",
    "active",
    "slack_deactivated",
    "left_at",
)


def _snapshot(employee: Employee) -> tuple[Any, ...]:
    return tuple(getattr(employee, name) for name in _TRACKED)


def import_directory(
    session_factory: SessionFactory,
    *,
    tenant_id: str,
    rows: Sequence[DirectoryRow],
    slack: WebClient | None,
    clock: Clock,
    full: bool,
    actor: str,
    progress: Progress | None = None,
    lookup_limit: int = DEFAULT_LOOKUP_LIMIT,
) -> ImportReport:
    """Bring the tenant's directory in line with ``rows``, in one transaction.

    The org is checked against the database before Slack is asked anything (a bad file fails
    in a second, not after minutes of paging), Slack is read with no transaction open, and the
    write re-checks against what the database holds by then. Any failure writes nothing.
    ``slack=None`` imports offline, keeping the ids and zones the file (or the database) has.
    """
    say: Progress = progress or (lambda _message: None)
    if full and not rows:
        raise DirectoryError([(1, "the file lists nobody: a full import would mark everyone as having left")])
    with unit_of_work(session_factory) as session:
        employees = _load_employees(session, tenant_id)
        _plan(rows, employees, {row.email: row.slack_user_id for row in rows}, full=full)
        stored_ids = {employee.email: employee.slack_user_id for employee in employees}

    slack_ids, accounts = _resolve(rows, stored_ids, slack, lookup_limit, say)

    with unit_of_work(session_factory) as session:
        now = clock.now()
        ensure_tenant(session, tenant_id, now)
        employees = _load_employees(session, tenant_id)
        plan = _plan(rows, employees, slack_ids, full=full)
        report = _write(session, tenant_id, rows, employees, plan, slack_ids, accounts, now, full, actor, say)
        session.commit()
    say(f"Directory imported: {report.summary()}")
    return report


def _write(
    session: Session,
    tenant_id: str,
    rows: Sequence[DirectoryRow],
    employees: Sequence[Employee],
    plan: _Plan,
    slack_ids: Mapping[str, str | None],
    accounts: Mapping[str, SlackAccount],
    now: datetime,
    full: bool,
    actor: str,
    say: Progress,
) -> ImportReport:
    report = ImportReport()
    before = {employee.id: _snapshot(employee) for employee in employees}
    old_email = {employee.id: employee.email for employee in employees}
    old_manager = {employee.id: employee.manager_id for employee in employees}

    # Slack ids are unique per tenant, and an id can move between people within one file (a
    # recreated account, a corrected column). Clear every id that changes first, so no
    # statement ever sees two rows holding the same one.
    final_slack_id: dict[int, str | None] = {}
    for row in rows:
        target = plan.targets[row.email]
        if target is not None:
            final_slack_id[target.id] = slack_ids.get(row.email)
    taken = {user_id for user_id in slack_ids.values() if user_id}
    for employee in employees:
        if employee.id not in final_slack_id:
            keeps = employee.slack_user_id not in taken
            final_slack_id[employee.id] = employee.slack_user_id if keeps else None
    moving = [
        employee
        for employee in employees
        if employee.slack_user_id is not None and final_slack_id[employee.id] != employee.slack_user_id
    ]
    for employee in moving:
        employee.slack_user_id = None
    if moving:
        session.flush()

    # Pass 1: everyone exists with their own fields.
    by_email: dict[str, Employee] = {}
    total = len(rows)
    for index, row in enumerate(rows, start=1):
        target = plan.targets[row.email]
        user_id = slack_ids.get(row.email)
        account = accounts.get(user_id) if user_id else None
        if target is None:
            employee = Employee(
                tenant_id=tenant_id,
                email=row.email,
                created_at=now,
                updated_at=now,
                active=True,
                slack_deactivated=False,
                timezone="UTC",
                working_days=",".join(str(day) for day in DEFAULT_WORKING_DAYS),
                work_start=DEFAULT_WORK_START,
                work_end=DEFAULT_WORK_END,
            )
            session.add(employee)
        else:
            employee = target
            if employee.email != row.email:
                # The same Slack account under a new address: ids only, the addresses are personal.
                audit.record(
                    session,
                    tenant_id=tenant_id,
                    at=now,
                    actor=actor,
                    action="directory.email_changed",
                    subject=str(employee.id),
                )
        employee.email = row.email
        employee.name = row.name
        employee.department = row.department
        employee.country = row.country
        employee.subdivision = row.subdivision
        if row.working_days is not None:
            employee.working_days = ",".join(str(day) for day in row.working_days)
        if row.work_start is not None and row.work_end is not None:
            employee.work_start, employee.work_end = row.work_start, row.work_end
        employee.slack_user_id = user_id
        employee.timezone = (
            (account.timezone if account else None) or row.timezone or employee.timezone or "UTC"
        )
        if account is not None:
            employee.slack_deactivated = account.deleted
        if not employee.active:
            employee.active = True
            employee.left_at = None
            if target is not None:
                audit.record(
                    session,
                    tenant_id=tenant_id,
                    at=now,
                    actor=actor,
                    action="directory.rejoined",
                    subject=str(target.id),
                )
        if employee.slack_deactivated:
            report.deactivated_in_slack.append(row.email)
        if user_id is None:
            report.unresolved.append(row.email)
        by_email[row.email] = employee
        if index % _WRITE_PROGRESS_EVERY == 0:
            say(f"Writing the directory: {index} of {total} people")
    session.flush()

    # Pass 2: managers, now that everyone has an id.
    id_of = {email: employee.id for email, employee in by_email.items()}
    for employee in employees:
        if employee.active and employee.email not in id_of:
            id_of[employee.email] = employee.id
    for row in rows:
        employee = by_email[row.email]
        manager_id = id_of[row.manager_email] if row.manager_email else None
        previous = old_manager.get(employee.id)
        if employee.manager_id != manager_id:
            employee.manager_id = manager_id
        if employee.id in before and previous != manager_id:
            report.manager_changed.append(
                (row.email, old_email.get(previous) if previous else None, row.manager_email)
            )
            audit.record(
                session,
                tenant_id=tenant_id,
                at=now,
                actor=actor,
                action="directory.manager_changed",
                subject=str(employee.id),
                details={"old_manager_id": previous, "new_manager_id": manager_id},
            )

    if full:
        in_file = {employee.id for employee in by_email.values()}
        for employee in employees:
            if employee.active and employee.id not in in_file:
                employee.active = False
                employee.left_at = now
                report.left.append(employee.email)
                audit.record(
                    session,
                    tenant_id=tenant_id,
                    at=now,
                    actor=actor,
                    action="directory.left",
                    subject=str(employee.id),
                )

    for employee in employees:
        if _snapshot(employee) != before[employee.id]:
            employee.updated_at = now
            if employee.email in by_email:
                report.updated += 1
        elif employee.email in by_email:
            report.unchanged += 1
    report.created = sum(1 for row in rows if plan.targets[row.email] is None)

    audit.record(
        session,
        tenant_id=tenant_id,
        at=now,
        actor=actor,
        action="directory.import",
        details={
            "rows": len(rows),
            "full": full,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "left": len(report.left),
            "manager_changed": len(report.manager_changed),
            "deactivated_in_slack": len(report.deactivated_in_slack),
            "unresolved": len(report.unresolved),
        },
    )
    session.flush()
    return report


# --------------------------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------------------------


def find_by_email(session: Session, tenant_id: str, email: str) -> Employee | None:
    return session.scalars(
        select(Employee).where(Employee.tenant_id == tenant_id, Employee.email == email.strip().lower())
    ).first()


def record_deactivated_in_slack(
    session: Session, tenant_id: str, user_ids: Iterable[str], now: datetime
) -> int:
    """Slack says these accounts are deactivated (it refused a message to them): the people who
    hold them are marked, as the next import would mark them. How many were not marked yet."""
    result = session.execute(
        update(Employee)
        .where(
            Employee.tenant_id == tenant_id,
            Employee.slack_user_id.in_(list(user_ids)),
            Employee.slack_deactivated.is_(False),
        )
        .values(slack_deactivated=True, updated_at=now)
    )
    return int(cast(CursorResult[Any], result).rowcount)


def find_by_slack_id(session: Session, tenant_id: str, user_id: str) -> Employee | None:
    return session.scalars(
        select(Employee).where(Employee.tenant_id == tenant_id, Employee.slack_user_id == user_id)
    ).first()


def direct_reports(session: Session, tenant_id: str, employee_id: int) -> list[Employee]:
    """The people who report to this person now (those who left are not anyone's reports)."""
    return list(
        session.scalars(
            select(Employee)
            .where(
                Employee.tenant_id == tenant_id, Employee.manager_id == employee_id, Employee.active.is_(True)
            )
            .order_by(Employee.name, Employee.id)
        )
    )


def managers_above(session: Session, tenant_id: str, employee_id: int) -> list[int]:
    """Everyone above this person, nearest first, in one recursive query.

    Depth is carried so the order survives the database; it also bounds the recursion, so
    even a loop that slipped into the table cannot make the query endless.
    """
    start = (
        select(Employee.manager_id.label("id"), literal(1).label("depth"))
        .where(Employee.tenant_id == tenant_id, Employee.id == employee_id, Employee.manager_id.is_not(None))
        .cte("managers_above", recursive=True)
    )
    above = aliased(Employee)
    chain = start.union_all(
        select(above.manager_id, start.c.depth + 1).where(
            above.tenant_id == tenant_id,
            above.id == start.c.id,
            above.manager_id.is_not(None),
            start.c.depth < _MAX_CHAIN_DEPTH,
        )
    )
    ordered: list[int] = []
    seen = {employee_id}
    for manager_id in session.scalars(select(chain.c.id).order_by(chain.c.depth)):
        if manager_id in seen:
            break
        seen.add(manager_id)
        ordered.append(manager_id)
    return ordered


def reports_below(session: Session, tenant_id: str, employee_id: int) -> set[int]:
    """Everyone below this person at any depth, in one recursive query.

    ``UNION`` (not ``UNION ALL``) makes the recursion stop at people already found, on SQLite
    and PostgreSQL alike. People who have left are included: they are harmless in an
    exclusion set and keep this in step with ``org_map``.
    """
    start = (
        select(Employee.id.label("id"))
        .where(Employee.tenant_id == tenant_id, Employee.manager_id == employee_id)
        .cte("reports_below", recursive=True)
    )
    below = aliased(Employee)
    tree = start.union(select(below.id).where(below.tenant_id == tenant_id, below.manager_id == start.c.id))
    found = set(session.scalars(select(tree.c.id)))
    found.discard(employee_id)
    return found


def reporting_chain(session: Session, tenant_id: str, employee_id: int) -> set[int]:
    """Everyone above or below this person: who may never mentor them or share their huddle."""
    return set(managers_above(session, tenant_id, employee_id)) | reports_below(
        session, tenant_id, employee_id
    )


def org_map(session: Session, tenant_id: str) -> dict[int, int | None]:
    """Every employee's manager in one query, for bulk work with ``hr_plugin.org_chart``."""
    rows = session.execute(select(Employee.id, Employee.manager_id).where(Employee.tenant_id == tenant_id))
    return {employee_id: manager_id for employee_id, manager_id in rows}
