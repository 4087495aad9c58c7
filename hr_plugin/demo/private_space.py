"""The demo's private check-ins: HR sets the help links, people consent, check in week after
week (one of them together with her partner), export and delete.

Everything goes through signed requests, as a person would click; the demo never reads
anyone's entries. With ``--canary TEXT`` every free text typed is ``TEXT:<user id>``, and what
someone notes of their partner's words is ``TEXT:<user id>:partner``, so a leak from one person
to another can be told apart in ``slack-calls.jsonl``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
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
QUESTIONS = ("restorative", "demand", "vulnerability")
SAVED = "Only you can read it."  # what the private space answers a saved check-in with
RESET_SIGNAL = "reset the conversation"  # words of the signal after two weeks where nothing felt good
BOTH_SIGNAL = "Two hard weeks for both"  # the signal when both partners said so, two weeks running
HELP_LINKS_OPEN, HELP_LINKS = "resources.open", "resources.help_links"  # HR's help links modal
PARENT_LINE = ("Parent support line", "https://support.example.org/parents")

# What a simulated person types when no canary is asked for: plain, made-up notes.
SAMPLE_WORDS = (
    "Sitting together after the bedtime routine, no phones.",
    "Being reached for while I was still on a call.",
    "Saying out loud that I am tired, without fixing it.",
)


class PrivateSpaceActor:
    """One person's clicks in their private space."""

    def __init__(self, stack: AppStack, user_id: str, canary: str | None) -> None:
        self.stack = stack
        self.user = user_id
        self.canary = canary
        self.export_link = ""

    def words(self, index: int) -> str:
        return f"{self.canary}:{self.user}" if self.canary else SAMPLE_WORDS[index % len(SAMPLE_WORDS)]

    def consent(self, entry: str = "home") -> bool:
        """Open the private space and agree; True when the space itself is then shown."""
        if entry == "command":
            self.stack.slack.slash_command(self.user, "/rtw", "checkin")
        elif entry == "shortcut":
            self.stack.slack.global_shortcut(self.user, "vault.shortcut")
        else:
            self.stack.slack.block_action(self.user, OPEN, "home", view={"type": "home", "blocks": []})
        modal = self.stack.fake.last_modal(self.user)
        if modal is None or modal.get("callback_id") != CONSENT:
            return False
        answer = self.stack.slack.view_submission(self.user, CONSENT, {}, view_id=modal["id"])
        return _shown(answer.json).get("callback_id") == SPACE

    def partner_words(self) -> str:
        return f"{self.canary}:{self.user}:partner" if self.canary else "Tired, and glad we talked."

    def check_in(
        self,
        rating: str,
        *,
        from_reminder: bool = False,
        experiment: bool = False,
        partner: str | None = None,
    ) -> bool:
        """Fill in this week's check-in (with what the partner shared, if ``partner`` is their
        rating); True when the person is told it is saved for them alone."""
        space = {
            "type": "modal",
            "id": "VSPACE",
            "callback_id": SPACE,
            "private_metadata": "reminder" if from_reminder else "",
        }
        if from_reminder:
            self.stack.slack.block_action(self.user, OPEN, "reminder", block_id="reflection")
        self.stack.slack.block_action(self.user, CHECKIN_OPEN, "open", view=space)
        modal = self.stack.fake.last_modal(self.user)
        if modal is None or modal.get("callback_id") != CHECKIN:
            return False
        values: dict[str, Any] = {
            question: {"value": {"type": "plain_text_input", "value": self.words(index)}}
            for index, question in enumerate(QUESTIONS)
        }
        values["rating"] = {"value": {"type": "radio_buttons", "selected_option": {"value": rating}}}
        if experiment:
            values["experiment"] = {
                "value": {"type": "static_select", "selected_option": {"value": "phones_away"}}
            }
            values["own_experiment"] = {
                "value": {"type": "plain_text_input", "value": self.words(3) if self.canary else ""}
            }
        if partner is not None:
            values["partner_rating"] = {
                "value": {"type": "radio_buttons", "selected_option": {"value": partner}}
            }
            values["partner_words"] = {"value": {"type": "plain_text_input", "value": self.partner_words()}}
        answer = self.stack.slack.view_submission(self.user, CHECKIN, values, view_id=modal["id"])
        return SAVED in json.dumps(_shown(answer.json))

    def space_text(self) -> str:
        """What the person's private space shows when they open it from the App Home."""
        self.stack.slack.block_action(self.user, OPEN, "home", view={"type": "home", "blocks": []})
        modal = self.stack.fake.last_modal(self.user)
        return json.dumps(modal) if modal is not None and modal.get("callback_id") == SPACE else ""

    def set_reminder(self, weekday: int, at: str) -> str:
        """Choose a weekly reminder; returns what the modal then says (empty if nothing)."""
        self.stack.slack.block_action(
            self.user, REMINDERS_OPEN, "open", view={"type": "modal", "id": "VSPACE"}
        )
        modal = self.stack.fake.last_modal(self.user)
        if modal is None:
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
            str(block.get("text", {}).get("text", "")) for block in _shown(answer.json).get("blocks", [])
        )

    def look_back(self) -> None:
        self.stack.slack.block_action(self.user, OPEN, "home", view={"type": "home", "blocks": []})
        self.stack.slack.block_action(self.user, LOOK_BACK, "open", view={"type": "modal", "id": "VSPACE"})

    def export(self) -> int:
        """Follow the single-use link from the export screen; returns the number of bytes received."""
        self.stack.slack.block_action(self.user, EXPORT, "open", view={"type": "modal", "id": "VSPACE"})
        pushed = self.stack.fake.calls_for("views.push", user=self.user)
        text = str(pushed[-1]["params"]) if pushed else ""
        if "/vault/export/" not in text:
            return 0
        link = text.split("<", 1)[1].split("|", 1)[0]
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
        self.stack.slack.block_action(self.user, DELETE_OPEN, "open", view={"type": "modal", "id": "VSPACE"})
        modal = self.stack.fake.last_modal(self.user)
        if modal is None or modal.get("callback_id") != DELETE:
            return False
        self.stack.slack.view_submission(self.user, DELETE, {}, view_id=modal["id"])
        self.stack.slack.block_action(self.user, OPEN, "home", view={"type": "home", "blocks": []})
        reopened = self.stack.fake.last_modal(self.user)
        return reopened is not None and reopened.get("callback_id") == CONSENT


