"""Payloads as Slack sends them, through real HTTP into the real app, signed or forged.

Our signed client builds the fields the app reads; Slack sends many more (``api_app_id``,
``token``, ``enterprise``, ``is_enterprise_install``, ``authorizations``, ``event_context``,
``container``, the whole ``view`` with its ``state``, ``app_installed_team_id``,
``is_ext_shared_channel``...), and on Enterprise Grid it sends ids in other places (an
org-wide install's ``team`` is null, its event ``authorizations`` name no team). The payloads
in ``tests/fixtures/slack_payloads`` have Slack's keys and nesting, taken from Slack's own
recorded samples and SDK tests (see the README there), with our own ids and values, pointing
at the app's real action ids, callback ids and command. One folder per workspace: ``demo``
(no Grid), ``grid_workspace`` (a workspace of a Grid org, installed on its own) and
``grid_org`` (an org-wide install).

Every payload, in single-workspace mode and in multi-workspace mode with its workspace
installed: a forged signature or a stale timestamp gets 401 and changes nothing (no call to
Slack, no row written); validly signed, it gets 200, unhandled kinds included (URL
verification gets its challenge back). Then, for a handful per surface, that the handled ones
still do their work with all of Slack's fields present.
"""

from __future__ import annotations

import copy
import json
import logging
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import BoltRequest, BoltResponse
from sqlalchemy import MetaData, select

from hr_plugin import enrolment
from hr_plugin.clock import SimulatedClock
from hr_plugin.db import unit_of_work
from hr_plugin.directory import import_directory, parse_directory_csv
from hr_plugin.enrolment.models import Enrolment
from hr_plugin.models import Tenant
from hr_plugin.slack.middleware import use
from hr_plugin.testing.fake_slack import FakeSlack
from hr_plugin.testing.signed_client import FORM_CONTENT_TYPE, JSON_CONTENT_TYPE, SignedResponse
from hr_plugin.testing.stack import BOT_TOKEN, AppStack, start_stack
from tests.e2e.conftest import ORG_CSV, TEAM, USERS, propose_enrolment

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "slack_payloads"

# Bodies Slack sends as JSON; everything else is a form (a command's fields, or one ``payload``).
JSON_TYPES = frozenset({"event_callback", "url_verification", "app_rate_limited"})
FORGED = "v0=" + "0" * 64
UNHANDLED_LOGGER = "hr_plugin.slack.listeners.unhandled"
APP_LOGGERS = ("slack_bolt", "slack_sdk", "hr_plugin", "mentoring", "huddles")


@dataclass(frozen=True)
class Workspace:
    """A workspace the fixtures come from, as the fake Slack knows it."""

    team_id: str
    name: str
    domain: str
    enterprise_id: str | None = None
    org_wide: bool = False

    @property
    def tenant(self) -> str:
        return self.enterprise_id if self.org_wide and self.enterprise_id else self.team_id


WORKSPACES = {
    "demo": Workspace(TEAM, "Demo Company", "demo"),
    "grid_workspace": Workspace("T0GRID", "Demo Grid Workspace", "demo-grid", "E0GRID"),
    "grid_org": Workspace("T0ORGA", "Demo Org", "demo-org-a", "E0ORG", org_wide=True),
}

# The Grid people the fixtures name (the demo workspace's are ``tests.e2e.conftest.USERS``).
GRID_PEOPLE = {"W0PARENT": "gia.parent@grid.example", "W0MEMBER": "mo.member@org.example"}


@dataclass(frozen=True)
class Fixture:
    path: Path

    @property
    def name(self) -> str:
        return f"{self.path.parent.name}/{self.path.stem}"

    @property
    def workspace(self) -> Workspace:
        return WORKSPACES[self.path.parent.name]

    def load(self) -> dict[str, Any]:
        loaded = json.loads(self.path.read_text())
        assert isinstance(loaded, dict), self.name
        return loaded


ALL = [Fixture(path) for path in sorted(FIXTURES.glob("*/*.json"))]

# The payloads no listener of the app handles: kinds it does not act on, ids it does not know.
# Every other one must reach its listener (or, for URL verification, Bolt's own answer).
UNHANDLED = frozenset(
    {
        "demo/app_rate_limited",
        "demo/block_actions_unknown_action",
        "demo/command_unknown",
        "demo/event_app_mention",
        "demo/event_member_joined_channel",
        "demo/event_message_im",
        "demo/message_action",
        "demo/shortcut_unknown",
        "demo/view_closed",
        "demo/view_submission_unknown_callback",
        "grid_org/event_team_access_granted",
        "grid_org/message_action",
        "grid_org/view_closed",
        "grid_workspace/event_user_change",
        "grid_workspace/message_action",
        "grid_workspace/view_closed",
    }
)


