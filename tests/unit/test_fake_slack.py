"""The fake Slack answers a real ``slack_sdk.WebClient`` over HTTP the way Slack does.

These tests hold the fake to Slack's documented behaviour, because every other test, the
demo and the benchmarks trust it: a fake that accepts what Slack refuses would hide bugs.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote, urlencode

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from hr_plugin.clock import SimulatedClock
from hr_plugin.testing import FakeSlack
from hr_plugin.testing.signed_client import SignedResponse, SlackRequestClient, trigger_in
from tests.unit.test_slack_limits import CASES as LIMIT_CASES

TOKEN = "xoxb-fake-token"
START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def section(text: str, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if block_id is not None:
        block["block_id"] = block_id
    return block


def modal(title: str = "Check-in", **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title},
        "blocks": [section("hi")],
        **extra,
    }


def home() -> dict[str, Any]:
    return {"type": "home", "blocks": [section("welcome home")]}


@pytest.fixture
def sim_clock() -> SimulatedClock:
    return SimulatedClock(START)


@pytest.fixture
def fake(sim_clock: SimulatedClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlack]:
    monkeypatch.setenv("SKIP_SLACK_SDK_WARNING", "1")
    with FakeSlack(sim_clock) as server:
        server.add_user("U1", name="ann", real_name="Ann A", email="ann@example.com")
        server.add_user("U2", name="bob", real_name="Bob B", email="Bob@Example.com", tz="America/New_York")
        server.add_user("U3", name="cem", real_name="Cem C", email="cem@example.com", tz="Asia/Tokyo")
        server.add_user("U4", name="dee", real_name="Dee D", email="dee@example.com", deleted=True)
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=TOKEN, base_url=fake.base_url)


def refusal(call: Any) -> SlackApiError:
    """Run a call that must fail, and return Slack's refusal."""
    with pytest.raises(SlackApiError) as caught:
        call()
    return caught.value


def raw_post(
    url: str, body: bytes, content_type: str, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": content_type, **(headers or {})}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


# -- lifecycle and tokens ------------------------------------------------------------------------


def test_base_url_is_local_and_ends_with_api_slash(fake: FakeSlack) -> None:
    assert fake.base_url.startswith("http://127.0.0.1:")
    assert fake.base_url.endswith("/api/")
    assert int(fake.base_url.split(":")[2].split("/")[0]) > 0


def test_stopped_fake_refuses_connections() -> None:
    server = FakeSlack().start()
    url = server.base_url
    server.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "auth.test", timeout=2)


def test_auth_test_names_the_bot_and_workspace(client: WebClient) -> None:
    answer = client.auth_test()
    assert answer["user_id"] == "UBOT"
    assert answer["team_id"] == "T0DEMO"
    assert answer["bot_id"]
    assert answer["is_enterprise_install"] is False
    assert "enterprise_id" not in answer.data


def test_enterprise_install_reports_its_enterprise() -> None:
    with FakeSlack(enterprise_id="E0GRID", team_id="T0ONE") as server:
        answer = WebClient(token=TOKEN, base_url=server.base_url).auth_test()
    assert answer["enterprise_id"] == "E0GRID"
    assert answer["team_id"] == "T0ONE"


def test_missing_token_is_not_authed_and_wrong_token_invalid_auth(fake: FakeSlack) -> None:
    no_token = refusal(lambda: WebClient(base_url=fake.base_url).auth_test())
    wrong = refusal(lambda: WebClient(token="xoxb-stolen", base_url=fake.base_url).users_info(user="U1"))

    assert no_token.response["error"] == "not_authed"
    assert wrong.response["error"] == "invalid_auth"
    recorded = fake.calls
    assert [(c["method"], c["ok"], c["status"]) for c in recorded] == [
        ("auth.test", False, 200),
        ("users.info", False, 200),
    ]
    assert "token" not in json.dumps(recorded)
    assert "xoxb-stolen" not in json.dumps(recorded)


def test_token_may_come_as_a_form_argument_but_not_inside_json(fake: FakeSlack) -> None:
    status, form_answer = raw_post(
        fake.base_url + "auth.test", f"token={TOKEN}".encode(), "application/x-www-form-urlencoded"
    )
    _, json_answer = raw_post(
        fake.base_url + "auth.test", json.dumps({"token": TOKEN}).encode(), "application/json"
    )

    assert (status, form_answer["ok"]) == (200, True)
    assert json_answer == {"ok": False, "error": "not_authed"}
    assert all("token" not in call["params"] for call in fake.calls)


def test_unknown_method_is_a_404_and_recorded(fake: FakeSlack, client: WebClient) -> None:
    error = refusal(lambda: client.api_call("chat.teleport", json={"channel": "U1"}))
    assert error.response.status_code == 404
    assert error.response["error"] == "unknown_method"
    assert fake.calls[-1]["method"] == "chat.teleport"
    assert fake.calls[-1]["status"] == 404


# -- the directory -------------------------------------------------------------------------------


def test_users_info_and_required_argument(client: WebClient) -> None:
    user = client.users_info(user="U2")["user"]
    assert user["profile"]["email"] == "Bob@Example.com"
    assert user["tz"] == "America/New_York"
    assert user["tz_offset"] == -5 * 3600  # November: EST
    assert user["team_id"] == "T0DEMO"
    assert refusal(lambda: client.users_info(user="U404")).response["error"] == "user_not_found"
    assert refusal(lambda: client.api_call("users.info", params={})).response["error"] == "invalid_arguments"


def test_tz_offset_follows_the_fake_clock_through_daylight_saving(
    client: WebClient, sim_clock: SimulatedClock
) -> None:
    assert client.users_info(user="U1")["user"]["tz_offset"] == 0
    sim_clock.set(datetime(2027, 7, 1, 12, 0, tzinfo=UTC))
    summer = client.users_info(user="U1")["user"]
    assert summer["tz_offset"] == 3600
    assert summer["tz_label"] == "BST"


