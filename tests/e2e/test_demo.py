"""The offline demo: it runs end to end and its record has the shape DESIGN.md promises."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from hr_plugin.demo.run import QUARTER, QUARTER_START, run_demo

ROLES = {"employee", "mentor", "manager", "hr_admin"}


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    assert run_demo(out=out) == 0
    return out


def _calls(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (out / "slack-calls.jsonl").read_text().splitlines()]


def _people(out: Path) -> dict[str, dict[str, object]]:
    return json.loads((out / "people.json").read_text())


def test_every_recorded_call_has_the_documented_shape(demo_out: Path) -> None:
    calls = _calls(demo_out)

    assert len(calls) > 40
    for call in calls:
        assert set(call) == {"method", "params", "audience", "status", "ok", "at"}
        assert isinstance(call["params"], dict) and isinstance(call["audience"], list)
        assert isinstance(call["status"], int) and isinstance(call["ok"], bool)
        moment = datetime.fromisoformat(str(call["at"]))
        assert QUARTER_START <= moment <= QUARTER_START + QUARTER + QUARTER  # simulated, not wall time
    methods = {call["method"] for call in calls}
    assert {"views.publish", "views.open", "chat.postMessage", "ack", "users.list"} <= methods


def test_people_file_names_roles_and_managers(demo_out: Path) -> None:
    people = _people(demo_out)

    assert len(people) >= 30
    for person in people.values():
        assert set(person) == {"name", "roles", "manager"}
        assert set(person["roles"]) <= ROLES  # type: ignore[arg-type]
        assert person["manager"] is None or person["manager"] in people
    by_name = {person["name"]: person for person in people.values()}
    assert "hr_admin" in by_name["Priya Shah"]["roles"]  # type: ignore[operator]
    assert "employee" in by_name["Sam Patel"]["roles"]  # type: ignore[operator]
    assert by_name["Noor Haddad"]["manager"] == next(
        user for user, person in people.items() if person["name"] == "Dev Raman"
    )


def test_each_home_and_modal_reached_its_owner_only(demo_out: Path) -> None:
    for call in _calls(demo_out):
        params = call["params"]
        assert isinstance(params, dict)
        if call["method"] == "views.publish":
            assert call["audience"] == [params["user_id"]]
        if call["method"] in ("views.open", "ack", "response_url"):
            assert len(call["audience"]) == 1  # type: ignore[arg-type]


def test_program_administration_is_shown_to_hr_admins_only(demo_out: Path) -> None:
    people = _people(demo_out)
    for call in _calls(demo_out):
        if call["method"] == "views.publish" and "Program administration" in json.dumps(call["params"]):
            viewer = call["audience"][0]  # type: ignore[index]
            assert "hr_admin" in people[viewer]["roles"]  # type: ignore[operator]


def test_the_old_manager_sees_the_team_shrink_after_the_reorganisation(demo_out: Path) -> None:
    people = _people(demo_out)
    mei = next(user for user, person in people.items() if person["name"] == "Mei Chen")
    homes = [
        json.dumps(call["params"])
        for call in _calls(demo_out)
        if call["method"] == "views.publish" and call["audience"] == [mei]
    ]
    assert "4 people report to you" in homes[0]
    assert "3 people report to you" in homes[-1]
