"""The directory file parser and the org check: every rule, reported with its line.

HR fixes a spreadsheet from these messages, so each test pins the line number as well as
the rule: a right message on the wrong line sends someone hunting.
"""

from __future__ import annotations

import os
import zoneinfo
from collections.abc import Callable
from pathlib import Path

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hr_plugin.directory import (
    DEFAULT_WORKING_DAYS,
    INVISIBLE_CHARACTERS,
    DirectoryError,
    DirectoryFile,
    DirectoryRow,
    KnownPerson,
    check_org,
    decode_directory_file,
    format_directory_csv,
    parse_directory_csv,
)

HEADER = "email,name,manager_email,department,country"


def problems_of(text: str) -> list[tuple[int, str]]:
    with pytest.raises(DirectoryError) as raised:
        parse_directory_csv(text)
    return raised.value.problems


def only_problem(text: str) -> tuple[int, str]:
    problems = problems_of(text)
    assert len(problems) == 1, problems
    return problems[0]


def csv_of(*lines: str, header: str = HEADER) -> str:
    return "\n".join([header, *lines]) + "\n"


# -- a good file --------------------------------------------------------------------------


def test_good_file_with_defaults_and_normalisation() -> None:
    text = csv_of(
        "Ada@Example.COM,Ada Lovelace,,Engineering,gb",
        '"bob@example.com","Bob, Jr.",ADA@example.com,Engineering,GB',
    )
    ada, bob = parse_directory_csv(text)
    assert ada == DirectoryRow(
        line=2,
        email="ada@example.com",
        name="Ada Lovelace",
        manager_email=None,
        department="Engineering",
        country="GB",
    )
    assert ada.working_days is None  # blank: defaults for new people, kept for known ones
    assert (ada.work_start, ada.work_end) == (None, None)
    assert bob.line == 3
    assert bob.name == "Bob, Jr."
    assert bob.manager_email == "ada@example.com"


def test_optional_columns_in_any_order_and_any_case() -> None:
    header = (
        "Working_Hours,country,slack_user_id,email,TimeZone,"
        "name,department,manager_email,working_days,subdivision"
    )
    text = csv_of('9:30-17:00,de,U0ADA,ada@example.com,Europe/Berlin,Ada,R&D,,"4, 0,2",by', header=header)
    (row,) = parse_directory_csv(text)
    assert row.country == "DE"
    assert row.subdivision == "BY"
    assert row.timezone == "Europe/Berlin"
    assert row.slack_user_id == "U0ADA"
    assert row.working_days == (0, 2, 4)
    assert (row.work_start, row.work_end) == ("09:30", "17:00")


def test_bom_crlf_and_blank_lines_keep_physical_line_numbers() -> None:
    text = (
        "\ufeff"
        + HEADER
        + "\r\n"
        + "a@example.com,A,,Ops,US\r\n"
        + "\r\n"
        + ",,,,\r\n"
        + "b@example.com,B,,Ops,US\r\n\r\n\r\n"
    )
    a, b = parse_directory_csv(text)
    assert (a.line, b.line) == (2, 5)
    assert a.email == "a@example.com"  # the BOM did not end up in the first column name


def test_header_only_file_is_empty_but_valid() -> None:
    assert parse_directory_csv(HEADER + "\n") == []


# -- the header ---------------------------------------------------------------------------


def test_empty_file() -> None:
    line, message = only_problem("\n\n")
    assert line == 1
    assert "empty" in message


def test_missing_columns_are_listed_on_line_1() -> None:
    text = csv_of("a@example.com,A,Ops", header="email,name,department")
    assert problems_of(text) == [(1, "missing columns: manager_email, country")]


def test_unknown_column_is_a_problem_not_silently_dropped() -> None:
    text = csv_of("a@example.com,A,,Ops,US,Europe/London", header=HEADER + ",time_zone")
    assert problems_of(text) == [(1, 'unknown column "time_zone"')]


def test_duplicate_column() -> None:
    text = csv_of("a@example.com,A,,Ops,US,GB", header=HEADER + ",country")
    assert problems_of(text) == [(1, 'column "country" appears twice')]


