"""Slack request handling: time to ack and throughput, ours next to a bare Bolt app.

Three servers run side by side, each ``run_gunicorn`` with the deployed settings (2 workers
x 8 threads unless ``HR_PLUGIN_WEB_WORKERS``/``_THREADS`` say otherwise):

- ours: ``hr-plugin serve`` on a seeded company, talking to the fake Slack over HTTP;
- bare Bolt, default mode: trivial listeners, the ack polled for every 10 ms;
- bare Bolt, ``process_before_response=True``: trivial listeners in the request thread.

Four request kinds, shaped and signed as Slack sends them (``SlackRequestClient``'s payloads):
``/rtw`` (the help answer), the App Home's working-hours button (ours reads the person and
opens a modal with ``views.open``), that modal's submission (ours validates and saves, then
republishes the Home after the ack) and ``app_home_opened`` (ours records the event id
against retries, then publishes the Home after the ack). Each goes at 1, 10 and 50
concurrent keep-alive connections; cells are interleaved across the three servers, and
each figure is the median over the runs. Ours is compared with the faster bare
configuration in the same cell (lower p99; higher throughput).

Then ours alone at 50 connections with a slow Slack (every Web API call and response URL
answers after 2 s: ``FakeSlack.delay``) and a slow database (every SQL statement waits 1 s
first; see ``bench.serve``): every ack must come inside Slack's 3 s.

The fake Slack's clock is frozen for the benchmark and its trigger ids never expire
(``freeze_triggers``, for the benchmark only), so prepared requests' trigger ids stay valid
however long a cell takes; requests are signed with wall time, as Slack signs them.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.company import add_to_fake, load_company
from bench.database import analyse, postgres_or_sqlite
from bench.load import CellResult, Loader, Prepared
from bench.report import Line, ScenarioResult, median, percentile
from hr_plugin.clock import SimulatedClock
from hr_plugin.db import make_engine, make_session_factory, upgrade
from hr_plugin.testing.fake_slack import FakeSlack
from hr_plugin.testing.processes import app_environment, children, free_port
from hr_plugin.testing.signed_client import SignedResponse, SlackRequestClient

TENANT = "T0DEMO"
BOT_TOKEN = "xoxb-bench-token"
COMPANY = 2_000
# Who clicks: 400 people spread over the company, so about one in eight manages someone, as in
# the company itself (fan-out 8); each has a Slack account in the fake.
ACTORS = range(1, COMPANY, COMPANY // 400)
KINDS = ("slash command", "button", "modal submission", "app_home_opened")
CONCURRENCY = (1, 10, 50)
APPS = ("ours", "bare-default", "bare-pbr")
SLOW_SLACK_SECONDS = 2.0
SLOW_DB_SECONDS = 1.0
ACK_LIMIT_SECONDS = 3.0
SLOW_CLIENT_TIMEOUT = 10.0  # a request still unanswered then is counted late and given up
SLOW_SETTLE_SECONDS = 10.0  # how long work after the ack may drain before the next kind
P99_RATIO, THROUGHPUT_RATIO, P99_AT_10_MS = 1.5, 0.8, 25.0
SLACK_METHODS = (
    "auth.test",
    "users.info",
    "users.list",
    "users.lookupByEmail",
    "conversations.open",
    "chat.postMessage",
    "chat.postEphemeral",
    "chat.update",
    "views.publish",
    "views.open",
    "views.push",
    "views.update",
    "files.getUploadURLExternal",
    "files.completeUploadExternal",
    "response_url",
    "upload_url",
)


@dataclass(frozen=True)
class Size:
    requests: dict[int, int]  # per concurrency
    slow_requests: int
    slow_conditions: tuple[str, ...]


QUICK = Size({1: 30, 10: 100, 50: 150}, 50, ("slow Slack + slow DB",))
FULL = Size({1: 100, 10: 400, 50: 1_000}, 100, ("slow Slack", "slow DB", "slow Slack + slow DB"))


class Capture(SlackRequestClient):
    """``SlackRequestClient``'s payloads and signing, kept instead of sent."""

    def __init__(self, signing_secret: str, fake: FakeSlack) -> None:
        super().__init__("http://unused/slack/events", signing_secret, fake, team_id=TENANT)
        self.prepared: list[Prepared] = []

    def send(self, headers: dict[str, str], body: bytes) -> SignedResponse:
        self.prepared.append(Prepared("/slack/events", headers, body))
        return SignedResponse(0, {}, "", None)


