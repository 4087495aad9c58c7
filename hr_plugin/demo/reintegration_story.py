"""The demo's return plans: HR drafts a German policy (a slip is refused inline, then it is
saved), managers acknowledge their reports' plans from the Home tab, Sam adds a week at reduced
time with one click, Noor shares a need with her manager, and six weeks in a team changes lead
and someone leaves, so HR re-imports the directory. All through signed requests; every line
printed is checked against the database or what Slack recorded (``hr_plugin.demo.narration``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from hr_plugin.db import unit_of_work
from hr_plugin.demo.narration import (
    Narrator,
    accepted,
    button_value,
    inline_errors,
    person,
    require,
    seen_since,
    when,
)
from hr_plugin.directory import import_directory, parse_directory_csv
from hr_plugin.models import Employee
from hr_plugin.reintegration.plan_view import PlanView
from hr_plugin.reintegration.service import list_policies, plan_of, plans_for_manager
from hr_plugin.reintegration.views import (
    ACKNOWLEDGE_ACTION,
    DETAIL_BLOCK,
    EXTEND_ACTION,
    NEED_CALLBACK,
    NEED_OPEN_ACTION,
    NEED_SEND_CALLBACK,
    POLICY_CALLBACK,
    POLICY_OPEN_ACTION,
    TEMPLATE_BLOCK,
)
from hr_plugin.slack_clients import make_client
from hr_plugin.testing.stack import BOT_TOKEN, AppStack

GERMAN_POLICY = {
    "name": "Germany",
    "scope": "country",
    "scope_value": "DE",
    "reduced_weeks": 3,
    "reduced_percent": 50,
    "ramp_percents": "60, 80",
    "extension_weeks": 2,
}
MANAGER_CHANGE = ("noor.haddad@example.com", "dev.raman@example.com")
LEAVER = "olivia.brown@example.com"


def return_plan_scenes(
    stack: AppStack, rows: list[dict[str, str]], ids: dict[str, str], say: Narrator, hr_lead: str
) -> list[tuple[datetime, Callable[[], None]]]:
    """The quarter's return-plan scenes, each at its simulated moment; ``rows`` is the directory
    as first imported, ``hr_lead`` the email of HR, who re-imports it."""
    return [
        (
            datetime(2026, 1, 20, 10, tzinfo=UTC),
            lambda: _manager_acknowledges(stack, ids, "liam.oconnor", say),
        ),
        (datetime(2026, 1, 26, 10, tzinfo=UTC), lambda: _extends(stack, ids, say)),
        (datetime(2026, 2, 10, 15, tzinfo=UTC), lambda: _shares_a_need(stack, ids, say)),
        (datetime(2026, 2, 16, 7, tzinfo=UTC), lambda: _reorganise(stack, rows, ids, say, hr_lead)),
        (datetime(2026, 2, 17, 15, tzinfo=UTC), lambda: _manager_acknowledges(stack, ids, "dev.raman", say)),
        (datetime(2026, 3, 24, 9, tzinfo=UTC), lambda: _manager_acknowledges(stack, ids, "jonas.weber", say)),
    ]


def hr_sets_a_policy(stack: AppStack, hr: str, say: Narrator) -> None:
    stack.slack.app_home_opened(hr)
    stack.settle()
    stack.slack.block_action(hr, POLICY_OPEN_ACTION, "open", view=stack.fake.home_view(hr) or {})
    refused = stack.slack.view_submission(
        hr, POLICY_CALLBACK, _policy_values({**GERMAN_POLICY, "ramp_percents": "40"})
    )
    error = inline_errors(refused.json, "a ramp below the reduced percent is refused")
    say(f"Priya drafts a German policy with a ramp below the reduced percent; inline: {error}")
    saved = stack.slack.view_submission(hr, POLICY_CALLBACK, _policy_values(GERMAN_POLICY))
    accepted(saved.json, "Priya saves the German policy")
    stack.settle()
    policies = list_policies(stack.factory, stack.services.clock, tenant_id=stack.fake.team_id)
    policy = next((p for p in policies if p.name == GERMAN_POLICY["name"]), None)
    require(
        policy is not None, "Priya saves a German policy", f"the policies are {[p.name for p in policies]}"
    )
    assert policy is not None
    ramp = ", then ".join(f"a week at {percent}%" for percent in policy.ramp_percents)
    say(
        f"Priya saves it: in {policy.name} ({policy.scope_kind} {policy.scope_value}), "
        f"{policy.reduced_weeks} weeks at {policy.reduced_percent}%, then {ramp}, "
        f"up to {policy.extension_weeks} extra weeks."
    )


def _manager_acknowledges(stack: AppStack, ids: dict[str, str], who: str, say: Narrator) -> None:
    manager = ids[f"{who}@example.com"]
    stack.slack.app_home_opened(manager)
    stack.settle()
    plan_id = button_value(stack.fake.home_view(manager) or {}, ACKNOWLEDGE_ACTION)
    row = person(stack, manager)
    claim = f"{row.name} acknowledges a return plan from the Home tab"
    require(plan_id is not None, claim, "their Home tab has no plan to acknowledge")
    stack.slack.block_action(
        manager, ACKNOWLEDGE_ACTION, str(plan_id), view=stack.fake.home_view(manager) or {}
    )
    with unit_of_work(stack.factory) as session:
        plans = plans_for_manager(session, stack.fake.team_id, row.id)
    plan = next((p for p in plans if str(p.plan_id) == plan_id), None)
    require(plan is not None and plan.acknowledged, claim, f"the plan is {plan}")
    assert plan is not None
    say(
        f"{stack.services.clock.now():%d %b}: {row.name} acknowledges {plan.employee_name}'s return plan "
        "from the Home tab."
    )


def _extends(stack: AppStack, ids: dict[str, str], say: Narrator) -> None:
    sam = ids["sam.patel@example.com"]
    stack.slack.app_home_opened(sam)
    stack.settle()
    before = _plan(stack, sam)
    seen = len(stack.fake.calls_for(user=sam))
    stack.slack.block_action(sam, EXTEND_ACTION, "plan", view=stack.fake.home_view(sam) or {})
    stack.settle()
    after = _plan(stack, sam)
    claim = "Sam adds a week at reduced time with one click; no reason asked"
    require(
        after.extension_weeks_taken == before.extension_weeks_taken + 1
        and after.full_capacity_from == before.full_capacity_from + timedelta(weeks=1),
        claim,
        f"his plan went from {before} to {after}",
    )
    asked = [
        c["method"] for c in seen_since(stack.fake, sam, seen) if c["method"] in ("views.open", "views.push")
    ]
    require(not asked, claim, f"a form opened: {asked}")
    say(
        f"{stack.services.clock.now():%d %b}: Sam adds a week at reduced time with one click; no reason "
        f"asked. Full capacity moves from {before.full_capacity_from:%a %d %b} "
        f"to {after.full_capacity_from:%a %d %b}."
    )


def _shares_a_need(stack: AppStack, ids: dict[str, str], say: Narrator) -> None:
    noor = ids["noor.haddad@example.com"]
    stack.slack.app_home_opened(noor)
    stack.settle()
    stack.slack.block_action(noor, NEED_OPEN_ACTION, "open", view=stack.fake.home_view(noor) or {})
    preview = stack.slack.view_submission(
        noor,
        NEED_CALLBACK,
        {
            TEMPLATE_BLOCK: {"value": {"type": "static_select", "selected_option": {"value": "lactation"}}},
            DETAIL_BLOCK: {"value": {"type": "plain_text_input", "value": "twice a day, 30 minutes"}},
        },
    )
    shown = (preview.json or {}).get("view", {})
    claim = "Noor previews a need from a template and sends it to her manager"
    require(shown.get("callback_id") == NEED_SEND_CALLBACK, claim, f"the modal answered {preview.json!r}")
    previewed = shown.get("private_metadata", "")
    preview_texts = [str((block.get("text") or {}).get("text", "")) for block in shown.get("blocks", [])]
    sent = stack.slack.view_submission(noor, NEED_SEND_CALLBACK, {}, private_metadata=previewed)
    accepted(sent.json, claim)
    manager = _manager_of(stack, noor)
    say(
        f"{stack.services.clock.now():%d %b}: Noor previews a need from a template and sends it "
        f"to {manager.name}."
    )
    manager_user = manager.slack_user_id or ""
    seen = len(stack.fake.calls_for("chat.postMessage", user=manager_user))

    def delivered() -> str | None:
        for call in stack.fake.calls_for("chat.postMessage", user=manager_user)[seen:]:
            mine = call["ok"] and call["audience"] == [manager_user]
            if mine and call["params"].get("text") in preview_texts:  # word for word what Noor saw
                return f"{when(call)}: {manager.name} receives Noor's need in a DM, exactly as previewed."
        return None

    say.later(f"{manager.name} receives Noor's need", delivered, timedelta(days=7))


def _reorganise(
    stack: AppStack, rows: list[dict[str, str]], ids: dict[str, str], say: Narrator, hr_lead: str
) -> None:
    """Six weeks in: a team changes lead and someone leaves; HR re-imports the whole directory."""
    person_email, new_manager = MANAGER_CHANGE
    changed = []
    for row in rows:
        if row["email"] == LEAVER:
            continue
        if row["email"] == person_email:
            row = {**row, "manager_email": new_manager}
        changed.append(row)
    report = import_directory(
        stack.factory,
        tenant_id=stack.fake.team_id,
        rows=parse_directory_csv(_to_csv(changed)),
        slack=make_client(BOT_TOKEN, stack.fake.base_url, wait_on_rate_limit=True),
        clock=stack.services.clock,
        full=True,
        actor=ids[hr_lead],
    )
    say(f"{stack.services.clock.now():%d %b}: HR re-imports the directory: {report.summary()}")
    now_manager = _manager_of(stack, ids[person_email])
    require(
        now_manager.email == new_manager,
        f"Noor now reports to {new_manager}",
        f"she reports to {now_manager.email}",
    )
    for email in ("mei.chen@example.com", new_manager, hr_lead):
        before = len(stack.fake.calls_for("views.publish", user=ids[email]))
        stack.slack.app_home_opened(ids[email])
        stack.settle()
        published = len(stack.fake.calls_for("views.publish", user=ids[email])) - before
        require(published > 0, f"{email} opens their App Home again", "nothing was published")
    say(
        f"Noor now reports to {now_manager.name}; her old and new managers, and HR, open their App Homes "
        "again."
    )


def _policy_values(policy: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    def text(value: object) -> dict[str, dict[str, Any]]:
        return {"value": {"type": "plain_text_input", "value": str(value)}}

    def number(value: object) -> dict[str, dict[str, Any]]:
        return {"value": {"type": "number_input", "value": str(value)}}

    return {
        "name": text(policy["name"]),
        "scope": {"value": {"type": "static_select", "selected_option": {"value": policy["scope"]}}},
        "scope_value": text(policy["scope_value"]),
        "reduced_weeks": number(policy["reduced_weeks"]),
        "reduced_percent": number(policy["reduced_percent"]),
        "ramp_percents": text(policy["ramp_percents"]),
        "extension_weeks": number(policy["extension_weeks"]),
    }


def _plan(stack: AppStack, user_id: str) -> PlanView:
    with unit_of_work(stack.factory) as session:
        plan = plan_of(session, stack.fake.team_id, user_id)
    require(plan is not None, f"<{user_id}> has a return plan", "there is none")
    assert plan is not None
    return plan


def _manager_of(stack: AppStack, user_id: str) -> Employee:
    row = person(stack, user_id)
    with unit_of_work(stack.factory) as session:
        manager = session.get(Employee, row.manager_id) if row.manager_id is not None else None
        require(manager is not None, f"{row.name} has a manager", "the directory has none")
        assert manager is not None
        session.expunge(manager)
        return manager


def _to_csv(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
