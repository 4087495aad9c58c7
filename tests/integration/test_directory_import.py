"""The directory import end to end: a real database, and a fake Slack spoken to over HTTP.

What matters to HR: people land with the right Slack accounts and zones, a re-import updates
the same rows (so enrolments and plans stay attached), leavers are marked only on a full
import, and a bad file changes nothing at all.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine, select, text

from hr_plugin.clock import SimulatedClock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.directory import (
    DirectoryError,
    DirectoryFile,
    ImportReport,
    decode_directory_file,
    direct_reports,
    find_by_email,
    find_by_slack_id,
    import_directory,
    managers_above,
    org_map,
    parse_directory_csv,
    reporting_chain,
    reports_below,
)
from hr_plugin.models import AuditEntry, Employee
from hr_plugin.org_chart import chain_down, chain_up
from hr_plugin.testing.fake_slack import FakeSlack

TENANT = "T0DEMO"
COLUMNS = ("email", "name", "manager_email", "department", "country", "timezone", "slack_user_id")


def directory_csv(*people: Sequence[str], columns: Sequence[str] = COLUMNS) -> str:
    """A directory file; each person lists values in ``columns`` order, missing ones blank."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for person in people:
        writer.writerow([*person, *[""] * (len(columns) - len(person))])
    return out.getvalue()


# A 4-level org: ceo > vp-eng, vp-ops > eng managers > engineers.
ORG = (
    ("ceo@acme.test", "Chidi CEO", "", "Board", "GB"),
    ("vpe@acme.test", "Val Eng", "ceo@acme.test", "Engineering", "GB"),
    ("vpo@acme.test", "Vic Ops", "ceo@acme.test", "Operations", "US"),
    ("m1@acme.test", "Mia One", "vpe@acme.test", "Engineering", "GB"),
    ("m2@acme.test", "Max Two", "vpe@acme.test", "Engineering", "DE"),
    ("e1@acme.test", "Eve One", "m1@acme.test", "Engineering", "GB"),
    ("e2@acme.test", "Eli Two", "m1@acme.test", "Engineering", "GB"),
    ("e3@acme.test", "Ezra Three", "m2@acme.test", "Engineering", "DE", "Europe/Berlin"),
    ("o1@acme.test", "Oda Ops", "vpo@acme.test", "Operations", "US", "America/Chicago"),
)

SLACK_ZONES = {
    "ceo@acme.test": "Europe/London",
    "vpe@acme.test": "Europe/Dublin",
    "vpo@acme.test": "America/New_York",
    "m1@acme.test": "Europe/London",
    "m2@acme.test": "Europe/Berlin",
    "e1@acme.test": "Europe/Lisbon",
    "e2@acme.test": "Europe/London",
    # e3 and o1 have no Slack account
}


def slack_id(email: str) -> str:
    return "U" + email.split("@")[0].upper()


@pytest.fixture
def fake(clock: SimulatedClock) -> Iterator[FakeSlack]:
    with FakeSlack(clock=clock, team_id=TENANT) as server:
        for email, zone in SLACK_ZONES.items():
            local = email.split("@")[0]
            server.add_user(slack_id(email), name=local, real_name=local.title(), email=email, tz=zone)
        yield server