def prepare(capture: Capture, kind: str, count: int, first: int = 0) -> list[Prepared]:
    """``count`` requests of one kind, from the actors in turn."""
    from hr_plugin.slack.views.home import WORKING_HOURS_ACTION
    from hr_plugin.slack.views.modals import WORKING_HOURS_CALLBACK

    capture.prepared = []
    home = {"type": "home", "blocks": [], "callback_id": "", "private_metadata": ""}
    hours: dict[str, dict[str, dict[str, Any]]] = {
        "days": {"value": {"type": "checkboxes", "selected_options": [{"value": str(d)} for d in range(5)]}},
        "start": {"value": {"type": "timepicker", "selected_time": "09:00"}},
        "end": {"value": {"type": "timepicker", "selected_time": "17:30"}},
    }
    for number in range(first, first + count):
        user = _user(ACTORS[number % len(ACTORS)])
        if kind == "slash command":
            capture.slash_command(user, "/rtw", "")
        elif kind == "button":
            capture.block_action(user, WORKING_HOURS_ACTION, "open", view=home)
        elif kind == "modal submission":
            capture.view_submission(user, WORKING_HOURS_CALLBACK, hours)
        else:
            capture.app_home_opened(user)
    return capture.prepared


def _user(index: int) -> str:
    from bench.company import user_id

    return user_id(index)


# -- the servers -----------------------------------------------------------------------------