def test_users_list_pages_with_cursors_and_flags_deleted_users(fake: FakeSlack, client: WebClient) -> None:
    for number in range(5, 250):
        fake.add_user(
            f"U{number}", name=f"p{number}", real_name=f"P {number}", email=f"p{number}@example.com"
        )

    # SlackResponse follows next_cursor itself, reusing one object: copy each page as it comes.
    pages = [dict(page.data) for page in client.users_list(limit=100)]

    assert len(pages) == 3
    assert [len(page["members"]) for page in pages] == [100, 100, 50]
    assert pages[-1]["response_metadata"]["next_cursor"] == ""
    assert all(page["response_metadata"]["next_cursor"] for page in pages[:-1])
    ids = [member["id"] for page in pages for member in page["members"]]
    assert len(ids) == len(set(ids)) == 250  # 248 people, U4 included, plus the app's bot user
    members = {member["id"]: member for page in pages for member in page["members"]}
    assert members["U4"]["deleted"] is True
    assert members["UBOT"]["is_bot"] is True
    assert [call["params"].get("cursor") is None for call in fake.calls_for("users.list")] == [
        True,
        False,
        False,
    ]


def test_users_list_default_page_and_bad_cursor(fake: FakeSlack, client: WebClient) -> None:
    for number in range(5, 150):
        fake.add_user(
            f"U{number}", name=f"p{number}", real_name=f"P {number}", email=f"p{number}@example.com"
        )
    first = client.users_list()
    assert len(first["members"]) == 100
    assert refusal(lambda: client.users_list(cursor="bm9wZQ==")).response["error"] == "invalid_cursor"


def test_lookup_by_email_is_case_insensitive_and_keeps_deleted_users(client: WebClient) -> None:
    assert client.users_lookupByEmail(email="bob@example.com")["user"]["id"] == "U2"
    deleted = client.users_lookupByEmail(email="dee@example.com")["user"]
    assert (deleted["id"], deleted["deleted"]) == ("U4", True)
    assert refusal(lambda: client.users_lookupByEmail(email="nobody@example.com")).response["error"] == (
        "users_not_found"
    )


def test_deactivate_flags_the_user(fake: FakeSlack, client: WebClient) -> None:
    fake.deactivate("U3")
    assert client.users_info(user="U3")["user"]["deleted"] is True
    assert refusal(lambda: client.chat_postMessage(channel="U3", text="hi")).response["error"] == (
        "account_inactive"
    )


# -- conversations and messages --------------------------------------------------------------------


def test_conversations_open_gives_stable_ids_per_set_of_people(fake: FakeSlack, client: WebClient) -> None:
    dm = client.conversations_open(users="U1")["channel"]["id"]
    group = client.conversations_open(users=["U1", "U2", "U3"])["channel"]["id"]
    again = client.conversations_open(users=["U3", "U1", "U2"])
    other = client.conversations_open(users=["U1", "U2"])["channel"]["id"]

    assert dm.startswith("D")
    assert group.startswith("G")
    assert again["channel"]["id"] == group
    assert again["already_open"] is True
    assert other not in (dm, group)
    assert fake.dm_channel_for("U1") == dm
    assert sorted(fake.conversation_members(group)) == ["U1", "U2", "U3"]


def test_conversations_open_limits_and_unknown_people(fake: FakeSlack, client: WebClient) -> None:
    for number in range(5, 14):
        fake.add_user(
            f"U{number}", name=f"p{number}", real_name=f"P {number}", email=f"p{number}@example.com"
        )
    eight = [f"U{n}" for n in range(5, 13)]
    nine = [f"U{n}" for n in range(5, 14)]

    assert client.conversations_open(users=eight)["ok"] is True
    assert refusal(lambda: client.conversations_open(users=nine)).response["error"] == "too_many_users"
    assert refusal(lambda: client.conversations_open(users="U1,U404")).response["error"] == "user_not_found"
    assert refusal(lambda: client.conversations_open(users="U1,U4")).response["error"] == "user_disabled"
    assert refusal(lambda: client.conversations_open(users="")).response["error"] == "not_enough_users"
    assert fake.calls_for("conversations.open")[1]["audience"] == nine


def test_post_message_to_a_user_id_lands_in_the_dm(fake: FakeSlack, client: WebClient) -> None:
    first = client.chat_postMessage(channel="U1", text="Your weekly reflection is ready")
    second = client.chat_postMessage(channel=fake.dm_channel_for("U1"), text="again")

    assert first["channel"] == fake.dm_channel_for("U1")
    assert first["message"]["text"] == "Your weekly reflection is ready"
    assert float(second["ts"]) > float(first["ts"])
    assert first["ts"].count(".") == 1
    assert len(first["ts"].split(".")[1]) == 6


def test_post_message_required_arguments(client: WebClient) -> None:
    assert refusal(lambda: client.chat_postMessage(channel="U1")).response["error"] == "no_text"
    assert refusal(lambda: client.chat_postMessage(channel="C404", text="x")).response["error"] == (
        "channel_not_found"
    )
    assert refusal(lambda: client.chat_postMessage(channel="U404", text="x")).response["error"] == (
        "channel_not_found"
    )
    assert refusal(lambda: client.chat_postMessage(channel="U1", text="x" * 40_001)).response["error"] == (
        "msg_too_long"
    )


