"""Property-based fuzzing of every listener's payload parsing, through the real app over HTTP.

Fault injected: correctly signed requests whose payloads are malformed or hostile. Block
actions with missing, odd or wrongly typed values and unknown action ids; modal submissions
with missing blocks, wrong types, huge strings and unicode; slash commands with any text;
events of odd shapes; envelopes that are not what Slack sends at all.

Properties: never a 5xx; never an error logged by the app or by Bolt (an unhandled exception
in a listener is logged at ERROR); and where the person made a mistake, a clear message (the
help for an unknown command, inline ``errors`` or an updated screen for a modal submitted
without its inputs).

The action ids and callback ids come from the live Bolt app (``surfaces``), and the modals'
inputs from the views the app really opened during the warm-up, so a new listener or a new
input is fuzzed without this file changing. Examples are derandomized (the same run every
time, as CI needs); ``HR_PLUGIN_FUZZ_EXPLORE=1`` draws new ones and more of them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hr_plugin.testing.fake_slack import CONTENT_METHODS
from hr_plugin.testing.signed_client import SignedResponse
from hr_plugin.testing.stack import AppStack
from tests.e2e import vault_flows as flow
from tests.reliability.conftest import AppErrors
from tests.reliability.hostile import (
    ModalInput,
    action_ids,
    event_shapes,
    from_constraint,
    id_values,
    is_pattern,
    json_values,
    modal_inputs,
    option_like,
    scalars,
    slash_texts,
    texts,
    view_states,
)
from tests.reliability.surfaces import Surfaces, block_ids, registered_surfaces

EXPLORE = bool(os.environ.get("HR_PLUGIN_FUZZ_EXPLORE"))
FUZZ = settings(
    max_examples=400 if EXPLORE else 40,
    derandomize=not EXPLORE,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# UOUTSIDER is in the Slack workspace but not in the HR directory.
USERS = ["UPARENT", "UHR", "UPEER", "ULEAD", "UBOSS", "UOUTSIDER"]


class World:
    """The running app with some state to act on, what it listens to, and the modals it opened."""

    def __init__(self, stack: AppStack, errors: AppErrors) -> None:
        self.stack = stack
        self.errors = errors
        self.surfaces: Surfaces = registered_surfaces(stack.app)
        self.modals: dict[str, list[ModalInput]] = {}
        self.metadata: dict[str, str] = {}

    def warm_up(self) -> None:
        """Click every registered action the ordinary way, as the parent and as HR (each must
        work), then remember the inputs of every modal that opened."""
        for constraint in self.surfaces.actions:
            if is_pattern(constraint):
                continue
            for user in ("UPARENT", "UHR"):
                self.send(
                    partial(self.stack.slack.block_action, user, str(constraint), "open", view=flow.HOME)
                )
        self.harvest_modals()
        assert len(self.modals) >= 10, f"too few modals opened in the warm-up: {sorted(self.modals)}"

    def harvest_modals(self) -> None:
        """Remember the inputs (and metadata) of every modal the app has shown so far, opened
        through the Web API or answered in an ack (``response_action: update``)."""
        for method in ("views.open", "views.push", "views.update", "ack"):
            for call in self.stack.fake.calls_for(method):
                view = call["params"].get("view")
                if isinstance(view, dict) and view.get("callback_id"):
                    self.modals.setdefault(view["callback_id"], modal_inputs(view))
                    self.metadata.setdefault(view["callback_id"], str(view.get("private_metadata") or ""))

    def send(self, request: Callable[[], SignedResponse]) -> SignedResponse:
        """One request, then the work after its ack; fail on a 5xx or on an error in the logs."""
        self.errors.clear()
        result = request()
        self.stack.settle()
        assert result.status < 500, f"{result.status}: {result.body[:500]}"
        self.errors.assert_none()
        return result


@pytest.fixture
def world(stack: AppStack, hr: str, app_errors: AppErrors) -> World:
    """The small company, with an enrolled parent who consented to the private space, and a
    Slack member who is not in the HR directory."""
    stack.fake.add_user("UOUTSIDER", name="outsider", real_name="Out Sider", email="out@example.com")
    flow.enrol(stack, "UPARENT")
    flow.consent(stack, "UPARENT")
    return World(stack, app_errors)


# -- block actions ---------------------------------------------------------------------------------


def _actor(stack: AppStack, user: Any) -> dict[str, Any]:
    return {
        "user": {"id": user, "username": "someone", "name": "someone", "team_id": stack.fake.team_id},
        "team": {"id": stack.fake.team_id, "domain": "demo"},
        "enterprise": None,
        "is_enterprise_install": False,
        "api_app_id": "A0DEMO",
        "token": "fake-verification-token",
    }


@st.composite
def block_action_payloads(draw: st.DrawFn, world: World) -> dict[str, Any]:
    stack = world.stack
    user = draw(st.sampled_from(USERS))
    action: dict[str, Any] = {"action_id": draw(action_ids(world.surfaces.actions))}
    for key, values in (
        ("value", id_values),
        ("block_id", st.one_of(st.sampled_from(block_ids()), texts)),
        ("type", st.sampled_from(["button", "static_select", "users_select", "checkboxes", "overflow"])),
        ("selected_option", option_like),
        ("selected_user", st.one_of(st.sampled_from(USERS), scalars)),
        ("selected_options", st.lists(option_like, max_size=3)),
        ("action_ts", scalars),
    ):
        if draw(st.booleans()):
            action[key] = draw(values)
    if draw(st.integers(min_value=0, max_value=14)) == 0:
        del action["action_id"]
    payload: dict[str, Any] = {
        "type": "block_actions",
        **_actor(stack, user),
        "trigger_id": stack.fake.register_trigger(user),
        "actions": [action],
    }
    where = draw(st.sampled_from(["home", "modal", "message", "nowhere"]))
    if where in ("home", "modal"):
        view: dict[str, Any] = {
            "id": "V0FUZZ",
            "type": where,
            "team_id": stack.fake.team_id,
            "callback_id": draw(st.one_of(st.sampled_from(["", "vault.space", *world.modals]), texts)),
            "private_metadata": draw(
                st.one_of(st.sampled_from(["", "reminder", *world.metadata.values()]), texts)
            ),
            "hash": "",
            "blocks": [],
            "state": draw(st.one_of(st.just({"values": {}}), json_values)),
        }
        payload["view"] = view if draw(st.integers(0, 9)) else draw(json_values)
        payload["container"] = {"type": "view", "view_id": "V0FUZZ"}
    elif where == "message":
        channel = stack.fake.dm_channel_for(user)
        payload["container"] = {"type": "message", "message_ts": "1.2", "channel_id": channel}
        payload["channel"] = {"id": channel, "name": "directmessage"}
        payload["message"] = {"type": "message", "ts": "1.2", "text": ""}
        payload["response_url"] = stack.fake.register_response_url(user, channel)
    for key in ("trigger_id", "user", "team"):
        if draw(st.integers(min_value=0, max_value=19)) == 0:
            payload[key] = draw(json_values)
    if draw(st.integers(min_value=0, max_value=19)) == 0:
        payload["actions"] = draw(st.one_of(st.just([]), st.lists(json_values, max_size=2)))
    return payload


def test_block_actions_with_hostile_values_never_fail(world: World) -> None:
    @FUZZ
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        payload = data.draw(block_action_payloads(world))
        world.send(lambda: world.stack.slack.post_interactive(payload))

    check()


# -- modal submissions -------------------------------------------------------------------------------


@st.composite
def submissions(draw: st.DrawFn, world: World) -> tuple[str, dict[str, Any]]:
    stack = world.stack
    callback = draw(st.one_of(*(from_constraint(constraint) for constraint in world.surfaces.views)))
    user = draw(st.sampled_from(USERS))
    inputs = world.modals.get(callback, [])
    state = draw(view_states(inputs, block_ids()))
    metadata = draw(st.one_of(st.just(world.metadata.get(callback, "")), texts, json_values))
    view: dict[str, Any] = {
        "id": "V0FUZZ",
        "team_id": stack.fake.team_id,
        "type": "modal",
        "callback_id": callback,
        "private_metadata": metadata,
        "state": state,
        "hash": "",
        "title": {"type": "plain_text", "text": "Modal"},
        "blocks": [],
    }
    for key in ("blocks", "title", "id"):
        if draw(st.integers(min_value=0, max_value=9)) == 0:
            view[key] = draw(json_values)
    payload = {
        "type": "view_submission",
        **_actor(stack, user),
        "trigger_id": stack.fake.register_trigger(user),
        "view": view,
        "response_urls": [],
    }
    return callback, payload


def test_modal_submissions_with_hostile_state_never_fail(world: World) -> None:
    world.warm_up()

    @FUZZ
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        _, payload = data.draw(submissions(world))
        world.send(lambda: world.stack.slack.post_interactive(payload))

    check()


def test_a_modal_submitted_without_its_inputs_says_what_is_missing(world: World) -> None:
    """Slack will not submit a modal whose required inputs are empty; a payload without them
    (a hostile client, or Slack changing) still gets a clear answer, never a silent success."""
    world.warm_up()
    checked = []
    for callback, inputs in sorted(world.modals.items()):
        required = [item.block_id for item in inputs if not item.optional]
        if not required:
            continue
        # The private space's screens are the parent's own; the rest are HR's or anyone's.
        owner = "UPARENT" if callback.startswith("vault.") else "UHR"
        submit = partial(
            world.stack.slack.view_submission,
            owner,
            callback,
            {},
            private_metadata=world.metadata.get(callback, ""),
        )
        result = world.send(submit)
        answer = result.json or {}
        clear = (answer.get("response_action") == "errors" and answer.get("errors")) or (
            answer.get("response_action") == "update" and answer.get("view")
        )
        assert clear, f"{callback}: {result.status} {result.body[:300]!r}"
        checked.append(callback)
    assert len(checked) >= 8, f"too few modals reached in the warm-up: {sorted(world.modals)}"


# -- slash commands, shortcuts, events, envelopes ------------------------------------------------------


def test_slash_commands_with_any_text_get_an_answer(world: World) -> None:
    known = set(world.stack.services.subcommands)

    @FUZZ
    @given(text=slash_texts(), user=st.sampled_from(USERS))
    def check(text: str, user: str) -> None:
        result = world.send(lambda: world.stack.slack.slash_command(user, "/rtw", text))
        name = text.strip().partition(" ")[0].lower() or "help"
        if name not in known:
            assert result.json is not None and result.json.get("text"), result.body[:300]

    check()


def test_events_of_odd_shapes_are_acknowledged(world: World) -> None:
    @FUZZ
    @given(event=event_shapes(USERS), retry=st.one_of(st.none(), st.integers(1, 3)))
    def check(event: Any, retry: int | None) -> None:
        result = world.send(lambda: world.stack.slack.event(event, retry_num=retry))
        assert result.status in (200, 400), result.body[:300]  # 404 was Bolt's unhandled event

    check()


def test_shortcuts_and_odd_envelopes_never_fail(world: World) -> None:
    stack = world.stack
    callbacks = st.one_of(st.sampled_from(world.surfaces.shortcuts or ["x"]), texts)
    envelopes = st.one_of(
        st.builds(
            lambda user, callback: {
                "type": "shortcut",
                **_actor(stack, user),
                "callback_id": callback,
                "trigger_id": stack.fake.register_trigger(str(user)),
            },
            st.sampled_from(USERS),
            callbacks,
        ),
        st.fixed_dictionaries(
            {"type": st.sampled_from(["view_closed", "message_action", "block_suggestion", "nonsense"])},
            optional={"view": json_values, "callback_id": texts, "user": json_values, "team": json_values},
        ),
        json_values,
    )

    @FUZZ
    @given(envelope=envelopes, form=st.booleans())
    def check(envelope: Any, form: bool) -> None:
        if form:
            world.send(lambda: stack.slack.post_interactive(envelope))
        else:
            world.send(lambda: stack.slack.post(json.dumps(envelope).encode(), "application/json"))

    check()


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"payload=%7Bnot+json", "application/x-www-form-urlencoded"),
        (b"payload=%5B1%2C2%5D", "application/x-www-form-urlencoded"),
        (b"payload=", "application/x-www-form-urlencoded"),
        (b"[1, 2, 3]", "application/json"),
        (b"{not json", "application/json"),
        (b"\xff\xfe\x00junk", "application/octet-stream"),
        (b"", "application/json"),
        (b"command=%2Frtw", "application/x-www-form-urlencoded"),
    ],
)
def test_signed_bodies_that_are_not_slack_payloads_are_refused_cleanly(
    stack: AppStack, app_errors: AppErrors, body: bytes, content_type: str
) -> None:
    result = stack.slack.post(body, content_type)
    forged = stack.slack.post(body, content_type, signature="v0=" + "0" * 64)

    assert result.status in (400, 404), result.body
    assert forged.status == 401
    app_errors.assert_none()
    assert [call for call in stack.fake.calls if call["method"] in CONTENT_METHODS] == []


# -- what the fuzzing found, kept as plain examples ------------------------------------------------


def _profile_screen_after_deleting_everything(world: World) -> SignedResponse:
    """A settings screen left open while the space is deleted from another one, then saved."""
    slack, fake = world.stack.slack, world.stack.fake
    slack.block_action("UPARENT", "vault.profile_open", "open", view=flow.space())
    profile = fake.last_modal("UPARENT")
    slack.block_action("UPARENT", flow.DELETE_OPEN, "open", view=flow.space())
    delete = fake.last_modal("UPARENT")
    assert profile is not None and delete is not None
    assert slack.view_submission("UPARENT", flow.DELETE, {}, view_id=delete["id"]).status == 200
    return slack.view_submission("UPARENT", profile["callback_id"], {}, view_id=profile["id"])


FOUND: dict[str, Callable[[World], SignedResponse]] = {
    "leaving the program twice": lambda world: [
        world.stack.slack.block_action("UPARENT", "enrolment.leave_program", "leave", view=flow.HOME)
        for _ in range(2)
    ][-1],
    "a preference toggled by someone not enrolled": lambda world: world.stack.slack.block_action(
        "UPEER", "enrolment.contact_toggle", "on", view=flow.HOME
    ),
    "huddles rejoined by someone outside the directory": lambda world: world.stack.slack.block_action(
        "UOUTSIDER", "huddles.rejoin", "rejoin", view=flow.HOME
    ),
    "a milestone button with a value the app never drew": lambda world: world.stack.slack.block_action(
        "UPARENT", "vault.milestone_open", "7_years", view=flow.space()
    ),
    "a decision on a request id that is not a number": lambda world: world.stack.slack.block_action(
        "UHR", "plan.request_grant", "", view=flow.HOME
    ),
    "a pasted page as a subcommand": lambda world: world.stack.slack.slash_command(
        "UPEER", "/rtw", "x" * 5000
    ),
    "app_home_opened without a user": lambda world: world.stack.slack.event({"type": "app_home_opened"}),
    "the private settings saved after the space was deleted": _profile_screen_after_deleting_everything,
}


@pytest.mark.parametrize("case", list(FOUND))
def test_what_the_fuzzing_found(world: World, case: str) -> None:
    result = world.send(lambda: FOUND[case](world))
    assert result.status == 200, result.body[:300]
    if case == "a pasted page as a subcommand":
        assert result.json is not None and "I don't know" in json.dumps(result.json)
    if case == "the private settings saved after the space was deleted":
        assert result.json is not None and result.json.get("response_action") == "update"
