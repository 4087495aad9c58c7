"""Mentoring through signed requests: opt in, propose, decline, accept, end, rematch, pair by hand."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from hr_plugin.admins import appoint_by_email
from hr_plugin.db import unit_of_work
from hr_plugin.testing.stack import AppStack
from mentoring import matching, messages, service
from mentoring import views as v
from mentoring.models import Match, RematchDue
from mentoring.scoring import TAGS
from tests.e2e import vault_flows as flow
from tests.e2e.conftest import TEAM


def _become_mentor(
    stack: AppStack, user: str, *, confirm: bool = True, tags: tuple[str, ...] = (), share: bool = False
) -> Any:
    stack.slack.block_action(user, v.BECOME_ACTION, "open", view=flow.HOME)
    values: dict[str, Any] = {
        v.CONFIRM_BLOCK: {"value": {"selected_options": [{"value": "yes"}] if confirm else []}},
        v.CAPACITY_BLOCK: {"value": {"selected_option": {"value": "2"}}},
        v.TAGS_BLOCK: {"value": {"selected_options": [{"value": tag} for tag in tags]}},
        v.SHARE_BLOCK: {"value": {"selected_options": [{"value": "share"}] if share else []}},
    }
    return stack.slack.view_submission(user, v.MENTOR_CALLBACK, values)


def _tick(stack: AppStack) -> None:
    stack.ticks.run("mentoring-match")
    stack.ticks.context.drainer.drain(max_seconds=60)


def _asks_to(stack: AppStack, user: str) -> list[dict[str, Any]]:
    return [
        c
        for c in stack.fake.calls_for("chat.postMessage", user=user)
        if c["ok"] and "Would you mentor" in c["params"]["text"]
    ]


def _rematch(stack: AppStack) -> None:
    """The scheduler's rematch tick, then the drain that sends what it wrote."""
    stack.ticks.run("mentoring-rematch")
    stack.ticks.context.drainer.drain(max_seconds=60)


def _replies(stack: AppStack, user: str) -> list[str]:
    """What the app answered in place of the messages whose buttons the user clicked."""
    return [str(call["params"].get("text")) for call in stack.fake.calls_for("response_url", user=user)]


def _answer(stack: AppStack, mentor: str, accept: bool) -> None:
    ask = _asks_to(stack, mentor)[-1]
    match_id = ask["params"]["blocks"][1]["elements"][0]["value"]
    action = messages.ACCEPT_ACTION if accept else messages.DECLINE_ACTION
    stack.slack.block_action(mentor, action, match_id, block_id=f"mentor-ask-{match_id}")


@pytest.fixture
def program(stack: AppStack, org: dict[str, str]) -> AppStack:
    """The parent is enrolled (back in two weeks); their manager and the manager's manager are mentors too."""
    appoint_by_email(
        stack.factory, stack.services.clock, tenant_id=TEAM, email="hr@example.com", actor="test"
    )
    flow.enrol(stack, "UPARENT")
    for user in ("ULEAD", "UBOSS", "UPEER", "UHR"):
        assert _become_mentor(stack, user).status == 200
    stack.ticks.context.drainer.drain(max_seconds=60)
    stack.fake.reset_calls()
    return stack


def test_opting_in_needs_the_lived_experience_and_shows_on_the_home(
    stack: AppStack, org: dict[str, str]
) -> None:
    refused = _become_mentor(stack, "UPEER", confirm=False)
    assert refused.json is not None and v.CONFIRM_BLOCK in refused.json["errors"]

    assert _become_mentor(stack, "UPEER", tags=("twins",), share=True).status == 200
    stack.settle()
    assert "You are a mentor" in json.dumps(stack.fake.home_view("UPEER"))


def test_nobody_in_the_reporting_line_is_asked_and_a_decline_asks_the_next_best(program: AppStack) -> None:
    stack = program
    _tick(stack)
    asked_first = [user for user in ("ULEAD", "UBOSS", "UPEER", "UHR") if _asks_to(stack, user)]
    assert len(asked_first) == 1 and asked_first[0] in ("UPEER", "UHR")  # never the manager or their manager
    first = asked_first[0]
    assert all(call["audience"] == [first] for call in _asks_to(stack, first))

    _answer(stack, first, accept=False)
    stack.ticks.context.drainer.drain(max_seconds=60)

    assert _replies(stack, first)[-1] == messages.DECLINED_REPLY  # saved; another mentor is looked for
    second = "UHR" if first == "UPEER" else "UPEER"
    assert _asks_to(stack, second) == []  # the click only saved the answer
    _rematch(stack)
    assert len(_asks_to(stack, second)) == 1
    assert not _asks_to(stack, "ULEAD") and not _asks_to(stack, "UBOSS")
    first_name = {"UPEER": "Pim Peer", "UHR": "Hal Resources"}[first]
    to_others = [
        c for c in stack.fake.calls if c["method"] == "chat.postMessage" and first not in c["audience"]
    ]
    assert all(first_name not in json.dumps(c["params"]) for c in to_others)  # nobody hears who declined

    _answer(stack, second, accept=True)
    stack.ticks.context.drainer.drain(max_seconds=60)
    intro = [c for c in stack.fake.calls_for("chat.postMessage") if "meet" in c["params"]["text"]]
    assert len(intro) == 1 and sorted(intro[0]["audience"]) == sorted(["UPARENT", second])


