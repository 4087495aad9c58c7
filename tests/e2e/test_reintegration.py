"""Plans end to end: HR's policy, the employee's consent, the manager's view, through signed requests."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from hr_plugin.admins import appoint_by_email
from hr_plugin.clock import SimulatedClock
from hr_plugin.db import unit_of_work
from hr_plugin.enrolment import views as enrolment_views
from hr_plugin.models import AuditEntry
from hr_plugin.reintegration import views as plan_views
from hr_plugin.reintegration.models import Plan
from hr_plugin.slack.views.home import INVITE_OPEN_ACTION
from hr_plugin.testing.stack import AppStack
from tests.e2e.conftest import TEAM

RETURN_DAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # the parent's expected return, 09:00 in London


@pytest.fixture
def hr(stack: AppStack, org: dict[str, str]) -> str:
    appoint_by_email(
        stack.factory, stack.services.clock, tenant_id=TEAM, email="hr@example.com", actor="test"
    )
    return "UHR"


def _drain(stack: AppStack) -> None:
    stack.ticks.context.drainer.drain(max_seconds=60)


def _messages_to(stack: AppStack, user: str) -> list[dict[str, Any]]:
    return [c for c in stack.fake.calls_for("chat.postMessage", user=user) if c["ok"]]


def _accept(stack: AppStack, user: str, *, contact: bool) -> Any:
    stack.slack.block_action(user, INVITE_OPEN_ACTION, "home", view={"type": "home", "blocks": []})
    choices = [{"value": enrolment_views.CONTACT_CHOICE}] if contact else []
    return stack.slack.view_submission(
        user,
        enrolment_views.ACCEPT_CALLBACK,
        {enrolment_views.CHOICES_BLOCK: {"value": {"type": "checkboxes", "selected_options": choices}}},
    )


def _policy_values(**fields: object) -> dict[str, Any]:
    base: dict[str, object] = {
        "name": "UK",
        "scope_value": "GB",
        "reduced_weeks": 3,
        "reduced_percent": 50,
        "ramp_percents": "75",
        "extension_weeks": 1,
    }
    base.update(fields)
    values: dict[str, Any] = {key: {"value": {"value": str(value)}} for key, value in base.items()}
    values["scope"] = {"value": {"selected_option": {"value": "country"}}}
    return values


def _texts(call: dict[str, Any]) -> str:
    return json.dumps(call["params"], ensure_ascii=False)


def test_hr_edits_a_policy_with_inline_errors_and_an_audit_trail(stack: AppStack, hr: str) -> None:
    stack.slack.block_action(hr, plan_views.POLICY_OPEN_ACTION, "open", view={"type": "home", "blocks": []})
    assert stack.fake.calls_for("views.open", user=hr)[-1]["ok"]

    bad_percent = stack.slack.view_submission(
        hr, plan_views.POLICY_CALLBACK, _policy_values(reduced_percent=0)
    )
    bad_ramp = stack.slack.view_submission(hr, plan_views.POLICY_CALLBACK, _policy_values(ramp_percents="40"))
    bad_scope = stack.slack.view_submission(
        hr, plan_views.POLICY_CALLBACK, _policy_values(scope_value="Britain")
    )
    saved = stack.slack.view_submission(hr, plan_views.POLICY_CALLBACK, _policy_values())
    not_hr = stack.slack.view_submission("UPEER", plan_views.POLICY_CALLBACK, _policy_values(name="Sneaky"))

    assert bad_percent.json is not None and "reduced_percent" in bad_percent.json["errors"]
    assert bad_ramp.json is not None and "at or above 50%" in bad_ramp.json["errors"]["ramp_percents"]
    assert bad_scope.json is not None and "two-letter" in bad_scope.json["errors"]["scope_value"]
    assert saved.status == 200 and not saved.json
    assert not_hr.json is not None and "Only HR admins" in json.dumps(not_hr.json)
    with unit_of_work(stack.factory) as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action.startswith("policy."))).all()
    assert [(entry.action, entry.actor, entry.subject) for entry in entries] == [("policy.created", hr, "UK")]
    assert entries[0].details["reduced_weeks"] == 3


def test_accepting_makes_a_plan_the_manager_sees_as_dates_and_capacity_only(
    stack: AppStack, hr: str, clock: SimulatedClock
) -> None:
    result = _accept(stack, "UPARENT", contact=False)
    assert result.status == 200 and not result.json
    _drain(stack)

    to_manager = _messages_to(stack, "ULEAD")
    assert len(to_manager) == 1
    text = _texts(to_manager[0])
    assert "Pat Parent" in text and "Mon 07 Dec" in text
    for private in ("leave", "mentor", "huddle", "check-in", "contact", "partner", "baby", "Jun"):
        assert private.lower() not in text.lower(), private
    with unit_of_work(stack.factory) as session:
        plan = session.scalars(select(Plan)).one()
        allowed = {datetime.fromisoformat(day).strftime("%a %d %b") for day, _ in plan.days}
        allowed |= {plan.return_date.strftime("%a %d %b"), plan.full_capacity_from.strftime("%a %d %b")}
        allowed |= {d.strftime("%a %d %b") for d in _week_starts(plan)}
    mentioned = set(re.findall(r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{2} \w{3}", text))
    assert mentioned and mentioned <= allowed


def test_nothing_reaches_an_employee_on_leave_who_declined_contact(
    stack: AppStack, hr: str, clock: SimulatedClock
) -> None:
    _drain(stack)
    assert _messages_to(stack, "UPARENT") == []  # the invitation waits: no answer about contact yet

    _accept(stack, "UPARENT", contact=False)
    _drain(stack)
    clock.set(datetime(2026, 12, 4, 12, 0, tzinfo=UTC))  # still on leave
    _drain(stack)
    assert _messages_to(stack, "UPARENT") == []

    clock.set(RETURN_DAY)
    _drain(stack)
    delivered = [call["params"]["text"] for call in _messages_to(stack, "UPARENT")]
    assert len(delivered) == 1 and "Your return plan is ready" in delivered[0]  # the stale invitation is gone


def test_an_employee_who_allows_contact_hears_at_once(stack: AppStack, hr: str) -> None:
    _accept(stack, "UPARENT", contact=True)
    _drain(stack)

    assert any("Your return plan is ready" in c["params"]["text"] for c in _messages_to(stack, "UPARENT"))


def test_the_employee_extends_and_shares_a_need_and_all_is_audited(stack: AppStack, hr: str) -> None:
    _accept(stack, "UPARENT", contact=True)
    with unit_of_work(stack.factory) as session:
        before = session.scalars(select(Plan)).one().days

    stack.slack.block_action("UPARENT", plan_views.EXTEND_ACTION, "plan", view={"type": "home", "blocks": []})
    stack.slack.block_action(
        "UPARENT", plan_views.NEED_OPEN_ACTION, "open", view={"type": "home", "blocks": []}
    )
    empty = stack.slack.view_submission(
        "UPARENT",
        plan_views.NEED_CALLBACK,
        {
            plan_views.TEMPLATE_BLOCK: {"value": {"selected_option": {"value": "remote_days"}}},
            plan_views.DETAIL_BLOCK: {"value": {"value": "  "}},
        },
    )
    preview = stack.slack.view_submission(
        "UPARENT",
        plan_views.NEED_CALLBACK,
        {
            plan_views.TEMPLATE_BLOCK: {"value": {"selected_option": {"value": "remote_days"}}},
            plan_views.DETAIL_BLOCK: {"value": {"value": "Mondays and Fridays"}},
        },
    )
    assert empty.json is not None and plan_views.DETAIL_BLOCK in empty.json["errors"]
    assert preview.json is not None and preview.json["response_action"] == "update"
    previewed = preview.json["view"]["blocks"][1]["text"]["text"]  # what the employee reads
    assert "Could I work from home on Mondays and Fridays" in previewed
    draft_id = preview.json["view"]["private_metadata"]  # only an opaque id (tests/e2e/test_privacy_slips.py)
    sent = stack.slack.view_submission(
        "UPARENT", plan_views.NEED_SEND_CALLBACK, {}, private_metadata=draft_id
    )
    assert sent.status == 200 and not sent.json
    _drain(stack)

    with unit_of_work(stack.factory) as session:
        plan = session.scalars(select(Plan)).one()
        actions = [entry.action for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    reduced_before = sum(1 for _, percent in before if percent == 50)
    assert sum(1 for _, percent in plan.days if percent == 50) == reduced_before + 5  # one working week
    assert len(plan.days) == len(before) + 5
    assert plan.extension_weeks_taken == 1
    need_messages = [
        c["params"]["text"]
        for c in _messages_to(stack, "ULEAD")
        if "shared a work need" in c["params"]["text"]
    ]
    assert need_messages == [previewed]  # exactly what the employee previewed
    for action in ("enrolment.proposed", "enrolment.accepted", "plan.extended", "plan.need_shared"):
        assert action in actions
    again = stack.slack.block_action(
        "UPARENT", plan_views.EXTEND_ACTION, "plan", view={"type": "home", "blocks": []}
    )
    assert again.status == 200
    with unit_of_work(stack.factory) as session:
        assert session.scalars(select(Plan)).one().extension_weeks_taken == 1  # the allowance was one week


def test_the_manager_acknowledges_from_the_message(stack: AppStack, hr: str) -> None:
    _accept(stack, "UPARENT", contact=True)
    _drain(stack)
    message = _messages_to(stack, "ULEAD")[0]
    plan_id = next(
        element["value"]
        for block in message["params"]["blocks"]
        for element in block.get("elements", [])
        if element.get("action_id") == plan_views.ACKNOWLEDGE_ACTION
    )

    reply = stack.slack.block_action(
        "ULEAD", plan_views.ACKNOWLEDGE_ACTION, plan_id, block_id=f"plan-{plan_id}"
    )
    stranger = stack.slack.block_action(
        "UPEER", plan_views.ACKNOWLEDGE_ACTION, plan_id, block_id=f"plan-{plan_id}"
    )

    assert reply.status == 200 and stranger.status == 200
    with unit_of_work(stack.factory) as session:
        plan = session.scalars(select(Plan)).one()
        assert plan.acknowledged_version == plan.version
        actors = [
            e.actor
            for e in session.scalars(select(AuditEntry).where(AuditEntry.action == "plan.acknowledged"))
        ]
    assert actors == ["ULEAD"]
    replies = stack.fake.calls_for("response_url")
    assert [call["audience"] for call in replies] == [["ULEAD"], ["UPEER"]]
    assert "not one of your team's" in replies[1]["params"]["text"]


def _week_starts(plan: Plan) -> set[Any]:
    from hr_plugin.reintegration.plan import week_start

    return {week_start(datetime.fromisoformat(day).date()) for day, _ in plan.days}


def test_asking_hr_for_more_time_shows_hr_the_length_only_and_a_grant_extends(
    stack: AppStack, hr: str
) -> None:
    _accept(stack, "UPARENT", contact=True)
    stack.slack.block_action("UPARENT", plan_views.MORE_OPEN_ACTION, "1", view={"type": "home", "blocks": []})
    too_many = stack.slack.view_submission(
        "UPARENT", plan_views.MORE_CALLBACK, {plan_views.WEEKS_BLOCK: {"value": {"value": "20"}}}
    )
    asked = stack.slack.view_submission(
        "UPARENT", plan_views.MORE_CALLBACK, {plan_views.WEEKS_BLOCK: {"value": {"value": "2"}}}
    )
    assert too_many.json is not None and "1 to 8 weeks" in too_many.json["errors"][plan_views.WEEKS_BLOCK]
    assert asked.status == 200 and not asked.json
    stack.settle()

    stack.slack.app_home_opened(hr)
    stack.settle()
    hr_home = json.dumps(stack.fake.home_view(hr))
    assert "Pat Parent asks for 2 more week(s) at reduced time." in hr_home
    with unit_of_work(stack.factory) as session:
        before = len(session.scalars(select(Plan)).one().days)
        request_id = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "plan.more_requested")
        ).one()
        assert request_id.details == {"weeks": 2}
    grant = next(
        element["value"]
        for block in stack.fake.home_view(hr)["blocks"]  # type: ignore[index]
        for element in block.get("elements", [])
        if element.get("action_id") == plan_views.GRANT_ACTION
    )
    stack.slack.block_action(hr, plan_views.GRANT_ACTION, grant, view={"type": "home", "blocks": []})
    stack.slack.block_action("UPEER", plan_views.GRANT_ACTION, grant, view={"type": "home", "blocks": []})

    with unit_of_work(stack.factory) as session:
        plan = session.scalars(select(Plan)).one()
        assert len(plan.days) == before + 10
        granted = session.scalars(select(AuditEntry).where(AuditEntry.action == "plan.request_granted")).all()
    assert [entry.actor for entry in granted] == [hr]


def test_the_employee_can_leave_out_baby_and_partner_content_and_undo_it(stack: AppStack, hr: str) -> None:
    from hr_plugin.enrolment.models import Enrolment
    from hr_plugin.slack.views.home import FAMILY_OPEN_ACTION

    def choose(leave_out: bool) -> dict[str, Any]:
        """Open the modal behind the Home's button, note what it shows, and save a choice."""
        stack.slack.block_action("UPARENT", FAMILY_OPEN_ACTION, "open", view={"type": "home", "blocks": []})
        opened = [c for c in stack.fake.calls_for("views.open", user="UPARENT") if c["ok"]][-1]["params"][
            "view"
        ]
        chosen = [{"value": enrolment_views.FAMILY_CHOICE}] if leave_out else []
        saved = stack.slack.view_submission(
            "UPARENT",
            enrolment_views.CONTENT_CHOICES_CALLBACK,
            {enrolment_views.CHOICES_BLOCK: {"value": {"type": "checkboxes", "selected_options": chosen}}},
        )
        assert saved.status == 200 and not saved.json
        return dict(opened)

    _accept(stack, "UPARENT", contact=True)
    first = choose(leave_out=True)
    with unit_of_work(stack.factory) as session:
        assert session.scalars(select(Enrolment)).one().leave_out_family is True
    stack.settle()
    home = json.dumps(stack.fake.home_view("UPARENT"))
    assert "baby" not in home and "left out" not in home  # the Home never shows the mark

    second = choose(leave_out=False)
    with unit_of_work(stack.factory) as session:
        assert session.scalars(select(Enrolment)).one().leave_out_family is False
    assert "initial_options" not in json.dumps(first)  # the modal shows the mark as it was
    assert enrolment_views.FAMILY_CHOICE in json.dumps(second["blocks"][1]["element"]["initial_options"])