@dataclass
class Server:
    kind: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    peak_worker_rss_mb: list[float] = field(default_factory=list)

    def worker_pids(self) -> list[int]:
        return children(self.process.pid)

    def sample_memory(self) -> None:
        """Each worker's peak resident memory so far (VmHWM), kept before the workers go, and
        then that of the processes the workers started (ours: each one's companion process and
        multiprocessing's resource tracker)."""
        peaks = []
        workers = self.worker_pids()
        for pid in workers + [child for worker in workers for child in children(worker)]:
            with contextlib.suppress(OSError, ValueError):
                for row in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if row.startswith("VmHWM:"):
                        peaks.append(int(row.split()[1]) / 1024)
        if peaks:
            self.peak_worker_rss_mb = peaks

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM (gunicorn's graceful stop), then SIGKILL to the server's own process group."""
        self.sample_memory()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def problems(self) -> list[str]:
        """Tracebacks and errors the server logged (they would be bugs under load)."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return []
        return [row[:300] for row in text.splitlines() if "Traceback" in row or "ERROR" in row][:20]


def start_server(kind: str, env: dict[str, str], folder: Path, *, slow_db: float = 0.0) -> Server:
    port = free_port()
    log = folder / f"{kind}{'-slowdb' if slow_db else ''}.log"
    command = [sys.executable, "-m", "bench.serve", kind]
    if slow_db:
        command += ["--slow-db", str(slow_db)]
    process = subprocess.Popen(
        command,
        env={**env, "HR_PLUGIN_HOST": "127.0.0.1", "HR_PLUGIN_PORT": str(port)},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        cwd=Path(__file__).resolve().parent.parent,
        start_new_session=True,  # its own process group, so its workers can be stopped with it
    )
    server = Server(kind, port, process, log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{kind} server exited: {server.log.read_text()[-2000:]}")
        if len(server.worker_pids()) >= int(env.get("HR_PLUGIN_WEB_WORKERS", "2")) and _answers(port):
            return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{kind} server did not start within 120 s")


def _answers(port: int) -> bool:
    """Anything at all over HTTP (a 401 for an unsigned POST is an answer)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/slack/events", data=b"{}", method="POST")
    try:
        with urllib.request.urlopen(request, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def _environment(database_url: str, folder: Path, fake: FakeSlack, secret: str) -> dict[str, str]:
    env = app_environment(
        database_url=database_url,
        slack_api_url=fake.base_url,
        bot_token=BOT_TOKEN,
        folder=folder,
        signing_secret=secret,
    )
    for name in ("HR_PLUGIN_WEB_WORKERS", "HR_PLUGIN_WEB_THREADS"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    return env


# -- measuring --------------------------------------------------------------------------------


@dataclass
class Cell:
    requests: int
    throughput: float
    p50: float
    p99: float
    slowest: float
    failures: int


def summarise(result: CellResult) -> Cell:
    ordered = sorted(result.latencies)
    failures = sum(1 for status in result.statuses if status != 200)
    return Cell(
        requests=len(ordered),
        throughput=len(ordered) / result.wall_seconds if result.wall_seconds else 0.0,
        p50=percentile(ordered, 0.50),
        p99=percentile(ordered, 0.99),
        slowest=ordered[-1],
        failures=failures,
    )


def _publishes(fake: FakeSlack) -> int:
    return len(fake.calls_for("views.publish"))


def _wait_for_quiet(fake: FakeSlack, expected: int, limit: float) -> None:
    """Let work after the ack (Home republishing) finish, so it does not spill into the next cell."""
    deadline = time.monotonic() + limit
    last, still_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        count = _publishes(fake)
        if count >= expected:
            return
        if count != last:
            last, still_since = count, time.monotonic()
        elif time.monotonic() - still_since > 2.0:
            return
        time.sleep(0.05)


def _throw_away(server: Server, result: ScenarioResult) -> None:
    """Stop a slow-database server without waiting for its backlog of slow work."""
    server.stop(grace=2.0)
    result.data.setdefault("server_log_problems_slow_db", []).extend(server.problems())


def _republishes(kind: str, count: int) -> int:
    return count if kind in ("modal submission", "app_home_opened") else 0


def scenario(quick: bool, runs: int) -> ScenarioResult:
    size = QUICK if quick else FULL
    result = ScenarioResult("slack_requests")
    secret = secrets.token_hex(16)
    fake = FakeSlack(
        clock=SimulatedClock(datetime.now(UTC)), bot_tokens=[BOT_TOKEN], freeze_triggers=True
    ).start()
    add_to_fake(fake, list(ACTORS))
    servers: list[Server] = []
    with (
        postgres_or_sqlite("bench-db-") as (database_url, database),
        tempfile.TemporaryDirectory(prefix="bench-serve-") as temp,
        Loader() as loader,
    ):
        folder = Path(temp)
        try:
            _seed(database_url)
            env = _environment(database_url, folder, fake, secret)
            capture = Capture(secret, fake)
            servers = [start_server(kind, env, folder) for kind in APPS]
            by_kind = {server.kind: server for server in servers}
            print(f"  servers up ({database}); warming up", file=sys.stderr)
            for server in servers:
                for kind in KINDS:
                    loader.run("127.0.0.1", server.port, prepare(capture, kind, 20), 4)
            _wait_for_quiet(fake, 10**9, 30)
            cells: dict[tuple[str, int, str], list[Cell]] = {}
            sent = 0
            for run in range(runs):
                for kind in KINDS:
                    for concurrency in CONCURRENCY:
                        count = size.requests[concurrency]
                        for app in APPS:
                            requests = prepare(capture, kind, count, first=sent)
                            sent += count
                            before = _publishes(fake)
                            measured = loader.run("127.0.0.1", by_kind[app].port, requests, concurrency)
                            cells.setdefault((kind, concurrency, app), []).append(summarise(measured))
                            if app == "ours":
                                _wait_for_quiet(fake, before + _republishes(kind, count), 60)
                print(f"  run {run + 1}/{runs} done", file=sys.stderr)
            for server in servers:
                server.sample_memory()
            _judge(result, cells)
            slow = _slow_conditions(result, size, env, folder, fake, capture, loader, by_kind["ours"])
            result.data.update(
                {
                    "database": database,
                    "runs": runs,
                    "requests_per_cell": size.requests,
                    "web_workers": env.get("HR_PLUGIN_WEB_WORKERS", "2 (default)"),
                    "web_threads": env.get("HR_PLUGIN_WEB_THREADS", "8 (default)"),
                    "cells": {
                        f"{kind} | {concurrency} | {app}": [vars(cell) for cell in values]
                        for (kind, concurrency, app), values in cells.items()
                    },
                    "slow": slow,
                }
            )
        finally:
            for server in servers:
                server.stop()
            result.data["server_peak_worker_rss_mb"] = {s.kind: s.peak_worker_rss_mb for s in servers}
            result.data["server_log_problems"] = {s.kind: s.problems() for s in servers}
            refused = [c for c in fake.calls if not c["ok"]]
            result.data["fake_slack_refusals"] = len(refused)
            result.data["fake_slack_refusal_errors"] = sorted(
                {f"{c['method']}: {c['status']}" for c in refused}
            )[:20]
            fake.stop()
    return result


def _seed(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        load_company(engine, make_session_factory(engine), TENANT, COMPANY, datetime.now(UTC))
        analyse(engine)
    finally:
        engine.dispose()


def _judge(result: ScenarioResult, cells: dict[tuple[str, int, str], list[Cell]]) -> None:
    """One line per kind and concurrency: ours beside the faster bare configuration."""
    worst_p99_ratio, worst_throughput_ratio, passed_cells = 0.0, float("inf"), 0
    total = 0
    for kind in KINDS:
        for concurrency in CONCURRENCY:
            figures = {
                app: {
                    "p50": median(c.p50 for c in cells[(kind, concurrency, app)]),
                    "p99": median(c.p99 for c in cells[(kind, concurrency, app)]),
                    "throughput": median(c.throughput for c in cells[(kind, concurrency, app)]),
                    "failures": sum(c.failures for c in cells[(kind, concurrency, app)]),
                }
                for app in APPS
            }
            ours = figures["ours"]
            best_p99 = min(figures[app]["p99"] for app in APPS[1:])
            best_throughput = max(figures[app]["throughput"] for app in APPS[1:])
            p99_ratio = ours["p99"] / best_p99
            throughput_ratio = ours["throughput"] / best_throughput
            worst_p99_ratio = max(worst_p99_ratio, p99_ratio)
            worst_throughput_ratio = min(worst_throughput_ratio, throughput_ratio)
            passed = p99_ratio <= P99_RATIO and throughput_ratio >= THROUGHPUT_RATIO and not ours["failures"]
            target = f"p99 <= {P99_RATIO}x, throughput >= {THROUGHPUT_RATIO}x"
            if concurrency == 10:
                passed = passed and ours["p99"] * 1000 < P99_AT_10_MS
                target += f", p99 < {P99_AT_10_MS:.0f} ms"
            total += 1
            passed_cells += passed
            bare = "; ".join(
                f"{app.removeprefix('bare-')} p50 {figures[app]['p50'] * 1000:.1f} p99 "
                f"{figures[app]['p99'] * 1000:.1f} ms {figures[app]['throughput']:.0f}/s"
                for app in APPS[1:]
            )
            failures = f", {ours['failures']} non-200" if ours["failures"] else ""
            result.details.append(
                Line(
                    f"{kind} @ {concurrency} conn",
                    f"ours p50 {ours['p50'] * 1000:.1f} p99 {ours['p99'] * 1000:.1f} ms "
                    f"{ours['throughput']:.0f}/s (p99 {p99_ratio:.2f}x, tput {throughput_ratio:.2f}x)"
                    + failures,
                    f"bare Bolt {bare}",
                    target,
                    passed,
                )
            )
            result.data.setdefault("medians", {})[f"{kind} | {concurrency}"] = figures
    result.lines.append(
        Line(
            "Slack acks vs the faster bare Bolt",
            f"{passed_cells}/{total} cells meet the targets; worst p99 {worst_p99_ratio:.2f}x, "
            f"worst throughput {worst_throughput_ratio:.2f}x",
            "bare Bolt (default mode and process_before_response), same gunicorn, same run",
            f"every cell: p99 <= {P99_RATIO}x, throughput >= {THROUGHPUT_RATIO}x; "
            f"p99 < {P99_AT_10_MS:.0f} ms at 10",
            passed_cells == total,
        )
    )


def _slow_conditions(
    result: ScenarioResult,
    size: Size,
    env: dict[str, str],
    folder: Path,
    fake: FakeSlack,
    capture: Capture,
    loader: Loader,
    ours: Server,
) -> dict[str, Any]:
    """Ours alone at 50 connections with Slack and/or the database slowed down.

    With the database slowed, ours runs on a server of its own, and a kind that left requests
    late gets the next kind a fresh one: the requests the client gave up on would otherwise
    still hold its threads."""
    found: dict[str, Any] = {}
    for condition in size.slow_conditions:
        slow_slack = "Slack" in condition
        slow_db = "DB" in condition
        slowest: dict[str, float] = {}
        late: dict[str, int] = {}
        if slow_slack:
            for method in SLACK_METHODS:
                fake.delay(method, SLOW_SLACK_SECONDS)
        server: Server | None = None
        try:
            for kind in KINDS:
                if server is None:
                    server = start_server("ours", env, folder, slow_db=SLOW_DB_SECONDS) if slow_db else ours
                requests = prepare(capture, kind, size.slow_requests, first=10**6)
                before = _publishes(fake)
                measured = loader.run("127.0.0.1", server.port, requests, 50, timeout=SLOW_CLIENT_TIMEOUT)
                slowest[kind] = max(measured.latencies)
                late[kind] = sum(
                    1
                    for latency, status in zip(measured.latencies, measured.statuses, strict=True)
                    if latency >= ACK_LIMIT_SECONDS or status != 200
                )
                expected = before + _republishes(kind, size.slow_requests)
                _wait_for_quiet(fake, expected, SLOW_SETTLE_SECONDS)
                if server is not ours and late[kind]:
                    _throw_away(server, result)
                    server = None
        finally:
            for method in SLACK_METHODS:
                fake.delay(method, 0)
            if server is not None and server is not ours:
                _throw_away(server, result)
        worst = max(slowest.values())
        within = sum(late.values()) == 0
        found[condition] = {"slowest_seconds": slowest, "late_or_failed": late}
        result.lines.append(
            Line(
                f"{condition}, 50 conn: slowest ack",
                f"{worst:.2f} s; late or failed: "
                + ", ".join(f"{kind} {late[kind]}/{size.slow_requests}" for kind in KINDS),
                f"Slack's limit {ACK_LIMIT_SECONDS:.0f} s (Slack "
                f"{SLOW_SLACK_SECONDS if slow_slack else 0:.0f} s per call, DB "
                f"{SLOW_DB_SECONDS if slow_db else 0:.0f} s per statement)",
                f"every ack < {ACK_LIMIT_SECONDS:.0f} s",
                within,
            )
        )
    return found