def test_semicolon_file_gets_a_hint() -> None:
    messages = [message for _line, message in problems_of("email;name;manager_email;department;country\n")]
    assert any("semicolon" in message for message in messages)


def test_rows_are_still_checked_when_the_header_has_a_problem() -> None:
    text = csv_of("bob@,B,,Ops,US,blue", header=HEADER + ",colour")
    assert problems_of(text) == [(1, 'unknown column "colour"'), (2, 'bad email "bob@"')]


# -- each rule, on its line ---------------------------------------------------------------


GOOD = "ok@example.com,Ok,,Ops,US"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("bob@,Bob,,Ops,US", 'bad email "bob@"'),
        ("bob,Bob,,Ops,US", 'bad email "bob"'),
        ("bob@example,Bob,,Ops,US", 'bad email "bob@example"'),
        ("bob smith@example.com,Bob,,Ops,US", 'bad email "bob smith@example.com"'),
        (",Bob,,Ops,US", "empty email"),
        ("bob@example.com,,,Ops,US", "empty name"),
        ("bob@example.com,Bob,,,US", "empty department"),
        ("bob@example.com,Bob,,Ops,", "empty country"),
        ("bob@example.com,Bob,boss@,Ops,US", 'bad manager_email "boss@"'),
        ("bob@example.com,Bob,BOB@example.com,Ops,US", '"bob@example.com" is their own manager'),
    ],
)
def test_required_field_rules(row: str, expected: str) -> None:
    assert problems_of(csv_of(GOOD, GOOD.replace("ok@", "ok2@"), row)) == [(4, expected)]


def test_text_too_long_or_with_control_characters() -> None:
    long_name = "x" * 201
    text = csv_of(f"a@example.com,{long_name},,Ops,US", 'b@example.com,"B\x07",,Ops,US')
    assert problems_of(text) == [
        (2, "name is longer than 200 characters"),
        (3, "name contains a line break or control character"),
    ]


# -- text that would show as something else ---------------------------------------------

RLO, RLI, PDI, ZWSP, ZWJ, WJ, LRM = "\u202e", "\u2067", "\u2069", "\u200b", "\u200d", "\u2060", "\u200e"


def test_overrides_and_zero_width_characters_are_removed_from_names_and_departments() -> None:
    (row,) = parse_directory_csv(
        csv_of(f"a@example.com,{ZWSP} Ada{RLO}ecalevol{LRM} {WJ},,{RLI}Eng{PDI}ineering{ZWJ},GB")
    )
    assert (row.name, row.department) == ("Adaecalevol", "Engineering")


@pytest.mark.parametrize("character", sorted(INVISIBLE_CHARACTERS))
def test_every_invisible_character_is_removed(character: str) -> None:
    (row,) = parse_directory_csv(csv_of(f"a@example.com,Kim{character}Lee,,Ops{character},US"))
    assert (row.name, row.department) == ("KimLee", "Ops")


def test_the_invisible_characters_are_the_ones_the_issue_names() -> None:
    """Bidi embeddings, overrides and isolates; zero-width spaces, joiners and marks; the rest."""
    expected = {
        chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), *range(0x200B, 0x2010))
    }
    assert expected <= INVISIBLE_CHARACTERS
    assert {"\u2060", "\ufeff", "\u061c"} <= INVISIBLE_CHARACTERS
    assert not {" ", "-", "'", "\u00e9", "\u00ad"} & INVISIBLE_CHARACTERS  # ordinary letters stay


@pytest.mark.parametrize(
    "name",
    [
        "\u0645\u062d\u0645\u062f\u200c\u0631\u0636\u0627",  # Persian: Mohammad-Reza with a non-joiner
        "\u0915\u094d\u200d\u0937",  # Devanagari: a half form asked for with a joiner
    ],
)
def test_a_joiner_between_letters_of_a_script_that_spells_with_it_stays(name: str) -> None:
    (row,) = parse_directory_csv(csv_of(f"a@example.com,{name},,Ops,IR"))
    assert row.name == name


@pytest.mark.parametrize("joiner", ["\u200c", "\u200d"])
def test_a_joiner_between_latin_letters_or_at_an_edge_goes(joiner: str) -> None:
    (row,) = parse_directory_csv(csv_of(f"a@example.com,E{joiner}li Two{joiner},,Ops,US"))
    assert row.name == "Eli Two"