@pytest.fixture
def slack(fake: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-fake-token", base_url=fake.base_url)


def run(
    factory: SessionFactory,
    clock: SimulatedClock,
    slack: WebClient | None,
    text_: str,
    *,
    full: bool = False,
    **kwargs: Any,
) -> ImportReport:
    return import_directory(
        factory,
        tenant_id=TENANT,
        rows=parse_directory_csv(text_),
        slack=slack,
        clock=clock,
        full=full,
        actor="test",
        **kwargs,
    )


def people(factory: SessionFactory, tenant_id: str = TENANT) -> dict[str, Employee]:
    with unit_of_work(factory) as session:
        found = {
            employee.email: employee
            for employee in session.scalars(select(Employee).where(Employee.tenant_id == tenant_id))
        }
        session.expunge_all()  # keep them readable after the unit of work rolls back
        return found


def audit_entries(factory: SessionFactory, action: str) -> list[AuditEntry]:
    with unit_of_work(factory) as session:
        entries = list(
            session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
        )
        session.expunge_all()
        return entries


def dump(engine: Engine) -> tuple[list[Any], ...]:
    """Every row of the tables an import touches, for a byte-for-byte before/after comparison."""
    with engine.connect() as connection:
        return tuple(
            [tuple(row) for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY 1"))]
            for table in ("tenants", "employees", "audit_log")
        )


# -- first import -------------------------------------------------------------------------


def test_first_import_creates_people_with_slack_ids_and_slack_zones(
    session_factory: SessionFactory, clock: SimulatedClock, slack: WebClient, fake: FakeSlack
) -> None:
    messages: list[str] = []
    report = run(session_factory, clock, slack, directory_csv(*ORG), progress=messages.append)

    assert (report.created, report.updated, report.unchanged) == (9, 0, 0)
    assert report.manager_changed == [] and report.left == []
    assert sorted(report.unresolved) == ["e3@acme.test", "o1@acme.test"]
    found = people(session_factory)
    assert set(found) == {row[0] for row in ORG}
    for email, zone in SLACK_ZONES.items():
        assert found[email].slack_user_id == slack_id(email)
        assert found[email].timezone == zone  # Slack's zone, even where the file is silent
    assert found["e3@acme.test"].slack_user_id is None
    assert found["e3@acme.test"].timezone == "Europe/Berlin"  # no Slack account: the file's zone
    assert found["ceo@acme.test"].manager_id is None
    assert found["e1@acme.test"].manager_id == found["m1@acme.test"].id
    e1 = found["e1@acme.test"]
    assert (e1.working_days, e1.work_start, e1.work_end, e1.active) == ("0,1,2,3,4", "09:00", "17:00", True)
    assert e1.created_at == clock.now()

    (entry,) = audit_entries(session_factory, "directory.import")
    assert entry.details["created"] == 9
    assert entry.details["unresolved"] == 2
    assert entry.tenant_id == TENANT
    assert audit_entries(session_factory, "directory.manager_changed") == []
    assert messages[0] == "Resolving Slack accounts: 8 users read"  # 7 people and the app's bot user
    assert messages[-1].startswith("Directory imported: 9 created")


def test_a_time_zone_slack_lacks_falls_back_to_the_file_then_utc(
    session_factory: SessionFactory, clock: SimulatedClock
) -> None:
    run(
        session_factory,
        clock,
        None,
        directory_csv(
            ("a@acme.test", "A", "", "Ops", "US", "America/Denver", "U0A"),
            ("b@acme.test", "B", "", "Ops", "US"),
        ),
    )
    found = people(session_factory)
    assert (found["a@acme.test"].timezone, found["a@acme.test"].slack_user_id) == ("America/Denver", "U0A")
    assert (found["b@acme.test"].timezone, found["b@acme.test"].slack_user_id) == ("UTC", None)


# -- re-import ------------------------------------------------------------------------------


def test_reimport_updates_in_place_and_records_a_new_manager(
    session_factory: SessionFactory, clock: SimulatedClock, slack: WebClient
) -> None:
    run(session_factory, clock, slack, directory_csv(*ORG))
    before = {email: employee.id for email, employee in people(session_factory).items()}

    changed = [list(row) for row in ORG]
    changed[5][2] = "m2@acme.test"  # e1 moves from m1 to m2
    changed[6][1] = "Eli Renamed"  # e2's name changes
    report = run(session_factory, clock, slack, directory_csv(*changed))

    assert (report.created, report.updated, report.unchanged) == (0, 2, 7)
    assert report.manager_changed == [("e1@acme.test", "m1@acme.test", "m2@acme.test")]
    after = people(session_factory)
    assert {email: employee.id for email, employee in after.items()} == before
    assert after["e2@acme.test"].name == "Eli Renamed"

    (entry,) = audit_entries(session_factory, "directory.manager_changed")
    assert entry.subject == str(before["e1@acme.test"])
    assert entry.details == {
        "old_manager_id": before["m1@acme.test"],
        "new_manager_id": before["m2@acme.test"],
    }
    with unit_of_work(session_factory) as session:
        assert [p.email for p in direct_reports(session, TENANT, before["m1@acme.test"])] == ["e2@acme.test"]
        assert [p.email for p in direct_reports(session, TENANT, before["m2@acme.test"])] == [
            "e1@acme.test",
            "e3@acme.test",
        ]


def test_reimport_with_nothing_new_changes_nothing(
    session_factory: SessionFactory, clock: SimulatedClock, slack: WebClient, engine: Engine
) -> None:
    run(session_factory, clock, slack, directory_csv(*ORG))
    employees_before = dump(engine)[1]
    report = run(session_factory, clock, slack, directory_csv(*ORG))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 9)
    assert dump(engine)[1] == employees_before
    assert len(audit_entries(session_factory, "directory.import")) == 2


def test_blank_working_hours_keep_what_a_person_chose(
    session_factory: SessionFactory, clock: SimulatedClock
) -> None:
    columns = (*COLUMNS[:5], "working_days", "working_hours")
    run(session_factory, clock, None, directory_csv(("a@acme.test", "A", "", "Ops", "US"), columns=columns))
    with unit_of_work(session_factory) as session:
        person = find_by_email(session, TENANT, "a@acme.test")
        assert person is not None
        person.working_days, person.work_start, person.work_end = "1,2,3", "10:00", "15:00"
        session.commit()

    run(session_factory, clock, None, directory_csv(("a@acme.test", "A", "", "Ops", "US"), columns=columns))
    kept = people(session_factory)["a@acme.test"]
    assert (kept.working_days, kept.work_start, kept.work_end) == ("1,2,3", "10:00", "15:00")

    given = ("a@acme.test", "A", "", "Ops", "US", "0,1,2,3", "08:00-16:30")
    run(session_factory, clock, None, directory_csv(given, columns=columns))
    changed = people(session_factory)["a@acme.test"]
    assert (changed.working_days, changed.work_start, changed.work_end) == ("0,1,2,3", "08:00", "16:30")


# -- leavers --------------------------------------------------------------------------------


def test_full_import_marks_missing_people_as_left_and_welcomes_them_back(
    session_factory: SessionFactory, clock: SimulatedClock, slack: WebClient
) -> None:
    run(session_factory, clock, slack, directory_csv(*ORG))
    without_o1 = [row for row in ORG if row[0] != "o1@acme.test"]

    report = run(session_factory, clock, slack, directory_csv(*without_o1), full=False)
    assert report.left == []
    assert people(session_factory)["o1@acme.test"].active

    report = run(session_factory, clock, slack, directory_csv(*without_o1), full=True)
    assert report.left == ["o1@acme.test"]
    gone = people(session_factory)["o1@acme.test"]
    assert (gone.active, gone.left_at) == (False, clock.now())
    (entry,) = audit_entries(session_factory, "directory.left")
    assert entry.subject == str(gone.id)
    with unit_of_work(session_factory) as session:
        assert direct_reports(session, TENANT, people(session_factory)["vpo@acme.test"].id) == []

    report = run(session_factory, clock, slack, directory_csv(*ORG), full=True)
    back = people(session_factory)["o1@acme.test"]
    assert (back.id, back.active, back.left_at) == (gone.id, True, None)
    assert report.left == []


def test_full_import_of_nobody_is_refused(
    session_factory: SessionFactory, clock: SimulatedClock, engine: Engine
) -> None:
    run(session_factory, clock, None, directory_csv(*ORG))
    before = dump(engine)
    with pytest.raises(DirectoryError, match="lists nobody"):
        run(session_factory, clock, None, directory_csv(), full=True)
    assert dump(engine) == before


# -- Slack account state ----------------------------------------------------------------------


def test_deactivated_slack_user_is_marked_and_reactivation_is_noticed(
    session_factory: SessionFactory, clock: SimulatedClock, slack: WebClient, fake: FakeSlack
) -> None:
    run(session_factory, clock, slack, directory_csv(*ORG))
    fake.deactivate(slack_id("e2@acme.test"))
    report = run(session_factory, clock, slack, directory_csv(*ORG))
    assert report.deactivated_in_slack == ["e2@acme.test"]
    e2 = people(session_factory)["e2@acme.test"]
    assert e2.slack_deactivated and not e2.reachable
    assert e2.active  # still employed: only their Slack account is gone

    fake.add_user(slack_id("e2@acme.test"), name="e2", real_name="E2", email="e2@acme.test")
    run(session_factory, clock, slack, directory_csv(*ORG))
    assert people(session_factory)["e2@acme.test"].reachable


def test_a_recreated_slack_account_replaces_the_deactivated_one(
    session_factory: SessionFactory, clock: SimulatedClock, slack: WebClient, fake: FakeSlack
) -> None:
    run(session_factory, clock, slack, directory_csv(*ORG))
    fake.deactivate(slack_id("e1@acme.test"))
    fake.add_user("UE1NEW", name="e1", real_name="E1", email="e1@acme.test", tz="Asia/Tokyo")
    run(session_factory, clock, slack, directory_csv(*ORG))
    e1 = people(session_factory)["e1@acme.test"]
    assert (e1.slack_user_id, e1.slack_deactivated, e1.timezone) == ("UE1NEW", False, "Asia/Tokyo")


def test_a_changed_email_with_the_same_slack_account_updates_the_same_person(
    session_factory: SessionFactory, clock: SimulatedClock, slack: WebClient, fake: FakeSlack
) -> None:
    run(session_factory, clock, slack, directory_csv(*ORG))
    old = people(session_factory)["e2@acme.test"]
    fake.add_user(slack_id("e2@acme.test"), name="e2", real_name="E2", email="eli.new@acme.test")
    renamed = [("eli.new@acme.test", *row[1:]) if row[0] == "e2@acme.test" else row for row in ORG]

    report = run(session_factory, clock, slack, directory_csv(*renamed), full=True)

    assert report.left == [] and report.created == 0
    found = people(session_factory)
    assert "e2@acme.test" not in found
    assert found["eli.new@acme.test"].id == old.id
    assert found["eli.new@acme.test"].slack_user_id == old.slack_user_id
    (entry,) = audit_entries(session_factory, "directory.email_changed")
    assert (entry.subject, entry.details) == (str(old.id), {})


def test_a_slack_account_claimed_by_a_new_row_leaves_its_old_holder(
    session_factory: SessionFactory, clock: SimulatedClock
) -> None:
    run(session_factory, clock, None, directory_csv(("a@acme.test", "A", "", "Ops", "US", "", "U0X")))
    run(
        session_factory,
        clock,
        None,
        directory_csv(
            ("a@acme.test", "A", "", "Ops", "US"), ("b@acme.test", "B", "", "Ops", "US", "", "U0X")
        ),
    )
    found = people(session_factory)
    # a is in the file, so b is a different person: the account moves to b.
    assert (found["a@acme.test"].slack_user_id, found["b@acme.test"].slack_user_id) == (None, "U0X")


def test_slack_ids_can_swap_between_two_people_in_one_file(
    session_factory: SessionFactory, clock: SimulatedClock
) -> None:
    first = directory_csv(
        ("a@acme.test", "A", "", "Ops", "US", "", "U0A"), ("b@acme.test", "B", "", "Ops", "US", "", "U0B")
    )
    run(session_factory, clock, None, first)
    run(
        session_factory,
        clock,
        None,
        first.replace("U0A", "U0TMP").replace("U0B", "U0A").replace("U0TMP", "U0B"),
    )
    found = people(session_factory)
    assert (found["a@acme.test"].slack_user_id, found["b@acme.test"].slack_user_id) == ("U0B", "U0A")


# -- bad files change nothing -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make_file", "line", "fragment", "slack_asked"),
    [
        (
            lambda: directory_csv(*[row[:4] for row in ORG], columns=COLUMNS[:4]),
            1,
            "missing columns: country",
            False,
        ),
        (lambda: directory_csv(*ORG, ("bob@", "Bob", "", "Ops", "US")), 11, 'bad email "bob@"', False),
        (
            lambda: directory_csv(*ORG, ("new@acme.test", "New", "ghost@acme.test", "Ops", "US")),
            11,
            'unknown manager "ghost@acme.test"',
            False,
        ),
        (
            # The database has vpe under ceo; this file puts ceo under m1, and m1 (in the file) under vpe.
            lambda: directory_csv(
                ("ceo@acme.test", "Chidi CEO", "m1@acme.test", "Board", "GB"),
                ("m1@acme.test", "Mia One", "vpe@acme.test", "Engineering", "GB"),
            ),
            2,
            "reporting cycle",
            False,
        ),
    ],
    ids=["missing-column", "bad-email", "unknown-manager", "cycle-across-db-and-file"],
)
def test_a_bad_file_raises_with_its_line_and_changes_nothing(
    session_factory: SessionFactory,
    clock: SimulatedClock,
    slack: WebClient,
    fake: FakeSlack,
    engine: Engine,
    make_file: Any,
    line: int,
    fragment: str,
    slack_asked: bool,
) -> None:
    run(session_factory, clock, slack, directory_csv(*ORG))
    before = dump(engine)
    fake.reset_calls()
    clock.sleep(3600)

    with pytest.raises(DirectoryError) as raised:
        run(session_factory, clock, slack, make_file())

    assert any(
        problem_line == line and fragment in message for problem_line, message in raised.value.problems
    ), raised.value.problems
    assert f"line {line}: " in str(raised.value)
    assert dump(engine) == before
    assert bool(fake.calls) == slack_asked  # the database check fails before Slack is paged


