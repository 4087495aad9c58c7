"""A burst of 429s from Slack while the outbox drains.

Fault injected: Slack refuses with HTTP 429 and ``Retry-After`` from every side at once: a
run of refusals queued up front (``fail_next``), a per-method limit on ``chat.postMessage``
and on ``conversations.open`` (Tier 3), and a per-channel limit tighter than the drain's own
pace. The drain runs on simulated time, so minutes of waiting cost nothing.

Properties: every message is delivered, exactly once (none flagged as a possible duplicate:
Slack refused, so nothing was cut off), and no call to a method comes before the
``Retry-After`` of a 429 that method answered. The ``SlackWitness`` between the app and the
fake sees each answer and its header as the app received it.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import event, select

from hr_plugin.db import unit_of_work
from hr_plugin.models import OutboxMessage
from hr_plugin.outbox import SENT, Drainer, enqueue
from hr_plugin.slack_clients import SingleWorkspaceClients
from hr_plugin.testing.stack import BOT_TOKEN, AppStack
from tests.e2e.conftest import TEAM
from tests.reliability.conftest import AppErrors
from tests.reliability.witness import SlackWitness

RECIPIENTS = [f"URATE{number:02d}" for number in range(12)]
PER_RECIPIENT = 3


def test_a_burst_of_429s_delays_messages_but_loses_and_repeats_none(
    stack: AppStack, org: dict[str, str], app_errors: AppErrors
) -> None:
    clock = stack.services.clock
    fake = stack.fake
    texts = []
    with unit_of_work(stack.factory) as session:
        for user in RECIPIENTS:
            fake.add_user(user, name=user.lower(), real_name=user, email=f"{user.lower()}@example.com")
            for number in range(PER_RECIPIENT):
                text = f"reminder {number} for {user}"
                texts.append(text)
                enqueue(
                    session,
                    tenant_id=TEAM,
                    key=f"rate:{TEAM}:{user}:{number}",
                    now=clock.now(),
                    text=text,
                    recipient=user,
                    solicited=True,
                )
        session.commit()
    fake.reset_calls()
    fake.fail_next("chat.postMessage", status=429, error="ratelimited", count=4)
    fake.set_rate_limit("chat.postMessage", 15)
    fake.set_rate_limit("conversations.open", 4)
    fake.set_channel_rate_limit(0.5, burst=1)
    started = clock.now()

    statements: list[int] = []

    def count(*_: object) -> None:
        statements.append(1)

    event.listen(stack.services.engine, "before_cursor_execute", count)
    with SlackWitness(fake.base_url, clock) as witness:
        drainer = Drainer(
            stack.factory,
            SingleWorkspaceClients(BOT_TOKEN, witness.base_url),
            clock,
            drainer_id="reliability",
        )
        drainer.drain(max_seconds=timedelta(hours=1).total_seconds())
        exchanges = witness.exchanges
    event.remove(stack.services.engine, "before_cursor_execute", count)

    delivered = Counter(call["params"]["text"] for call in fake.calls_for("chat.postMessage") if call["ok"])
    assert delivered == Counter(texts), "every message once: none lost, none twice"
    with unit_of_work(stack.factory) as session:
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.idempotency_key.startswith("rate:"))
        ).all()
    assert len(rows) == len(texts) and {row.status for row in rows} == {SENT}
    assert not any(row.possible_duplicate for row in rows)

    refusals = [exchange for exchange in exchanges if exchange.status == 429]
    by_method = Counter(exchange.method for exchange in refusals)
    assert by_method["chat.postMessage"] >= 10 and by_method["conversations.open"] >= 1, by_method
    for refusal in refusals:
        assert refusal.retry_after is not None and refusal.retry_after >= 1
        allowed_from = refusal.at + timedelta(seconds=refusal.retry_after)
        early = [
            later
            for later in exchanges
            if later.number > refusal.number and later.method == refusal.method and later.at < allowed_from
        ]
        assert not early, f"{refusal.method} called again before Retry-After: {refusal} then {early[0]}"
    # The limits stretched the drain over minutes of (simulated) time, and waiting them out did
    # not poll the database: its work grows with what it sent, not with how long it waited.
    assert clock.now() - started > timedelta(minutes=2)
    assert len(statements) <= 20 * len(exchanges), (len(statements), len(exchanges))
    app_errors.assert_none()
