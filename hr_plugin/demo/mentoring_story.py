"""The demo's mentoring: mentors opt in (one is a manager, never matched with their own
reports), the matcher proposes, one mentor declines and the next is asked, the matcher finds
Kim nobody when she is back and HR pairs her by hand with a mentor who has just opted in, and
a match ends and a rematch follows. All through signed requests; every line printed is
checked against the database or what Slack recorded (``hr_plugin.demo.narration``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from hr_plugin.db import unit_of_work
from hr_plugin.demo.narration import (
    Narrator,
    accepted,
    ask_recorded,
    check_hr_pairing,
    inline_errors,
    introduction_recorded,
    person,
    require,
    when,
)
from hr_plugin.directory import direct_reports
from hr_plugin.testing.stack import AppStack
from mentoring import service as mentoring
from mentoring.service import MATCHED

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
# Every place above is taken by the time Kim is back (2 March), and Mei manages her: the matcher
# finds Kim nobody. Jordan, in Chicago (his day overlaps Kim's in Los Angeles), offers to mentor
# the day after, and HR pairs Kim with him by hand; his second place is there for a rematch later.
LATE_MENTOR = ("jordan.lee", "2", ("part_time_return",), True)
DECLINES_FIRST = "omar.farouk"
FACILITATORS = ("hannah.wright", "maya.cohen")  # they also offer to facilitate peer huddles
KIMS_MANAGER = "mei.chen"
# How long a line about a message may wait for it: quiet hours, weekends, a return from leave.
MESSAGE_WAIT = timedelta(days=21)


class MentoringStory:
    def __init__(self, stack: AppStack, ids: dict[str, str], say: Narrator) -> None:
        self.stack, self.ids, self.say = stack, ids, say
        self.answered: set[str] = set()
        self.declined_once = False

    def user(self, name: str) -> str:
        return self.ids[f"{name}@example.com"]

    def name(self, user_id: str) -> str:
        return person(self.stack, user_id).name

    def now(self) -> str:
        return f"{self.stack.services.clock.now():%d %b}"

    def _opt_in(self, name: str, capacity: str, tags: tuple[str, ...], share: bool) -> None:
        user = self.user(name)
        self.stack.slack.block_action(user, BECOME, "open", view={"type": "home", "blocks": []})
        answer = self.stack.slack.view_submission(
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
        accepted(answer.json, f"{name} opts in as a mentor")

    def _profile(self, name: str) -> tuple[str, int, bool]:
        """(name, capacity, offers to facilitate) as the mentoring service holds it."""
        someone = person(self.stack, self.user(name))
        with unit_of_work(self.stack.factory) as session:
            profile = mentoring.mentor_profile_of(session, self.stack.fake.team_id, someone.id)
            mentor = mentoring.is_mentor(session, self.stack.fake.team_id, someone.id)
            facilitators = mentoring.huddle_facilitators(session, self.stack.fake.team_id)
        require(mentor and profile is not None, f"{someone.name} is a mentor", "no active mentor profile")
        assert profile is not None
        return someone.name, profile.capacity, someone.id in facilitators

    def mentors_opt_in(self) -> None:
        for name, (capacity, tags, share) in MENTORS.items():
            self._opt_in(name, capacity, tags, share)
        profiles = [self._profile(name) for name in MENTORS]
        manager = person(self.stack, self.user(KIMS_MANAGER))
        with unit_of_work(self.stack.factory) as session:
            reports = {row.name for row in direct_reports(session, self.stack.fake.team_id, manager.id)}
        enrolled_reports = sorted(reports & {"Noor Haddad", "Kim Nguyen"})
        claim = f"{manager.name} manages Noor and Kim"
        require(
            enrolled_reports == ["Kim Nguyen", "Noor Haddad"], claim, f"her reports are {sorted(reports)}"
        )
        facilitating = [who for who, _, facilitates in profiles if facilitates]
        self.say(
            f"{self.now()}: {len(profiles)} colleagues opt in as mentors "
            f"({', '.join(f'{who} for {places}' for who, places, _ in profiles)}), among them "
            f"{manager.name}, who manages Noor and Kim; {' and '.join(facilitating)} also offer to "
            "facilitate peer huddles."
        )

    def kim_is_back_without_a_mentor(self) -> None:
        """Back from leave, Kim is told the matcher has found nobody yet (checked, not assumed)."""
        kim = self.user("kim.nguyen")
        kim_row = person(self.stack, kim)
        with unit_of_work(self.stack.factory) as session:
            match = mentoring.mentee_view(session, self.stack.fake.team_id, kim_row.id)
        claim = "back from leave, Kim is told no mentor has been found yet"
        require(match is None, claim, f"she has an open match: {match}")
        told = [
            call
            for call in self.stack.fake.calls_for("chat.postMessage", user=kim)
            if call["ok"]
            and call["audience"] == [kim]
            and "not found the right mentor" in str(call["params"])
        ]
        require(bool(told), claim, "no such message reached her")
        self.say(f"{when(told[-1])}: {claim}; the matcher keeps looking.")

    def late_mentor_opts_in(self) -> None:
        name, capacity, tags, share = LATE_MENTOR
        self._opt_in(name, capacity, tags, share)
        who, places, _ = self._profile(name)
        self.say(f"{self.now()}: {who} opts in as a mentor, for up to {places} mentees.")

    def mentors_answer(self) -> None:
        """Each mentor answers the requests waiting in their DMs: one declines the first time."""
        for name in [*MENTORS, LATE_MENTOR[0]]:
            user = self.user(name)
            for call in self.stack.fake.calls_for("chat.postMessage", user=user):
                blocks: list[dict[str, Any]] = call["params"].get("blocks") or []
                buttons = [e for b in blocks for e in b.get("elements", []) if e.get("action_id") == ACCEPT]
                if not call["ok"] or not buttons or buttons[0]["value"] in self.answered:
                    continue
                match_id = buttons[0]["value"]
                self.answered.add(match_id)
                decline = name == DECLINES_FIRST and not self.declined_once
                self.declined_once |= decline
                self._answer(user, int(match_id), decline)

    def _answer(self, mentor_user: str, match_id: int, decline: bool) -> None:
        mentor = person(self.stack, mentor_user)
        mentee_name = self._asked_about(mentor.id, match_id)
        mentee_user = self._user_named(mentee_name)
        self.stack.slack.block_action(
            mentor_user, DECLINE if decline else ACCEPT, str(match_id), block_id=f"mentor-ask-{match_id}"
        )
        if decline:
            self._declined(mentor.id, mentor.name, mentee_name, mentee_user, match_id)
            return
        with unit_of_work(self.stack.factory) as session:
            status = {
                v.match_id: v.status
                for v in mentoring.mentor_views(session, self.stack.fake.team_id, mentor.id)
            }
        claim = f"{mentor.name} says yes to mentoring {mentee_name}"
        require(status.get(match_id) == MATCHED, claim, f"the match is {status.get(match_id, 'not open')}")
        said_yes = self.now()

        def introduced() -> str | None:
            call = introduction_recorded(self.stack.fake, mentee_user, mentor_user)
            if call is None:
                return None
            return (
                f"{when(call)}: {mentor.name} said yes to mentoring {mentee_name} ({said_yes}); "
                "the two are introduced in a group message."
            )

        self.say.later(f"{mentee_name} and {mentor.name} are introduced", introduced, MESSAGE_WAIT)

    def _declined(
        self, mentor_id: int, mentor_name: str, mentee_name: str, mentee_user: str, match_id: int
    ) -> None:
        """The decline is saved by the click; the rematch tick asks the next best mentor."""
        mentee = person(self.stack, mentee_user)
        with unit_of_work(self.stack.factory) as session:
            status = {
                v.match_id: v.status
                for v in mentoring.mentor_views(session, self.stack.fake.team_id, mentor_id)
            }
        claim = f"{mentor_name} declines {mentee_name}"
        require(match_id not in status, claim, f"the request is still {status.get(match_id)}")
        self.say(f"{self.now()}: {mentor_name} declines to mentor {mentee_name} (no reason asked).")

        def next_asked() -> str | None:
            with unit_of_work(self.stack.factory) as session:
                now_open = mentoring.mentee_view(session, self.stack.fake.team_id, mentee.id)
            if now_open is None or now_open.match_id == match_id:
                return None
            return f"{self.now()}: the rematch tick asks the next best mentor for {mentee_name}."

        self.say.later(f"the next best mentor for {mentee_name} is asked", next_asked, MESSAGE_WAIT)

    def hr_pairs_kim(self) -> None:
        """The matcher found Kim nobody; a new mentor has just opted in and HR pairs her by hand.
        Her manager is refused; a mentor outside her reporting line with a free place is not."""
        self.kim_is_back_without_a_mentor()
        self.late_mentor_opts_in()
        hr, kim = self.user("priya.shah"), self.user("kim.nguyen")
        manager, mentor = self.user(KIMS_MANAGER), self.user(LATE_MENTOR[0])
        kim_row, manager_row = person(self.stack, kim), person(self.stack, manager)
        require(
            kim_row.manager_id == manager_row.id,
            f"{manager_row.name} is {kim_row.name}'s manager",
            "the directory says otherwise",
        )
        self.stack.slack.block_action(hr, ASSIGN_OPEN, "open", view={"type": "home", "blocks": []})
        refused = self.stack.slack.view_submission(hr, ASSIGN, self._pair(kim, manager))
        reason = inline_errors(refused.json, f"pairing Kim with {manager_row.name} is refused")
        paired = self.stack.slack.view_submission(hr, ASSIGN, self._pair(kim, mentor))
        mentor_name = self.name(mentor)
        accepted(paired.json, f"Priya pairs Kim with {mentor_name}")
        match_id = check_hr_pairing(self.stack, kim, mentor)
        self.say(
            f"{self.now()}: Priya tries to pair Kim with {manager_row.name}, her manager: "
            f"refused ({reason}). "
            f"She pairs Kim with {mentor_name} instead, who has a free place; as for every "
            "match, the mentor is asked first."
        )

        def asked() -> str | None:
            call = ask_recorded(self.stack.fake, mentor, kim_row.name, match_id)
            return None if call is None else f"{when(call)}: {mentor_name} is asked in a DM to mentor Kim."

        self.say.later(f"{mentor_name} is asked to mentor Kim", asked, MESSAGE_WAIT)

    def lena_ends(self) -> None:
        lena = self.user("lena.fischer")
        lena_row = person(self.stack, lena)
        self.stack.slack.app_home_opened(lena)
        self.stack.settle()
        home = self.stack.fake.home_view(lena) or {}
        ends = [e for b in home.get("blocks", []) for e in b.get("elements", []) if e.get("action_id") == END]
        require(bool(ends), "Lena ends her match", "her Home tab shows no End button (she has no match)")
        with unit_of_work(self.stack.factory) as session:
            before = mentoring.mentee_view(session, self.stack.fake.team_id, lena_row.id)
        require(before is not None, "Lena ends her match", "she has no open match")
        assert before is not None
        mentor_name = before.other_name
        mentor_user = self._user_named(mentor_name)
        self.stack.slack.block_action(lena, END, ends[0]["value"], view=home)
        with unit_of_work(self.stack.factory) as session:
            after = mentoring.mentee_view(session, self.stack.fake.team_id, lena_row.id)
            still = mentoring.mentor_views(session, self.stack.fake.team_id, self._id(mentor_user))
        require(
            all(view.match_id != before.match_id for view in still)
            and (after is None or after.match_id != before.match_id),
            "Lena ends her match",
            "the match is still open",
        )
        self.say(f"{self.now()}: Lena ends her match with {mentor_name} quietly, from her Home tab.")
        ended_at = self.stack.fake.calls_for("chat.postMessage", user=mentor_user)

        def told() -> str | None:
            for call in self.stack.fake.calls_for("chat.postMessage", user=mentor_user)[len(ended_at) :]:
                if call["ok"] and "has come to an end" in str(call["params"].get("text")):
                    told_at = when(call)
                    return (
                        f"{told_at}: {mentor_name} is told in a DM that the match has ended, no reason given."
                    )
            return None

        self.say.later(f"{mentor_name} is told the match ended", told, MESSAGE_WAIT)
        self._rematch(lena_row.name, lena, before.match_id)

    def _rematch(self, mentee_name: str, mentee_user: str, old_match: int) -> None:
        """The rematch the end asks for, made by the scheduler's rematch tick: another mentor
        asked, or the mentee told we keep looking."""
        seen = len(self.stack.fake.calls_for("chat.postMessage", user=mentee_user))
        mentee_id = self._id(mentee_user)

        def rematched() -> str | None:
            with unit_of_work(self.stack.factory) as session:
                now_open = mentoring.mentee_view(session, self.stack.fake.team_id, mentee_id)
            if now_open is not None and now_open.match_id != old_match:
                return f"{self.now()}: the rematch tick asks the next best mentor for {mentee_name}."
            for call in self.stack.fake.calls_for("chat.postMessage", user=mentee_user)[seen:]:
                if call["ok"] and "not found the right mentor" in str(call["params"].get("text")):
                    return f"{when(call)}: no mentor has a free place; {mentee_name} is told we keep looking."
            return None

        self.say.later(f"{mentee_name} hears about a rematch", rematched, MESSAGE_WAIT)

    def where_everyone_stands(self) -> None:
        """At the end of the quarter: each returning person's mentor, from the database."""
        lines = []
        for name in ("sam.patel", "noor.haddad", "lena.fischer", "kim.nguyen"):
            someone = person(self.stack, self.user(name))
            with unit_of_work(self.stack.factory) as session:
                view = mentoring.mentee_view(session, self.stack.fake.team_id, someone.id)
            if view is None:
                lines.append(f"{someone.name}: no mentor")
            elif view.status == MATCHED:
                lines.append(f"{someone.name}: mentored by {view.other_name}")
            else:
                lines.append(f"{someone.name}: a mentor is being asked")
        self.say("Mentoring at the end of the quarter: " + "; ".join(lines) + ".")

    def scenes(self) -> list[tuple[datetime, Callable[[], None]]]:
        scenes: list[tuple[datetime, Callable[[], None]]] = [
            (datetime(2026, 1, 5, 9, 30, tzinfo=UTC), self.mentors_opt_in),
            (datetime(2026, 3, 3, 16, tzinfo=UTC), self.hr_pairs_kim),
            (datetime(2026, 3, 26, 10, tzinfo=UTC), self.lena_ends),
        ]
        day = datetime(2026, 1, 5, 16, tzinfo=UTC)
        while day < datetime(2026, 4, 6, tzinfo=UTC):
            scenes.append((day, self.mentors_answer))
            day += timedelta(days=1)
        return scenes

    # -- helpers ------------------------------------------------------------------------

    def _pair(self, mentee: str, mentor: str) -> dict[str, dict[str, dict[str, Any]]]:
        return {
            "mentee": {"value": {"selected_user": mentee}},
            "mentor": {"value": {"selected_user": mentor}},
        }

    def _asked_about(self, mentor_id: int, match_id: int) -> str:
        with unit_of_work(self.stack.factory) as session:
            views = mentoring.mentor_views(session, self.stack.fake.team_id, mentor_id)
        name = next((view.other_name for view in views if view.match_id == match_id), None)
        require(name is not None, f"a mentor answers request {match_id}", "the request is not open")
        assert name is not None
        return name

    def _user_named(self, name: str) -> str:
        for user_id in self.ids.values():
            if (self.stack.fake.user(user_id) or {}).get("real_name") == name:
                return user_id
        raise AssertionError(f"nobody in the demo's Slack is called {name!r}")

    def _id(self, user_id: str) -> int:
        return person(self.stack, user_id).id