def test_names_are_stored_without_overrides_or_zero_width_characters(
    session_factory: SessionFactory, clock: SimulatedClock, slack: WebClient
) -> None:
    """A name that would read backwards, or pass for a colleague's, is stored as it reads."""
    spoofed = [list(person) for person in ORG]
    spoofed[5][1] = "Eve\u202e enO\u200b"  # e1: reads "Eve Oen" reversed after the override
    spoofed[6][1] = "E\u200dli\u2066 Two\u2069\ufeff"  # e2: looks exactly like "Eli Two"
    spoofed[6][3] = "\u200bEngineering"

    run(session_factory, clock, slack, directory_csv(*spoofed))

    found = people(session_factory)
    assert found["e1@acme.test"].name == "Eve enO"
    assert (found["e2@acme.test"].name, found["e2@acme.test"].department) == ("Eli Two", "Engineering")
    clean = {row[0]: row[1] for row in ORG}
    assert all(found[email].name == clean[email] for email in clean if email not in ("e1@acme.test",))


def test_a_file_that_is_not_utf8_is_refused_with_its_line_and_changes_nothing(
    session_factory: SessionFactory, clock: SimulatedClock, slack: WebClient, engine: Engine
) -> None:
    run(session_factory, clock, slack, directory_csv(*ORG))
    before = dump(engine)
    latin1 = directory_csv(*ORG, ("zoe@acme.test", "Zoë Brontë", "ceo@acme.test", "Board", "GB")).encode(
        "latin-1"
    )

    with pytest.raises(DirectoryError) as raised:
        run(session_factory, clock, slack, decode_directory_file(latin1))

    assert [line for line, _ in raised.value.problems] == [len(ORG) + 2]
    assert "CSV UTF-8" in str(raised.value) and "byte" not in str(raised.value)
    assert dump(engine) == before


