"""What the demo writes and prints at the end: ``people.json`` (everyone in Slack, their roles
and manager, which the privacy checks read beside ``slack-calls.jsonl``) and, per person, a
line for each thing they saw."""

from __future__ import annotations

from typing import Any

from hr_plugin.db import unit_of_work
from hr_plugin.demo.narration import Narrator
from hr_plugin.directory import find_by_email
from hr_plugin.models import Employee
from hr_plugin.roles import roles_of
from hr_plugin.testing.fake_slack import FakeSlack
from hr_plugin.testing.stack import AppStack
from mentoring.service import is_mentor


def people(stack: AppStack, ids: dict[str, str]) -> dict[str, dict[str, Any]]:
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
                "roles": sorted(
                    [str(role) for role in roles_of(session, stack.fake.team_id, employee.id)]
                    + (["mentor"] if is_mentor(session, stack.fake.team_id, employee.id) else [])
                ),
                "manager": _manager_id(employee, by_employee_id),
            }
    return people


def _manager_id(employee: Employee, by_employee_id: dict[int, str]) -> str | None:
    return by_employee_id.get(employee.manager_id) if employee.manager_id is not None else None


def print_what_each_person_saw(fake: FakeSlack, people: dict[str, dict[str, Any]], say: Narrator) -> None:
    say("\n== What each person saw ==")
    for user_id, someone in sorted(people.items(), key=lambda item: item[1]["name"]):
        seen = fake.messages_seen_by(user_id)
        roles = ", ".join(someone["roles"]) or "no program role"
        say(f"\n{someone['name']} ({user_id}; {roles}): {len(seen)} item(s)")
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
    if method == "ack" and params.get("response_action") == "update":
        title = params.get("view", {}).get("title", {}).get("text", "")
        return f"Modal '{title}': " + _first_lines(params.get("view", {}).get("blocks", []))
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