def fixture(name: str) -> dict[str, Any]:
    return Fixture(FIXTURES / f"{name}.json").load()


# -- sending as Slack does --------------------------------------------------------------------


def send(
    stack: AppStack, payload: dict[str, Any], *, signature: str | None = None, timestamp: int | None = None
) -> SignedResponse:
    """POST ``payload`` the way Slack sends its kind, signed with the app's signing secret (or
    with ``signature``/``timestamp`` as given). Its trigger id and response URLs are exchanged
    for ones the fake Slack minted for the same person, so the app's calls with them reach it."""
    live = _with_live_handles(stack.fake, payload)
    if "command" in live:
        body, content_type = urllib.parse.urlencode(live).encode(), FORM_CONTENT_TYPE
    elif live.get("type") in JSON_TYPES:
        body, content_type = json.dumps(live).encode(), JSON_CONTENT_TYPE
    else:
        body, content_type = urllib.parse.urlencode({"payload": json.dumps(live)}).encode(), FORM_CONTENT_TYPE
    return stack.slack.post(body, content_type, signature=signature, timestamp=timestamp)


def _with_live_handles(fake: FakeSlack, payload: dict[str, Any]) -> dict[str, Any]:
    live = copy.deepcopy(payload)
    user = live.get("user")
    actor = str(user.get("id") if isinstance(user, dict) else live.get("user_id") or "")
    channel = live.get("channel")
    channel_id = str(channel.get("id") if isinstance(channel, dict) else live.get("channel_id") or "")
    if "trigger_id" in live:
        live["trigger_id"] = fake.register_trigger(actor)
    if "response_url" in live:
        live["response_url"] = fake.register_response_url(actor, channel_id or fake.dm_channel_for(actor))
    for target in live.get("response_urls") or []:
        target["response_url"] = fake.register_response_url(actor, str(target.get("channel_id") or ""))
    return live


# -- the app, in either mode, with the fixture's workspace ------------------------------------------


@contextmanager
def running(database_url: str, clock: SimulatedClock, mode: str, workspace: Workspace) -> Iterator[AppStack]:
    """The app in ``mode`` serving ``workspace``: in single-workspace mode its bot token is that
    workspace's; in multi-workspace mode the workspace is installed through the OAuth flow.
    The demo workspace gets the company of ``tests.e2e.conftest`` and its pending invitation."""
    if mode == "single":
        fake = FakeSlack(
            clock=clock,
            team_id=workspace.team_id,
            team_name=workspace.name,
            team_domain=workspace.domain,
            enterprise_id=workspace.enterprise_id,
            bot_tokens=[BOT_TOKEN],
        )
        with start_stack(database_url, clock, fake=fake) as stack:
            _people(stack)
            if workspace.team_id == TEAM:
                _company(stack)
            yield stack
        return
    with start_stack(database_url, clock, oauth=True) as stack:
        _people(stack)
        install(stack, workspace)
        if workspace.team_id == TEAM:
            _company(stack)
        yield stack


def install(stack: AppStack, workspace: Workspace) -> None:
    if workspace.team_id != stack.fake.team_id:
        stack.fake.add_workspace(
            workspace.team_id,
            name=workspace.name,
            domain=workspace.domain,
            enterprise_id=workspace.enterprise_id,
            org_wide=workspace.org_wide,
        )
    page = stack.install(workspace.team_id)
    assert page.status == 200 and "is installed" in page.body, page.body


def _people(stack: AppStack) -> None:
    for email, user_id in USERS.items():
        stack.fake.add_user(
            user_id, name=email.split("@")[0], real_name=email, email=email, is_owner=user_id == "UBOSS"
        )
    for user_id, email in GRID_PEOPLE.items():
        stack.fake.add_user(user_id, name=email.split("@")[0], real_name=email, email=email)


def _company(stack: AppStack) -> None:
    import_directory(
        stack.factory,
        tenant_id=TEAM,
        rows=parse_directory_csv(ORG_CSV),
        slack=stack.clients.client_for(TEAM),
        clock=stack.services.clock,
        full=True,
        actor="test",
    )
    propose_enrolment(stack, "parent@example.com", date(2026, 6, 1), date(2026, 12, 7))
    stack.fake.reset_calls()