def test_the_cycle_message_names_every_line_in_it(
    session_factory: SessionFactory, clock: SimulatedClock
) -> None:
    run(session_factory, clock, None, directory_csv(*ORG))
    bad = directory_csv(
        ("ceo@acme.test", "Chidi CEO", "e1@acme.test", "Board", "GB"),
        ("x@acme.test", "X", "", "Ops", "GB"),
        ("m1@acme.test", "Mia One", "vpe@acme.test", "Engineering", "GB"),
    )
    with pytest.raises(DirectoryError) as raised:
        run(session_factory, clock, None, bad)
    ((line, message),) = raised.value.problems
    assert line == 2
    assert "(lines 2, 4)" in message  # vpe and e1 come from the database, not the file


def test_a_slack_failure_writes_nothing(
    session_factory: SessionFactory, clock: SimulatedClock, slack: WebClient, fake: FakeSlack, engine: Engine
) -> None:
    before = dump(engine)
    fake.fail_next("users.list", status=200, error="missing_scope")
    with pytest.raises(SlackApiError):
        run(session_factory, clock, slack, directory_csv(*ORG))
    assert dump(engine) == before


def test_a_failure_halfway_through_the_write_writes_nothing(
    session_factory: SessionFactory, clock: SimulatedClock, engine: Engine
) -> None:
    run(session_factory, clock, None, directory_csv(*ORG))
    before = dump(engine)
    many = [(f"p{index}@acme.test", f"P {index}", "ceo@acme.test", "Ops", "GB") for index in range(700)]

    def fail_while_writing(message: str) -> None:
        if message.startswith("Writing the directory: 500"):
            raise RuntimeError("the disk filled up")

    with pytest.raises(RuntimeError):
        run(session_factory, clock, None, directory_csv(*ORG, *many), progress=fail_while_writing)
    assert dump(engine) == before


