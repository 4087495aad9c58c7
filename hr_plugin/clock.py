"""Time as an argument.

Services, ticks and the outbox never call ``datetime.now()`` themselves: they take a
``Clock``. Production uses ``SystemClock``; the demo and the tests use ``SimulatedClock``,
whose ``sleep`` moves time forward instantly, so a quarter of scheduler ticks runs in
seconds and pacing waits cost nothing.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait this long (a simulated clock advances instead)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class SimulatedClock:
    """A clock that only moves when told to (or when something sleeps on it)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("SimulatedClock needs a timezone-aware start time")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.advance(timedelta(seconds=seconds))

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._now += delta

    def set(self, moment: datetime) -> None:
        with self._lock:
            if moment.astimezone(UTC) < self._now:
                raise ValueError("a simulated clock does not go backwards")
            self._now = moment.astimezone(UTC)
