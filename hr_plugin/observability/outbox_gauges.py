"""Outbox depth and lag, computed from the database when Prometheus scrapes.

Computed at scrape time rather than kept by the drainer, because any process may be asked
(a web worker, a standby scheduler) and only the database knows the truth. The queries touch
the ``(status, not_before)`` index and only the unfinished states, whose rows are few: sent
and cancelled rows pile up for ever and are counted by the drainer's counters instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, select

from hr_plugin.bot_token import standing_deaths
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.models import OutboxMessage
from hr_plugin.outbox import FAILED, IN_FLIGHT, PENDING

log = logging.getLogger(__name__)

UNFINISHED = (PENDING, IN_FLIGHT, FAILED)


class OutboxGauges:
    """``hr_plugin_outbox_rows{status}``, ``hr_plugin_outbox_due_rows``, the age of the
    oldest due row, and ``hr_plugin_slack_token_dead`` (why rows may be held for long).

    Age counts from when a row fell due (``not_before``), not from when it was written: a
    message held for someone's quiet hours or leave is waiting on purpose, while a due row
    that is still pending is late, and that lateness is what an alert should watch.
    """

    def __init__(self, factory: SessionFactory, clock: Clock) -> None:
        self.factory = factory
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        now = self.clock.now()
        try:
            with unit_of_work(self.factory) as session:
                counts = dict(
                    session.execute(
                        select(OutboxMessage.status, func.count())
                        .where(OutboxMessage.status.in_(UNFINISHED))
                        .group_by(OutboxMessage.status)
                    ).all()
                )
                due = OutboxMessage.status == PENDING, OutboxMessage.not_before <= now
                due_rows = session.scalar(select(func.count()).select_from(OutboxMessage).where(*due))
                oldest = session.scalar(select(func.min(OutboxMessage.not_before)).where(*due))
                token_dead = standing_deaths(session) > 0
        except Exception as exc:  # a scrape must answer even when the database does not
            log.warning("outbox gauges skipped: database not reachable (%s)", type(exc).__name__)
            return
        rows = GaugeMetricFamily(
            "hr_plugin_outbox_rows", "Outbox rows not yet finished, by status.", labels=["status"]
        )
        for status in UNFINISHED:
            rows.add_metric([status], counts.get(status, 0))
        yield rows
        yield GaugeMetricFamily(
            "hr_plugin_outbox_due_rows", "Pending outbox rows whose time has come.", value=due_rows or 0
        )
        age = max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
        yield GaugeMetricFamily(
            "hr_plugin_outbox_oldest_due_age_seconds",
            "How long the oldest due, still pending outbox row has waited since it fell due.",
            value=age,
        )
        yield GaugeMetricFamily(
            "hr_plugin_slack_token_dead",
            "1 while Slack's revocation of the bot token stands (single-workspace mode): messages "
            "are held until a new token is configured and auth.test accepts it.",
            value=int(token_dead),
        )