def test_a_failure_after_a_batch_was_written_writes_nothing(
    session_factory: SessionFactory, clock: SimulatedClock, engine: Engine
) -> None:
    """The write goes in batches of a thousand, all in one transaction: a late failure undoes the first."""
    run(session_factory, clock, None, directory_csv(*ORG))
    before = dump(engine)
    many = [(f"p{index}@acme.test", f"P {index}", "ceo@acme.test", "Ops", "GB") for index in range(2_500)]

    def fail_while_writing(message: str) -> None:
        if message.startswith("Writing the directory: 2000"):
            raise RuntimeError("the disk filled up")

    with pytest.raises(RuntimeError):
        run(session_factory, clock, None, directory_csv(*ORG, *many), progress=fail_while_writing)
    assert dump(engine) == before


def test_managers_listed_after_their_reports_even_batches_later(
    session_factory: SessionFactory, clock: SimulatedClock
) -> None:
    """Rows are written a thousand at a time, and a new manager has an id only once their row
    is: reports who come first (new, or known and moving to the new manager) still get them."""
    run(session_factory, clock, None, directory_csv(*ORG))
    before = people(session_factory)
    clock.sleep(60)
    filler = [
        (f"p{index:04d}@acme.test", f"P {index}", "ceo@acme.test", "Ops", "GB") for index in range(1_200)
    ]
    moved = [list(row) for row in ORG]
    moved[5][2] = "late-boss@acme.test"  # e1, known, moves to a manager new in this file
    rows = [
        ("early@acme.test", "Early Report", "late-boss@acme.test", "Ops", "GB"),
        *moved,
        *filler,
        ("late-boss@acme.test", "Late Boss", "ceo@acme.test", "Ops", "GB"),
    ]
    report = run(session_factory, clock, None, directory_csv(*rows))

    found = people(session_factory)
    boss = found["late-boss@acme.test"].id
    assert found["early@acme.test"].manager_id == boss
    assert found["e1@acme.test"].manager_id == boss
    assert report.manager_changed == [("e1@acme.test", "m1@acme.test", "late-boss@acme.test")]
    assert (report.created, report.updated, report.unchanged) == (1_202, 1, len(ORG) - 1)
    assert found["e1@acme.test"].updated_at > before["e1@acme.test"].updated_at
    (entry,) = audit_entries(session_factory, "directory.manager_changed")
    assert entry.details == {"old_manager_id": before["m1@acme.test"].id, "new_manager_id": boss}