def test_chat_update_and_ephemeral(fake: FakeSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="U2", text="v1")
    updated = client.chat_update(channel=posted["channel"], ts=posted["ts"], text="v2")
    assert updated["message"]["text"] == "v2"
    assert (
        refusal(lambda: client.chat_update(channel=posted["channel"], ts="1.000001", text="v3")).response[
            "error"
        ]
        == "message_not_found"
    )

    group = client.conversations_open(users=["U1", "U2"])["channel"]["id"]
    assert client.chat_postEphemeral(channel=group, user="U1", text="only you")["message_ts"]
    assert refusal(lambda: client.chat_postEphemeral(channel=group, user="U3", text="x")).response[
        "error"
    ] == ("user_not_in_channel")
    assert fake.calls_for("chat.update")[0]["audience"] == ["U2"]
    assert fake.calls_for("chat.postEphemeral")[0]["audience"] == ["U1"]


# -- Block Kit and views ----------------------------------------------------------------------------


def test_blocks_are_validated_against_slacks_limits_and_slack_sdk_models(client: WebClient) -> None:
    no_text = refusal(lambda: client.chat_postMessage(channel="U1", text="x", blocks=[{"type": "section"}]))
    unknown = refusal(lambda: client.chat_postMessage(channel="U1", text="x", blocks=[{"type": "hologram"}]))
    too_long = refusal(lambda: client.chat_postMessage(channel="U1", text="x", blocks=[section("y" * 3001)]))
    duplicate = refusal(
        lambda: client.chat_postMessage(
            channel="U1", text="x", blocks=[section("a", "b1"), section("b", "b1")]
        )
    )

    for error in (no_text, unknown, too_long, duplicate):
        assert error.response["error"] == "invalid_blocks"
        assert error.response["errors"]
    assert "json-pointer:/blocks/0" in no_text.response["errors"][0]
    assert "hologram" in unknown.response["errors"][0]
    assert too_long.response["response_metadata"]["messages"] == [
        "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"
    ]
    assert client.chat_postMessage(channel="U1", text="x", blocks=[section("fine")])["ok"] is True


def test_message_and_view_block_counts(fake: FakeSlack, client: WebClient) -> None:
    fifty = [section(f"line {n}") for n in range(50)]
    assert client.chat_postMessage(channel="U1", text="x", blocks=fifty)["ok"] is True
    over = refusal(lambda: client.chat_postMessage(channel="U2", text="x", blocks=[*fifty, section("more")]))
    assert over.response["error"] == "invalid_blocks"
    assert over.response["errors"] == ["[ERROR] no more than 50 items allowed [json-pointer:/blocks]"]

    hundred: dict[str, Any] = {"type": "home", "blocks": [section(f"line {n}") for n in range(100)]}
    assert client.views_publish(user_id="U1", view=hundred)["ok"] is True
    hundred["blocks"].append(section("more"))
    too_many = refusal(lambda: client.views_publish(user_id="U1", view=hundred))
    # The views methods answer invalid_arguments for their blocks too (they have no invalid_blocks).
    assert too_many.response["error"] == "invalid_arguments"
    assert too_many.response["response_metadata"]["messages"] == [
        "[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]"
    ]


def test_modal_title_private_metadata_and_type_are_checked(fake: FakeSlack, client: WebClient) -> None:
    long_title = refusal(
        lambda: client.views_open(trigger_id=fake.register_trigger("U1"), view=modal("t" * 25))
    )
    long_metadata = refusal(
        lambda: client.views_open(
            trigger_id=fake.register_trigger("U1"), view=modal(private_metadata="m" * 3001)
        )
    )
    home_as_modal = refusal(lambda: client.views_open(trigger_id=fake.register_trigger("U1"), view=home()))
    modal_as_home = refusal(lambda: client.views_publish(user_id="U1", view=modal()))

    assert long_title.response["error"] == "invalid_arguments"
    assert "/view/title" in long_title.response["errors"][0]
    assert long_metadata.response["error"] == "invalid_arguments"
    assert home_as_modal.response["error"] == "invalid_arguments"
    assert modal_as_home.response["error"] == "invalid_arguments"
    assert client.views_open(trigger_id=fake.register_trigger("U1"), view=modal("t" * 24))["ok"] is True


def test_view_and_blocks_may_arrive_as_json_strings_in_a_form(fake: FakeSlack) -> None:
    body = (f"token={TOKEN}&user_id=U1&view=" + quote(json.dumps(home()))).encode()
    status, answer = raw_post(fake.base_url + "views.publish", body, "application/x-www-form-urlencoded")
    bad = f"token={TOKEN}&channel=U1&text=x&blocks=" + quote('[{"type": "section"}]')
    _, refused = raw_post(
        fake.base_url + "chat.postMessage", bad.encode(), "application/x-www-form-urlencoded"
    )

    assert (status, answer["ok"]) == (200, True)
    assert answer["view"]["id"].startswith("V")
    assert refused["error"] == "invalid_blocks"
    recorded = fake.calls_for("views.publish")[0]["params"]
    assert recorded["view"]["type"] == "home"  # decoded into an object, not left a string


