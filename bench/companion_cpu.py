"""The companion process's CPU per handoff (issue 20, item 2), in-process, on demand only.

``python -m bench.companion_cpu SCENARIO [N]`` sends N signed requests through the web worker's
Slack endpoint to a companion that keeps what it is handed, and runs each handoff at once in
this thread as the companion does; ``time.thread_time()`` around that alone, so the in-process
fake Slack's threads are not counted. It prints the CPU per handoff, the part of it spent
outside the listener functions themselves (what the companion adds around the work), and the
pickled size of a handoff. Scenarios: ``noop`` (a ``listen``-wired button whose work after the
answer does nothing), ``appoint`` (the App Home's "appoint HR" button: reads, opens a modal),
``home`` (``app_home_opened``: claims the event, publishes the Home). Not in ``python -m
bench``: it measures one process's internals, not the app against a peer.
"""

from __future__ import annotations

import base64
import pickle
import secrets
import sys
import tempfile
import time
from types import SimpleNamespace
from typing import Any

from flask import Flask
from slack_bolt import App
from slack_sdk import WebClient

from hr_plugin.clock import SystemClock
from hr_plugin.db import make_engine, upgrade
from hr_plugin.services import make_services
from hr_plugin.settings import Settings
from hr_plugin.slack import deferred, listening
from hr_plugin.slack.app import build_app
from hr_plugin.slack.companion import FollowUps
from hr_plugin.slack.views.home import APPOINT_ADMIN_ACTION
from hr_plugin.testing.fake_slack import FakeSlack
from hr_plugin.testing.signed_client import SignedResponse, SlackRequestClient, trigger_in
from hr_plugin.web import SlackEndpoint, add_slack_endpoint

TOKEN = "xoxb-fake-token"
SCENARIOS = ("noop", "appoint", "home")


class _Taking:
    def __init__(self) -> None:
        self.handoffs: list[deferred.Handoff] = []

    def submit(self, handoff: deferred.Handoff) -> bool:
        self.handoffs.append(handoff)
        return True


class _Kept(SlackRequestClient):
    """Signed requests as Slack sends them, kept instead of sent."""

    def __init__(self, fake: FakeSlack, secret: str) -> None:
        super().__init__("http://unused/slack/events", secret, fake, team_id=fake.team_id)
        self.kept: list[tuple[dict[str, str], bytes]] = []

    def send(self, headers: dict[str, str], body: bytes) -> SignedResponse:
        self.kept.append((headers, body))
        return SignedResponse(200, {}, "", None)


class _InsideListeners:
    """Thread CPU spent inside the listener functions while ``on``."""

    def __init__(self) -> None:
        self.on = False
        self.spent = 0.0
        original = listening._Bound.__call__

        def timed(bound: Any, args: Any) -> Any:
            if not self.on:
                return original(bound, args)
            started = time.thread_time()
            try:
                return original(bound, args)
            finally:
                self.spent += time.thread_time() - started

        listening._Bound.__call__ = timed  # type: ignore[method-assign,assignment]


def _noop_app(fake: FakeSlack, secret: str, services: Any) -> App:
    app = App(
        signing_secret=secret,
        client=WebClient(token=TOKEN, base_url=fake.base_url),
        process_before_response=True,
    )
    deferred.register(app)
    listening.listen(
        app.action("bench.noop"),
        services,
        ack=lambda ack: ack(),
        after=[lambda body: None],
        name="action:bench.noop",
    )
    return app


def run(scenario: str, count: int) -> str:
    inside = _InsideListeners()
    secret = secrets.token_hex(16)
    folder = tempfile.mkdtemp(prefix="companion-cpu-")
    url = f"sqlite:///{folder}/bench.db"
    upgrade(make_engine(url))
    with FakeSlack(clock=SystemClock(), bot_tokens=[TOKEN]) as fake:
        fake.add_user("UONE", name="one", real_name="One", email="one@example.com", is_admin=True)
        requests = _Kept(fake, secret)
        if scenario == "noop":
            services: Any = SimpleNamespace(lazy_pool=None, extensions={})
            worker = _noop_app(fake, secret, SimpleNamespace(lazy_pool=None, extensions={}))
            companion = _noop_app(fake, secret, services)
        else:
            settings = Settings(
                database_url=url,
                slack_signing_secret=secret,
                slack_api_url=fake.base_url,
                slack_bot_token=TOKEN,
                vault_keystore_url=f"sqlite:///{folder}/keys.db",
                vault_key=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            )
            worker = build_app(make_services(settings))
            services = make_services(settings)
            companion = build_app(services)
        for _ in range(count):
            if scenario == "noop":
                requests.block_action("UONE", "bench.noop", "x")
            elif scenario == "appoint":
                requests.block_action(
                    "UONE", APPOINT_ADMIN_ACTION, "open", view={"type": "home", "blocks": []}
                )
            else:
                requests.app_home_opened("UONE")
        taking = _Taking()
        web = Flask(__name__)
        add_slack_endpoint(
            web, SlackEndpoint(worker, deferred.SendAfterAnswer(None, taking), signing_secret=None)
        )
        http = web.test_client()
        follow_ups = FollowUps(companion, services)
        spent = 0.0
        for index, (headers, body) in enumerate(requests.kept):
            trigger = trigger_in(body)
            if trigger is not None:
                fake.trigger_sent(trigger)  # its 3 seconds start now, as the request goes
            assert http.post("/slack/events", data=body, headers=headers).status_code == 200
            handoff = taking.handoffs[-1]
            before, inside.on = inside.spent, True
            started = time.thread_time()
            follow_ups.run(handoff)
            took = time.thread_time() - started
            inside.on = False
            if index:
                spent += took
            else:  # the first warms up (imports, caches)
                inside.spent = before
        assert len(taking.handoffs) == count, "every request was handed over"
        measured = count - 1
        size = sum(len(pickle.dumps(handoff)) for handoff in taking.handoffs) / count
        return (
            f"{scenario}: {measured} handoffs, {spent / measured * 1e3:.3f} ms CPU each, "
            f"{(spent - inside.spent) / measured * 1e3:.3f} ms of it outside the listener functions; "
            f"a handoff pickled is {size:.0f} bytes"
        )


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in SCENARIOS:
        print(f"usage: python -m bench.companion_cpu {{{','.join(SCENARIOS)}}} [N]", file=sys.stderr)
        return 2
    print(run(argv[0], int(argv[1]) if len(argv) > 1 else 500))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