# -- a file read as a stream --------------------------------------------------------------------


def stream_import(
    factory: SessionFactory, clock: SimulatedClock, source: DirectoryFile, *, full: bool = False
) -> ImportReport:
    return import_directory(
        factory, tenant_id=TENANT, rows=source, slack=None, clock=clock, full=full, actor="test"
    )


def test_a_file_read_as_a_stream_imports_as_its_rows_would(
    session_factory: SessionFactory, clock: SimulatedClock, tmp_path: Any
) -> None:
    path = tmp_path / "directory.csv"
    path.write_text(directory_csv(*ORG), encoding="utf-8")
    report = stream_import(session_factory, clock, DirectoryFile.from_path(path), full=True)
    assert (report.created, report.updated, report.unchanged) == (len(ORG), 0, 0)
    found = people(session_factory)
    assert found["e1@acme.test"].manager_id == found["m1@acme.test"].id

    report = stream_import(session_factory, clock, DirectoryFile.from_path(path), full=True)
    assert (report.created, report.updated, report.unchanged) == (0, 0, len(ORG))


def test_a_bad_line_at_the_end_of_a_streamed_file_is_named_and_nothing_is_imported(
    session_factory: SessionFactory, clock: SimulatedClock, engine: Engine
) -> None:
    run(session_factory, clock, None, directory_csv(*ORG))
    before = dump(engine)
    good = [(f"p{index}@acme.test", f"P {index}", "ceo@acme.test", "Ops", "GB") for index in range(1_500)]
    text_ = directory_csv(*ORG, *good) + 'late@acme.test,"Late,,Ops,GB\n'

    with pytest.raises(DirectoryError) as raised:
        stream_import(session_factory, clock, DirectoryFile.from_bytes(text_.encode()))

    ((line, message),) = raised.value.problems
    assert line == len(ORG) + len(good) + 2, message  # the unclosed quote swallows the rest of the line
    assert dump(engine) == before


def test_a_file_that_changes_between_its_readings_imports_nothing(
    session_factory: SessionFactory, clock: SimulatedClock, engine: Engine
) -> None:
    """The file is checked on its first reading and written from later ones: an edit in between
    (a ghost manager the check never saw) must not reach the database."""
    run(session_factory, clock, None, directory_csv(*ORG))
    before = dump(engine)
    checked = directory_csv(*ORG, ("new@acme.test", "New", "ceo@acme.test", "Ops", "US")).encode()
    edited = directory_csv(*ORG, ("new@acme.test", "New", "ghost@acme.test", "Ops", "US")).encode()
    readings = iter([checked, edited, edited])

    with pytest.raises(DirectoryError) as raised:
        stream_import(session_factory, clock, DirectoryFile(lambda: io.BytesIO(next(readings))))

    assert "changed while it was being imported" in str(raised.value)
    assert dump(engine) == before


