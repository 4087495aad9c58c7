"""The HRIS file: its columns, reading and checking it into ``DirectoryRow``s, and writing one back.

Everything here is pure and answers only what the file itself can: whether a column is known,
an address is well formed, a country and its subdivision exist, the hours make sense. Every
problem is collected with its line before anything is raised, so HR fixes a spreadsheet in one
go, not one error per run. Whether managers exist and whether reporting lines loop depends on
the database too: ``hr_plugin.directory.org`` and the import check that.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zoneinfo
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from hr_plugin.directory.text import visible_text

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

# Deliberately plain: a mail address HR systems export, not every form RFC 5322 allows.
_EMAIL = re.compile(
    r"^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$"
)
_SLACK_ID = re.compile(r"^[UW][A-Z0-9]+$")
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_NOT_UTF8 = (
    "this line is not UTF-8 text (the file is in another encoding): export the file "
    'again as "CSV UTF-8" (in Excel: Save As, "CSV UTF-8 (Comma delimited)") and import that'
)


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


class RowKey(NamedTuple):
    """What the import keeps of each row between reading the file and writing it: the fields
    the checks across rows need (duplicates, managers, loops, Slack ids), a few dozen bytes a
    person instead of the whole row."""

    line: int
    email: str
    manager_email: str | None
    slack_user_id: str | None

    @classmethod
    def of(cls, row: DirectoryRow) -> RowKey:
        return cls(row.line, row.email, row.manager_email, row.slack_user_id)


@cache
def _countries() -> dict[str, tuple[str, ...]]:
    # Without aliases every key is an ISO 3166-1 alpha-2 code, which is what the file must hold.
    # Imported here, not with the module: the ``holidays`` package is about 4 MB of resident
    # memory in every process that imports this module (each web worker does, through the
    # outbox), and only reading or checking a file asks it anything.
    import holidays

    return {
        code: tuple(subdivisions)
        for code, subdivisions in holidays.list_supported_countries(include_aliases=False).items()
    }


@cache
def _subdivisions(country: str) -> dict[str, str]:
    """A country's subdivision codes by their upper case (built once, not for every row)."""
    return {code.upper(): code for code in _countries()[country] if len(code) <= _MAX_SUBDIVISION}


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_valid_time_zone(name: str) -> bool:
    """Whether ``name`` is an IANA zone this machine knows (Slack's ``tz`` is checked too)."""
    return name in _time_zones()


def _has_control_characters(text: str) -> bool:
    # isprintable() is False for every control and line or paragraph separator (and more): a
    # quick answer for the usual text, which the import reads twice for every row.
    return not text.isprintable() and any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in text)


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
        raise DirectoryError([(line, _NOT_UTF8)]) from None


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
    known = _subdivisions(country)
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
    return list(read_directory_rows(io.StringIO(text, newline="")))


def read_directory_rows(lines: Iterable[str]) -> Iterator[DirectoryRow]:
    """The rows of an HRIS export as they are read; ``DirectoryError`` after the last one.

    Every row is checked as it goes by, but the problems are raised only once the whole file
    has been read, so HR still gets every problem at once. Why a stream: a large company's
    export need not sit in memory, so whoever consumes the rows must finish the iteration
    before acting on them (``import_directory`` reads the file once to check it, then again to
    write). Only what the cross-row checks need is kept: each address and Slack id with its line.
    """
    reader = csv.reader(_without_byte_order_mark(lines))
    problems: list[tuple[int, str]] = []
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
            yield row
    except csv.Error as error:
        problems.append((previous_end + 1, f"malformed CSV: {error}"))
    if header is None:
        problems.append((1, "the file is empty: it needs a header line with " + ", ".join(REQUIRED_COLUMNS)))
    if problems:
        raise DirectoryError(problems)


def _without_byte_order_mark(lines: Iterable[str]) -> Iterator[str]:
    lines = iter(lines)
    first = next(lines, None)
    if first is not None:
        yield first.removeprefix("\ufeff")
        yield from lines


def decoded_lines(lines: Iterable[bytes]) -> Iterator[str]:
    """The lines of a file's bytes as text, refusing anything but UTF-8 with its line.

    The streaming twin of ``decode_directory_file`` (same message, same line), a line at a
    time: a UTF-8 character never spans a line break, so decoding line by line is exact. A
    binary file splits at ``\\n`` only, so a line ending in a bare ``\\r`` (Excel's "CSV
    (Macintosh)") is split here, as reading the whole text with ``newline=""`` would.
    """
    for number, raw in enumerate(lines, start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise DirectoryError([(number, _NOT_UTF8)]) from None
        if "\r" in text.rstrip("\r\n"):
            yield from _LINES.findall(text)
        else:
            yield text


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
