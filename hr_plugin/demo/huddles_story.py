"""The demo's peer huddles: two months across London, Berlin and New York.

HR sets the huddles to the second week of the month, never on a Friday. Five colleagues who
came back this autumn join the program. February's group meets with a facilitator (who alone
gets the notes); Ethan skips February, the members rate it, and Julia leaves huddles
afterwards. Noor, back on 9 February, joins in March as a newcomer, so March's group is a new
group DM; New York has moved to summer time by then and the slot follows it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from hr_plugin.db import unit_of_work
from hr_plugin.demo.narration import Narrator, accepted, inline_errors, person, require
from hr_plugin.enrolment import import_enrolments, own_enrolment
from hr_plugin.enrolment.views import ACCEPT_CALLBACK, CHOICES_BLOCK, CONTACT_CHOICE
from hr_plugin.slack.views.home import INVITE_OPEN_ACTION
from hr_plugin.testing.stack import AppStack
from huddles import actions, messages
from huddles import service as huddles
from huddles import views as v
from huddles.models import HuddleRating

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


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ORDINALS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th"}


class HuddleStory:
    def __init__(self, stack: AppStack, ids: dict[str, str], say: Narrator) -> None:
        self.stack, self.ids, self.say = stack, ids, say
        self.rated: set[tuple[str, str]] = set()
        self.february: str | None = None  # the channel of February's group message

    def user(self, name: str) -> str:
        return self.ids[f"{name}@example.com"]

    def now(self) -> str:
        return f"{self.stack.services.clock.now():%d %b}"

    # -- scenes -------------------------------------------------------------------------

    def hr_sets_up_huddles(self) -> None:
        hr = self.user("priya.shah")
        self.stack.slack.block_action(
            hr, actions.SETTINGS_ACTION, "open", view={"type": "home", "blocks": []}
        )
        values = self._settings(min_size="6", max_size="5")
        refused = self.stack.slack.view_submission(hr, actions.SETTINGS_CALLBACK, values)
        error = inline_errors(refused.json, "a largest group below the smallest is refused")
        saved = self.stack.slack.view_submission(
            hr, actions.SETTINGS_CALLBACK, self._settings(min_size="4", max_size="7")
        )
        accepted(saved.json, "Priya saves the huddle settings")
        config = huddles.current_config(self.stack.factory, tenant_id=self.stack.fake.team_id)
        cadence = config.cadence
        require(
            config.enabled and cadence.every_months == 1 and cadence.week_of_month in ORDINALS,
            "peer huddles run every month",
            f"the settings hold {config}",
        )
        avoided = " or a ".join(WEEKDAYS[day] for day in sorted(cadence.avoided_weekdays)) or "no day"
        self.say(
            f"{self.now()}: Priya sets peer huddles to the {ORDINALS[cadence.week_of_month]} week of each "
            f"month, never on a {avoided}, in groups of {cadence.min_size} to {cadence.max_size} "
            f"(a largest group below the smallest is refused inline: {error})"
        )

    def colleagues_back_this_autumn_join(self) -> None:
        lines = ["email,leave_start,expected_return"]
        lines += [f"{name}@example.com,{start},{back}" for name, (start, back) in BACK_THIS_AUTUMN.items()]
        imported = import_enrolments(
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
            answer = self.stack.slack.view_submission(
                who,
                ACCEPT_CALLBACK,
                {
                    CHOICES_BLOCK: {
                        "value": {"type": "checkboxes", "selected_options": [{"value": CONTACT_CHOICE}]}
                    }
                },
            )
            accepted(answer.json, f"{name} accepts the invitation")
        cities = []
        for name in BACK_THIS_AUTUMN:
            who = self.user(name)
            enrolment = own_enrolment(self.stack.factory, tenant_id=self.stack.fake.team_id, user_id=who)
            require(
                enrolment is not None and enrolment.status == "active",
                f"{name} joins the program",
                f"the enrolment is {enrolment}",
            )
            city = person(self.stack, who).timezone.split("/")[-1].replace("_", " ")
            cities += [city] if city not in cities else []
        self.say(
            f"{self.now()}: HR imports {imported} colleagues back since the autumn ({', '.join(cities)}); "
            f"all {len(BACK_THIS_AUTUMN)} accept and join the program."
        )

    def ethan_skips_and_emma_says_yes(self) -> None:
        invitation = self._latest_invitation("ethan.davis")
        require(invitation is not None, "Ethan skips this month", "he has no invitation")
        assert invitation is not None
        channel, huddle_id = invitation
        self.february = channel
        answers = {"ethan.davis": actions.SKIP_ACTION}
        answers |= {name: actions.ATTEND_ACTION for name in ("emma.johnson", "sam.patel", "sofia.rossi")}
        self._answer(answers, huddle_id, channel)
        self.say(
            f"{self.now()}: in the group message, Ethan skips this month; Emma, Sam and Sofia say they'll "
            "come. Each answer is seen only by the person who gave it."
        )

    def members_rate(self) -> None:
        rated_before = self._ratings_stored()
        thanked = []
        for name, score in RATINGS.items():
            who = self.user(name)
            for call in self.stack.fake.calls_for("chat.postMessage", user=who):
                for block in call["params"].get("blocks") or []:
                    for element in block.get("elements", []):
                        value = str(element.get("value", ""))
                        action = str(element.get("action_id", ""))
                        if action == f"{actions.RATE_ACTION}.{score}" and (name, value) not in self.rated:
                            self.rated.add((name, value))
                            seen = len(self.stack.fake.calls_for(user=who))
                            self.stack.slack.block_action(who, action, value)
                            replies = self.stack.fake.calls_for(user=who)[seen:]
                            if any(
                                self._private_reply(c, who, messages.rating_reply(score)) for c in replies
                            ):
                                thanked.append(name)
        stored = self._ratings_stored() - rated_before
        claim = f"{len(thanked)} members rate the huddle"
        require(stored == len(thanked), claim, f"{stored} ratings were stored")
        if thanked:
            require(
                "employee_id" not in HuddleRating.__table__.columns,
                "each rating is stored without their name",
                "the ratings table has a person column",
            )
            self.say(
                f"{self.now()}: {len(thanked)} members rate the huddle; each rating is stored without "
                "their name."
            )

    def julia_leaves(self) -> None:
        invitation = self._latest_invitation("julia.schmidt")
        require(invitation is not None, "Julia leaves peer huddles", "she has no invitation")
        assert invitation is not None
        channel, huddle_id = invitation
        julia = self.user("julia.schmidt")
        self.stack.slack.block_action(julia, actions.LEAVE_ACTION, huddle_id, channel_id=channel)
        with unit_of_work(self.stack.factory) as session:
            state = huddles.person_state(
                session,
                self.stack.fake.team_id,
                person(self.stack, julia).id,
                self.stack.services.clock.now(),
            )
        require(state.left, "Julia leaves peer huddles", "she is still in them")
        self.say(f"{self.now()}: Julia leaves peer huddles; she can rejoin from her Home tab.")

    def march_answers(self) -> None:
        invitation = self._latest_invitation("noor.haddad")
        require(invitation is not None, "March's group is invited", "Noor has no invitation")
        assert invitation is not None
        channel, huddle_id = invitation
        members = set(self.stack.fake.conversation_members(channel))
        claim = "March's group is a new group message (Julia left, Noor joined)"
        require(channel != self.february, claim, "it is February's conversation")
        require(
            self.user("noor.haddad") in members and self.user("julia.schmidt") not in members,
            claim,
            f"its members are {sorted(members)}",
        )
        self._answer(
            {name: actions.ATTEND_ACTION for name in ("noor.haddad", "ethan.davis", "chloe.martin")},
            huddle_id,
            channel,
        )
        self.say(f"{self.now()}: {claim}; Noor, Ethan and Chloe say they'll come.")

    def hr_looks(self) -> None:
        hr = self.user("priya.shah")
        self.stack.slack.app_home_opened(hr)
        self.stack.settle()
        blocks = (self.stack.fake.home_view(hr) or {}).get("blocks", [])
        starts = [i for i, block in enumerate(blocks) if "*Peer huddles*" in json.dumps(block)]
        claim = "Priya's Home tab shows the huddle totals, and no names"
        require(bool(starts), claim, "her Home tab has no peer huddles section")
        texts = [_texts(block) for block in blocks[starts[0] : starts[0] + 2]]
        section = "\n".join(texts)
        names = [(self.stack.fake.user(user) or {}).get("real_name", "") for user in self.ids.values()]
        shown = [name for name in names if name and name in section]
        require(not shown, claim, f"it names {shown}")
        totals = [line.removeprefix("• ") for line in texts[-1].splitlines() if line.startswith("• ")]
        require(bool(totals), claim, f"the section reads {section!r}")
        upcoming = [line for line in texts[0].splitlines() if line.startswith("• ") and " people, " in line]
        self.say(
            f"{self.now()}: Priya's Home tab shows the huddle settings, "
            + (
                f"{len(upcoming)} upcoming huddle(s) with time and size, "
                if upcoming
                else "nothing upcoming yet, "
            )
            + f"and totals per month across groups, no names (latest: {max(totals)})."
        )

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

    def _answer(self, answers: dict[str, str], huddle_id: str, channel: str) -> None:
        """Each person clicks their answer; their RSVP is stored and the reply reaches them alone."""
        posted = self._posts_to(channel)
        wanted = {
            actions.SKIP_ACTION: ("skip", huddles.SKIPPED),
            actions.ATTEND_ACTION: ("attend", huddles.ATTENDING),
        }
        for name, action in answers.items():
            who = self.user(name)
            choice, rsvp = wanted[action]
            seen = len(self.stack.fake.calls_for(user=who))
            self.stack.slack.block_action(who, action, huddle_id, channel_id=channel)
            replies = self.stack.fake.calls_for(user=who)[seen:]
            claim = f"{name} answers {choice!r}, seen only by them"
            require(
                any(self._private_reply(call, who, messages.rsvp_reply(choice)) for call in replies),
                claim,
                "no reply reached them alone",
            )
            with unit_of_work(self.stack.factory) as session:
                state = huddles.person_state(
                    session,
                    self.stack.fake.team_id,
                    person(self.stack, who).id,
                    self.stack.services.clock.now(),
                )
            stored = state.next_huddle.rsvp if state.next_huddle else None
            require(stored == rsvp, claim, f"the stored answer is {stored}")
        require(
            self._posts_to(channel) == posted,
            "each answer is seen only by the person who gave it",
            "the group message was posted to or changed",
        )

    def _posts_to(self, channel: str) -> int:
        """How many messages the app posted to or changed in a conversation so far."""
        return sum(
            1
            for method in ("chat.postMessage", "chat.update")
            for call in self.stack.fake.calls_for(method)
            if call["params"].get("channel") == channel
        )

    @staticmethod
    def _private_reply(call: dict[str, Any], who: str, text: str) -> bool:
        return bool(call["ok"]) and call["audience"] == [who] and text in json.dumps(call["params"])

    def _ratings_stored(self) -> int:
        with unit_of_work(self.stack.factory) as session:
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(HuddleRating)
                    .where(HuddleRating.tenant_id == self.stack.fake.team_id)
                )
                or 0
            )

    def _latest_invitation(self, name: str) -> tuple[str, str] | None:
        """The channel and huddle id of the newest invitation this person received."""
        for call in reversed(self.stack.fake.calls_for("chat.postMessage", user=self.user(name))):
            if not call["ok"] or "You're invited" not in call["params"].get("text", ""):
                continue
            for block in call["params"].get("blocks") or []:
                for element in block.get("elements", []):
                    if element.get("action_id") == actions.ATTEND_ACTION:
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


def _texts(block: dict[str, Any]) -> str:
    """The words of one block: its text, or its context elements' texts."""
    text = block.get("text")
    parts = [str(text.get("text", ""))] if isinstance(text, dict) else []
    parts += [str(e.get("text", "")) for e in block.get("elements", []) if isinstance(e, dict)]
    return "\n".join(parts)