def test_a_name_of_only_invisible_characters_is_empty() -> None:
    assert only_problem(csv_of(f"a@example.com,{RLO}{ZWSP},,Ops,US")) == (2, "empty name")


def test_markup_in_a_name_is_kept_as_text() -> None:
    """Names are stored as HR wrote them; it is the builders that show them as words."""
    (row,) = parse_directory_csv(csv_of('a@example.com,"<!channel> & <@U1>",,Ops,US'))
    assert row.name == "<!channel> & <@U1>"


# -- the file's encoding ------------------------------------------------------------------


def test_a_utf8_file_is_read_with_or_without_a_byte_order_mark() -> None:
    text = csv_of("a@example.com,Zoë Ørsted,,Ops,DK")
    assert decode_directory_file(text.encode()) == text
    assert decode_directory_file(b"\xef\xbb\xbf" + text.encode()) == text


def test_a_latin1_file_is_refused_with_its_line_and_the_advice_to_export_utf8() -> None:
    text = csv_of("a@example.com,Ada Lovelace,,Ops,GB", "b@example.com,Zoë Brontë,,Ops,GB")
    with pytest.raises(DirectoryError) as raised:
        decode_directory_file(text.encode("latin-1"))
    ((line, message),) = raised.value.problems
    assert line == 3
    assert "not UTF-8" in message and "CSV UTF-8" in message
    assert "byte" not in str(raised.value) and "position" not in str(raised.value)
    assert str(raised.value).startswith("line 3: ")


def test_a_windows1252_character_on_the_header_line_is_line_1() -> None:
    with pytest.raises(DirectoryError) as raised:
        decode_directory_file(("email,name\u2019s,manager_email\n").encode("cp1252"))
    assert [line for line, _ in raised.value.problems] == [1]


# -- the file read as a stream -------------------------------------------------------------

STREAM_SAMPLES = {
    "good": csv_of("a@example.com,Zoë Ørsted,,Ops,DK", "b@example.com,Bo,a@example.com,Ops,GB"),
    "byte order mark and CRLF": "\ufeff" + csv_of("a@example.com,A,,Ops,US").replace("\n", "\r\n"),
    "bare CR line ends": csv_of("a@example.com,A,,Ops,US", "bob@,Bob,,Ops,US").replace("\n", "\r"),
    "quoted line break": csv_of('a@example.com,"A\nB",,Ops,US', "bob@,Bob,,Ops,US"),
    "blank lines": "\n" + csv_of("", "a@example.com,A,,Ops,US", ""),
    "problems on several lines": csv_of("a@example.com,A,,Ops,XX", "a@example.com,B,,Ops,US", "c@x,C,,Ops"),
    "unclosed quote": csv_of('a@example.com,"A,,Ops,US', "b@example.com,B,,Ops,US"),
    "empty": "",
}


def rows_or_problems(read: Callable[[], list[DirectoryRow]]) -> list[DirectoryRow] | list[tuple[int, str]]:
    try:
        return read()
    except DirectoryError as error:
        return error.problems


@pytest.mark.parametrize("text", STREAM_SAMPLES.values(), ids=STREAM_SAMPLES.keys())
def test_the_streamed_file_reads_exactly_as_the_whole_text(text: str, tmp_path: Path) -> None:
    """The import streams its file; what it reads, rows or problems with their lines, is the same."""
    data = text.encode()
    path = tmp_path / "directory.csv"
    path.write_bytes(data)
    expected = rows_or_problems(lambda: parse_directory_csv(decode_directory_file(data)))
    from_path = DirectoryFile.from_path(path)
    assert rows_or_problems(lambda: list(DirectoryFile.from_bytes(data))) == expected
    assert rows_or_problems(lambda: list(from_path)) == expected
    assert rows_or_problems(lambda: list(from_path)) == expected, "it reads the file again"
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "wb") as writer:
        writer.write(data)  # a few hundred bytes: the pipe holds them with no reader yet
    with os.fdopen(read_end, "rb") as pipe, DirectoryFile.from_stream(pipe) as from_pipe:
        assert rows_or_problems(lambda: list(from_pipe)) == expected
        assert rows_or_problems(lambda: list(from_pipe)) == expected, "a pipe, read twice"


