"""``hr-plugin demo``: the whole program offline, through the real app and a fake Slack.

A sample organisation is imported from the CSV shipped beside this file; people act in
Slack through signed HTTP requests; a simulated clock drives the scheduler's ticks through
a quarter. It prints what each person saw and writes ``slack-calls.jsonl`` and
``people.json``, the record that privacy checks read, ``narration.txt``, the lines it printed,
and ``console/``, the HR console's pages and downloads as the HR admin sees them at the end.
Each line about an outcome is checked first against the database or what Slack recorded
(``hr_plugin.demo.narration``): when the outcome did not happen, the demo stops instead.

This module sets the organisation up, enrols the returning parents and runs the quarter; the
scenes of each part of the program are told in their own modules (``reintegration_story``,
``private_space``, ``mentoring_story``, ``huddles_story``), and ``record`` writes
``people.json`` and prints what each person saw.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import urllib.request
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from hr_plugin import cli_support
from hr_plugin.clock import SimulatedClock
from hr_plugin.db import unit_of_work
from hr_plugin.demo import record
from hr_plugin.demo.console_pages import save_console
from hr_plugin.demo.huddles_story import HuddleStory
from hr_plugin.demo.mentoring_story import MentoringStory
from hr_plugin.demo.narration import (
    Narrator,
    accepted,
    button_value,
    inline_errors,
    person,
    require,
    seen_since,
)
from hr_plugin.demo.private_space import private_space_scenes
from hr_plugin.demo.reintegration_story import hr_sets_a_policy, return_plan_scenes
from hr_plugin.directory import import_directory, parse_directory_csv
from hr_plugin.enrolment import ACTIVE, own_enrolment
from hr_plugin.enrolment.views import (
    ACCEPT_CALLBACK,
    CHOICES_BLOCK,
    CONTACT_CHOICE,
    EMPLOYEE_BLOCK,
    LEAVE_START_BLOCK,
    PROPOSE_CALLBACK,
    RETURN_BLOCK,
    SELF_ENROL_CALLBACK,
)
from hr_plugin.home import load_home
from hr_plugin.outbox import depth, next_due, text_forgotten
from hr_plugin.roles import is_hr_admin
from hr_plugin.slack.views.home import (
    APPOINT_ADMIN_ACTION,
    CONFIRM_ACTION,
    INVITE_OPEN_ACTION,
    JOIN_ACTION,
    PROPOSE_ACTION,
    WORKING_HOURS_ACTION,
    home_view,
)
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
# Returning parents across three countries. Noor returns the week before Presidents' Day (a US
# holiday inside her reduced weeks); Lena's reduced weeks hold Good Friday and Easter Monday.
RETURNING = {
    "sam.patel@example.com": (date(2025, 9, 1), date(2026, 1, 19)),
    "noor.haddad@example.com": (date(2025, 10, 6), date(2026, 2, 9)),
    "lena.fischer@example.com": (date(2025, 8, 4), date(2026, 3, 23)),
}
NO_CONTACT_DURING_LEAVE = "noor.haddad@example.com"
SELF_ENROLLING = ("kim.nguyen@example.com", date(2025, 12, 1), date(2026, 3, 2))


def sample_org_csv() -> str:
    return (resources.files("hr_plugin.demo") / "sample_org.csv").read_text(encoding="utf-8")


def run_demo(
    out: Path, canary: str | None = None, database_url: str | None = None, *, leave_out: str | None = None
) -> int:
    """Run the quarter; ``leave_out`` (an email) is someone who never opens their private space,
    while everything else happens as in any run (for a differential check of what others see)."""
    out.mkdir(parents=True, exist_ok=True)
    if database_url is None:
        # A fresh quarter: the database and its key store beside it (a key store left from an
        # earlier run holds keys wrapped by that run's master key, which this run cannot unwrap).
        for stale in [*out.glob("demo.db*"), *out.glob("demo-keys.db*")]:
            stale.unlink()
        database_url = f"sqlite:///{(out / 'demo.db').resolve()}"
    clock = SimulatedClock(QUARTER_START)
    fake = FakeSlack(clock=clock, bot_tokens=[BOT_TOKEN], team_name="Example Ltd")
    rows = list(csv.DictReader(io.StringIO(sample_org_csv())))
    ids = _seed_slack_workspace(fake, rows)
    say = Narrator(clock, _printer())
    with start_stack(database_url, clock, fake=fake, console=True) as stack:
        _act_one_setup(stack, ids, say)
        _act_two_people_open_their_homes(stack, ids, say)
        _act_enrolments(stack, ids, say)
        _act_three_the_quarter(stack, rows, ids, say, canary, leave_out)
        people = record.people(stack, ids)
        (out / "people.json").write_text(json.dumps(people, indent=2, sort_keys=True) + "\n")
        fake.write_jsonl(out / "slack-calls.jsonl")
        record.print_what_each_person_saw(fake, people, say)
        with unit_of_work(stack.factory) as session:
            counts = ", ".join(f"{count} {status}" for status, count in sorted(depth(session).items()))
            say(f"\nOutbox at the end of the quarter: {counts}")
            say(
                f"Of those, {text_forgotten(session)} no longer hold their text: they finished "
                f"over {stack.settings.outbox_text_days} days ago (HR_PLUGIN_OUTBOX_TEXT_DAYS)."
            )
        save_console(stack, ids[HR_LEAD], out, say)
        # What an operator's monitoring would scrape from this app at the end of the quarter.
        with urllib.request.urlopen(f"{stack.server.url}/metrics", timeout=10) as scraped:
            (out / "metrics.txt").write_bytes(scraped.read())
    say(
        f"\nWrote {out / 'slack-calls.jsonl'}, {out / 'people.json'}, {out / 'metrics.txt'}, "
        f"{out / 'console'} and {out / 'narration.txt'}."
    )
    if canary:
        say(
            f"Every private entry was typed as {canary}:<user id>; "
            "search slack-calls.jsonl to see who saw it."
        )
    (out / "narration.txt").write_text("\n".join(say.lines) + "\n", encoding="utf-8")
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


def _act_one_setup(stack: AppStack, ids: dict[str, str], say: Narrator) -> None:
    clock = stack.services.clock
    say("== Setting up: HR imports the directory and the workspace owner appoints HR ==")
    slack = make_client(BOT_TOKEN, stack.fake.base_url, wait_on_rate_limit=True)
    # As `hr-plugin directory import` does: the bot token's workspace, named as Slack names it.
    tenant_id = cli_support.tenant(stack.services, None, slack)
    require(tenant_id == stack.fake.team_id, "HR imports the directory", f"the workspace is {tenant_id}")
    report = import_directory(
        stack.factory,
        tenant_id=tenant_id,
        rows=parse_directory_csv(sample_org_csv()),
        slack=slack,
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
    error = inline_errors(refused.json, "Ana's pick of a deactivated account is refused")
    say(f"Ana picks a deactivated account first; the modal answers inline: {error}")
    appointed = stack.slack.view_submission(
        owner, APPOINT_ADMIN_CALLBACK, {APPOINTEE_BLOCK: {APPOINTEE_ACTION: _picked_user(hr)}}
    )
    priya = person(stack, hr)
    accepted(appointed.json, f"Ana appoints {priya.name} as HR admin")
    with unit_of_work(stack.factory) as session:
        admin = is_hr_admin(session, stack.fake.team_id, priya.id)
    require(admin, f"Ana appoints {priya.name} as HR admin", "she is not an HR admin")
    say(f"Ana appoints {priya.name} as HR admin from the App Home.")

    hr_sets_a_policy(stack, hr, say)


def _act_two_people_open_their_homes(stack: AppStack, ids: dict[str, str], say: Narrator) -> None:
    say("\n== Monday morning: people open the app ==")
    _simulated(stack).advance(timedelta(hours=2))
    sam = ids["sam.patel@example.com"]  # his first look comes below, as an event Slack retries
    for email, user_id in ids.items():
        if email != DEACTIVATED and user_id != sam:  # a deactivated account cannot open Slack
            stack.slack.app_home_opened(user_id)
    homes_before = len(stack.fake.calls_for("views.publish", user=sam))
    event_id = "Ev0DEMORETRY"  # Sam's first look at his Home tab
    for attempt in range(4):
        stack.slack.app_home_opened(
            sam,
            event_id=event_id,
            retry_num=attempt or None,
            retry_reason="http_timeout" if attempt else None,
        )
    published = len(stack.fake.calls_for("views.publish", user=sam)) - homes_before
    claim = "Slack delivers one of Sam's Home events four times; the app acts once"
    require(published == 1, claim, f"his Home tab was published {published} times")
    say("Slack delivers one of Sam's Home events four times (three retries); the app acts once.")
    stack.slack.app_home_opened(sam)
    again = len(stack.fake.calls_for("views.publish", user=sam)) - homes_before - published
    claim = "Sam opens his Home tab again; nothing on it changed, so the app leaves it as it is"
    require(again == 0, claim, f"his Home tab was published {again} more times")
    say("Sam opens his Home tab again; nothing on it changed, so the app leaves it as Slack shows it.")
    noor = ids["noor.haddad@example.com"]
    sam_seen, noor_seen = len(stack.fake.calls_for(user=sam)), len(stack.fake.calls_for(user=noor))
    stack.slack.slash_command(sam, "/rtw", "help")
    stack.slack.slash_command(noor, "/rtw", "schedule")
    claim = "Sam asks `/rtw help`; Noor tries a command that does not exist and gets the help instead"
    sam_help = [c for c in seen_since(stack.fake, sam, sam_seen) if c["audience"] == [sam]]
    noor_help = [c for c in seen_since(stack.fake, noor, noor_seen) if c["audience"] == [noor]]
    require(any("/rtw help" in json.dumps(c["params"]) for c in sam_help), claim, "Sam got no help")
    require(
        any(all(w in json.dumps(c["params"]) for w in ("/rtw schedule", "/rtw help")) for c in noor_help),
        claim,
        "Noor's reply does not name her command and the help",
    )
    say(claim + ".")

    lena = ids["lena.fischer@example.com"]
    home = stack.fake.home_view(lena) or {}
    stack.slack.block_action(lena, WORKING_HOURS_ACTION, "open", view=home)
    refused = stack.slack.view_submission(
        lena, WORKING_HOURS_CALLBACK, _hours_values([0, 1, 2, 3], "16:00", "08:30")
    )
    error = inline_errors(refused.json, "Lena's day ending before it starts is refused")
    say(f"Lena sets her day to end before it starts; the modal answers inline: {error}")
    saved = stack.slack.view_submission(
        lena, WORKING_HOURS_CALLBACK, _hours_values([0, 1, 2, 3], "08:30", "16:00")
    )
    accepted(saved.json, "Lena saves her working hours")
    row = person(stack, lena)
    days = [int(day) for day in row.working_days.split(",") if day.strip()]
    claim = "Lena saves Monday to Thursday, 08:30 to 16:00"
    require(
        (days, row.work_start, row.work_end) == ([0, 1, 2, 3], "08:30", "16:00"),
        claim,
        "the directory differs",
    )
    say(f"Lena saves {_DAY_NAMES[days[0]]} to {_DAY_NAMES[days[-1]]}, {row.work_start} to {row.work_end}.")


def _act_enrolments(stack: AppStack, ids: dict[str, str], say: Narrator) -> None:
    say("\n== Enrolment, by consent ==")
    hr = ids[HR_LEAD]
    for email, (start, back) in RETURNING.items():
        stack.slack.block_action(hr, PROPOSE_ACTION, "open", view=stack.fake.home_view(hr) or {})
        stack.slack.view_submission(hr, PROPOSE_CALLBACK, _propose_values(ids[email], start, back))
    refused = stack.slack.view_submission(
        hr,
        PROPOSE_CALLBACK,
        _propose_values(ids["sam.patel@example.com"], date(2026, 1, 1), date(2025, 12, 1)),
    )
    error = inline_errors(refused.json, "a slip in the dates is refused")
    proposed = [_enrolment(stack, ids[email]) for email in RETURNING]
    require(all(proposed), "Priya proposes three enrolments", f"the enrolments are {proposed}")
    say(f"Priya proposes {len(proposed)} enrolments; a slip in the dates gets an inline error: {error}")
    for email in RETURNING:
        user = ids[email]
        stack.slack.app_home_opened(user)
        stack.settle()
        stack.slack.block_action(user, INVITE_OPEN_ACTION, "home", view=stack.fake.home_view(user) or {})
        choices = [] if email == NO_CONTACT_DURING_LEAVE else [CONTACT_CHOICE]
        stack.slack.view_submission(user, ACCEPT_CALLBACK, _choices_values(choices))
        enrolment = _enrolment(stack, user)
        claim = f"{email} accepts, {'no' if not choices else 'with'} contact during leave"
        require(
            enrolment is not None
            and enrolment.status == ACTIVE
            and enrolment.contact_during_leave == bool(choices),
            claim,
            f"the enrolment is {enrolment}",
        )
    say("Sam, Noor and Lena accept from their Home tabs; Noor asks not to be messaged during her leave.")
    kim, start, back = ids[SELF_ENROLLING[0]], SELF_ENROLLING[1], SELF_ENROLLING[2]
    stack.slack.block_action(kim, JOIN_ACTION, "open", view=stack.fake.home_view(kim) or {})
    stack.slack.view_submission(
        kim, SELF_ENROL_CALLBACK, {**_dates_values(start, back), **_choices_values([])}
    )
    stack.settle()
    stack.slack.app_home_opened(hr)
    stack.settle()
    enrolment_id = button_value(stack.fake.home_view(hr) or {}, CONFIRM_ACTION)
    claim = "Kim asks to join herself; Priya confirms from the HR Home tab"
    require(enrolment_id is not None, claim, "Priya's Home tab has no Confirm button")
    stack.slack.block_action(hr, CONFIRM_ACTION, str(enrolment_id), view=stack.fake.home_view(hr) or {})
    stack.settle()
    enrolment = _enrolment(stack, kim)
    require(
        enrolment is not None and enrolment.origin == "self" and enrolment.status == ACTIVE,
        claim,
        f"her enrolment is {enrolment}",
    )
    say(claim + ".")


def _act_three_the_quarter(
    stack: AppStack,
    rows: list[dict[str, str]],
    ids: dict[str, str],
    say: Narrator,
    canary: str | None,
    leave_out: str | None,
) -> None:
    say("\n== The quarter: the scheduler's ticks run on simulated time ==")
    clock = _simulated(stack)
    end = QUARTER_START + QUARTER
    story = MentoringStory(stack, ids, say)
    huddles = HuddleStory(stack, ids, say)
    scenes = sorted(
        [
            *return_plan_scenes(stack, rows, ids, say, HR_LEAD),
            *private_space_scenes(stack, ids, canary, say, HR_LEAD, leave_out),
            *story.scenes(),
            *huddles.scenes(),
        ],
        key=lambda scene: scene[0],
    )
    step = timedelta(minutes=30)
    while clock.now() < end:
        stack.ticks.run_due()
        say.poll()
        while scenes and clock.now() >= scenes[0][0]:
            scenes.pop(0)[1]()
            stack.settle()
            say.poll()
        clock.advance(_until_next_send(stack, step))
    stack.ticks.run_due()
    say.finish()
    for email in (
        HR_LEAD,
        "liam.oconnor@example.com",
        "mei.chen@example.com",
        "dev.raman@example.com",
        "jonas.weber@example.com",
        *RETURNING,
        SELF_ENROLLING[0],
    ):
        stack.slack.app_home_opened(ids[email])
        stack.settle()
        require(
            _shows_the_home_as_it_is(stack, ids[email]),
            f"{email} opens their Home tab",
            "the tab does not show their Home as it is now",
        )
    say(f"Ticks ran until {clock.now():%d %b %Y}; managers, HR and the returning parents open their homes.")
    story.where_everyone_stands()


def _shows_the_home_as_it_is(stack: AppStack, user_id: str) -> bool:
    """The person's Home tab in Slack shows their Home as the app draws it now: published by
    this open, or left as it was because nothing on it changed (none of the people asked is a
    workspace admin, whose Home would also offer to appoint HR admins)."""
    shown = stack.fake.home_view(user_id)
    state = load_home(
        stack.factory,
        stack.services.clock,
        tenant_id=stack.fake.team_id,
        user_id=user_id,
        workspace_admin=False,
        providers=stack.services.home_providers,
    )
    return shown is not None and shown["blocks"] == home_view(state).to_dict()["blocks"]


def _until_next_send(stack: AppStack, step: timedelta) -> timedelta:
    """How far to move the clock: a step, or less when a message falls due sooner (a reminder
    10 minutes before a huddle should arrive then, not at the next half hour)."""
    now = stack.services.clock.now()
    with unit_of_work(stack.factory) as session:
        due = next_due(session)
    if due is not None and now < due < now + step:
        return due - now
    return step


def _dates_values(start: date, back: date) -> dict[str, dict[str, dict[str, Any]]]:
    return {
        LEAVE_START_BLOCK: {"value": {"type": "datepicker", "selected_date": start.isoformat()}},
        RETURN_BLOCK: {"value": {"type": "datepicker", "selected_date": back.isoformat()}},
    }


def _propose_values(user_id: str, start: date, back: date) -> dict[str, dict[str, dict[str, Any]]]:
    return {EMPLOYEE_BLOCK: {"value": _picked_user(user_id)}, **_dates_values(start, back)}


def _choices_values(choices: list[str]) -> dict[str, dict[str, dict[str, Any]]]:
    return {
        CHOICES_BLOCK: {"value": {"type": "checkboxes", "selected_options": [{"value": c} for c in choices]}}
    }


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


_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _enrolment(stack: AppStack, user_id: str) -> Any:
    return own_enrolment(stack.factory, tenant_id=stack.fake.team_id, user_id=user_id)


def _printer() -> Callable[[str], None]:
    def say(line: str) -> None:
        print(line, file=sys.stdout, flush=True)

    return say