def test_rows_that_can_be_read_only_once_are_refused_before_anything_is_read(
    session_factory: SessionFactory, clock: SimulatedClock
) -> None:
    once = iter(parse_directory_csv(directory_csv(*ORG)))
    with pytest.raises(TypeError):
        import_directory(
            session_factory, tenant_id=TENANT, rows=once, slack=None, clock=clock, full=False, actor="test"
        )
    assert people(session_factory) == {}


# -- Slack resolution ---------------------------------------------------------------------------


def test_users_list_is_paged_to_the_end(
    session_factory: SessionFactory, clock: SimulatedClock, slack: WebClient, fake: FakeSlack
) -> None:
    extra = [(f"p{index:03d}@acme.test", f"P {index}", "ceo@acme.test", "Ops", "GB") for index in range(450)]
    for email, *_ in extra:
        fake.add_user(slack_id(email), name=email, real_name=email, email=email, tz="Asia/Kolkata")
    fake.reset_calls()
    messages: list[str] = []

    report = run(session_factory, clock, slack, directory_csv(*ORG, *extra), progress=messages.append)

    pages = fake.calls_for("users.list")
    assert len(pages) == 3  # 458 users: 200 + 200 + 58
    assert all(str(page["params"]["limit"]) == "200" for page in pages)
    assert "cursor" not in pages[0]["params"] and all(page["params"].get("cursor") for page in pages[1:])
    assert [m for m in messages if m.startswith("Resolving")] == [
        f"Resolving Slack accounts: {count} users read" for count in (200, 400, 458)
    ]
    last = people(session_factory)["p449@acme.test"]
    assert (last.slack_user_id, last.timezone) == (slack_id("p449@acme.test"), "Asia/Kolkata")
    assert sorted(report.unresolved) == ["e3@acme.test", "o1@acme.test"]


def test_only_stragglers_are_looked_up_by_email(
    session_factory: SessionFactory, clock: SimulatedClock, slack: WebClient, fake: FakeSlack
) -> None:
    def joins_slack_meanwhile(message: str) -> None:
        # o1 joins Slack after users.list was read: only a lookup can find them.
        if message.startswith("Looking up"):
            fake.add_user("UO1", name="o1", real_name="Oda", email="O1@acme.test", tz="America/Chicago")

    report = run(session_factory, clock, slack, directory_csv(*ORG), progress=joins_slack_meanwhile)

    lookups = [call["params"]["email"] for call in fake.calls_for("users.lookupByEmail")]
    assert sorted(lookups) == ["e3@acme.test", "o1@acme.test"]
    assert report.unresolved == ["e3@acme.test"]  # users_not_found is an answer, not an error
    o1 = people(session_factory)["o1@acme.test"]
    assert (o1.slack_user_id, o1.timezone) == ("UO1", "America/Chicago")


def test_lookups_are_capped(
    session_factory: SessionFactory, clock: SimulatedClock, slack: WebClient, fake: FakeSlack
) -> None:
    messages: list[str] = []
    report = run(session_factory, clock, slack, directory_csv(*ORG), lookup_limit=1, progress=messages.append)
    assert len(fake.calls_for("users.lookupByEmail")) == 1
    assert sorted(report.unresolved) == ["e3@acme.test", "o1@acme.test"]
    assert any("not looked up" in message for message in messages)


def test_known_slack_ids_are_not_looked_up_again(
    session_factory: SessionFactory, clock: SimulatedClock, slack: WebClient, fake: FakeSlack
) -> None:
    with_ids = [
        (*row[:5], row[5] if len(row) > 5 else "", "U0" + row[0].split("@")[0].upper()) for row in ORG
    ]
    run(session_factory, clock, None, directory_csv(*with_ids))
    fake.reset_calls()
    report = run(session_factory, clock, slack, directory_csv(*ORG))
    assert fake.calls_for("users.lookupByEmail") == []
    assert report.unresolved == []
    # Slack's answer for the email wins over the id stored before; the stored one stays otherwise.
    found = people(session_factory)
    assert found["e1@acme.test"].slack_user_id == slack_id("e1@acme.test")
    assert found["o1@acme.test"].slack_user_id == "U0O1"


# -- queries --------------------------------------------------------------------------------------