def test_a_streamed_file_not_in_utf8_is_refused_with_the_line_and_nothing_else() -> None:
    text = csv_of(
        "bob@,Bob,,Ops,US", "a@example.com,Ada Lovelace,,Ops,GB", "b@example.com,Zoë Brontë,,Ops,GB"
    )
    with pytest.raises(DirectoryError) as raised:
        list(DirectoryFile.from_bytes(text.encode("latin-1")))
    ((line, message),) = raised.value.problems
    assert line == 4
    assert "CSV UTF-8" in message


@pytest.mark.parametrize("country", ["XX", "GBR", "U", "UK", "1A"])
def test_unknown_country(country: str) -> None:
    line, message = only_problem(csv_of(GOOD, f"bob@example.com,Bob,,Ops,{country}"))
    assert line == 3
    assert message.startswith(f'unknown country "{country}"')


def test_every_country_the_holidays_package_knows_is_accepted() -> None:
    codes = sorted(holidays.list_supported_countries(include_aliases=False))
    rows = [f"p{index}@example.com,P,,Ops,{code}" for index, code in enumerate(codes)]
    assert [row.country for row in parse_directory_csv(csv_of(*rows))] == codes


def test_subdivision_must_belong_to_the_country() -> None:
    header = HEADER + ",subdivision"
    text = csv_of(
        "a@example.com,A,,Ops,GB,SCT",
        "b@example.com,B,,Ops,GB,CA",
        "c@example.com,C,,Ops,US,ca",
        "d@example.com,D,,Ops,XX,CA",
        header=header,
    )
    problems = problems_of(text)
    assert problems[0] == (3, 'unknown subdivision "CA" for country GB (known: ENG, NIR, SCT, WLS)')
    assert [line for line, _ in problems] == [3, 5]  # line 5: only the country is reported
    assert problems[1][1].startswith('unknown country "XX"')


def test_subdivision_of_a_country_without_any() -> None:
    countries = holidays.list_supported_countries(include_aliases=False)
    bare = next(code for code in sorted(countries) if not countries[code])
    text = csv_of(f"a@example.com,A,,Ops,{bare},ZZ", header=HEADER + ",subdivision")
    assert problems_of(text) == [(2, f'unknown subdivision "ZZ": country {bare} has none')]


@pytest.mark.parametrize("zone", ["Mars/Olympus", "europe/london", "GMT+1", "../etc/passwd"])
def test_unknown_time_zone(zone: str) -> None:
    text = csv_of(f"a@example.com,A,,Ops,US,{zone}", header=HEADER + ",timezone")
    line, message = only_problem(text)
    assert (line, message.split(":")[0]) == (2, f'unknown time zone "{zone}"')


@pytest.mark.parametrize("zone", ["UTC", "Europe/London", "America/Argentina/Buenos_Aires"])
def test_known_time_zone(zone: str) -> None:
    assert zone in zoneinfo.available_timezones()
    (row,) = parse_directory_csv(csv_of(f"a@example.com,A,,Ops,US,{zone}", header=HEADER + ",timezone"))
    assert row.timezone == zone


@pytest.mark.parametrize("value", ["7", "0,0", "0,,1", "a", "0;1", "-1", "01", "0, 1, 1"])
def test_bad_working_days(value: str) -> None:
    text = csv_of(GOOD + ",0", f'a@example.com,A,,Ops,US,"{value}"', header=HEADER + ",working_days")
    line, message = only_problem(text)
    assert line == 3
    assert message.startswith(f'bad working_days "{value}"')


def test_blank_working_days_and_hours_are_left_unset() -> None:
    header = HEADER + ",working_days,working_hours"
    (row,) = parse_directory_csv(csv_of("a@example.com,A,,Ops,US,,", header=header))
    assert (row.working_days, row.work_start, row.work_end) == (None, None, None)
    assert DEFAULT_WORKING_DAYS == (0, 1, 2, 3, 4)