class WallClock:
    """A stand-in for ``time.monotonic`` that moves only when told: 3 s without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def wall() -> WallClock:
    return WallClock()


@pytest.fixture
def walled(
    sim_clock: SimulatedClock, wall: WallClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeSlack]:
    """A fake whose trigger ids expire on ``wall``, with Ann in its directory."""
    monkeypatch.setenv("SKIP_SLACK_SDK_WARNING", "1")
    with FakeSlack(sim_clock, monotonic=wall) as server:
        server.add_user("U1", name="ann", real_name="Ann A", email="ann@example.com")
        yield server


def test_views_open_needs_a_fresh_unused_trigger(walled: FakeSlack, wall: WallClock) -> None:
    client = WebClient(token=TOKEN, base_url=walled.base_url)
    fresh = walled.register_trigger("U1")
    wall.now += 3.0
    assert client.views_open(trigger_id=fresh, view=modal())["view"]["id"].startswith("V")
    assert refusal(lambda: client.views_open(trigger_id=fresh, view=modal())).response["error"] == (
        "exchanged_trigger_id"
    )

    stale = walled.register_trigger("U1")
    wall.now += 3.001
    assert refusal(lambda: client.views_open(trigger_id=stale, view=modal())).response["error"] == (
        "expired_trigger_id"
    )
    assert refusal(lambda: client.views_open(trigger_id="1.2.nope", view=modal())).response["error"] == (
        "expired_trigger_id"
    )


def test_trigger_expiry_is_wall_time_not_the_simulated_clock(
    walled: FakeSlack, wall: WallClock, sim_clock: SimulatedClock
) -> None:
    client = WebClient(token=TOKEN, base_url=walled.base_url)
    held_back = walled.register_trigger("U1")
    sim_clock.advance(timedelta(days=1))  # the demo's simulated days do not age a trigger...
    assert client.views_open(trigger_id=held_back, view=modal())["ok"] is True

    slow = walled.register_trigger("U1")
    wall.now += 3.5  # ...but a slow app does, even when the simulated clock stands still
    assert refusal(lambda: client.views_push(trigger_id=slow, view=modal())).response["error"] == (
        "expired_trigger_id"
    )


def test_only_the_benchmark_freezes_trigger_expiry(sim_clock: SimulatedClock, wall: WallClock) -> None:
    with FakeSlack(sim_clock, monotonic=wall, freeze_triggers=True) as frozen:
        frozen.add_user("U1", name="ann", real_name="Ann A", email="ann@example.com")
        client = WebClient(token=TOKEN, base_url=frozen.base_url)
        prepared = frozen.register_trigger("U1")
        wall.now += 3600
        assert client.views_open(trigger_id=prepared, view=modal())["ok"] is True
        assert refusal(lambda: client.views_open(trigger_id=prepared, view=modal())).response["error"] == (
            "exchanged_trigger_id"
        )
    assert FakeSlack(sim_clock).freeze_triggers is False


def test_views_update_by_id_and_external_id_with_hash_check(fake: FakeSlack, client: WebClient) -> None:
    opened = client.views_open(trigger_id=fake.register_trigger("U2"), view=modal(external_id="ext-1"))[
        "view"
    ]
    by_id = client.views_update(view_id=opened["id"], view=modal("Step 2"), hash=opened["hash"])["view"]
    by_external = client.views_update(external_id="ext-1", view=modal("Step 3", external_id="ext-1"))["view"]

    assert by_id["id"] == by_external["id"] == opened["id"]
    assert fake.view(opened["id"])["title"]["text"] == "Step 3"  # type: ignore[index]
    assert (
        refusal(
            lambda: client.views_update(view_id=opened["id"], view=modal(), hash=opened["hash"])
        ).response["error"]
        == "hash_conflict"
    )
    assert refusal(lambda: client.views_update(view_id="V404", view=modal())).response["error"] == "not_found"
    assert [call["audience"] for call in fake.calls_for("views.update")] == [["U2"]] * 3 + [[]]


def test_views_publish_keeps_one_home_per_person(fake: FakeSlack, client: WebClient) -> None:
    first = client.views_publish(user_id="U1", view=home())["view"]["id"]
    second = client.views_publish(user_id="U1", view=home())["view"]["id"]
    assert first == second
    assert fake.home_view("U1") is not None
    assert fake.home_view("U2") is None
    assert (
        refusal(lambda: client.views_publish(user_id="U4", view=home())).response["error"]
        == "account_inactive"
    )


# -- rate limits and faults ----------------------------------------------------------------------------


def test_method_rate_limit_answers_429_with_retry_after_then_recovers(
    fake: FakeSlack, client: WebClient, sim_clock: SimulatedClock
) -> None:
    fake.set_rate_limit("users.info", 2)
    client.users_info(user="U1")
    sim_clock.advance(timedelta(seconds=20))
    client.users_info(user="U1")

    limited = refusal(lambda: client.users_info(user="U1"))
    assert limited.response.status_code == 429
    assert limited.response["error"] == "ratelimited"
    assert limited.response.headers["Retry-After"] == "40"

    sim_clock.advance(timedelta(seconds=39))
    assert refusal(lambda: client.users_info(user="U1")).response.headers["Retry-After"] == "1"
    sim_clock.advance(timedelta(seconds=1))
    assert client.users_info(user="U1")["ok"] is True
    assert [call["status"] for call in fake.calls_for("users.info")] == [200, 200, 429, 429, 200]
    assert client.users_lookupByEmail(email="ann@example.com")["ok"] is True  # other methods unaffected


def test_per_channel_pacing_for_post_message(
    fake: FakeSlack, client: WebClient, sim_clock: SimulatedClock
) -> None:
    for _ in range(3):
        client.chat_postMessage(channel="U1", text="burst")
    limited = refusal(lambda: client.chat_postMessage(channel="U1", text="one too many"))
    assert limited.response.status_code == 429
    assert int(limited.response.headers["Retry-After"]) >= 1
    assert client.chat_postMessage(channel="U2", text="another channel")["ok"] is True

    sim_clock.advance(timedelta(seconds=1))
    assert client.chat_postMessage(channel="U1", text="paced")["ok"] is True
    assert refusal(lambda: client.chat_postMessage(channel="U1", text="too soon")).response.status_code == 429

    fake.set_channel_rate_limit(None)
    for _ in range(10):
        assert client.chat_postMessage(channel="U1", text="unlimited")["ok"] is True


def test_fail_next_and_delay(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", status=500, error="internal_error")
    fake.fail_next("users.info", status=200, error="fatal_error", count=2)

    outage = refusal(lambda: client.chat_postMessage(channel="U1", text="x"))
    assert outage.response.status_code == 500
    assert client.chat_postMessage(channel="U1", text="x")["ok"] is True
    assert refusal(lambda: client.users_info(user="U1")).response["error"] == "fatal_error"
    assert refusal(lambda: client.users_info(user="U1")).response["error"] == "fatal_error"
    assert client.users_info(user="U1")["ok"] is True

    fake.delay("auth.test", 0.3)
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started >= 0.3
    fake.delay("auth.test", 0)
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started < 0.3


# -- files: the upload flow -----------------------------------------------------------------------

INVITE = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nSUMMARY:Peer huddle\r\nEND:VCALENDAR\r\n"


def test_files_upload_v2_shares_a_file_into_a_group_dm(fake: FakeSlack, client: WebClient) -> None:
    group = client.conversations_open(users=["U1", "U2"])["channel"]["id"]

    answer = client.files_upload_v2(
        channel=group, filename="huddle.ics", content=INVITE, title="Peer huddle", initial_comment="See you"
    )

    assert answer["file"]["id"].startswith("F")
    assert answer["files"] == [{"id": answer["file"]["id"], "title": "Peer huddle", "name": "huddle.ics"}]
    assert [(call["method"], call["audience"], call["ok"]) for call in fake.calls[1:]] == [
        ("files.getUploadURLExternal", [], True),
        ("upload_url", [], True),
        ("files.completeUploadExternal", ["U1", "U2"], True),
    ]
    assert fake.calls_for("files.getUploadURLExternal")[0]["params"] == {
        "filename": "huddle.ics",
        "length": str(len(INVITE.encode())),
    }
    completed = fake.calls_for("files.completeUploadExternal")[0]["params"]
    assert completed["channel_id"] == group
    assert completed["initial_comment"] == "See you"
    assert completed["files"] == [
        {"id": answer["file"]["id"], "filename": "huddle.ics", "title": "Peer huddle", "content": INVITE}
    ]
    for person in ("U1", "U2"):
        seen = fake.files_seen_by(person)
        assert [(f["filename"], f["title"], f["content"], f["channel_id"]) for f in seen] == [
            ("huddle.ics", "Peer huddle", INVITE, group)
        ]
        assert seen[0]["initial_comment"] == "See you"
        assert [call["method"] for call in fake.messages_seen_by(person)] == ["files.completeUploadExternal"]
        assert "SUMMARY:Peer huddle" in fake.text_seen_by(person)
    assert fake.files_seen_by("U3") == []
    assert "Peer huddle" not in fake.text_seen_by("U3")


def test_the_upload_url_takes_the_bytes_and_answers_in_plain_text(fake: FakeSlack, client: WebClient) -> None:
    ticket = client.files_getUploadURLExternal(filename="a.ics", length=5)
    assert ticket["upload_url"].startswith(fake.url + "/upload/")

    request = urllib.request.Request(ticket["upload_url"], data=b"hello", method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200
        assert response.headers.get_content_type() == "text/plain"
        assert response.read() == b"OK - 5"

    with pytest.raises(urllib.error.HTTPError) as unknown:
        urllib.request.urlopen(
            urllib.request.Request(fake.url + "/upload/F404", data=b"x", method="POST"), timeout=5
        )
    unknown.value.close()
    assert unknown.value.code == 404
    assert [(call["params"], call["ok"]) for call in fake.calls_for("upload_url")] == [
        ({"file_id": ticket["file_id"], "length": 5}, True),
        ({"file_id": "F404", "length": 1}, False),
    ]


def test_completing_an_upload_is_refused_without_bytes_token_or_a_conversation(
    fake: FakeSlack, client: WebClient
) -> None:
    dm = fake.dm_channel_for("U1")
    never_sent = client.files_getUploadURLExternal(filename="a.ics", length=3)["file_id"]

    def complete(channel_id: str, file_id: str = never_sent) -> str:
        return str(
            refusal(
                lambda: client.files_completeUploadExternal(files=[{"id": file_id}], channel_id=channel_id)
            ).response["error"]
        )

    assert complete(dm) == "file_not_found"
    assert complete(dm, "F99999999") == "file_not_found"
    assert complete("U1") == "invalid_arguments"  # a user id is not a conversation id
    assert complete("C00000404") == "channel_not_found"
    assert refusal(lambda: client.files_completeUploadExternal(files=[])).response["error"] == (
        "invalid_arguments"
    )
    assert refusal(lambda: client.files_getUploadURLExternal(filename="", length=3)).response["error"] == (
        "invalid_arguments"
    )
    stranger = WebClient(token="xoxb-stolen", base_url=fake.base_url)
    assert (
        refusal(lambda: stranger.files_upload_v2(channel=dm, filename="a.ics", content="x")).response["error"]
        == "invalid_auth"
    )
    assert (
        refusal(
            lambda: WebClient(base_url=fake.base_url).files_getUploadURLExternal(filename="a.ics", length=1)
        ).response["error"]
        == "not_authed"
    )

    assert fake.files_seen_by("U1") == []
    assert "xoxb-stolen" not in json.dumps(fake.calls)


def test_a_failed_byte_upload_shares_nothing(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("upload_url", status=503, error="service_unavailable")

    with pytest.raises(urllib.error.HTTPError) as failed:
        client.files_upload_v2(channel=fake.dm_channel_for("U1"), filename="a.ics", content="x")
    failed.value.close()

    assert failed.value.code == 503
    assert [call["method"] for call in fake.calls] == ["files.getUploadURLExternal", "upload_url"]
    assert fake.files_seen_by("U1") == []


# -- audiences, response URLs and the recording ------------------------------------------------------


def test_audiences_for_dm_group_dm_home_and_modal(fake: FakeSlack, client: WebClient) -> None:
    client.chat_postMessage(channel="U1", text="dm")
    group = client.conversations_open(users=["U2", "U3"])["channel"]["id"]
    client.chat_postMessage(channel=group, text="group")
    client.views_publish(user_id="U3", view=home())
    client.views_open(trigger_id=fake.register_trigger("U2"), view=modal())

    audiences = [(call["method"], call["audience"]) for call in fake.calls]
    assert audiences == [
        ("chat.postMessage", ["U1"]),
        ("conversations.open", ["U2", "U3"]),
        ("chat.postMessage", ["U2", "U3"]),
        ("views.publish", ["U3"]),
        ("views.open", ["U2"]),
    ]
    assert [call["method"] for call in fake.messages_seen_by("U1")] == ["chat.postMessage"]
    assert [call["method"] for call in fake.messages_seen_by("U2")] == ["chat.postMessage", "views.open"]
    assert "dm" not in fake.text_seen_by("U2").split("\n")


def test_refused_calls_keep_their_audience_but_are_not_seen(fake: FakeSlack, client: WebClient) -> None:
    refusal(lambda: client.chat_postMessage(channel="U1", text="x", blocks=[{"type": "section"}]))
    assert fake.calls[-1]["audience"] == ["U1"]
    assert fake.calls[-1]["ok"] is False
    assert fake.messages_seen_by("U1") == []


def test_response_url_records_audience_and_allows_five_uses(
    fake: FakeSlack, client: WebClient, sim_clock: SimulatedClock
) -> None:
    group = client.conversations_open(users=["U1", "U2", "U3"])["channel"]["id"]
    url = fake.register_response_url("U1", group)
    webhook = WebhookClient(url)

    assert url.startswith(fake.url + "/response/")
    assert webhook.send(text="just for you").status_code == 200
    assert webhook.send(text="for everyone", response_type="in_channel").status_code == 200
    for _ in range(3):
        assert webhook.send(text="again", replace_original=True).status_code == 200
    sixth = webhook.send(text="once more")
    assert sixth.status_code == 404
    assert json.loads(sixth.body)["error"] == "used_url"

    recorded = fake.calls_for("response_url")
    assert [call["audience"] for call in recorded[:2]] == [["U1"], ["U1", "U2", "U3"]]
    assert [call["ok"] for call in recorded] == [True] * 5 + [False]
    assert recorded[0]["params"] == {"text": "just for you"}

    late = WebhookClient(fake.register_response_url("U2", group))
    sim_clock.advance(timedelta(minutes=30, seconds=1))
    expired = late.send(text="too late")
    assert (expired.status_code, json.loads(expired.body)["error"]) == (404, "expired_url")


def test_record_ack_is_recorded_as_seen(fake: FakeSlack) -> None:
    fake.record_ack({"response_action": "errors", "errors": {"b": "Too long"}}, ["U2"], 200)
    assert fake.messages_seen_by("U2")[0]["method"] == "ack"
    assert "Too long" in fake.text_seen_by("U2")
    assert fake.messages_seen_by("U1") == []


def test_jsonl_has_the_design_shape(
    fake: FakeSlack, client: WebClient, tmp_path: Path, sim_clock: SimulatedClock
) -> None:
    client.chat_postMessage(channel="U1", text="hello", blocks=[section("hello")])
    refusal(
        lambda: WebClient(token="xoxb-bad", base_url=fake.base_url).chat_postMessage(channel="U2", text="x")
    )
    WebhookClient(fake.register_response_url("U3", fake.dm_channel_for("U3"))).send(text="reply")

    path = fake.write_jsonl(tmp_path / "slack-calls.jsonl")
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]

    assert len(rows) == 3
    for row in rows:
        assert set(row) == {"method", "params", "audience", "status", "ok", "at"}
        assert isinstance(row["params"], dict)
        assert isinstance(row["audience"], list)
        assert isinstance(row["status"], int)
        assert isinstance(row["ok"], bool)
        assert datetime.fromisoformat(row["at"]) == START
    assert [row["method"] for row in rows] == ["chat.postMessage", "chat.postMessage", "response_url"]
    assert rows[0]["params"]["blocks"][0]["type"] == "section"
    assert [row["ok"] for row in rows] == [True, False, True]
    fake.reset_calls()
    assert fake.calls == []


def test_recording_is_complete_under_concurrent_calls(fake: FakeSlack) -> None:
    fake.set_channel_rate_limit(None)

    def send(worker: int) -> None:
        client = WebClient(token=TOKEN, base_url=fake.base_url)
        for number in range(10):
            client.chat_postMessage(channel=f"U{1 + worker % 3}", text=f"{worker}-{number}")

    threads = [threading.Thread(target=send, args=(worker,)) for worker in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    texts = sorted(call["params"]["text"] for call in fake.calls)
    assert texts == sorted(f"{worker}-{number}" for worker in range(6) for number in range(10))
    timestamps = [call for call in fake.calls if call["ok"]]
    assert len(timestamps) == 60


# -- Slack's limits, refused over HTTP as Slack refuses them ------------------------------------


def _send(fake: FakeSlack, target: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Send a payload where Slack would take it: a modal to views.open, a home to views.publish,
    a message to chat.postMessage; Slack's JSON answer, whatever its status."""
    if target == "modal":
        method, body = "views.open", {"trigger_id": fake.register_trigger("U1"), "view": payload}
    elif target == "home":
        method, body = "views.publish", {"user_id": "U1", "view": payload}
    else:
        method, body = "chat.postMessage", {"channel": "U1", **payload}
    _, answer = raw_post(
        fake.base_url + method,
        json.dumps(body).encode(),
        "application/json",
        {"Authorization": f"Bearer {TOKEN}"},
    )
    return cast(dict[str, Any], answer)


