"""Trigger ids: minted for the signed client, exchanged once by ``views.open`` or ``views.push``.

A trigger id belongs to the person whose interaction carried it (so the fake knows whose
screen a modal lands on), works once, and expires 3 wall-clock seconds (``time.monotonic``)
after the request carrying it was sent, as Slack's do: an app too slow to open its modal is
caught in the tests and the demo alike, whatever the simulated clock says. Only the benchmark,
which replays requests prepared long before, turns that off (``freeze_triggers``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from hr_plugin.testing.fake_slack.replies import SlackError, missing
from hr_plugin.testing.fake_slack.state import SlackState, Trigger

TRIGGER_LIFETIME_SECONDS = 3.0  # wall-clock seconds from when the request carrying it was sent


class Triggers(SlackState):
    """Minting trigger ids (``register_trigger``, ``trigger_sent``) and exchanging them."""

    def register_trigger(self, user_id: str) -> str:
        """A new trigger id owned by this person, usable once, for 3 wall seconds from now.

        The signed client restarts those 3 s when it actually sends the request carrying the id
        (``trigger_sent``), so the app's time to answer is what counts, as with Slack.
        """
        with self._lock:
            number = self._next_number("trigger")
            # Shaped like Slack's ("12345.98765.abcd2358fdea") and reproducible run to run.
            digest = hashlib.sha256(f"{self.team_id}:{number}".encode()).hexdigest()
            trigger_id = f"{number}.{int(digest[:8], 16)}.{digest[8:20]}"
            self._triggers[trigger_id] = Trigger(user_id=user_id, sent_at=self._monotonic())
            return trigger_id

    def trigger_sent(self, trigger_id: str) -> None:
        """The request carrying this trigger id leaves now: its 3 wall seconds start here."""
        with self._lock:
            trigger = self._triggers.get(trigger_id)
            if trigger is not None:
                trigger.sent_at = self._monotonic()

    def _exchange_trigger(self, params: Mapping[str, Any]) -> Trigger:
        """The trigger a views call names, now spent; ``expired_trigger_id`` (an unknown id too)
        or ``exchanged_trigger_id`` when it cannot be used."""
        trigger_id = params.get("trigger_id") or params.get("interactivity_pointer")
        if not trigger_id:
            raise missing("trigger_id")
        trigger = self._triggers.get(str(trigger_id))
        if trigger is None or (
            not self.freeze_triggers and self._monotonic() - trigger.sent_at > TRIGGER_LIFETIME_SECONDS
        ):
            raise SlackError("expired_trigger_id")
        if trigger.used:
            raise SlackError("exchanged_trigger_id")
        trigger.used = True
        return trigger