@pytest.mark.parametrize(
    "value", ["17:00-09:00", "09:00-09:00", "9-17", "24:00-25:00", "09:60-17:00", "09:00", "nine to five"]
)
def test_bad_working_hours(value: str) -> None:
    text = csv_of(GOOD + ",", f"a@example.com,A,,Ops,US,{value}", header=HEADER + ",working_hours")
    line, message = only_problem(text)
    assert line == 3
    assert message.startswith(f'bad working_hours "{value}"')


@pytest.mark.parametrize("value", ["u0123", "X0123", "U01-23", "U", "C0123", "U" + "A" * 40])
def test_bad_slack_user_id(value: str) -> None:
    text = csv_of(f"a@example.com,A,,Ops,US,{value}", header=HEADER + ",slack_user_id")
    line, message = only_problem(text)
    assert line == 2
    assert message.startswith(f'bad slack_user_id "{value}"')


def test_enterprise_slack_ids_start_with_w() -> None:
    text = csv_of("a@example.com,A,,Ops,US,W0ADA", header=HEADER + ",slack_user_id")
    assert parse_directory_csv(text)[0].slack_user_id == "W0ADA"


def test_duplicate_email_names_both_lines() -> None:
    text = csv_of("a@example.com,A,,Ops,US", GOOD, "A@Example.com,A again,,Ops,US")
    assert problems_of(text) == [(4, 'duplicate email "a@example.com" (also on line 2)')]


def test_duplicate_slack_id_names_both_lines() -> None:
    header = HEADER + ",slack_user_id"
    text = csv_of("a@example.com,A,,Ops,US,U1", "b@example.com,B,,Ops,US,U1", header=header)
    assert problems_of(text) == [(3, "slack_user_id U1 is also on line 2")]


def test_wrong_number_of_fields() -> None:
    text = csv_of("a@example.com,A,,Ops", "b@example.com,B,,Ops,US,extra")
    assert problems_of(text) == [
        (2, "4 fields, but the header has 5"),
        (3, "6 fields, but the header has 5"),
    ]


def test_a_quoted_line_break_spans_physical_lines() -> None:
    text = csv_of('a@example.com,"A\nB",,Ops,US', "bob@,Bob,,Ops,US")
    assert problems_of(text) == [
        (2, "name contains a line break or control character"),
        (4, 'bad email "bob@"'),
    ]


def test_every_problem_is_collected_and_str_lists_them_by_line() -> None:
    text = csv_of(
        "bob@,Bob,,Ops,US,1",
        "carol@example.com,,,Ops,XX,2",
        "dan@example.com,Dan,dan@example.com,Ops,US,3",
        header=HEADER + ",whatever",
    )
    with pytest.raises(DirectoryError) as raised:
        parse_directory_csv(text)
    assert str(raised.value).splitlines() == [
        'line 1: unknown column "whatever"',
        'line 2: bad email "bob@"',
        "line 3: empty name",
        'line 3: unknown country "XX": use a two-letter ISO code such as GB or US',
        'line 4: "dan@example.com" is their own manager',
    ]


# -- the org check (file and database together) -------------------------------------------


def row(line: int, email: str, manager: str | None = None) -> DirectoryRow:
    return DirectoryRow(
        line=line, email=email, name=email, manager_email=manager, department="Ops", country="US"
    )


def test_manager_in_the_file_or_an_active_known_person() -> None:
    rows = [row(2, "a@x.io"), row(3, "b@x.io", "a@x.io"), row(4, "c@x.io", "boss@x.io")]
    known = {"boss@x.io": KnownPerson(active=True, manager_email=None)}
    assert check_org(rows, known, full=False) == []


def test_unknown_or_departed_manager() -> None:
    rows = [row(2, "a@x.io", "ghost@x.io"), row(3, "b@x.io", "gone@x.io")]
    known = {"gone@x.io": KnownPerson(active=False, manager_email=None)}
    assert check_org(rows, known, full=False) == [
        (2, 'unknown manager "ghost@x.io"'),
        (3, 'manager "gone@x.io" has left'),
    ]


def test_full_import_needs_every_manager_in_the_file() -> None:
    rows = [row(2, "a@x.io", "boss@x.io")]
    known = {"boss@x.io": KnownPerson(active=True, manager_email=None)}
    ((line, message),) = check_org(rows, known, full=True)
    assert line == 2
    assert "not in this file" in message