@pytest.mark.parametrize("name", sorted(LIMIT_CASES))
def test_the_fake_refuses_each_limit_of_the_table_as_slack_does(fake: FakeSlack, name: str) -> None:
    fake.set_channel_rate_limit(None)
    case = LIMIT_CASES[name]
    expected_error = {"message": "invalid_blocks", "modal": "invalid_arguments", "home": "invalid_arguments"}

    refused = _send(fake, case.target, case.broken())
    accepted = _send(fake, case.target, case.valid())

    assert refused["ok"] is False
    assert refused["error"] == ("msg_too_long" if name == "message.text.max" else expected_error[case.target])
    [message] = refused["response_metadata"]["messages"]
    assert message.startswith("[ERROR] ")
    assert message.endswith(f"[json-pointer:{case.pointer}]")
    assert accepted["ok"] is True, accepted


ELEVEN_TAGS = {
    "type": "input",
    "block_id": "tags",
    "label": {"type": "plain_text", "text": "Tags"},
    "element": {
        "type": "checkboxes",
        "action_id": "tags",
        "options": [
            {"text": {"type": "plain_text", "text": f"Tag {n}"}, "value": f"t{n}"} for n in range(11)
        ],
    },
}
TOO_LONG_SECTION = section("y" * 3001)


def _view_call(fake: FakeSlack, client: WebClient, method: str) -> Any:
    form = modal(blocks=[ELEVEN_TAGS], submit={"type": "plain_text", "text": "Save"})
    if method == "views.open":
        return lambda: client.views_open(trigger_id=fake.register_trigger("U1"), view=form)
    if method == "views.push":
        return lambda: client.views_push(trigger_id=fake.register_trigger("U1"), view=form)
    if method == "views.update":
        opened = client.views_open(trigger_id=fake.register_trigger("U1"), view=modal())["view"]["id"]
        return lambda: client.views_update(view_id=opened, view=form)
    return lambda: client.views_publish(user_id="U1", view={"type": "home", "blocks": [ELEVEN_TAGS]})