def test_ending_tells_the_other_kindly_and_a_rematch_starts(program: AppStack) -> None:
    stack = program
    _tick(stack)
    mentor = next(user for user in ("UPEER", "UHR") if _asks_to(stack, user))
    _answer(stack, mentor, accept=True)
    stack.settle()
    stack.slack.app_home_opened("UPARENT")
    stack.settle()
    home = stack.fake.home_view("UPARENT") or {}
    end = next(e for b in home["blocks"] for e in b.get("elements", []) if e.get("action_id") == v.END_ACTION)

    stack.slack.block_action("UPARENT", v.END_ACTION, end["value"], view=home)
    stack.settle()
    stack.ticks.context.drainer.drain(max_seconds=60)
    # The answer is the Home republished after the click: the match is gone, a new one looked for.
    after = json.dumps(stack.fake.home_view("UPARENT") or {})
    assert v.END_ACTION not in after and "We are looking for a mentor" in after
    other = "UHR" if mentor == "UPEER" else "UPEER"
    assert _asks_to(stack, other) == []  # the click only saved the ending
    _rematch(stack)

    told = [
        c
        for c in stack.fake.calls_for("chat.postMessage", user=mentor)
        if "come to an end" in c["params"]["text"]
    ]
    assert len(told) == 1 and told[0]["audience"] == [mentor]
    assert len(_asks_to(stack, other)) == 1  # the rematch asks the other mentor, never the same one again


class _CountingSolver:
    """Counts the matching solver's runs (and can fail the next one), to tell where it runs."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        self.fail_next = False
        self._solve = matching.solve
        monkeypatch.setattr(matching, "solve", self)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("the solve failed")
        return self._solve(*args, **kwargs)


def _home_blocks(stack: AppStack, user: str) -> list[dict[str, Any]]:
    """The blocks of the user's Home as published when they open it (not the view's ids)."""
    stack.slack.app_home_opened(user)
    stack.settle()
    return list((stack.fake.home_view(user) or {}).get("blocks", []))


def _marks(stack: AppStack) -> int:
    with unit_of_work(stack.factory) as session:
        return int(session.scalar(select(func.count()).select_from(RematchDue)) or 0)


def test_a_decline_only_saves_and_the_rematch_tick_asks_the_next_mentor(
    program: AppStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The click no longer runs the tenant's solve: it saves the answer and marks the mentee;
    the tick solves. Meanwhile the mentee's Home reads exactly as while the mentor was asked."""
    stack = program
    _tick(stack)
    first = next(user for user in ("UPEER", "UHR") if _asks_to(stack, user))
    second = "UHR" if first == "UPEER" else "UPEER"
    while_asked = _home_blocks(stack, "UPARENT")
    solver = _CountingSolver(monkeypatch)

    _answer(stack, first, accept=False)
    stack.settle()
    stack.ticks.context.drainer.drain(max_seconds=60)

    assert solver.calls == 0  # not in the request
    assert _replies(stack, first)[-1] == messages.DECLINED_REPLY
    assert _asks_to(stack, second) == [] and _marks(stack) == 1
    assert _home_blocks(stack, "UPARENT") == while_asked  # nothing tells the mentee someone said no
    assert "We are looking for a mentor" in json.dumps(while_asked)

    _rematch(stack)

    assert solver.calls == 1
    assert len(_asks_to(stack, second)) == 1 and _marks(stack) == 0
    assert _home_blocks(stack, "UPARENT") == while_asked  # a mentor is asked again


