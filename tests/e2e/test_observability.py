"""Metrics and logs of the running app: signed requests, a real drain, real ticks, real log lines."""

from __future__ import annotations

import io
import json
import logging
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from hr_plugin.clock import SimulatedClock
from hr_plugin.db import make_engine, make_session_factory, unit_of_work
from hr_plugin.models import OutboxMessage
from hr_plugin.observability.logs import ID_FIELDS, TEXT_FORMAT, JsonFormatter
from hr_plugin.observability.metrics import SEND_METHODS, SEND_OUTCOMES
from hr_plugin.observability.surfaces import SURFACES
from hr_plugin.outbox import Attachment, enqueue
from hr_plugin.scheduler import TickRunner
from hr_plugin.server import LocalServer
from hr_plugin.services import Services
from hr_plugin.testing.stack import AppStack
from hr_plugin.ticks import Tick, TickContext
from hr_plugin.web import WebApp
from tests.e2e.conftest import TEAM

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]

TOKEN = "CANARY-81c4"  # short enough that a database error quotes it whole
CANARY = f"{TOKEN} what Pat Parent typed"


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode()


def scrape(base_url: str) -> Samples:
    status, text = _get(base_url + "/metrics")
    assert status == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def grew(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


# -- requests ------------------------------------------------------------------------------------


def test_requests_and_ack_latency_are_counted_by_surface(stack: AppStack, org: dict[str, str]) -> None:
    before = scrape(stack.server.url)

    assert stack.slack.slash_command("UPARENT", "/rtw", "help").status == 200
    assert stack.slack.slash_command("UPARENT", "/rtw", "help", signature="v0=" + "0" * 64).status == 401
    assert stack.slack.app_home_opened("UPARENT").status == 200
    assert stack.slack.global_shortcut("UPARENT", "made_up.shortcut").status == 200
    stack.settle()
    after = scrape(stack.server.url)

    requests = "hr_plugin_slack_requests_total"
    assert grew(before, after, requests, surface="command", status="200") == 1
    assert grew(before, after, requests, surface="command", status="401") == 1
    assert grew(before, after, requests, surface="event:app_home_opened", status="200") == 1
    assert grew(before, after, requests, surface="shortcut", status="200") == 1
    acks = "hr_plugin_slack_ack_seconds_count"
    assert grew(before, after, acks, surface="command") == 2
    assert grew(before, after, acks, surface="event:app_home_opened") == 1
    assert grew(before, after, acks, surface="shortcut") == 1
    assert grew(before, after, "hr_plugin_slack_ack_seconds_sum", surface="shortcut") > 0
    assert value(after, "hr_plugin_slack_ack_seconds_bucket", surface="shortcut", le="+Inf") >= 1


def _slack_numbers(samples: Samples) -> Samples:
    """Every number /metrics keeps about Slack's requests."""
    names = ("hr_plugin_slack_requests", "hr_plugin_slack_ack_seconds")
    return {key: number for key, number in samples.items() if key[0].startswith(names)}


def test_using_the_private_space_moves_no_number_in_metrics(stack: AppStack, org: dict[str, str]) -> None:
    """DESIGN.md: nobody may learn whether someone uses the private space, "not even whether it
    is used". Opened from the App Home, the shortcut and ``/rtw checkin``, agreed to, checked
    in, looked back on: no count and no timing in /metrics moves. A request of another
    feature, sent after, still counts (the comparison can fail)."""
    from tests.e2e import vault_flows as flow

    flow.enrol(stack, "UPARENT")
    stack.settle()
    before = scrape(stack.server.url)

    flow.consent(stack, "UPARENT")
    assert stack.slack.global_shortcut("UPARENT", "vault.shortcut").status == 200
    assert stack.slack.slash_command("UPARENT", "/rtw", "checkin").status == 200
    assert stack.slack.slash_command("UPARENT", "/rtw", "CheckIn  now").status == 200
    flow.check_in(stack, "UPARENT", CANARY, "neutral")
    stack.slack.block_action("UPARENT", flow.LOOK_BACK, "open", view=flow.space())
    stack.settle()
    used = scrape(stack.server.url)

    assert _slack_numbers(used) == _slack_numbers(before)
    assert CANARY not in _get(stack.server.url + "/metrics")[1]
    assert stack.slack.slash_command("UPARENT", "/rtw", "help").status == 200
    stack.settle()
    after = scrape(stack.server.url)
    assert grew(used, after, "hr_plugin_slack_requests_total", surface="command", status="200") == 1


def test_metric_labels_come_from_fixed_vocabularies(stack: AppStack, org: dict[str, str]) -> None:
    stack.slack.slash_command("UPARENT", "/rtw", f"help {CANARY}")
    stack.slack.event({"type": f"made_up_{CANARY}", "user": "UPARENT"})
    stack.slack.post_json({"type": CANARY})
    stack.settle()
    _, text = _get(stack.server.url + "/metrics")

    assert CANARY not in text and "UPARENT" not in text
    allowed = {
        "surface": SURFACES,
        "method": {*SEND_METHODS, "other"},
        "outcome": {*SEND_OUTCOMES, "other"},
        "status": {"pending", "in_flight", "failed"} | {str(code) for code in range(100, 600)},
    }
    for family in text_string_to_metric_families(text):
        if not family.name.startswith("hr_plugin_"):
            continue
        for sample in family.samples:
            for label, label_value in sample.labels.items():
                if label in allowed:
                    assert label_value in allowed[label], (family.name, label, label_value)


# -- the outbox ----------------------------------------------------------------------------------


def _enqueue_batch(stack: AppStack, clock: SimulatedClock) -> None:
    with unit_of_work(stack.factory) as session:
        for user in ("UPARENT", "UPEER", "ULEAD"):
            enqueue(
                session,
                tenant_id=TEAM,
                key=f"obs:{TEAM}:{user}",
                now=clock.now(),
                text=CANARY,
                recipient=user,
                solicited=True,
            )
        enqueue(
            session,
            tenant_id=TEAM,
            key=f"obs-file:{TEAM}:UHR",
            now=clock.now(),
            text="Your invitation",
            recipient="UHR",
            solicited=True,
            file=Attachment("invite.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "Invitation"),
        )
        session.commit()


def test_outbox_depth_age_and_sends_by_method_and_outcome(
    stack: AppStack, org: dict[str, str], clock: SimulatedClock
) -> None:
    stack.ticks.run("outbox-drain")  # the enrolment invitation the org fixture proposed
    before = scrape(stack.server.url)
    _enqueue_batch(stack, clock)
    clock.advance(timedelta(minutes=2))
    waiting = scrape(stack.server.url)

    assert grew(before, waiting, "hr_plugin_outbox_rows", status="pending") == 4
    assert value(waiting, "hr_plugin_outbox_due_rows") == 4
    assert value(waiting, "hr_plugin_outbox_oldest_due_age_seconds") == 120

    stack.fake.fail_next("chat.postMessage", status=429, error="ratelimited")
    stack.fake.fail_next("chat.postMessage", status=200, error="channel_not_found")
    stack.ticks.run("outbox-drain")
    drained = scrape(stack.server.url)

    sends = "hr_plugin_outbox_sends_total"
    assert grew(waiting, drained, sends, method="chat.postMessage", outcome="rate_limited") == 1
    assert grew(waiting, drained, sends, method="chat.postMessage", outcome="failed") == 1
    assert grew(waiting, drained, sends, method="chat.postMessage", outcome="sent") == 2
    assert grew(waiting, drained, sends, method="files.upload", outcome="sent") == 1
    assert value(drained, "hr_plugin_outbox_rows", status="pending") == value(
        before, "hr_plugin_outbox_rows", status="pending"
    )
    assert grew(before, drained, "hr_plugin_outbox_rows", status="failed") == 1
    assert value(drained, "hr_plugin_outbox_due_rows") == 0
    assert value(drained, "hr_plugin_outbox_oldest_due_age_seconds") == 0


# -- ticks ---------------------------------------------------------------------------------------


def test_tick_durations_and_failures_by_tick(stack: AppStack) -> None:
    before = scrape(stack.server.url)
    stack.ticks.run("processed-events-prune")
    stack.ticks.run("outbox-recover")
    failing = TickRunner(stack.ticks.context, [Tick("always-fails", timedelta(hours=1), _fail)])
    failing.run_logged("always-fails")
    after = scrape(stack.server.url)

    for tick in ("processed-events-prune", "outbox-recover", "always-fails"):
        assert grew(before, after, "hr_plugin_tick_seconds_count", tick=tick) == 1
    assert grew(before, after, "hr_plugin_tick_failures_total", tick="always-fails") == 1
    assert grew(before, after, "hr_plugin_tick_failures_total", tick="outbox-recover") == 0


def _fail(context: TickContext) -> object:
    raise RuntimeError("boom")


# -- logs ----------------------------------------------------------------------------------------


@pytest.fixture
def log_lines() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """What the JSON and the text formats write for every record the app logs at INFO and up."""
    as_json, as_text = io.StringIO(), io.StringIO()
    handlers = [logging.StreamHandler(as_json), logging.StreamHandler(as_text)]
    handlers[0].setFormatter(JsonFormatter())
    handlers[1].setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.INFO)
    for handler in handlers:
        root.addHandler(handler)
    yield as_json, as_text
    for handler in handlers:
        root.removeHandler(handler)
    root.setLevel(level)


def _leaky_tick(context: TickContext) -> object:
    """Writes a row whose key is taken: the database error quotes the row, canary and all."""
    with unit_of_work(context.factory) as session:
        row = session.get(OutboxMessage, 1)
        assert row is not None
        session.add(
            OutboxMessage(
                tenant_id=row.tenant_id,
                idempotency_key=row.idempotency_key,
                payload={"text": TOKEN},
                not_before=row.not_before,
                created_at=row.created_at,
            )
        )
        session.commit()
    return None


def test_json_logs_carry_ids_and_never_the_message_or_a_name(
    stack: AppStack, org: dict[str, str], clock: SimulatedClock, log_lines: tuple[io.StringIO, io.StringIO]
) -> None:
    as_json, as_text = log_lines
    with unit_of_work(stack.factory) as session:
        enqueue(
            session,
            tenant_id=TEAM,
            key=f"obs:{TEAM}:UPARENT",
            now=clock.now(),
            text=CANARY,
            recipient="UPARENT",
            solicited=True,
        )
        session.commit()
    stack.fake.fail_next("chat.postMessage", status=200, error="msg_too_long")
    stack.ticks.run("outbox-drain")
    TickRunner(stack.ticks.context, [Tick("leaky", timedelta(hours=1), _leaky_tick)]).run_logged("leaky")
    stack.slack.slash_command("UPARENT", "/rtw", f"help {CANARY}")
    stack.settle()

    assert TOKEN in as_text.getvalue(), "the canary must reach a log call for this test to mean anything"
    written = as_json.getvalue()
    assert TOKEN not in written
    assert "Pat Parent" not in written and "parent@example.com" not in written
    lines = [json.loads(line) for line in written.splitlines()]
    base = {"time", "level", "logger", "message", "error"}
    assert all(set(line) <= base | ID_FIELDS for line in lines)
    failure = next(line for line in lines if line.get("slack_error") == "msg_too_long")
    assert failure["outbox_key"] == f"obs:{TEAM}:UPARENT"
    assert failure["tenant"] == TEAM and failure["method"] == "chat.postMessage"
    assert isinstance(failure["outbox_id"], int)
    crash = next(line for line in lines if line.get("tick") == "leaky")
    assert crash["level"] == "ERROR" and crash["error"]["type"].endswith("IntegrityError")
    assert crash["error"]["stack"], "where it failed is kept"


# -- health --------------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_readyz_fails_when_the_database_is_unreachable_and_the_rest_still_answers(stack: AppStack) -> None:
    engine = make_engine(f"postgresql://postgres@127.0.0.1:{_closed_port()}/gone")
    unreachable = Services(
        settings=stack.settings,
        engine=engine,
        factory=make_session_factory(engine),
        clock=stack.services.clock,
    )
    with LocalServer(WebApp(stack.app, unreachable)) as server:
        assert _get(server.url + "/readyz") == (503, "database unreachable")
        assert _get(server.url + "/healthz") == (200, "ok")
        status, text = _get(server.url + "/metrics")
    engine.dispose()

    assert status == 200
    assert "hr_plugin_slack_requests" in text and "hr_plugin_outbox_rows" not in text


def test_readyz_fails_while_shutting_down(stack: AppStack) -> None:
    web = WebApp(stack.app, stack.services)
    with LocalServer(web) as server:
        assert _get(server.url + "/readyz") == (200, "ready")
        web.begin_shutdown()
        assert _get(server.url + "/readyz") == (503, "shutting down")
        assert _get(server.url + "/healthz") == (200, "ok")


# -- the web app's other routes ---------------------------------------------------------------


def _http_numbers(samples: Samples) -> Samples:
    return {key: number for key, number in samples.items() if key[0].startswith("hr_plugin_http_requests")}


def test_the_private_spaces_links_move_no_number_and_other_pages_count_by_pattern(
    stack: AppStack, org: dict[str, str]
) -> None:
    """A single-use link (its page, its download, a second try, a made-up secret) counts nowhere
    in /metrics; the console's pages count by their route's pattern, never a path as asked."""
    from tests.e2e import vault_flows as flow

    stack.services.settings.public_url = stack.server.url
    flow.enrol(stack, "UPARENT")
    flow.consent(stack, "UPARENT")
    before = scrape(stack.server.url)

    link = flow.export_link(stack, "UPARENT", "vault.paper")
    flow.download(link)
    assert _get(link)[0] == 404  # spent
    assert _get(f"{stack.server.url}/vault/export/{TOKEN}")[0] == 404
    assert _get(f"{stack.server.url}/vault/{TOKEN}")[0] == 404
    used = scrape(stack.server.url)
    assert _http_numbers(used) == _http_numbers(before)

    assert _get(f"{stack.server.url}/hr/{TOKEN}")[0] == 404
    assert _get(f"{stack.server.url}/{TOKEN}")[0] == 404
    after = scrape(stack.server.url)
    assert grew(used, after, "hr_plugin_http_requests_total", route="/hr/<path:rest>", status="404") == 1
    assert grew(used, after, "hr_plugin_http_requests_total", route="unmatched", status="404") == 1
    assert TOKEN not in _get(stack.server.url + "/metrics")[1]


def test_a_link_page_that_fails_logs_no_secret(
    stack: AppStack, org: dict[str, str], caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The secret is in the link's path: the app's own failure is a 500 and a log line naming
    the route, not the path (Flask's own log line would)."""
    from hr_plugin.vault.service import Vault

    def broken(self: Vault, secret: str) -> str | None:
        raise RuntimeError("the key store is gone")

    monkeypatch.setattr(Vault, "link_kind", broken)
    with caplog.at_level(logging.INFO):
        status, text = _get(f"{stack.server.url}/vault/export/{TOKEN}")

    assert (status, text) == (500, "internal error")
    assert "a request to vault_export failed" in caplog.text
    assert TOKEN not in caplog.text


def test_every_route_is_the_web_frameworks(stack: AppStack) -> None:
    """Slack's endpoint, health, metrics, the console and the private space's links are rules
    of one Flask app. The one thing routed by hand: Slack's POSTs reach the same endpoint
    before Flask's request machinery (``hr_plugin.web.slack.SlackFirst``)."""
    rules = {rule.rule for rule in WebApp(stack.app, stack.services).flask.url_map.iter_rules()}

    assert {"/slack/events", "/healthz", "/readyz", "/metrics", "/hr/", "/hr/oidc/callback"} <= rules
    assert {"/vault/export/", "/vault/export/<path:secret>"} <= rules