_SCHEMAS: dict[str, MetaData] = {}  # reflected once per database kind: every test migrates the same schema


def every_row(stack: AppStack) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table the database holds, to compare before and after."""
    engine = stack.services.engine
    with engine.connect() as connection:
        metadata = _SCHEMAS.get(engine.dialect.name)
        if metadata is None:
            metadata = _SCHEMAS.setdefault(engine.dialect.name, MetaData())
            metadata.reflect(bind=connection)
        return {
            name: [tuple(row) for row in connection.execute(table.select())]
            for name, table in metadata.tables.items()
        }


def app_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        f"{record.name}: {record.getMessage()}"
        for record in caplog.records
        if record.levelno >= logging.ERROR and record.name.split(".")[0] in APP_LOGGERS
    ]


def unhandled_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == UNHANDLED_LOGGER]


# -- every payload, both modes ----------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["single", "multi"])
@pytest.mark.parametrize("payload", ALL, ids=lambda f: f.name)
def test_every_payload_gets_200_signed_and_401_forged_with_no_trace(
    payload: Fixture, mode: str, database_url: str, clock: SimulatedClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=UNHANDLED_LOGGER)
    body = payload.load()
    with running(database_url, clock, mode, payload.workspace) as stack:
        stack.fake.reset_calls()
        before = every_row(stack)

        forged = send(stack, body, signature=FORGED)
        stale = send(stack, body, timestamp=int(time.time()) - 6 * 60)

        assert (forged.status, stale.status) == (401, 401), (forged.body, stale.body)
        assert stack.fake.calls == []
        assert every_row(stack) == before

        answer = send(stack, body)
        stack.settle()

        assert answer.status == 200, answer.body
        if body.get("type") == "url_verification":
            assert answer.json == {"challenge": body["challenge"]}
        # Slack's extra fields change nothing about which listener a payload reaches.
        assert bool(unhandled_lines(caplog)) == (payload.name in UNHANDLED), unhandled_lines(caplog)
        assert app_errors(caplog) == []


def test_the_unhandled_list_names_only_fixtures_that_exist() -> None:
    assert {each.name for each in ALL} >= UNHANDLED


def test_the_fixtures_cover_every_surface_and_both_grid_installs() -> None:
    """The matrix above is only as good as what it is fed: each kind of request Slack sends
    the app, and each place Enterprise Grid moves the ids to."""
    kinds = set()
    for each in ALL:
        body = each.load()
        kind = "command" if "command" in body else str(body.get("type"))
        if kind == "event_callback":
            kind = f"event:{body['event']['type']}"
        kinds.add(kind)
    assert {
        "url_verification",
        "app_rate_limited",
        "command",
        "block_actions",
        "view_submission",
        "view_closed",
        "shortcut",
        "message_action",
        "event:app_home_opened",
        "event:app_uninstalled",
        "event:tokens_revoked",
    } <= kinds
    assert {name for name in kinds if name.startswith("event:")} - {
        "event:app_home_opened",
        "event:app_uninstalled",
        "event:tokens_revoked",
    }, "no event the app does not subscribe to"
    org_wide = [each.load() for each in ALL if each.workspace.org_wide]
    assert any(
        body.get("team", "absent") is None and body.get("is_enterprise_install") is True for body in org_wide
    )
    assert any(
        auth.get("team_id") is None and auth.get("is_enterprise_install") is True
        for body in org_wide
        for auth in body.get("authorizations") or []
    )
    grid = [each.load() for each in ALL if each.workspace.enterprise_id and not each.workspace.org_wide]
    assert any(
        isinstance(body.get("enterprise"), dict) and body.get("is_enterprise_install") is False
        for body in grid
    )


# -- what the handled ones still do (single-workspace mode, the demo company) --------------------------


def test_home_opened_publishes_the_home_of_that_person(stack: AppStack, org: dict[str, str]) -> None:
    answer = send(stack, fixture("demo/event_app_home_opened_home"))

    assert answer.status == 200
    [published] = stack.fake.calls_for("views.publish")
    assert published["ok"] and published["params"]["user_id"] == "UPARENT"
    assert "enrolment.invite_open" in json.dumps(published["params"]["view"])  # her invitation


def test_the_messages_tab_opened_publishes_nothing(stack: AppStack, org: dict[str, str]) -> None:
    answer = send(stack, fixture("demo/event_app_home_opened_messages"))

    assert answer.status == 200
    assert stack.fake.calls == []


def test_a_home_button_opens_its_modal(stack: AppStack, org: dict[str, str]) -> None:
    answer = send(stack, fixture("demo/block_actions_home_invite_open"))

    assert answer.status == 200
    [opened] = stack.fake.calls_for("views.open")
    assert opened["ok"] and opened["audience"] == ["UPARENT"]
    assert opened["params"]["view"]["callback_id"] == "enrolment.accept"


def test_a_message_button_declines_and_answers_in_place(stack: AppStack, org: dict[str, str]) -> None:
    answer = send(stack, fixture("demo/block_actions_message_decline"))

    assert answer.status == 200
    assert enrolment.own_enrolment(stack.factory, tenant_id=TEAM, user_id="UPARENT") is None
    with unit_of_work(stack.factory) as session:
        assert [row.status for row in session.scalars(select(Enrolment))] == [enrolment.DECLINED]
    [reply] = stack.fake.calls_for("response_url")
    assert reply["ok"] and reply["audience"] == ["UPARENT"]
    assert "Thanks for letting us know" in json.dumps(reply["params"])


def test_a_submitted_modal_is_saved_with_the_boxes_ticked(stack: AppStack, org: dict[str, str]) -> None:
    answer = send(stack, fixture("demo/view_submission_enrolment_accept"))

    assert answer.status == 200 and not answer.body  # the modal closes
    mine = enrolment.own_enrolment(stack.factory, tenant_id=TEAM, user_id="UPARENT")
    assert mine is not None and mine.status == enrolment.ACTIVE
    assert mine.contact_during_leave is True and mine.leave_out_family is False
    assert [call["params"]["user_id"] for call in stack.fake.calls_for("views.publish")] == ["UPARENT"]


def test_the_global_shortcut_opens_the_private_space(stack: AppStack, org: dict[str, str]) -> None:
    answer = send(stack, fixture("demo/shortcut_vault"))

    assert answer.status == 200
    [opened] = stack.fake.calls_for("views.open")
    assert opened["ok"] and opened["audience"] == ["UPARENT"]


def test_rtw_answers_with_help_and_opens_the_check_in(stack: AppStack, org: dict[str, str]) -> None:
    help_answer = send(stack, fixture("demo/command_rtw_help"))
    checkin = send(stack, fixture("demo/command_rtw_checkin"))

    assert help_answer.status == 200 and help_answer.json is not None
    assert "/rtw help" in json.dumps(help_answer.json["blocks"])
    assert checkin.status == 200
    [opened] = stack.fake.calls_for("views.open")
    assert opened["ok"] and opened["audience"] == ["UPARENT"]


@pytest.mark.parametrize(
    "name, logged",
    [
        ("demo/view_closed", "no listener handles this view_closed (enrolment.accept)"),
        ("demo/message_action", "no listener handles this message_action (rtw.save_for_later)"),
        (
            "demo/block_actions_unknown_action",
            "no listener handles this block_actions (enrolment.remind_me_later)",
        ),
        (
            "demo/view_submission_unknown_callback",
            "no listener handles this view_submission (feedback.submit)",
        ),
        ("demo/shortcut_unknown", "no listener handles this shortcut (rtw.quick_note)"),
        ("demo/command_unknown", "no listener handles this slash command (/standup)"),
        (
            "demo/event_member_joined_channel",
            "no listener handles this event_callback (member_joined_channel)",
        ),
        ("demo/event_message_im", "no listener handles this event_callback (message)"),
        ("demo/app_rate_limited", "no listener handles this app_rate_limited (-)"),
    ],
)
def test_an_unhandled_request_is_acknowledged_changes_nothing_and_says_what_it_was(
    stack: AppStack, org: dict[str, str], caplog: pytest.LogCaptureFixture, name: str, logged: str
) -> None:
    caplog.set_level(logging.INFO, logger=UNHANDLED_LOGGER)
    body = fixture(name)

    answer = send(stack, body)

    assert (answer.status, answer.body) == (200, "")
    assert stack.fake.calls == []
    assert [line for line in unhandled_lines(caplog) if line.startswith(logged)] != []
    assert "hello?" not in caplog.text and "can you keep this" not in caplog.text  # what people typed


def test_a_listener_that_fails_keeps_its_500(
    stack: AppStack, org: dict[str, str], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The acknowledgement of unhandled requests comes after every listener and only when none
    matched: a listener that matched and raised still answers 500 (Slack shows the person a
    failure), and nothing says it was unhandled."""
    caplog.set_level(logging.INFO, logger=UNHANDLED_LOGGER)

    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("the database is gone")

    monkeypatch.setattr(enrolment, "accept", broken)

    answer = send(stack, fixture("demo/view_submission_enrolment_accept"))

    assert answer.status == 500
    assert unhandled_lines(caplog) == []
    assert any("a listener failed" in record.getMessage() for record in caplog.records)