@pytest.mark.parametrize("method", ["views.open", "views.push", "views.update", "views.publish"])
def test_every_views_method_refuses_a_view_past_the_limits(
    fake: FakeSlack, client: WebClient, method: str
) -> None:
    answer = refusal(_view_call(fake, client, method)).response

    assert answer["ok"] is False
    assert answer["error"] == "invalid_arguments"
    assert answer["response_metadata"]["messages"] == [
        "[ERROR] no more than 10 items allowed [json-pointer:/view/blocks/0/element/options]"
    ]
    assert fake.calls[-1]["method"] == method
    assert fake.calls[-1]["ok"] is False


def _chat_call(fake: FakeSlack, client: WebClient, method: str) -> Any:
    channel = fake.dm_channel_for("U1")
    blocks = [TOO_LONG_SECTION]
    if method == "chat.postMessage":
        return lambda: client.chat_postMessage(channel=channel, text="x", blocks=blocks)
    if method == "chat.postEphemeral":
        return lambda: client.chat_postEphemeral(channel=channel, user="U1", text="x", blocks=blocks)
    ts = client.chat_postMessage(channel=channel, text="first")["ts"]
    return lambda: client.chat_update(channel=channel, ts=ts, text="x", blocks=blocks)


@pytest.mark.parametrize("method", ["chat.postMessage", "chat.postEphemeral", "chat.update"])
def test_every_chat_method_refuses_blocks_past_the_limits(
    fake: FakeSlack, client: WebClient, method: str
) -> None:
    answer = refusal(_chat_call(fake, client, method)).response

    assert (answer["ok"], answer["error"]) == (False, "invalid_blocks")
    assert answer["response_metadata"]["messages"] == [
        "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"
    ]
    assert fake.calls[-1]["method"] == method


