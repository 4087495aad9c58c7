"""One person's clicks in their private space, as signed requests: the demo's private-space scenes
(``private_space``) are told with these.

Every click is what Slack would send back when that button is pressed or that modal submitted;
each method answers with what the app then showed, so a scene can check it before it says
anything. Nothing here reads anyone's entries. With a canary, every free text typed is
``TEXT:<user id>`` and what someone notes of their partner's words ``TEXT:<user id>:partner``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from hr_plugin.demo.narration import NarrationError
from hr_plugin.testing.stack import AppStack

# The private space's action and callback ids, as Slack sends them back to the app.
OPEN, CONSENT, SPACE = "vault.open", "vault.consent", "vault.space"
CHECKIN_OPEN, CHECKIN = "vault.checkin_open", "vault.checkin"
LOOK_BACK, EXPORT, DELETE_OPEN, DELETE = (
    "vault.look_back",
    "vault.export",
    "vault.delete_open",
    "vault.delete",
)
REMINDERS_OPEN, REMINDERS = "vault.reminders_open", "vault.reminders"
MILESTONE_OPEN, GUIDE_OPEN, REVIEW_OPEN, PAST_REVIEWS_OPEN = (
    "vault.milestone_open",
    "vault.guide_open",
    "vault.review_open",
    "vault.reviews_open",
)
REFLECTION, READING = "vault.reflection", "vault.reading"
PAPER, RITUAL = "vault.paper", "vault.ritual"
TRACK_OPEN, TRACK, TRACK_LIST = "vault.track_open", "vault.track", "vault.track_list"
TRACK_STEP = "vault.track_step."
TRACK_TOOLS = ("goals", "rules", "household", "ask", "touch", "ritual", "tally")
QUESTIONS = ("restorative", "demand", "vulnerability")
SAVED = "Only you can read it."  # what the private space answers a saved check-in with
REFLECTION_SAVED = "Saved in your private space."  # a milestone's or a review's answer, a track tool

# What a simulated person types when no canary is asked for: plain, made-up notes.
SAMPLE_WORDS = (
    "Sitting together after the bedtime routine, no phones.",
    "Being reached for while I was still on a call.",
    "Saying out loud that I am tired, without fixing it.",
    "A slow walk round the block after dinner.",
)
PARTNER_SAMPLE = "Tired, and glad we talked."
# Experiments planned in a week (chosen from the list, the second in the person's own words),
# each with a day (0 = Monday) and a local time of their own: nothing ever reminds them of it.
EXPERIMENTS = (("sofa_talk", 1, "20:30"), ("long_hug", 3, "18:15"), ("early_night", 5, "21:30"))
HOUSEHOLD_OWNERS = ("me", "partner", "shared")
# Per tool, the fields and what is typed in them without a canary (``None``: the partner's
# words as shared, ``TEXT:<user id>:partner`` with a canary).
TOOL_WORDS: dict[str, dict[str, str | None]] = {
    "goals": {
        "my_problem": "We talk about logistics and little else.",
        "my_outcome": "An evening a week that is about us.",
        "their_problem": None,
        "their_outcome": None,
    },
    "rules": {
        "pause_phrase": "Time out, back soon",
        "return_phrase": "Shall we pick it up?",
        "red_lines": "No name-calling. No reopening settled things.",
    },
    "ask": {
        "when": "When the evening plans changed without a word.",
        "felt": "Left out of the decision.",
        "ask": "A quick message when plans change.",
    },
    "touch": {"green": "More of this", "yellow": "Gently", "red": "Stop"},
    "ritual": {"what": "A walk on Sunday mornings", "when": "Sundays, 9:00"},
}


@dataclass(frozen=True)
class Download:
    """A single-use link followed once: what it delivered, and what a second try was answered."""

    size: int
    content_type: str
    second_try: int  # the HTTP status of trying the same link again
    body: bytes = field(default=b"", repr=False)


class PrivateSpaceActor:
    """One person's clicks in their private space."""

    def __init__(self, stack: AppStack, user_id: str, canary: str | None, name: str) -> None:
        self.stack = stack
        self.user = user_id
        self.canary = canary
        self.name = name
        self.export_link = ""
        self.checkin_shown = ""  # the last check-in screen the app showed, as JSON
        self.reflection_shown = ""  # the last milestone or review screen, as JSON

    # -- what this person types ----------------------------------------------------------------

    def words(self, index: int) -> str:
        return f"{self.canary}:{self.user}" if self.canary else SAMPLE_WORDS[index % len(SAMPLE_WORDS)]

    def partner_words(self) -> str:
        return f"{self.canary}:{self.user}:partner" if self.canary else PARTNER_SAMPLE

    def _typed(self, value: str) -> dict[str, Any]:
        return {"value": {"type": "plain_text_input", "value": value}}

    # -- opening the space ---------------------------------------------------------------------

    def consent(self, entry: str = "home", arrival: str | None = None) -> bool:
        """Open the private space and agree (giving the child's arrival date, if ``arrival``);
        True when the space itself is then shown."""
        if entry == "command":
            self.stack.slack.slash_command(self.user, "/rtw", "checkin")
        elif entry == "shortcut":
            self.stack.slack.global_shortcut(self.user, "vault.shortcut")
        else:
            self.stack.slack.block_action(self.user, OPEN, "home", view={"type": "home", "blocks": []})
        modal = self.stack.fake.last_modal(self.user)
        if modal is None or modal.get("callback_id") != CONSENT:
            return False
        values = (
            {"arrival_date": {"value": {"type": "datepicker", "selected_date": arrival}}} if arrival else {}
        )
        answer = self.stack.slack.view_submission(self.user, CONSENT, values, view_id=modal["id"])
        return shown(answer.json).get("callback_id") == SPACE

    def space(self) -> dict[str, Any]:
        """The private space as the app shows it when opened from the App Home ({} if it is not)."""
        self.stack.slack.block_action(self.user, OPEN, "home", view={"type": "home", "blocks": []})
        modal = self.stack.fake.last_modal(self.user)
        return modal if modal is not None and modal.get("callback_id") == SPACE else {}

    def space_text(self) -> str:
        space = self.space()
        return json.dumps(space) if space else ""

    def _push(
        self, action_id: str, value: str = "open", view: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Click a button on a screen of the space; the screen the app pushed ({} if none)."""
        before = len(self.stack.fake.calls_for("views.push", user=self.user))
        self.stack.slack.block_action(self.user, action_id, value, view=view or _space_view())
        pushed = self.stack.fake.calls_for("views.push", user=self.user)[before:]
        if not pushed or not pushed[-1]["ok"]:
            return {}
        modal = self.stack.fake.last_modal(self.user)
        return modal or {}

    # -- the weekly check-in -------------------------------------------------------------------

    def check_in(
        self,
        rating: str,
        *,
        from_reminder: bool = False,
        experiments: int = 0,
        partner: str | None = None,
        closeness: str | None = None,
    ) -> bool:
        """Fill in this week's check-in: ``experiments`` planned for the coming week (each with a
        day and time), how last week's went where the screen asks, what the partner shared (if
        ``partner`` is their rating), and whether there was closeness outside the plan. True when
        the person is told it is saved for them alone; the screen is kept in ``checkin_shown``."""
        space = _space_view("reminder" if from_reminder else "")
        if from_reminder:
            self.stack.slack.block_action(self.user, OPEN, "reminder", block_id="reflection")
        self.stack.slack.block_action(self.user, CHECKIN_OPEN, "open", view=space)
        modal = self.stack.fake.last_modal(self.user)
        if modal is None or modal.get("callback_id") != CHECKIN:
            self.checkin_shown = ""
            return False
        self.checkin_shown = json.dumps(modal)
        values: dict[str, Any] = {
            question: self._typed(self.words(index)) for index, question in enumerate(QUESTIONS)
        }
        values["rating"] = {"value": {"type": "radio_buttons", "selected_option": {"value": rating}}}
        blocks = {str(block.get("block_id")) for block in modal.get("blocks", [])}
        for suffix in ("", "_2", "_3"):  # how each of last week's experiments went
            if f"follow_up{suffix}" in blocks:
                values[f"follow_up{suffix}"] = _radio("tried")
                values[f"follow_up_note{suffix}"] = self._typed(self.words(3))
        for index, (chosen, day, at) in enumerate(EXPERIMENTS[:experiments]):
            suffix = "" if index == 0 else f"_{index + 1}"
            values[f"experiment{suffix}"] = _select(chosen)
            # The second is in the person's own words (with a canary: every one of them).
            own = self.words(3) if self.canary or index == 1 else ""
            values[f"own_experiment{suffix}"] = self._typed(own)
            values[f"experiment_day{suffix}"] = _select(str(day))
            values[f"experiment_time{suffix}"] = {"value": {"type": "timepicker", "selected_time": at}}
        if partner is not None:
            values["partner_rating"] = _radio(partner)
            values["partner_words"] = self._typed(self.partner_words())
        if closeness is not None:
            values["closeness_outside"] = _radio(closeness)
        answer = self.stack.slack.view_submission(self.user, CHECKIN, values, view_id=modal["id"])
        return SAVED in json.dumps(shown(answer.json))

    def set_reminder(self, weekday: int, at: str) -> str:
        """Choose a weekly reminder; returns what the modal then says (empty if nothing)."""
        modal = self._push(REMINDERS_OPEN)
        if modal.get("callback_id") != REMINDERS:
            return ""
        answer = self.stack.slack.view_submission(
            self.user,
            REMINDERS,
            {
                "weekday": {"value": {"selected_option": {"value": str(weekday)}}},
                "time": {"value": {"selected_time": at}},
            },
            view_id=modal["id"],
        )
        return " ".join(
            str(block.get("text", {}).get("text", "")) for block in shown(answer.json).get("blocks", [])
        )

    def look_back(self) -> str:
        """Open Look back from the space; what it showed, as JSON ("" if nothing was shown)."""
        self.space()
        modal = self._push(LOOK_BACK)
        return json.dumps(modal) if modal.get("callback_id") == LOOK_BACK else ""

    # -- the longer track ----------------------------------------------------------------------

    def start_track(self) -> str:
        """Click "A longer track" and opt in; the track's list the app then showed, as JSON."""
        modal = self._push(TRACK_OPEN)
        if modal.get("callback_id") != TRACK or "Start the track" not in json.dumps(modal):
            return ""
        answer = shown(self.stack.slack.view_submission(self.user, TRACK, {}, view_id=modal["id"]).json)
        return json.dumps(answer) if answer.get("callback_id") == TRACK_LIST else ""

    def track_list(self) -> str:
        modal = self._push(TRACK_OPEN)
        return json.dumps(modal) if modal.get("callback_id") == TRACK_LIST else ""

    def track_step(self, step: str) -> dict[str, Any]:
        """Open one step from the track's list; the screen the app pushed ({} if none)."""
        listed = {"type": "modal", "id": "VTRACK", "callback_id": TRACK_LIST, "private_metadata": ""}
        return self._push(f"{TRACK_STEP}{step}", step, view=listed)

    def tool_values(self, tool: str) -> dict[str, Any]:
        """What this person types into one of the track's tools."""
        values: dict[str, Any] = {}
        for name, sample in TOOL_WORDS.get(tool, {}).items():
            if sample is None:  # the partner's words, as shared
                typed = self.partner_words()
            else:
                typed = f"{self.canary}:{self.user}" if self.canary else sample
            values[name] = self._typed(typed)
        if tool == "household":
            for index in range(12):
                values[f"task_{index}"] = self._typed(
                    self.words(index) if index < 2 else f"Household task {index + 1}"
                )
                values[f"owner_{index}"] = _select(HOUSEHOLD_OWNERS[index % 3])
        elif tool == "touch":
            values["stage"] = _radio("1")
        elif tool == "tally":
            values |= {"repairs": _select("2"), "gestures": _select("3")}
        return values

    def save_tool(self, tool: str) -> bool:
        """Open a tool, fill it in and save it; True when the app says it is saved for them alone."""
        modal = self.track_step(tool)
        if modal.get("callback_id") != TRACK:
            return False
        answer = self.stack.slack.view_submission(
            self.user, TRACK, self.tool_values(tool), view_id=modal["id"]
        )
        return REFLECTION_SAVED in json.dumps(shown(answer.json))

    def typed_in(self, tool: str) -> list[str]:
        """The texts this person types into ``tool`` (what its screen should show when reopened)."""
        return [
            str(v["value"]["value"])
            for v in self.tool_values(tool).values()
            if v["value"].get("type") == "plain_text_input" and v["value"]["value"]
        ]

    # -- reflections: a milestone, the first conversation, the quarterly review ----------------

    def milestone_offered(self) -> str | None:
        """The milestone the space offers now (the value of its button), or None."""
        for block in self.space().get("blocks", []):
            for element in block.get("elements", []):
                if isinstance(element, dict) and element.get("action_id") == MILESTONE_OPEN:
                    return str(element.get("value"))
        return None

    def _reflect(self, action_id: str, value: str) -> bool:
        modal = self._push(action_id, value)
        self.reflection_shown = json.dumps(modal)
        if modal.get("callback_id") != REFLECTION:
            return False
        inputs = [str(b["block_id"]) for b in modal.get("blocks", []) if b.get("type") == "input"]
        values = {block: self._typed(self.words(index)) for index, block in enumerate(inputs)}
        answer = self.stack.slack.view_submission(self.user, REFLECTION, values, view_id=modal["id"])
        return bool(inputs) and REFLECTION_SAVED in json.dumps(shown(answer.json))

    def answer_milestone(self, key: str) -> bool:
        """Open the milestone's reflection from the space's button and answer it."""
        return self._reflect(MILESTONE_OPEN, key)

    def answer_review(self) -> bool:
        """Open the quarterly review from the space (its button is always there) and answer it."""
        self.space()
        return self._reflect(REVIEW_OPEN, "open")

    def reading(self, action_id: str) -> dict[str, Any]:
        """Open a screen that only shows (the first conversation, past reviews) from the space."""
        self.space()
        modal = self._push(action_id)
        return modal if modal.get("callback_id") == READING else {}

    # -- links made for home, the export, deleting ---------------------------------------------

    def _link(self, action_id: str) -> str:
        modal = self._push(action_id)
        text = json.dumps(modal)
        if "/vault/export/" not in text:
            return ""
        return text.split("<", 1)[1].split("|", 1)[0]

    def download(self, action_id: str) -> Download:
        """Follow a single-use link (the questions on paper, the ritual's calendar file) as a
        browser would: its page (which spends nothing), the page's button, then the same button
        again. A link the app did not give delivers nothing."""
        link = self._link(action_id)
        if not link:
            return Download(0, "", 0)
        with urllib.request.urlopen(link, timeout=10) as page:
            if b'<form method="post">' not in page.read():
                return Download(0, "", 0)
        with urllib.request.urlopen(urllib.request.Request(link, data=b"download=yes"), timeout=10) as got:
            body, content_type = got.read(), str(got.headers["Content-Type"])
        try:
            with urllib.request.urlopen(
                urllib.request.Request(link, data=b"download=yes"), timeout=10
            ) as again:
                return Download(len(body), content_type, again.status, body)
        except urllib.error.HTTPError as refused:
            return Download(len(body), content_type, refused.code, body)

    def export(self) -> int:
        """Follow the single-use link from the export screen; returns the number of bytes received."""
        link = self._link(EXPORT)
        if not link:
            return 0
        self.export_link = link
        with urllib.request.urlopen(link, timeout=10) as page:  # the link's page: spends nothing
            page.read()
        download = urllib.request.Request(link, data=b"download=yes")  # its button posts the form
        with urllib.request.urlopen(download, timeout=10) as response:
            return len(response.read())

    def link_still_works(self) -> bool:
        """Whether the last export link still opens its page (a spent link answers 404)."""
        try:
            with urllib.request.urlopen(self.export_link, timeout=10):
                return True
        except urllib.error.HTTPError as refused:
            if refused.code == 404:
                return False
            raise

    def delete(self) -> bool:
        """Delete the private space; True when opening it again asks for consent afresh."""
        modal = self._push(DELETE_OPEN)
        if modal.get("callback_id") != DELETE:
            return False
        self.stack.slack.view_submission(self.user, DELETE, {}, view_id=modal["id"])
        self.stack.slack.block_action(self.user, OPEN, "home", view={"type": "home", "blocks": []})
        reopened = self.stack.fake.last_modal(self.user)
        return reopened is not None and reopened.get("callback_id") == CONSENT


def _space_view(origin: str = "") -> dict[str, Any]:
    """The space's modal as Slack sends it back with a click on one of its buttons."""
    return {"type": "modal", "id": "VSPACE", "callback_id": SPACE, "private_metadata": origin}


def _radio(value: str) -> dict[str, Any]:
    return {"value": {"type": "radio_buttons", "selected_option": {"value": value}}}


def _select(value: str) -> dict[str, Any]:
    return {"value": {"type": "static_select", "selected_option": {"value": value}}}


def shown(body: Any) -> dict[str, Any]:
    """The view a modal submission's answer puts on screen (empty when it shows none)."""
    if isinstance(body, dict) and body.get("response_action") in ("update", "push"):
        view = body.get("view")
        return view if isinstance(view, dict) else {}
    return {}


def require(condition: bool, claim: str, found: object) -> None:
    """Stop the demo rather than narrate ``claim`` when it did not happen."""
    if not condition:
        raise NarrationError(f"The demo would say {claim!r}, but {found}")