def test_a_request_a_middleware_dropped_keeps_bolts_404(
    stack: AppStack, org: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    """Only "no listener matched" is acknowledged. A global middleware that stops a request
    without an answer is a bug in that middleware, and Bolt's 404 stands."""
    caplog.set_level(logging.INFO, logger=UNHANDLED_LOGGER)

    def drop(req: BoltRequest, resp: BoltResponse, next: Callable[[], object]) -> BoltResponse | None:
        return None

    use(stack.app, drop)

    answer = send(stack, fixture("demo/view_closed"))

    assert answer.status == 404
    assert unhandled_lines(caplog) == ["middleware drop stopped a request without answering it"]


def test_a_signed_body_that_names_no_kind_keeps_bolts_404(
    stack: AppStack, caplog: pytest.LogCaptureFixture
) -> None:
    """Slack names the kind of everything it sends (a ``type``, or a ``command``): a signed
    body without one is not acknowledged as if it were Slack's."""
    caplog.set_level(logging.INFO, logger=UNHANDLED_LOGGER)

    answer = stack.slack.post_json({"token": "Zq4XvN8cR2tLw6YpK1bM9sDf", "team_id": TEAM})

    assert answer.status == 404
    assert unhandled_lines(caplog) == [
        "a signed request that names no kind reached no listener; not acknowledged"
    ]


# -- Enterprise Grid (multi-workspace mode) ---------------------------------------------------------


@pytest.fixture
def grid(database_url: str, clock: SimulatedClock) -> Iterator[AppStack]:
    """Multi-workspace mode with both Grid installs: one workspace of E0GRID on its own, and
    E0ORG org-wide."""
    with start_stack(database_url, clock, oauth=True) as stack:
        _people(stack)
        install(stack, WORKSPACES["grid_workspace"])
        install(stack, WORKSPACES["grid_org"])
        stack.fake.reset_calls()
        yield stack


def _token_team(stack: AppStack, method: str) -> list[str | None]:
    return [stack.fake.token_team(token) for token in stack.fake.tokens_used(method)]


@pytest.mark.parametrize("folder", ["grid_workspace", "grid_org"])
def test_a_grid_home_is_published_with_its_installs_token(grid: AppStack, folder: str) -> None:
    answer = send(grid, fixture(f"{folder}/event_app_home_opened_home"))

    assert answer.status == 200
    [published] = grid.fake.calls_for("views.publish")
    assert (
        published["ok"]
        and published["params"]["user_id"] == fixture(f"{folder}/event_app_home_opened_home")["event"]["user"]
    )
    assert _token_team(grid, "views.publish") == [WORKSPACES[folder].team_id]


@pytest.mark.parametrize("folder", ["grid_workspace", "grid_org"])
def test_a_grid_home_button_opens_its_modal_with_its_installs_token(grid: AppStack, folder: str) -> None:
    body = fixture(f"{folder}/block_actions_home_join_open")

    answer = send(grid, body)

    assert answer.status == 200
    [opened] = grid.fake.calls_for("views.open")
    assert opened["ok"] and opened["audience"] == [body["user"]["id"]]
    assert opened["params"]["view"]["callback_id"] == "enrolment.self"
    assert _token_team(grid, "views.open") == [WORKSPACES[folder].team_id]


@pytest.mark.parametrize("folder", ["grid_workspace", "grid_org"])
def test_rtw_help_on_grid(grid: AppStack, folder: str) -> None:
    answer = send(grid, fixture(f"{folder}/command_rtw_help"))

    assert answer.status == 200 and answer.json is not None
    assert "/rtw help" in json.dumps(answer.json["blocks"])


def test_an_org_wide_uninstall_stops_the_org(grid: AppStack, clock: SimulatedClock) -> None:
    grid.fake.uninstall("T0ORGA")

    answer = send(grid, fixture("grid_org/event_app_uninstalled"))

    assert answer.status == 200
    with unit_of_work(grid.factory) as session:
        org = session.get(Tenant, "E0ORG")
        other = session.get(Tenant, "T0GRID")
    assert org is not None and org.uninstalled_at == clock.now()
    assert other is not None and other.uninstalled_at is None