def test_a_response_url_refuses_blocks_past_the_limits(fake: FakeSlack) -> None:
    url = fake.register_response_url("U1", fake.dm_channel_for("U1"))
    status, answer = raw_post(
        url, json.dumps({"text": "x", "blocks": [TOO_LONG_SECTION]}).encode(), "application/json"
    )

    assert (status, answer["ok"], answer["error"]) == (400, False, "invalid_blocks")
    assert answer["response_metadata"]["messages"] == [
        "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"
    ]
    assert fake.messages_seen_by("U1") == []


def test_attachment_blocks_are_held_to_the_message_limits(fake: FakeSlack, client: WebClient) -> None:
    answer = refusal(
        lambda: client.chat_postMessage(channel="U1", text="x", attachments=[{"blocks": [TOO_LONG_SECTION]}])
    ).response
    assert answer["error"] == "invalid_blocks"
    assert answer["response_metadata"]["messages"] == [
        "[ERROR] must be less than 3001 characters [json-pointer:/attachments/0/blocks/0/text/text]"
    ]


# -- acks are held to the same limits ------------------------------------------------------------


FORM = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "Form"},
    "submit": {"type": "plain_text", "text": "Save"},
    "blocks": [
        {
            "type": "input",
            "block_id": "name",
            "label": {"type": "plain_text", "text": "Name"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        },
        section("Just text", block_id="note"),
    ],
}


def test_an_ack_that_updates_to_a_view_past_the_limits_is_refused(fake: FakeSlack) -> None:
    too_many = modal(blocks=[ELEVEN_TAGS], submit={"type": "plain_text", "text": "Save"})
    fake.record_ack({"response_action": "update", "view": too_many}, ["U1"], 200)
    fake.record_ack({"response_action": "push", "view": FORM}, ["U1"], 200)

    assert [call["ok"] for call in fake.calls_for("ack")] == [False, True]
    assert [violation.pointer for violation in fake.ack_violations] == ["/view/blocks/0/element/options"]
    assert len(fake.messages_seen_by("U1")) == 1


