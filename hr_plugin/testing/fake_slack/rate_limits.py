"""Slack's rate limits, on the fake's clock: per method in a sliding minute, per channel in a bucket.

``set_rate_limit`` caps a method's calls in any 60 s (the Web API tiers); the per-channel token
bucket paces ``chat.postMessage`` the way Slack does (about one message a second, with a short
burst), on by default. A call past either is answered 429 with ``Retry-After``.
"""

from __future__ import annotations

from collections import deque
from datetime import timedelta

from hr_plugin.testing.fake_slack.replies import ratelimited
from hr_plugin.testing.fake_slack.state import Bucket, SlackState

RATE_WINDOW = timedelta(seconds=60)


class RateLimits(SlackState):
    """The two kinds of limit, set by the test and checked under the lock by the methods."""

    def set_rate_limit(self, method: str, per_minute: int | None) -> None:
        """Allow ``per_minute`` calls of ``method`` in any sliding 60 s (None removes the limit)."""
        with self._lock:
            if per_minute is None:
                self._method_limits.pop(method, None)
            else:
                if per_minute < 1:
                    raise ValueError("per_minute must be at least 1")
                self._method_limits[method] = per_minute
            self._method_windows.pop(method, None)

    def set_channel_rate_limit(self, per_second: float | None = 1.0, *, burst: int = 3) -> None:
        """Pace ``chat.postMessage`` per channel: a token bucket (None disables it)."""
        with self._lock:
            if per_second is not None and (per_second <= 0 or burst < 1):
                raise ValueError("per_second must be positive and burst at least 1")
            self._channel_rate = per_second
            self._channel_burst = burst
            self._channel_buckets.clear()

    def _check_method_rate(self, method: str) -> None:
        limit = self._method_limits.get(method)
        if limit is None:
            return
        now = self.clock.now()
        window = self._method_windows.setdefault(method, deque())
        while window and now - window[0] >= RATE_WINDOW:
            window.popleft()
        if len(window) >= limit:
            raise ratelimited((window[0] + RATE_WINDOW - now).total_seconds())
        window.append(now)

    def _take_channel_token(self, channel_id: str) -> None:
        if self._channel_rate is None:
            return
        now = self.clock.now()
        bucket = self._channel_buckets.get(channel_id)
        if bucket is None:
            bucket = self._channel_buckets[channel_id] = Bucket(float(self._channel_burst), now)
        elapsed = max(0.0, (now - bucket.updated).total_seconds())
        bucket.tokens = min(float(self._channel_burst), bucket.tokens + elapsed * self._channel_rate)
        bucket.updated = now
        if bucket.tokens < 1.0:
            raise ratelimited((1.0 - bucket.tokens) / self._channel_rate)
        bucket.tokens -= 1.0
