"""The demo's mentoring: mentors opt in (one is a manager, never matched with their own
reports), the matcher proposes, one mentor declines and the next is asked, a match ends and
a rematch follows, and HR pairs someone by hand. All through signed requests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from hr_plugin.testing.stack import AppStack

BECOME, MENTOR_FORM = "mentoring.become_open", "mentoring.mentor"
ACCEPT, DECLINE, END = "mentoring.accept", "mentoring.decline", "mentoring.end"
ASSIGN_OPEN, ASSIGN = "mentoring.assign_open", "mentoring.assign"

MENTORS = {
    "mei.chen": ("2", ("part_time_return",), True),  # manages Noor and Kim: never their mentor
    "hannah.wright": ("1", ("twins",), True),
    "omar.farouk": ("2", ("non_birthing_parent",), False),
    "maya.cohen": ("1", ("adoptive_parent",), True),
    "felix.braun": ("1", (), False),
    "ravi.kumar": ("1", ("part_time_return",), True),
}
DECLINES_FIRST = "omar.farouk"
FACILITATORS = ("hannah.wright", "maya.cohen")  # they also offer to facilitate peer huddles


class MentoringStory:
    def __init__(self, stack: AppStack, ids: dict[str, str], say: Callable[[str], None]) -> None:
        self.stack, self.ids, self.say = stack, ids, say
        self.answered: set[str] = set()
        self.declined_once = False

    def user(self, name: str) -> str:
        return self.ids[f"{name}@example.com"]

    def mentors_opt_in(self) -> None:
        for name, (capacity, tags, share) in MENTORS.items():
            user = self.user(name)
            self.stack.slack.block_action(user, BECOME, "open", view={"type": "home", "blocks": []})
            self.stack.slack.view_submission(
                user,
                MENTOR_FORM,
                {
                    "confirm": {"value": {"selected_options": [{"value": "yes"}]}},
                    "capacity": {"value": {"selected_option": {"value": capacity}}},
                    "tags": {"value": {"selected_options": [{"value": tag} for tag in tags]}},
                    "share": {"value": {"selected_options": [{"value": "share"}] if share else []}},
                    "facilitate": {
                        "value": {"selected_options": [{"value": "yes"}] if name in FACILITATORS else []}
                    },
                },
            )
        self.say(
            f"{len(MENTORS)} colleagues opt in as mentors, among them Mei Chen, who manages Noor and Kim; "
            "Hannah and Maya also offer to facilitate peer huddles."
        )

    def mentors_answer(self) -> None:
        """Each mentor answers the requests waiting in their DMs: one declines the first time."""
        for name in MENTORS:
            user = self.user(name)
            for call in self.stack.fake.calls_for("chat.postMessage", user=user):
                blocks: list[dict[str, Any]] = call["params"].get("blocks") or []
                buttons = [e for b in blocks for e in b.get("elements", []) if e.get("action_id") == ACCEPT]
                if not buttons or buttons[0]["value"] in self.answered:
                    continue
                match_id = buttons[0]["value"]
                self.answered.add(match_id)
                decline = name == DECLINES_FIRST and not self.declined_once
                self.declined_once |= decline
                self.stack.slack.block_action(
                    user, DECLINE if decline else ACCEPT, match_id, block_id=f"mentor-ask-{match_id}"
                )
                verb = "declines (no reason asked; the next best mentor is asked)" if decline else "accepts"
                self.say(f"{self.stack.services.clock.now():%d %b}: a mentor {verb}.")

    def hr_pairs_kim(self) -> None:
        hr = self.user("priya.shah")
        self.stack.slack.block_action(hr, ASSIGN_OPEN, "open", view={"type": "home", "blocks": []})
        refused = self.stack.slack.view_submission(
            hr,
            ASSIGN,
            {
                "mentee": {"value": {"selected_user": self.user("kim.nguyen")}},
                "mentor": {"value": {"selected_user": self.user("mei.chen")}},
            },
        )
        self.stack.slack.view_submission(
            hr,
            ASSIGN,
            {
                "mentee": {"value": {"selected_user": self.user("kim.nguyen")}},
                "mentor": {"value": {"selected_user": self.user("felix.braun")}},
            },
        )
        reason = (refused.json or {}).get("errors", {}).get("mentor", "")
        self.say(
            f"{self.stack.services.clock.now():%d %b}: Priya tries to pair Kim with Mei, her manager: "
            f"refused ({reason}). She pairs Kim with Felix instead."
        )

    def lena_ends(self) -> None:
        lena = self.user("lena.fischer")
        self.stack.slack.app_home_opened(lena)
        self.stack.settle()
        home = self.stack.fake.home_view(lena) or {}
        ends = [e for b in home.get("blocks", []) for e in b.get("elements", []) if e.get("action_id") == END]
        if ends:
            self.stack.slack.block_action(lena, END, ends[0]["value"], view=home)
            self.say(
                f"{self.stack.services.clock.now():%d %b}: Lena ends her match quietly; her mentor is told "
                "kindly, without a reason, and a rematch starts."
            )

    def scenes(self) -> list[tuple[datetime, Callable[[], None]]]:
        scenes: list[tuple[datetime, Callable[[], None]]] = [
            (datetime(2026, 1, 5, 9, 30, tzinfo=UTC), self.mentors_opt_in),
            (datetime(2026, 2, 20, 11, tzinfo=UTC), self.hr_pairs_kim),
            (datetime(2026, 3, 26, 10, tzinfo=UTC), self.lena_ends),
        ]
        day = datetime(2026, 1, 5, 16, tzinfo=UTC)
        while day < datetime(2026, 4, 6, tzinfo=UTC):
            scenes.append((day, self.mentors_answer))
            day += timedelta(days=1)
        return scenes