def test_ack_errors_must_name_input_blocks_of_the_submitted_view(fake: FakeSlack) -> None:
    fake.record_ack(
        {"response_action": "errors", "errors": {"name": "Too long"}}, ["U1"], 200, submitted_view=FORM
    )
    fake.record_ack(
        {"response_action": "errors", "errors": {"note": "Not an input"}}, ["U1"], 200, submitted_view=FORM
    )
    fake.record_ack(
        {"response_action": "errors", "errors": {"gone": "No such block"}}, ["U1"], 200, submitted_view=FORM
    )

    assert [call["ok"] for call in fake.calls_for("ack")] == [True, False, False]
    assert [violation.pointer for violation in fake.ack_violations] == ["/errors/note", "/errors/gone"]
    assert all(violation.error == "invalid_arguments" for violation in fake.ack_violations)


def test_an_ack_message_past_the_limits_is_refused(fake: FakeSlack) -> None:
    fake.record_ack({"text": "x", "blocks": [TOO_LONG_SECTION]}, ["U1"], 200)
    fake.record_ack({"text": "fine"}, ["U1"], 200)

    assert [call["ok"] for call in fake.calls_for("ack")] == [False, True]
    assert fake.ack_violations[0].error == "invalid_blocks"


# -- the signed client starts a trigger's 3 seconds when it sends --------------------------------


class _Acker(BaseHTTPRequestHandler):
    """An app that acks everything with an empty 200."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def app_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Acker)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/slack/events"
    server.shutdown()
    server.server_close()


class RecordingSender(SlackRequestClient):
    """The signed client, sending for real after ``delay`` wall seconds; it notes the trigger ids."""

    def __init__(self, app_url: str, fake: FakeSlack, wall: WallClock, delay: float = 0.0) -> None:
        super().__init__(app_url, "secret", fake)
        self.wall, self.delay = wall, delay
        self.triggers: list[str] = []

    def send(self, headers: dict[str, str], body: bytes) -> SignedResponse:
        self.wall.now += self.delay  # built now, sent later (as a slow network or a busy Slack might)
        found = trigger_in(body)
        if found is not None:
            self.triggers.append(found)
        return super().send(headers, body)


def _interact(sender: SlackRequestClient, kind: str) -> None:
    if kind == "slash command":
        sender.slash_command("U1")
    elif kind == "button":
        sender.block_action("U1", "open")
    elif kind == "view submission":
        sender.view_submission("U1", "form", {})
    else:
        sender.global_shortcut("U1", "open")


KINDS = ["slash command", "button", "view submission", "shortcut"]


@pytest.mark.parametrize("kind", KINDS)
def test_the_signed_client_starts_the_trigger_clock_when_it_sends(
    walled: FakeSlack, wall: WallClock, app_url: str, kind: str
) -> None:
    sender = RecordingSender(app_url, walled, wall, delay=10.0)
    client = WebClient(token=TOKEN, base_url=walled.base_url)
    minted_at = wall.now

    _interact(sender, kind)
    [trigger] = sender.triggers
    wall.now += 2.9  # 12.9 s after it was minted, 2.9 s after it was sent

    assert wall.now - minted_at > 3
    assert client.views_open(trigger_id=trigger, view=modal())["ok"] is True


@pytest.mark.parametrize("kind", KINDS)
def test_a_trigger_used_more_than_3_wall_seconds_after_sending_has_expired(
    walled: FakeSlack, wall: WallClock, app_url: str, kind: str
) -> None:
    sender = RecordingSender(app_url, walled, wall)
    client = WebClient(token=TOKEN, base_url=walled.base_url)

    _interact(sender, kind)
    [trigger] = sender.triggers
    wall.now += 3.01

    assert refusal(lambda: client.views_open(trigger_id=trigger, view=modal())).response["error"] == (
        "expired_trigger_id"
    )


def test_trigger_in_finds_the_id_in_each_body_shape() -> None:
    form = urlencode({"command": "/rtw", "trigger_id": "1.2.abc"}).encode()
    interactive = urlencode({"payload": json.dumps({"type": "shortcut", "trigger_id": "3.4.def"})}).encode()
    event = json.dumps({"type": "event_callback", "event": {"type": "app_home_opened"}}).encode()

    assert [trigger_in(form), trigger_in(interactive), trigger_in(event)] == ["1.2.abc", "3.4.def", None]


# -- arrivals: what a benchmark reads while the app runs --------------------------------------


def test_arrivals_say_when_each_view_call_reached_the_fake_on_the_wall_clock(
    fake: FakeSlack, client: WebClient
) -> None:
    """The fake's clock is frozen here; ``received`` still follows the wall clock, and a poller
    can tell which request each call answered (trigger id, user) and count calls cheaply."""
    client.auth_test()
    before = time.time()
    trigger = fake.register_trigger("U1")
    view_id = client.views_open(trigger_id=trigger, view=modal("hours"))["view"]["id"]
    client.views_publish(user_id="U2", view=home())
    after = time.time()
    client.views_update(view_id=view_id, view=modal("saved"))

    opened, published = fake.arrivals({"views.open", "views.publish"}, since=1)
    (updated,) = fake.arrivals({"views.update"})

    assert (opened.method, opened.trigger_id, opened.ok) == ("views.open", trigger, True)
    assert (published.method, published.user_id, published.audience) == ("views.publish", "U2", ("U2",))
    assert before <= opened.received <= published.received <= after
    assert [a.position for a in fake.arrivals({"views.publish"})] == [2]
    assert fake.arrivals({"views.open"}, since=2) == []
    assert (updated.view_id, updated.audience, updated.received >= after) == (view_id, ("U1",), True)
    assert (fake.call_count(), fake.call_count("views.publish"), fake.call_count("chat.update")) == (4, 1, 0)
    fake.reset_calls()
    assert fake.arrivals({"views.open", "views.publish"}) == [] and fake.call_count() == 0
