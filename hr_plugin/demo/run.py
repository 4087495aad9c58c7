"""``hr-plugin demo``: the whole program offline, through the real app and a fake Slack.

A sample organisation is imported from the CSV shipped beside this file; people act in
Slack through signed HTTP requests; a simulated clock drives the scheduler's ticks through
a quarter. It prints what each person saw and writes ``slack-calls.jsonl`` and
``people.json``, the record that privacy checks read.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from hr_plugin.clock import SimulatedClock
from hr_plugin.db import unit_of_work
from hr_plugin.directory import find_by_email, import_directory, parse_directory_csv
from hr_plugin.leaves import record_leave
from hr_plugin.models import Employee
from hr_plugin.outbox import depth
from hr_plugin.roles import roles_of
from hr_plugin.slack.views.home import APPOINT_ADMIN_ACTION, WORKING_HOURS_ACTION
from hr_plugin.slack.views.modals import (
    APPOINT_ADMIN_CALLBACK,
    APPOINTEE_ACTION,
    APPOINTEE_BLOCK,
    DAYS_BLOCK,
    END_BLOCK,
    START_BLOCK,
    WORKING_HOURS_CALLBACK,
)
from hr_plugin.slack_clients import make_client
from hr_plugin.testing.fake_slack import FakeSlack
from hr_plugin.testing.stack import BOT_TOKEN, AppStack, start_stack

QUARTER_START = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)  # a Monday, before anyone's working day
QUARTER = timedelta(weeks=13)
NOT_IN_SLACK = "ivy.walsh@example.com"  # a straggler: in the HRIS, no Slack account
DEACTIVATED = "zoe.adams@example.com"  # her Slack account was deactivated
WORKSPACE_OWNER = "ana.costa@example.com"
HR_LEAD = "priya.shah@example.com"
RETURNING = {
    "sam.patel@example.com": (date(2025, 9, 1), date(2026, 1, 19)),
    "noor.haddad@example.com": (date(2025, 10, 6), date(2026, 2, 2)),
    "lena.fischer@example.com": (date(2025, 8, 4), date(2026, 3, 2)),
}
MANAGER_CHANGE = ("noor.haddad@example.com", "dev.raman@example.com")
LEAVER = "olivia.brown@example.com"


def sample_org_csv() -> str:
    return (resources.files("hr_plugin.demo") / "sample_org.csv").read_text(encoding="utf-8")


def run_demo(out: Path, canary: str | None = None, database_url: str | None = None) -> int:
    out.mkdir(parents=True, exist_ok=True)
    if database_url is None:
        for stale in out.glob("demo.db*"):
            stale.unlink()
        database_url = f"sqlite:///{(out / 'demo.db').resolve()}"
    clock = SimulatedClock(QUARTER_START)
    fake = FakeSlack(clock=clock, bot_tokens=[BOT_TOKEN], team_name="Example Ltd")
    rows = list(csv.DictReader(io.StringIO(sample_org_csv())))
    ids = _seed_slack_workspace(fake, rows)
    say = _printer()
    with start_stack(database_url, clock, fake=fake) as stack:
        _act_one_setup(stack, ids, say)
        _act_two_people_open_their_homes(stack, ids, say)
        _act_three_the_quarter(stack, rows, ids, say)
        people = _people(stack, ids)
        (out / "people.json").write_text(json.dumps(people, indent=2, sort_keys=True) + "\n")
        fake.write_jsonl(out / "slack-calls.jsonl")
        _print_what_each_person_saw(fake, people, say)
        with unit_of_work(stack.factory) as session:
            say(f"\nOutbox at the end of the quarter: {depth(session)}")
    say(f"\nWrote {out / 'slack-calls.jsonl'} and {out / 'people.json'}.")
    if canary:
        say(f"(Canary {canary!r} noted: no private check-in surface exists yet, so nothing carries it.)")
    return 0


def _seed_slack_workspace(fake: FakeSlack, rows: list[dict[str, str]]) -> dict[str, str]:
    """Give everyone but the straggler a Slack account; return email -> Slack user id."""
    ids: dict[str, str] = {}
    for number, row in enumerate(rows, start=1):
        email = row["email"]
        if email == NOT_IN_SLACK:
            continue
        user_id = f"U{number:04d}DEMO"
        fake.add_user(
            user_id,
            name=email.split("@")[0],
            real_name=row["name"],
            email=email,
            tz=row["timezone"],
            is_owner=email == WORKSPACE_OWNER,
            deleted=email == DEACTIVATED,
        )
        ids[email] = user_id
    return ids


def _act_one_setup(stack: AppStack, ids: dict[str, str], say: Callable[[str], None]) -> None:
    clock = stack.services.clock
    say("== Setting up: HR imports the directory and the workspace owner appoints HR ==")
    report = import_directory(
        stack.factory,
        tenant_id=stack.fake.team_id,
        rows=parse_directory_csv(sample_org_csv()),
        slack=make_client(BOT_TOKEN, stack.fake.base_url, wait_on_rate_limit=True),
        clock=clock,
        full=True,
        actor="demo",
        progress=lambda line: say(f"   {line}"),
    )
    say(f"Directory import: {report.summary()}")

    owner, hr = ids[WORKSPACE_OWNER], ids[HR_LEAD]
    stack.slack.app_home_opened(owner)
    home = stack.fake.home_view(owner) or {}
    stack.slack.block_action(owner, APPOINT_ADMIN_ACTION, "open", block_id="admins", view=home)
    refused = stack.slack.view_submission(
        owner, APPOINT_ADMIN_CALLBACK, {APPOINTEE_BLOCK: {APPOINTEE_ACTION: _picked_user(ids[DEACTIVATED])}}
    )
    say(f"Ana picks a deactivated account first; the modal answers inline: {_inline_errors(refused.json)}")
    stack.slack.view_submission(
        owner, APPOINT_ADMIN_CALLBACK, {APPOINTEE_BLOCK: {APPOINTEE_ACTION: _picked_user(hr)}}
    )
    say("Ana appoints Priya Shah as HR admin from the App Home.")

    for email, (start, back) in RETURNING.items():
        record_leave(
            stack.factory,
            clock,
            tenant_id=stack.fake.team_id,
            email=email,
            leave_start=start,
            expected_return=back,
            actor=hr,
        )
    say(f"HR records the leaves of {len(RETURNING)} returning parents.")


def _act_two_people_open_their_homes(
    stack: AppStack, ids: dict[str, str], say: Callable[[str], None]
) -> None:
    say("\n== Monday morning: people open the app ==")
    _simulated(stack).advance(timedelta(hours=2))
    for email, user_id in ids.items():
        if email != DEACTIVATED:  # a deactivated account cannot open Slack at all
            stack.slack.app_home_opened(user_id)
    sam = ids["sam.patel@example.com"]
    event_id = "Ev0DEMORETRY"
    for attempt in range(4):
        stack.slack.app_home_opened(
            sam,
            event_id=event_id,
            retry_num=attempt or None,
            retry_reason="http_timeout" if attempt else None,
        )
    say("Slack delivers one of Sam's Home events four times (three retries); the app acts once.")
    stack.slack.slash_command(sam, "/rtw", "help")
    stack.slack.slash_command(ids["noor.haddad@example.com"], "/rtw", "schedule")
    say("Sam asks `/rtw help`; Noor tries a command that does not exist and gets the help instead.")

    lena = ids["lena.fischer@example.com"]
    home = stack.fake.home_view(lena) or {}
    stack.slack.block_action(lena, WORKING_HOURS_ACTION, "open", view=home)
    refused = stack.slack.view_submission(
        lena, WORKING_HOURS_CALLBACK, _hours_values([0, 1, 2, 3], "16:00", "08:30")
    )
    say(
        f"Lena sets her day to end before it starts; the modal answers inline: {_inline_errors(refused.json)}"
    )
    stack.slack.view_submission(lena, WORKING_HOURS_CALLBACK, _hours_values([0, 1, 2, 3], "08:30", "16:00"))
    say("Lena saves Monday to Thursday, 08:30 to 16:00.")


def _act_three_the_quarter(
    stack: AppStack, rows: list[dict[str, str]], ids: dict[str, str], say: Callable[[str], None]
) -> None:
    say("\n== The quarter: the scheduler's ticks run on simulated time ==")
    clock = _simulated(stack)
    end = QUARTER_START + QUARTER
    reorganised = False
    step = timedelta(minutes=30)
    while clock.now() < end:
        stack.ticks.run_due()
        if not reorganised and clock.now() >= QUARTER_START + timedelta(weeks=6):
            reorganised = True
            _reorganise(stack, rows, ids, say)
        clock.advance(step)
    stack.ticks.run_due()
    say(f"Ticks ran until {clock.now():%d %b %Y}.")


def _reorganise(
    stack: AppStack, rows: list[dict[str, str]], ids: dict[str, str], say: Callable[[str], None]
) -> None:
    """Six weeks in: a team changes lead and someone leaves; HR re-imports the whole directory."""
    person, new_manager = MANAGER_CHANGE
    changed = []
    for row in rows:
        if row["email"] == LEAVER:
            continue
        if row["email"] == person:
            row = {**row, "manager_email": new_manager}
        changed.append(row)
    report = import_directory(
        stack.factory,
        tenant_id=stack.fake.team_id,
        rows=parse_directory_csv(_to_csv(changed)),
        slack=make_client(BOT_TOKEN, stack.fake.base_url, wait_on_rate_limit=True),
        clock=stack.services.clock,
        full=True,
        actor=ids[HR_LEAD],
    )
    say(f"{stack.services.clock.now():%d %b}: HR re-imports the directory: {report.summary()}")
    for email in ("mei.chen@example.com", new_manager, HR_LEAD):
        stack.slack.app_home_opened(ids[email])
    say("Noor's old and new managers, and HR, open their App Homes again.")


def _people(stack: AppStack, ids: dict[str, str]) -> dict[str, dict[str, Any]]:
    people: dict[str, dict[str, Any]] = {}
    by_employee_id: dict[int, str] = {}
    with unit_of_work(stack.factory) as session:
        employees = [find_by_email(session, stack.fake.team_id, email) for email in ids]
        for employee in employees:
            if employee is not None and employee.slack_user_id:
                by_employee_id[employee.id] = employee.slack_user_id
        for employee in employees:
            if employee is None or not employee.slack_user_id:
                continue
            people[employee.slack_user_id] = {
                "name": employee.name,
                "roles": sorted(str(role) for role in roles_of(session, stack.fake.team_id, employee.id)),
                "manager": _manager_id(employee, by_employee_id),
            }
    return people


def _manager_id(employee: Employee, by_employee_id: dict[int, str]) -> str | None:
    return by_employee_id.get(employee.manager_id) if employee.manager_id is not None else None


def _print_what_each_person_saw(
    fake: FakeSlack, people: dict[str, dict[str, Any]], say: Callable[[str], None]
) -> None:
    say("\n== What each person saw ==")
    for user_id, person in sorted(people.items(), key=lambda item: item[1]["name"]):
        seen = fake.messages_seen_by(user_id)
        roles = ", ".join(person["roles"]) or "no program role"
        say(f"\n{person['name']} ({user_id}; {roles}): {len(seen)} item(s)")
        for call in seen:
            say(f"  {call['at'][:16].replace('T', ' ')}  {_describe(call)}")


def _describe(call: dict[str, Any]) -> str:
    params = call["params"]
    method = call["method"]
    if method == "views.publish":
        return "App Home: " + _first_lines(params.get("view", {}).get("blocks", []))
    if method in ("views.open", "views.push", "views.update"):
        title = params.get("view", {}).get("title", {}).get("text", "")
        return f"Modal '{title}'"
    if method == "ack" and "errors" in params:
        return "Inline error: " + "; ".join(params["errors"].values())
    text = _first_lines(params.get("blocks", [])) or params.get("text") or ""
    label = {"chat.postMessage": "Message", "ack": "Reply", "response_url": "Reply"}.get(method, method)
    return f"{label}: {_squash(text)}"


def _first_lines(blocks: list[dict[str, Any]]) -> str:
    texts = []
    for block in blocks:
        text = block.get("text")
        if isinstance(text, dict) and text.get("text"):
            texts.append(text["text"])
    return _squash(" | ".join(texts[:3]))


def _squash(text: str, limit: int = 150) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _simulated(stack: AppStack) -> SimulatedClock:
    clock = stack.services.clock
    assert isinstance(clock, SimulatedClock), "the demo runs on simulated time"
    return clock


def _picked_user(user_id: str) -> dict[str, Any]:
    return {"type": "users_select", "selected_user": user_id}


def _hours_values(days: list[int], start: str, end: str) -> dict[str, dict[str, dict[str, Any]]]:
    return {
        DAYS_BLOCK: {"value": {"type": "checkboxes", "selected_options": [{"value": str(d)} for d in days]}},
        START_BLOCK: {"value": {"type": "timepicker", "selected_time": start}},
        END_BLOCK: {"value": {"type": "timepicker", "selected_time": end}},
    }


def _inline_errors(body: Any) -> str:
    if isinstance(body, dict) and body.get("response_action") == "errors":
        return "; ".join(str(message) for message in body.get("errors", {}).values())
    return "(none)"


def _to_csv(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _printer() -> Callable[[str], None]:
    def say(line: str) -> None:
        print(line, file=sys.stdout, flush=True)

    return say
