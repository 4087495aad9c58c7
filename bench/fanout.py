"""Fan-out: the week's check-in reminders through the outbox, at Slack's pace, on wall time.

``messages`` people chose a reminder at this very minute. The vault's real reminder tick
enqueues them, then the real ``Drainer`` (one, as the scheduler runs it) sends them to the
fake Slack over HTTP with a ``SystemClock``: nothing is simulated but Slack itself.

The fake enforces Slack's limits for ``chat.postMessage`` and answers 429 with
``Retry-After`` past them:

- per channel, about one message a second with a burst of 3 (the fake's token bucket);
- per workspace, ``budget`` messages a minute: a token bucket filling at budget/60 a second
  and holding one second's worth, added here (``BudgetedFakeSlack``).

The drainer is configured as an operator would: ``OutboxPolicy(workspace_per_minute=budget)``
and one second per channel. Each reminder goes to a different person, so the workspace
budget binds: the fastest any sender could finish is (messages - burst) / (budget/60)
seconds after its first message, the figure this is compared with. Elapsed time runs from
the start of the drain to Slack accepting the last message. Lost (a person who got no
reminder), duplicated (a person who got two) and every 429 are counted from the fake's
recording.

The fake Slack runs in a process of its own, as Slack is not in the app's process: its
Block Kit checks would otherwise take the drainer's CPU. One run per mode: a run is a
minute (quick) or a quarter of an hour (full) of real time, set by the rate limit.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from typing import Any

from bench.company import add_to_fake, load_company, load_reminder_schedules
from bench.database import analyse, postgres_or_sqlite
from bench.report import Line, ScenarioResult
from hr_plugin.clock import SystemClock
from hr_plugin.db import make_engine, make_session_factory, unit_of_work, upgrade
from hr_plugin.models import OutboxMessage
from hr_plugin.outbox import Drainer, OutboxPolicy
from hr_plugin.slack_clients import SingleWorkspaceClients
from hr_plugin.testing import fake_slack
from hr_plugin.testing.fake_slack import FakeSlack

TENANT = "T0DEMO"
BOT_TOKEN = "xoxb-bench-token"
CHANNEL_RATE, CHANNEL_BURST = 1.0, 3
TARGET_OVERHEAD = 0.10


@dataclass(frozen=True)
class Size:
    messages: int
    budget: int  # chat.postMessage per minute for the workspace


QUICK = Size(1_000, 1_000)
FULL = Size(10_000, 600)


class BudgetedFakeSlack(FakeSlack):
    """The fake Slack with a workspace-wide budget on ``chat.postMessage`` (a token bucket)."""

    def set_workspace_budget(self, per_minute: int, burst: int) -> None:
        self._budget_rate = per_minute / 60
        self._budget_burst = float(burst)
        self._budget_tokens = float(burst)
        self._budget_updated = time.monotonic()

    def _chat_post_message(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        # Called under the fake's lock. Refuse before the channel's check, spend after success.
        now = time.monotonic()
        elapsed = now - self._budget_updated
        self._budget_tokens = min(self._budget_burst, self._budget_tokens + elapsed * self._budget_rate)
        self._budget_updated = now
        if self._budget_tokens < 1.0:
            raise fake_slack._ratelimited((1.0 - self._budget_tokens) / self._budget_rate)
        answer = super()._chat_post_message(params, token)
        self._budget_tokens -= 1.0
        return answer


def theoretical_minimum(messages: int, budget: int, recipients: int) -> float:
    """The least time from the first message to the last that the two limits allow."""
    workspace_burst = max(1, budget // 60)
    workspace = max(0, messages - workspace_burst) / (budget / 60)
    per_channel = -(-messages // recipients)
    channel = max(0, per_channel - CHANNEL_BURST) / CHANNEL_RATE
    return max(workspace, channel)


def _fake_process(connection: Connection, users: int, budget: int) -> None:
    """The fake Slack's own process: serve until asked for the recording, then answer with it."""
    fake = BudgetedFakeSlack(clock=SystemClock(), bot_tokens=[BOT_TOKEN])
    fake.set_channel_rate_limit(CHANNEL_RATE, burst=CHANNEL_BURST)
    fake.set_workspace_budget(budget, max(1, budget // 60))
    add_to_fake(fake, range(users))
    fake.start()
    connection.send(fake.base_url)
    connection.recv()
    calls = [{key: call[key] for key in ("method", "status", "ok", "audience", "at")} for call in fake.calls]
    fake.stop()
    connection.send(calls)


@contextlib.contextmanager
def _fake_slack(users: int, budget: int) -> Iterator[tuple[str, Callable[[], list[dict[str, Any]]]]]:
    context = multiprocessing.get_context("spawn")
    here, there = context.Pipe()
    process = context.Process(target=_fake_process, args=(there, users, budget), daemon=True)
    process.start()
    there.close()

    def recording() -> list[dict[str, Any]]:
        here.send("report")
        calls: list[dict[str, Any]] = here.recv()
        return calls

    try:
        yield here.recv(), recording
    finally:
        process.join(timeout=10)
        if process.is_alive():
            process.kill()


def scenario(
    quick: bool, runs: int = 1, messages: int | None = None, budget: int | None = None
) -> ScenarioResult:
    """One run (``runs`` is ignored: a run is minutes of wall time set by the rate limit)."""
    size = QUICK if quick else FULL
    messages = messages or size.messages
    budget = budget or size.budget
    result = ScenarioResult("fanout")
    with (
        postgres_or_sqlite("bench-fanout-") as (url, database),
        _fake_slack(messages, budget) as (base_url, recording),
    ):
        engine = make_engine(url)
        try:
            upgrade(engine)
            factory = make_session_factory(engine)
            clock = SystemClock()
            now = clock.now()
            load_company(engine, factory, TENANT, messages, now)
            load_reminder_schedules(engine, TENANT, messages, messages, now)
            analyse(engine)
            enqueued = _reminder_tick(factory, clock)
            drainer = Drainer(
                factory,
                SingleWorkspaceClients(BOT_TOKEN, base_url),
                clock,
                drainer_id="bench",
                policy=OutboxPolicy(workspace_per_minute=budget),
            )
            minimum = theoretical_minimum(messages, budget, messages)
            print(
                f"  {enqueued:,} reminders enqueued ({database}); draining at {budget:,}/min, "
                f"at least {minimum:.0f} s",
                file=sys.stderr,
            )
            began = datetime.now(UTC)
            report = drainer.drain(max_seconds=minimum * 3 + 120)
            drained = (datetime.now(UTC) - began).total_seconds()
            calls = recording()
            _judge(result, calls, factory, messages, budget, minimum, began, drained, report, enqueued)
            result.data["database"] = database
        finally:
            engine.dispose()
    return result


def _reminder_tick(factory: Any, clock: SystemClock) -> int:
    from hr_plugin import vault
    from hr_plugin.ticks import TickContext

    tick = next(tick for tick in vault.ticks() if tick.name == "vault-reminders")
    added = tick.run(TickContext(factory, clock, drainer=None))  # type: ignore[arg-type]
    return int(str(added))


def _judge(
    result: ScenarioResult,
    calls: list[dict[str, Any]],
    factory: Any,
    messages: int,
    budget: int,
    minimum: float,
    began: datetime,
    drained: float,
    report: Any,
    enqueued: int,
) -> None:
    accepted = [call for call in calls if call["method"] == "chat.postMessage" and call["ok"]]
    limited = [call for call in calls if call["status"] == 429]
    received = Counter(call["audience"][0] for call in accepted if call["audience"])
    lost = messages - len(received)
    duplicated = sum(count - 1 for count in received.values() if count > 1)
    last = max((datetime.fromisoformat(call["at"]) for call in accepted), default=began)
    first = min((datetime.fromisoformat(call["at"]) for call in accepted), default=began)
    elapsed = (last - began).total_seconds()
    with unit_of_work(factory) as session:
        states = Counter(row.status for row in session.query(OutboxMessage))
    overhead = elapsed / minimum - 1 if minimum else 0.0
    passed = overhead <= TARGET_OVERHEAD and lost == 0 and duplicated == 0 and enqueued == messages
    result.lines.append(
        Line(
            f"fan-out of {messages:,} reminders",
            f"{elapsed:.1f} s ({overhead * 100:+.1f}%); lost {lost}, duplicated {duplicated}, "
            f"429s met {len(limited)}",
            f"theoretical minimum {minimum:.1f} s ({budget:,}/min per workspace, 1/s per channel)",
            f"within {TARGET_OVERHEAD * 100:.0f}%, none lost or duplicated",
            passed,
        )
    )
    result.data.update(
        {
            "messages": messages,
            "enqueued": enqueued,
            "workspace_budget_per_minute": budget,
            "workspace_burst": max(1, budget // 60),
            "channel_rate_per_second": CHANNEL_RATE,
            "channel_burst": CHANNEL_BURST,
            "theoretical_minimum_seconds": minimum,
            "elapsed_seconds": elapsed,
            "first_message_after_seconds": (first - began).total_seconds(),
            "drain_returned_after_seconds": drained,
            "overhead": overhead,
            "accepted": len(accepted),
            "lost": lost,
            "duplicated": duplicated,
            "rate_limited_429": len(limited),
            "rate_limited_by_method": dict(Counter(call["method"] for call in limited)),
            "conversations_open_calls": sum(1 for call in calls if call["method"] == "conversations.open"),
            "outbox_states": dict(states),
            "drain_report": {
                name: getattr(report, name)
                for name in ("sent", "retried", "failed", "cancelled", "rate_limited", "possible_duplicates")
            },
        }
    )
