"""``hr-plugin serve``'s companion process: the work after the answer runs there, and it goes
away with its web worker (``hr_plugin.slack.companion``)."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hr_plugin.clock import SimulatedClock, SystemClock
from hr_plugin.db import make_engine, upgrade
from hr_plugin.services import make_services
from hr_plugin.slack.app import build_app
from hr_plugin.slack.companion import Companion, FollowUps
from hr_plugin.slack.deferred import Handoff
from hr_plugin.slack.views.home import APPOINT_ADMIN_ACTION
from hr_plugin.testing.fake_slack import FakeSlack
from hr_plugin.testing.processes import Served, app_environment, children, serving
from hr_plugin.testing.signed_client import SignedResponse, SlackRequestClient, trigger_in
from hr_plugin.testing.stack import AppStack, start_stack
from hr_plugin.web import WebApp
from tests.metrics import work_after_answer
from tests.waiting import wait_for
from tests.wsgi import post_to_wsgi

HOME = {"type": "home", "blocks": []}
TOKEN = "xoxb-fake-token"


@dataclass
class Serving:
    app: Served
    client: SlackRequestClient
    fake: FakeSlack


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[Serving]:
    upgrade(make_engine(database_url))
    with FakeSlack(clock=SystemClock(), bot_tokens=[TOKEN]) as fake:
        # A workspace admin: their App Home button opens the "appoint HR" modal after the answer.
        fake.add_user("UONE", name="one", real_name="One", email="one@example.com", is_admin=True)
        with serving(  # ready means the companion has started too
            database_url=database_url,
            slack_api_url=fake.base_url,
            bot_token=TOKEN,
            folder=tmp_path,
            web_workers="1",  # one worker: every scrape sees its counters
        ) as app:
            client = SlackRequestClient(f"{app.base}/slack/events", app.secret, fake)
            yield Serving(app, client, fake)


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_the_work_after_the_answer_runs_in_the_companion(served: Serving) -> None:
    client, fake = served.client, served.fake

    assert client.app_home_opened("UONE").status == 200
    # (Not the private space's shortcut: its requests are left out of /metrics on purpose.)
    assert client.block_action("UONE", APPOINT_ADMIN_ACTION, "open", view=HOME).status == 200
    assert client.slash_command("UONE", "/rtw", "help").status == 200  # answered whole: nothing after

    both = lambda: fake.calls_for("views.publish") and fake.calls_for("views.open")  # noqa: E731
    wait_for(both, 10, "the Home and the modal")
    assert [call["ok"] for call in fake.calls_for("views.publish")] == [True]
    assert [call["ok"] for call in fake.calls_for("views.open")] == [True]
    assert work_after_answer(served.app.base) == {"companion": 2.0}

    served.app.process.send_signal(signal.SIGTERM)
    assert served.app.process.wait(timeout=30) == 0, served.app.log.read_text()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")
def test_a_companion_whose_worker_is_killed_exits_on_its_own(served: Serving) -> None:
    [worker] = children(served.app.process.pid)
    companions = [pid for pid in children(worker) if b"resource_tracker" not in _cmdline(pid)]
    assert companions, "the worker started its companion"

    os.kill(worker, signal.SIGKILL)  # no chance to stop it: the companion must notice by itself

    wait_for(lambda: not any(_alive(pid) for pid in companions), 10, "the orphaned companion to exit")


def _threads(pid: int) -> int:
    try:
        return len(list((Path("/proc") / str(pid) / "task").iterdir()))
    except OSError:
        return 0


def _cmdline(pid: int) -> bytes:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes()
    except OSError:
        return b""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")
def test_a_companion_that_dies_is_replaced_and_its_work_meanwhile_runs_on_the_worker(served: Serving) -> None:
    client, fake = served.client, served.fake
    [worker] = children(served.app.process.pid)
    [companion] = [pid for pid in children(worker) if b"resource_tracker" not in _cmdline(pid)]
    os.kill(companion, signal.SIGKILL)
    # Until its last thread is gone the kernel does not report it dead to its parent, and work
    # handed over in that instant is lost with it (only ever something to show).
    wait_for(lambda: not _alive(companion) and _threads(companion) <= 1, 5, "the companion to die")

    assert client.app_home_opened("UONE").status == 200  # finds it dead: runs here, starts another
    wait_for(lambda: len(fake.calls_for("views.publish")) == 1, 10, "the Home, published by the worker")
    assert work_after_answer(served.app.base) == {"worker": 1.0}

    def handed_to_a_new_companion() -> bool:
        published = len(fake.calls_for("views.publish"))
        assert client.app_home_opened("UONE").status == 200
        wait_for(lambda: len(fake.calls_for("views.publish")) == published + 1, 10, "the Home")
        return work_after_answer(served.app.base).get("companion", 0.0) >= 1

    wait_for(handed_to_a_new_companion, 30, "a new companion to take the work")
    assert all(call["ok"] for call in fake.calls_for("views.publish"))


def test_a_companion_that_dies_before_it_is_ready_is_replaced_so_the_worker_gets_ready(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade(make_engine(database_url))
    with FakeSlack(clock=SystemClock(), bot_tokens=[TOKEN]) as fake:
        environment = app_environment(
            database_url=database_url, slack_api_url=fake.base_url, bot_token=TOKEN, folder=tmp_path
        )
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        companion = Companion().start()
        try:
            first = companion.pid
            os.kill(first, signal.SIGKILL)  # before it could have built the app
            wait_for(lambda: companion.ready, 30, "a replacement companion to be ready")
            assert companion.pid != first
        finally:
            companion.close(10)


class _TakingCompanion:
    """Takes every handoff, as a started companion process would, and keeps it."""

    ready = True

    def __init__(self) -> None:
        self.handoffs: list[Handoff] = []

    def submit(self, handoff: Handoff) -> bool:
        self.handoffs.append(handoff)
        return True


class _InProcess(SlackRequestClient):
    """Signed requests as Slack sends them, put through ``web`` in this process."""

    def __init__(self, stack: AppStack, web: WebApp, team_id: str = "T0DEMO") -> None:
        secret = stack.settings.slack_signing_secret or ""
        super().__init__("http://unused/slack/events", secret, stack.fake, team_id=team_id)
        self.web = web

    def send(self, headers: dict[str, str], body: bytes) -> SignedResponse:
        trigger = trigger_in(body)
        if trigger is not None:
            self.fake.trigger_sent(trigger)
        status = post_to_wsgi(self.web, (headers, body))
        return SignedResponse(int(status.split()[0]), {}, "", None)


def test_the_private_spaces_requests_never_reach_the_companion(stack: AppStack) -> None:
    """Its button, its shortcut and ``/rtw checkin`` only show something, as the App Home's
    "appoint HR" button does; that one crosses, theirs stay on the web worker's pool (before the
    small command, all three were handed over)."""
    stack.fake.add_user("UONE", name="one", real_name="One", email="one@example.com", is_admin=True)
    companion = _TakingCompanion()
    slack = _InProcess(stack, WebApp(stack.app, stack.services, companion))  # type: ignore[arg-type]

    assert slack.block_action("UONE", "vault.open", "open", view=HOME).status == 200
    assert slack.global_shortcut("UONE", "vault.shortcut").status == 200
    assert slack.slash_command("UONE", "/rtw", "checkin").status == 200
    stack.settle()
    assert companion.handoffs == []
    opened = [call for call in stack.fake.calls_for("views.open") if call["ok"]]
    assert len(opened) == 3, "the worker showed the private space each time"

    assert slack.block_action("UONE", APPOINT_ADMIN_ACTION, "open", view=HOME).status == 200
    [handoff] = companion.handoffs
    assert [step.key for step in handoff.steps] == ["action:admins.appoint_open open_appoint"]  # type: ignore[union-attr]


def test_in_multi_workspace_mode_the_companion_publishes_with_each_workspaces_token(
    database_url: str, clock: SimulatedClock
) -> None:
    """The command carries the token Bolt's authorize found on the worker; the companion's
    client uses it, without authorizing (reading the installation store) again."""
    with start_stack(database_url, clock, oauth=True) as stack:
        stack.fake.add_workspace("T0OTHER", name="Other Company")
        for user in ("UONE", "UTWO"):
            stack.fake.add_user(user, name=user.lower(), real_name=user, email=f"{user}@example.com")
        tokens = []
        for team in ("T0DEMO", "T0OTHER"):
            assert stack.install(team).status == 200
            tokens.append(stack.fake.tokens_used("auth.test")[-1])
        companion = _TakingCompanion()
        web = WebApp(stack.app, stack.services, companion)  # type: ignore[arg-type]
        assert _InProcess(stack, web, "T0DEMO").app_home_opened("UONE").status == 200
        assert _InProcess(stack, web, "T0OTHER").app_home_opened("UTWO").status == 200
        assert len(companion.handoffs) == 2
        stack.fake.reset_calls()

        services = make_services(stack.settings, clock=clock)
        follow_ups = FollowUps(build_app(services), services)
        for handoff in companion.handoffs:
            follow_ups.run(handoff)

        assert [call["ok"] for call in stack.fake.calls_for("views.publish")] == [True, True]
        assert stack.fake.tokens_used("views.publish") == tokens
