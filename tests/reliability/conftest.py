"""Fixtures for the fault-injection suite: the end-to-end stack (the real app over HTTP, a fake
Slack, a real database) and its small company, shared with ``tests/e2e``, plus a watch on the
app's error log."""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Iterator

import pytest

from hr_plugin.admins import appoint_by_email
from hr_plugin.testing.stack import AppStack
from tests.e2e.conftest import TEAM, org, stack

__all__ = ["AppErrors", "app_errors", "hr", "org", "stack"]

# Loggers whose errors mean the app failed: Bolt logs an exception a listener let escape at
# ERROR ("Failed to run listener function"), and so does our own code when something breaks.
APP_LOGGERS = ("slack_bolt", "slack_sdk", "hr_plugin", "mentoring", "huddles")


class AppErrors(logging.Handler):
    """Collects ERROR records from the app's loggers, from any thread."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self._records: list[logging.LogRecord] = []
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.split(".")[0] in APP_LOGGERS:
            with self._guard:
                self._records.append(record)

    def clear(self) -> None:
        with self._guard:
            self._records.clear()

    @property
    def records(self) -> list[logging.LogRecord]:
        with self._guard:
            return list(self._records)

    def assert_none(self) -> None:
        found = self.records
        if found:
            lines = []
            for record in found[:3]:
                lines.append(f"{record.name}: {record.getMessage()}")
                if record.exc_info:
                    lines.append("".join(traceback.format_exception(*record.exc_info))[-2000:])
            raise AssertionError(f"{len(found)} error(s) logged by the app:\n" + "\n".join(lines))


@pytest.fixture
def app_errors() -> Iterator[AppErrors]:
    handler = AppErrors()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


@pytest.fixture
def hr(stack: AppStack, org: dict[str, str]) -> str:
    """The company's HR admin (appointed through the service the CLI calls)."""
    appoint_by_email(
        stack.factory, stack.services.clock, tenant_id=TEAM, email="hr@example.com", actor="test"
    )
    return org["hr@example.com"]
