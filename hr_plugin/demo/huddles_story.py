"""The demo's peer huddles: two months across London, Berlin and New York.

HR sets the huddles to the second week of the month, never on a Friday. Five colleagues who
came back this autumn join the program. February's group meets with a facilitator (who alone
gets the notes); Ethan skips February, the members rate it, and Julia leaves huddles
afterwards. Noor, back on 9 February, joins in March as a newcomer, so March's group is a new
group DM; New York has moved to summer time by then and the slot follows it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from hr_plugin.enrolment import import_enrolments
from hr_plugin.slack.views.enrolment import ACCEPT_CALLBACK, CHOICES_BLOCK, CONTACT_CHOICE
from hr_plugin.slack.views.home import INVITE_OPEN_ACTION
from hr_plugin.testing.stack import AppStack
from huddles import messages
from huddles import views as v

BACK_THIS_AUTUMN = {
    "chloe.martin": ("2025-06-02", "2025-12-01"),
    "sofia.rossi": ("2025-05-19", "2025-11-17"),
    "emma.johnson": ("2025-06-09", "2025-12-08"),
    "ethan.davis": ("2025-06-16", "2025-12-15"),
    "julia.schmidt": ("2025-05-04", "2025-11-03"),
}
RATINGS = {
    "sam.patel": 5,
    "chloe.martin": 4,
    "sofia.rossi": 4,
    "emma.johnson": 5,
    "julia.schmidt": 3,
    "noor.haddad": 4,
}


class HuddleStory:
    def __init__(self, stack: AppStack, ids: dict[str, str], say: Callable[[str], None]) -> None:
        self.stack, self.ids, self.say = stack, ids, say
        self.rated: set[tuple[str, str]] = set()

    def user(self, name: str) -> str:
        return self.ids[f"{name}@example.com"]

    def now(self) -> str:
        return f"{self.stack.services.clock.now():%d %b}"

    # -- scenes -------------------------------------------------------------------------

    def hr_sets_up_huddles(self) -> None:
        hr = self.user("priya.shah")
        self.stack.slack.block_action(hr, v.SETTINGS_ACTION, "open", view={"type": "home", "blocks": []})
        values = self._settings(min_size="6", max_size="5")
        refused = self.stack.slack.view_submission(hr, v.SETTINGS_CALLBACK, values)
        error = (refused.json or {}).get("errors", {}).get(v.MAX_BLOCK, "")
        self.stack.slack.view_submission(hr, v.SETTINGS_CALLBACK, self._settings(min_size="4", max_size="7"))
        self.say(
            f"{self.now()}: Priya sets peer huddles to the 2nd week of each month, never on a Friday "
            f"(a largest group below the smallest is refused inline: {error})"
        )

    def colleagues_back_this_autumn_join(self) -> None:
        lines = ["email,leave_start,expected_return"]
        lines += [f"{name}@example.com,{start},{back}" for name, (start, back) in BACK_THIS_AUTUMN.items()]
        import_enrolments(
            self.stack.factory,
            self.stack.services.clock,
            tenant_id=self.stack.fake.team_id,
            text="\n".join(lines) + "\n",
            actor=self.user("priya.shah"),
        )
        for name in BACK_THIS_AUTUMN:
            who = self.user(name)
            self.stack.slack.app_home_opened(who)
            self.stack.settle()
            self.stack.slack.block_action(
                who, INVITE_OPEN_ACTION, "home", view=self.stack.fake.home_view(who) or {}
            )
            self.stack.slack.view_submission(
                who,
                ACCEPT_CALLBACK,
                {
                    CHOICES_BLOCK: {
                        "value": {"type": "checkboxes", "selected_options": [{"value": CONTACT_CHOICE}]}
                    }
                },
            )
        self.say(
            f"{self.now()}: five colleagues back since the autumn (London, Berlin, New York) join the "
            "program from an HR import and accept."
        )

    def ethan_skips_and_emma_says_yes(self) -> None:
        invitation = self._latest_invitation("ethan.davis")
        if invitation is None:
            return
        channel, huddle_id = invitation
        self.stack.slack.block_action(
            self.user("ethan.davis"), messages.SKIP_ACTION, huddle_id, channel_id=channel
        )
        for name in ("emma.johnson", "sam.patel", "sofia.rossi"):
            self.stack.slack.block_action(
                self.user(name), messages.ATTEND_ACTION, huddle_id, channel_id=channel
            )
        self.say(
            f"{self.now()}: in the group message, Ethan skips this month; Emma, Sam and Sofia say they'll "
            "come. Each answer is seen only by the person who gave it."
        )

    def members_rate(self) -> None:
        count = 0
        for name, score in RATINGS.items():
            who = self.user(name)
            for call in self.stack.fake.calls_for("chat.postMessage", user=who):
                for block in call["params"].get("blocks") or []:
                    for element in block.get("elements", []):
                        value = str(element.get("value", ""))
                        action = str(element.get("action_id", ""))
                        if action == f"{messages.RATE_ACTION}.{score}" and (name, value) not in self.rated:
                            self.rated.add((name, value))
                            self.stack.slack.block_action(who, action, value)
                            count += 1
        if count:
            self.say(
                f"{self.now()}: {count} members rate the huddle; each rating is stored without their name."
            )

    def julia_leaves(self) -> None:
        invitation = self._latest_invitation("julia.schmidt")
        if invitation is None:
            return
        channel, huddle_id = invitation
        self.stack.slack.block_action(
            self.user("julia.schmidt"), messages.LEAVE_ACTION, huddle_id, channel_id=channel
        )
        self.say(f"{self.now()}: Julia leaves peer huddles; she can rejoin from her Home tab.")

    def march_answers(self) -> None:
        invitation = self._latest_invitation("noor.haddad")
        if invitation is None:
            return
        channel, huddle_id = invitation
        for name in ("noor.haddad", "ethan.davis", "chloe.martin"):
            self.stack.slack.block_action(
                self.user(name), messages.ATTEND_ACTION, huddle_id, channel_id=channel
            )
        self.say(
            f"{self.now()}: March's group is a new group message (Julia left, Noor joined); Noor, Ethan "
            "and Chloe say they'll come."
        )

    def hr_looks(self) -> None:
        self.stack.slack.app_home_opened(self.user("priya.shah"))
        self.stack.settle()
        self.say(f"{self.now()}: Priya's Home tab shows huddle times, sizes and totals, and no names.")

    def scenes(self) -> list[tuple[datetime, Callable[[], None]]]:
        return [
            (datetime(2026, 1, 8, 10, tzinfo=UTC), self.hr_sets_up_huddles),
            (datetime(2026, 1, 6, 11, tzinfo=UTC), self.colleagues_back_this_autumn_join),
            (datetime(2026, 1, 28, 15, tzinfo=UTC), self.ethan_skips_and_emma_says_yes),
            (datetime(2026, 2, 10, 10, tzinfo=UTC), self.members_rate),
            (datetime(2026, 2, 12, 10, tzinfo=UTC), self.julia_leaves),
            (datetime(2026, 2, 12, 11, tzinfo=UTC), self.hr_looks),
            (datetime(2026, 2, 25, 15, tzinfo=UTC), self.march_answers),
            (datetime(2026, 3, 10, 10, tzinfo=UTC), self.members_rate),
            (datetime(2026, 3, 10, 11, tzinfo=UTC), self.hr_looks),
        ]

    # -- helpers ------------------------------------------------------------------------

    def _latest_invitation(self, name: str) -> tuple[str, str] | None:
        """The channel and huddle id of the newest invitation this person received."""
        for call in reversed(self.stack.fake.calls_for("chat.postMessage", user=self.user(name))):
            if not call["ok"] or "You're invited" not in call["params"].get("text", ""):
                continue
            for block in call["params"].get("blocks") or []:
                for element in block.get("elements", []):
                    if element.get("action_id") == messages.ATTEND_ACTION:
                        return str(call["params"]["channel"]), str(element["value"])
        return None

    def _settings(self, *, min_size: str, max_size: str) -> dict[str, dict[str, dict[str, Any]]]:
        def picked(value: str) -> dict[str, dict[str, Any]]:
            return {"value": {"type": "static_select", "selected_option": {"value": value}}}

        def number(value: str) -> dict[str, dict[str, Any]]:
            return {"value": {"type": "number_input", "value": value}}

        return {
            v.ENABLED_BLOCK: {"value": {"type": "checkboxes", "selected_options": [{"value": "on"}]}},
            v.EVERY_BLOCK: picked("1"),
            v.WEEK_BLOCK: picked("2"),
            v.AVOID_BLOCK: {"value": {"type": "checkboxes", "selected_options": [{"value": "4"}]}},
            v.MIN_BLOCK: number(min_size),
            v.MAX_BLOCK: number(max_size),
            v.ELIGIBLE_BLOCK: number("9"),
            v.LINK_BLOCK: {"value": {"type": "plain_text_input", "value": ""}},
        }