def test_the_rematch_tick_is_idempotent_and_a_failed_solve_keeps_the_mark(
    program: AppStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = program
    _tick(stack)
    first = next(user for user in ("UPEER", "UHR") if _asks_to(stack, user))
    second = "UHR" if first == "UPEER" else "UPEER"
    solver = _CountingSolver(monkeypatch)
    assert stack.ticks.run("mentoring-rematch") == 0 and solver.calls == 0  # nobody waits: no solve

    _answer(stack, first, accept=False)
    solver.fail_next = True
    with pytest.raises(RuntimeError):
        stack.ticks.run("mentoring-rematch")
    assert _marks(stack) == 1  # rolled back with the solve: the next tick tries again

    assert stack.ticks.run("mentoring-rematch") == 1
    assert stack.ticks.run("mentoring-rematch") == 0  # the mark went with the first commit
    stack.ticks.context.drainer.drain(max_seconds=60)

    assert solver.calls == 2  # the failed one and the one that asked; none for the repeat
    assert len(_asks_to(stack, second)) == 1 and _marks(stack) == 0
    with unit_of_work(stack.factory) as session:
        statuses = sorted(session.scalars(select(Match.status)))
    assert statuses == [service.ASKED, service.DECLINED]


def test_hr_pairs_by_hand_but_never_inside_the_reporting_line(program: AppStack) -> None:
    stack = program
    stack.slack.block_action("UHR", v.ASSIGN_ACTION, "open", view=flow.HOME)

    def assign(mentee: str, mentor: str) -> Any:
        return stack.slack.view_submission(
            "UHR",
            v.ASSIGN_CALLBACK,
            {
                v.MENTEE_BLOCK: {"value": {"selected_user": mentee}},
                v.MENTOR_BLOCK: {"value": {"selected_user": mentor}},
            },
        )

    chain = assign("UPARENT", "ULEAD")
    not_enrolled = assign("UPEER", "UHR")
    by_peer = stack.slack.view_submission(
        "UPEER",
        v.ASSIGN_CALLBACK,
        {
            v.MENTEE_BLOCK: {"value": {"selected_user": "UPARENT"}},
            v.MENTOR_BLOCK: {"value": {"selected_user": "UHR"}},
        },
    )
    good = assign("UPARENT", "UPEER")
    stack.ticks.context.drainer.drain(max_seconds=60)

    assert chain.json is not None and "cannot be paired" in json.dumps(chain.json)
    assert not_enrolled.json is not None and "not enrolled" in json.dumps(not_enrolled.json)
    assert by_peer.json is not None and "Only HR admins" in json.dumps(by_peer.json)
    assert good.status == 200 and not good.json
    assert len(_asks_to(stack, "UPEER")) == 1
    stack.slack.app_home_opened("UHR")
    stack.settle()
    assert "Waiting for a mentor's answer: 1" in json.dumps(stack.fake.home_view("UHR"))


def test_a_privately_excluded_person_is_never_asked(program: AppStack) -> None:
    stack = program
    stack.slack.block_action("UPARENT", v.PREFERENCES_ACTION, "open", view=flow.HOME)
    stack.slack.view_submission(
        "UPARENT",
        v.PREFERENCES_CALLBACK,
        {
            v.EXCLUDED_BLOCK: {"value": {"selected_users": ["UPEER", "UHR"]}},
            v.CHOICES_BLOCK: {"value": {"selected_options": []}},
            v.PREFERENCES_BLOCK: {"value": {"selected_options": []}},
        },
    )
    _tick(stack)

    assert not any(_asks_to(stack, user) for user in ("UPEER", "UHR", "ULEAD", "UBOSS"))
    waiting = [
        c
        for c in stack.fake.calls_for("chat.postMessage", user="UPARENT")
        if "not found" in c["params"]["text"]
    ]
    assert len(waiting) == 1  # told honestly, and kept in the queue


def _choose_preferences(stack: AppStack, user: str, *, manager_may_know: bool) -> None:
    choices = [{"value": "manager_may_know"}] if manager_may_know else []
    values: dict[str, Any] = {
        v.PREFERENCES_BLOCK: {"value": {"selected_options": []}},
        v.EXCLUDED_BLOCK: {"value": {"selected_users": []}},
        v.CHOICES_BLOCK: {"value": {"selected_options": choices}},
    }
    assert stack.slack.view_submission(user, v.PREFERENCES_CALLBACK, values).status == 200


def _home_text(stack: AppStack, user: str) -> str:
    stack.slack.app_home_opened(user)
    stack.settle()
    return json.dumps(stack.fake.home_view(user) or {})


@pytest.mark.parametrize("shared", [True, False])
def test_the_manager_sees_the_mentor_only_when_the_parent_chose_to_share(
    program: AppStack, shared: bool
) -> None:
    stack = program
    _choose_preferences(stack, "UPARENT", manager_may_know=shared)
    _tick(stack)
    mentor = next(user for user in ("UPEER", "UHR") if _asks_to(stack, user))
    mentor_name = {"UPEER": "Pim Peer", "UHR": "Hal Resources"}[mentor]
    before_accepting = _home_text(stack, "ULEAD")
    _answer(stack, mentor, accept=True)
    stack.settle()

    lead_home, boss_home = _home_text(stack, "ULEAD"), _home_text(stack, "UBOSS")
    assert mentor_name not in before_accepting  # only an accepted match is shared
    assert (f"Pat Parent's mentor: {mentor_name}" in lead_home) is shared
    assert mentor_name not in boss_home  # the manager's own manager is never told


def _opened_modal(stack: AppStack, user: str, action_id: str, callback_id: str) -> dict[str, Any]:
    """Click a Home button and return the modal Slack accepted (the fake checks Slack's limits)."""
    stack.fake.reset_calls()
    assert stack.slack.block_action(user, action_id, "open", view=flow.HOME).status == 200
    stack.settle()
    opened = stack.fake.calls_for("views.open", user=user)
    assert [call["ok"] for call in opened] == [True], [call.get("response") for call in opened]
    modal = stack.fake.last_modal(user)
    assert modal is not None and modal["callback_id"] == callback_id
    return modal


def _element(modal: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(block["element"] for block in modal["blocks"] if block.get("block_id") == block_id)


def _every_option_chosen(element: dict[str, Any]) -> dict[str, Any]:
    """The state Slack submits for an element with each of its options chosen, in its own shape."""
    return {"type": element["type"], "selected_options": list(element["options"])}


def test_mentoring_forms_open_within_slacks_limits_and_keep_more_than_ten_experiences(
    stack: AppStack, org: dict[str, str]
) -> None:
    """Slack refuses a checkboxes element with more than 10 options, so the 12 experiences are a
    multi-select: both forms open on the strict fake, and every experience chosen is stored."""
    flow.enrol(stack, "UPARENT")
    every_tag = set(TAGS)
    assert len(every_tag) > 10

    become = _opened_modal(stack, "UPEER", v.BECOME_ACTION, v.MENTOR_CALLBACK)
    tags = _element(become, v.TAGS_BLOCK)
    assert {option["value"] for option in tags["options"]} == every_tag
    values: dict[str, Any] = {
        v.CONFIRM_BLOCK: {"value": _every_option_chosen(_element(become, v.CONFIRM_BLOCK))},
        v.CAPACITY_BLOCK: {"value": {"type": "static_select", "selected_option": {"value": "2"}}},
        v.TAGS_BLOCK: {"value": _every_option_chosen(tags)},
    }
    saved = stack.slack.view_submission("UPEER", v.MENTOR_CALLBACK, values, view_id=become["id"])
    assert saved.status == 200 and not saved.json
    form = service.current_mentor_form(stack.factory, tenant_id=TEAM, user_id="UPEER")
    assert form is not None and form.tags == every_tag

    reopened = _opened_modal(stack, "UPEER", v.BECOME_ACTION, v.MENTOR_CALLBACK)
    chosen = _element(reopened, v.TAGS_BLOCK).get("initial_options") or []
    assert {option["value"] for option in chosen} == every_tag  # shown as saved, still within limits

    preferences = _opened_modal(stack, "UPARENT", v.PREFERENCES_ACTION, v.PREFERENCES_CALLBACK)
    values = {
        v.PREFERENCES_BLOCK: {"value": _every_option_chosen(_element(preferences, v.PREFERENCES_BLOCK))},
        v.EXCLUDED_BLOCK: {"value": {"type": "multi_users_select", "selected_users": ["ULEAD"]}},
        v.CHOICES_BLOCK: {"value": {"type": "checkboxes", "selected_options": []}},
    }
    saved = stack.slack.view_submission("UPARENT", v.PREFERENCES_CALLBACK, values, view_id=preferences["id"])
    assert saved.status == 200 and not saved.json
    prefs = service.current_preferences(stack.factory, tenant_id=TEAM, user_id="UPARENT")
    assert set(prefs.preferences) == every_tag and prefs.excluded_user_ids == ["ULEAD"]

    reopened = _opened_modal(stack, "UPARENT", v.PREFERENCES_ACTION, v.PREFERENCES_CALLBACK)
    chosen = _element(reopened, v.PREFERENCES_BLOCK).get("initial_options") or []
    assert {option["value"] for option in chosen} == every_tag