def hr_adds_a_help_link(stack: AppStack, hr: str) -> str:
    """HR opens the help links from the App Home and adds one for Great Britain; what the modal
    then lists (empty if it was not added)."""
    stack.slack.app_home_opened(hr)
    stack.settle()
    stack.slack.block_action(hr, HELP_LINKS_OPEN, "open", block_id="hr", view=stack.fake.home_view(hr) or {})
    modal = stack.fake.last_modal(hr)
    if modal is None or modal.get("callback_id") != HELP_LINKS:
        return ""
    action = modal["blocks"][-1]["element"]["action_id"]  # the form's inputs share one action id
    name, url = PARENT_LINE
    answer = stack.slack.view_submission(
        hr,
        HELP_LINKS,
        {
            "link_kind": {action: {"type": "static_select", "selected_option": {"value": "perinatal"}}},
            "link_name": {action: {"type": "plain_text_input", "value": name}},
            "link_url": {action: {"type": "plain_text_input", "value": url}},
            "link_country": {action: {"type": "plain_text_input", "value": "GB"}},
        },
        view_id=modal["id"],
    )
    return json.dumps(_shown(answer.json))


def private_space_scenes(
    stack: AppStack, ids: dict[str, str], canary: str | None, say: Callable[[str], None], hr_email: str
) -> list[tuple[datetime, Callable[[], None]]]:
    """Scenes for the quarter: HR's help link, consents, six weekly check-ins (Noor's last two
    with her partner), the signals, an export, a delete."""
    stack.services.settings.public_url = stack.server.url  # export links point at the demo's own server
    sam, lena, kim, noor = (
        PrivateSpaceActor(stack, ids[f"{name}@example.com"], canary)
        for name in ("sam.patel", "lena.fischer", "kim.nguyen", "noor.haddad")
    )

    def help_links() -> None:
        listed = hr_adds_a_help_link(stack, ids[hr_email])
        _require(
            PARENT_LINE[0] in listed,
            "Priya adds a help link for Great Britain",
            f"the modal lists {listed!r}",
        )
        say(
            f"{stack.services.clock.now():%d %b}: Priya adds a help link from her App Home "
            f"({PARENT_LINE[0]}, for Great Britain); the modal lists it."
        )

    def consents() -> None:
        agreed = [sam.consent("home"), lena.consent("home"), kim.consent("shortcut"), noor.consent("command")]
        _require(all(agreed), "Sam, Lena, Kim and Noor each agree", f"their private spaces opened: {agreed}")
        sam_sees, noor_sees = sam.space_text(), noor.space_text()
        _require(
            f"<{PARENT_LINE[1]}|{PARENT_LINE[0]}>" in sam_sees,
            "Sam (in Great Britain) sees HR's help link in his private space",
            "his space does not show it",
        )
        _require(
            PARENT_LINE[0] not in noor_sees and "call 911" in noor_sees and "HR team" not in noor_sees,
            "Noor (in the US, where HR set no link) is shown the emergency number, not sent to HR",
            "her space shows something else",
        )
        reminders = sam.set_reminder(2, "20:30")
        _require(
            "Wednesdays at 20:30" in reminders,
            "Sam picks Wednesday reminders",
            f"the modal said {reminders!r}",
        )
        say(
            f"{stack.services.clock.now():%d %b}: Sam, Lena, Kim (from a shortcut) and Noor "
            f"(with /rtw checkin) each open their private space and agree; Sam's shows Priya's help link, "
            f"Noor's (in the US, where HR set none) the emergency number 911 and support through a doctor. "
            f"Sam sets reminders, and the modal confirms: {reminders}"
        )

    def week(number: int) -> Callable[[], None]:
        def run() -> None:
            saved = {
                "Lena": lena.check_in("none_good" if number >= 4 else "neutral", experiment=number == 1),
                "Kim": kim.check_in("restorative" if number % 2 else "neutral"),
                "Noor, with her partner" if number >= 5 else "Noor": noor.check_in(
                    "none_good" if number >= 5 else "demanding" if number == 2 else "neutral",
                    experiment=number == 3,
                    partner="none_good" if number >= 5 else None,
                ),
                "Sam, from his Wednesday reminder": sam_saved.get(number, False),
            }
            _require(all(saved.values()), f"weekly check-ins (week {number})", f"saved: {saved}")
            say(
                f"{stack.services.clock.now():%d %b}: weekly check-ins (week {number}): Sam (on Wednesday, "
                f"from his reminder), Lena, Kim and Noor"
                + (" (together with her partner, noting what her partner shared)" if number >= 5 else "")
                + f" are each told {SAVED!r}"
            )

        return run

    sam_saved: dict[int, bool] = {}

    def sam_from_reminder(number: int) -> Callable[[], None]:
        def run() -> None:
            sam_saved[number] = sam.check_in("restorative" if number > 2 else "neutral", from_reminder=True)

        return run

    def looking_back() -> None:
        seen = len(stack.fake.calls_for(user=lena.user))
        lena.look_back()
        shown = [c for c in stack.fake.calls_for(user=lena.user)[seen:] if RESET_SIGNAL in json.dumps(c)]
        claim = "Lena's space suggests resetting the conversation"
        _require(bool(shown), claim, "nothing she was shown says so")
        _require(
            all(c["ok"] and c["audience"] == [lena.user] and c["method"].startswith("views.") for c in shown),
            claim + " in her private space only",
            f"it was shown as {[(c['method'], c['audience']) for c in shown]}",
        )
        messages = stack.fake.calls_for("chat.postMessage") + stack.fake.calls_for("chat.postEphemeral")
        _require(
            not any(RESET_SIGNAL in json.dumps(c) for c in messages),
            claim,
            "a message carries the suggestion",
        )
        seen = len(stack.fake.calls_for(user=noor.user))
        noor_sees = noor.space_text()
        together = [c for c in stack.fake.calls_for(user=noor.user)[seen:] if BOTH_SIGNAL in json.dumps(c)]
        claim = "Noor's space shows the signal for both of them"
        _require(BOTH_SIGNAL in noor_sees and bool(together), claim, "her space does not show it")
        _require(
            all(c["audience"] == [noor.user] for c in together)
            and not any(BOTH_SIGNAL in json.dumps(c) for c in messages),
            claim + " to her alone",
            "someone else was shown it",
        )
        say(
            f"{stack.services.clock.now():%d %b}: Lena looks back; after two weeks where nothing felt good, "
            "her space suggests resetting the conversation (no message is sent about it). Noor, who did "
            "her last two check-ins together with her partner, noting what her partner shared, sees "
            f"{BOTH_SIGNAL!r}: both of them said nothing felt good, two weeks running."
        )

    def export_and_delete() -> None:
        received = sam.export()
        claim = "Sam downloads his entries once through a single-use link"
        _require(received > 0, claim, "the link gave him nothing")
        _require(not sam.link_still_works(), claim, "the link still works after the download")
        _require(kim.delete(), "Kim deletes her private space", "opening it again does not start afresh")
        say(
            f"{stack.services.clock.now():%d %b}: Sam downloads his entries through a single-use link "
            f"({received} bytes); opened again, the link no longer works. "
            "Kim deletes her private space for good: opening it again asks for her consent afresh."
        )

    scenes: list[tuple[datetime, Callable[[], None]]] = [
        (datetime(2026, 2, 2, 11, tzinfo=UTC), help_links),
        (datetime(2026, 2, 2, 18, tzinfo=UTC), consents),
    ]
    first_friday = datetime(2026, 2, 6, 19, tzinfo=UTC)
    for number in range(1, 7):
        scenes.append((first_friday + timedelta(weeks=number - 1), week(number)))
        scenes.append(
            (datetime(2026, 2, 4, 21, tzinfo=UTC) + timedelta(weeks=number - 1), sam_from_reminder(number))
        )
    scenes.append((datetime(2026, 3, 16, 12, tzinfo=UTC), looking_back))
    scenes.append((datetime(2026, 3, 18, 12, tzinfo=UTC), export_and_delete))
    return sorted(scenes, key=lambda scene: scene[0])


def _shown(body: Any) -> dict[str, Any]:
    """The view a modal submission's answer puts on screen (empty when it shows none)."""
    if isinstance(body, dict) and body.get("response_action") in ("update", "push"):
        view = body.get("view")
        return view if isinstance(view, dict) else {}
    return {}


def _require(condition: bool, claim: str, found: object) -> None:
    """Stop the demo rather than narrate ``claim`` when it did not happen."""
    if not condition:
        raise NarrationError(f"The demo would say {claim!r}, but {found}")