def test_cycle_across_database_and_file_names_the_lines() -> None:
    # The database says boss reports to c; the file puts c under a, and a under boss.
    known = {"boss@x.io": KnownPerson(active=True, manager_email="c@x.io")}
    rows = [row(2, "z@x.io"), row(5, "a@x.io", "boss@x.io"), row(9, "c@x.io", "a@x.io")]
    ((line, message),) = check_org(rows, known, full=False)
    assert line == 5
    assert "reporting cycle" in message
    assert "(lines 5, 9)" in message
    assert {"a@x.io", "boss@x.io", "c@x.io"} <= set(message.replace(" -> ", " ").split())


def test_without_full_the_file_overrides_the_database_line() -> None:
    # The database has a under b; the file moves b under a: no cycle, because a's line is the file's.
    known = {"a@x.io": KnownPerson(True, "b@x.io"), "b@x.io": KnownPerson(True, None)}
    assert check_org([row(2, "a@x.io"), row(3, "b@x.io", "a@x.io")], known, full=False) == []


def test_every_cycle_is_reported() -> None:
    rows = [
        row(2, "a@x.io", "b@x.io"),
        row(3, "b@x.io", "a@x.io"),
        row(4, "c@x.io", "d@x.io"),
        row(5, "d@x.io", "e@x.io"),
        row(6, "e@x.io", "c@x.io"),
    ]
    problems = check_org(rows, {}, full=False)
    assert [(line, "(lines " in message) for line, message in problems] == [(2, True), (4, True)]


# -- round trip ---------------------------------------------------------------------------

_COUNTRIES = holidays.list_supported_countries(include_aliases=False)
_ZONES = sorted(zoneinfo.available_timezones())
# What a valid name can hold: the import removes the invisible characters (tested above).
_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="".join(INVISIBLE_CHARACTERS)
    ),
    min_size=1,
    max_size=30,
).map(str.strip)
_EMAIL = st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,10}@[a-z0-9]{1,8}\.(com|org|co\.uk)", fullmatch=True)


@st.composite
def _person(
    draw: st.DrawFn, line: int, email: str, manager: str | None, slack_user_id: str | None
) -> DirectoryRow:
    country = draw(st.sampled_from(sorted(_COUNTRIES)))
    subdivisions = [code for code in _COUNTRIES[country] if len(code) <= 10]
    start, end = sorted(draw(st.lists(st.integers(0, 24 * 60 - 1), min_size=2, max_size=2, unique=True)))
    hours_given = draw(st.booleans())
    return DirectoryRow(
        line=line,
        email=email,
        name=draw(_TEXT.filter(bool)),
        manager_email=manager,
        department=draw(_TEXT.filter(bool)),
        country=country,
        subdivision=draw(st.none() | st.sampled_from(subdivisions)) if subdivisions else None,
        timezone=draw(st.none() | st.sampled_from(_ZONES)),
        slack_user_id=slack_user_id,
        working_days=draw(
            st.none() | st.sets(st.integers(0, 6), min_size=1).map(lambda days: tuple(sorted(days)))
        ),
        work_start=f"{start // 60:02d}:{start % 60:02d}" if hours_given else None,
        work_end=f"{end // 60:02d}:{end % 60:02d}" if hours_given else None,
    )


@st.composite
def _org(draw: st.DrawFn) -> list[DirectoryRow]:
    emails = draw(st.lists(_EMAIL, min_size=0, max_size=25, unique=True))
    people = []
    for index, email in enumerate(emails):
        manager = draw(st.none() | st.sampled_from(emails[:index])) if index else None
        slack_user_id = draw(st.none() | st.just(f"U{index:04d}X"))
        people.append(draw(_person(index + 2, email, manager, slack_user_id)))
    return people


@settings(max_examples=60, deadline=None)
@given(_org())
def test_any_valid_org_round_trips_through_csv(rows: list[DirectoryRow]) -> None:
    text = format_directory_csv(rows)
    assert parse_directory_csv(text) == rows
    assert check_org(rows, {}, full=True) == []