def test_chain_queries_on_a_four_level_org(
    session_factory: SessionFactory, clock: SimulatedClock, slack: WebClient
) -> None:
    run(session_factory, clock, slack, directory_csv(*ORG))
    ids = {email.split("@")[0]: employee.id for email, employee in people(session_factory).items()}

    with unit_of_work(session_factory) as session:
        assert managers_above(session, TENANT, ids["e1"]) == [ids["m1"], ids["vpe"], ids["ceo"]]
        assert managers_above(session, TENANT, ids["ceo"]) == []
        assert reports_below(session, TENANT, ids["vpe"]) == {ids[k] for k in ("m1", "m2", "e1", "e2", "e3")}
        assert reports_below(session, TENANT, ids["e1"]) == set()
        assert reports_below(session, TENANT, ids["ceo"]) == set(ids.values()) - {ids["ceo"]}
        assert reporting_chain(session, TENANT, ids["m1"]) == {ids[k] for k in ("vpe", "ceo", "e1", "e2")}
        assert ids["m2"] not in reporting_chain(session, TENANT, ids["e1"])  # a peer's manager is fair game

        mapping = org_map(session, TENANT)
        assert len(mapping) == len(ORG)
        for person in ids.values():
            assert managers_above(session, TENANT, person) == chain_up(mapping, person)
            assert reports_below(session, TENANT, person) == chain_down(mapping, person)

        assert find_by_email(session, TENANT, " E1@ACME.test ") is not None
        found = find_by_slack_id(session, TENANT, slack_id("e1@acme.test"))
        assert found is not None and found.id == ids["e1"]
        assert find_by_email(session, "T0OTHER", "e1@acme.test") is None


def test_tenants_do_not_see_each_other(session_factory: SessionFactory, clock: SimulatedClock) -> None:
    import_directory(
        session_factory,
        tenant_id="T0OTHER",
        rows=parse_directory_csv(directory_csv(("ceo@acme.test", "Other CEO", "", "Board", "FR"))),
        slack=None,
        clock=clock,
        full=False,
        actor="test",
    )
    run(session_factory, clock, None, directory_csv(*ORG))
    other = people(session_factory, "T0OTHER")["ceo@acme.test"]
    ours = people(session_factory)
    with unit_of_work(session_factory) as session:
        assert reports_below(session, "T0OTHER", other.id) == set()
        assert reports_below(session, TENANT, other.id) == set()
        assert managers_above(session, "T0OTHER", ours["e1@acme.test"].id) == []
        assert set(org_map(session, "T0OTHER")) == {other.id}
    # A full import for one tenant leaves the other alone.
    run(session_factory, clock, None, directory_csv(ORG[0]), full=True)
    assert people(session_factory, "T0OTHER")["ceo@acme.test"].active


# -- scale ----------------------------------------------------------------------------------------


def big_org(size: int) -> list[tuple[str, ...]]:
    """A broad org: each person reports to person (index - 1) // 8, so about 5 levels for 10,000."""
    rows = []
    for index in range(size):
        manager = f"p{(index - 1) // 8:05d}@big.test" if index else ""
        rows.append((f"p{index:05d}@big.test", f"Person {index}", manager, f"Dept {index % 40}", "GB"))
    return rows


def test_ten_thousand_people_import_in_seconds(
    session_factory: SessionFactory, clock: SimulatedClock, slack: WebClient, fake: FakeSlack
) -> None:
    rows = big_org(10_000)
    for email, *_ in rows[:9_990]:
        fake.add_user(slack_id(email), name=email, real_name=email, email=email, tz="Europe/London")
    text_ = directory_csv(*rows)
    messages: list[str] = []

    started = time.perf_counter()
    report = run(session_factory, clock, slack, text_, progress=messages.append)
    first = time.perf_counter() - started
    assert report.created == 10_000
    assert len(report.unresolved) == 10
    assert len(fake.calls_for("users.lookupByEmail")) == 10
    assert sum(message.startswith("Writing the directory") for message in messages) == 20

    moved = [list(row) for row in rows]
    moved[500][2] = "p00001@big.test"
    started = time.perf_counter()
    report = run(session_factory, clock, slack, directory_csv(*moved), full=True)
    second = time.perf_counter() - started
    assert (report.updated, report.unchanged, len(report.manager_changed)) == (1, 9_999, 1)

    assert first < 30 and second < 30, (first, second)
    with unit_of_work(session_factory) as session:
        top = find_by_email(session, TENANT, "p00000@big.test")
        assert top is not None
        assert len(reports_below(session, TENANT, top.id)) == 9_999
