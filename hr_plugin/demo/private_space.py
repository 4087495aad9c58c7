"""The demo's private check-ins: people consent, check in week after week, export and delete.

Everything goes through signed requests, as a person would click; the demo never reads
anyone's entries. With ``--canary TEXT`` every free text typed is ``TEXT:<user id>``, so a
leak from one person to another can be told apart in ``slack-calls.jsonl``.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

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

    def words(self, index: int) -> str:
        return f"{self.canary}:{self.user}" if self.canary else SAMPLE_WORDS[index % len(SAMPLE_WORDS)]

    def consent(self, entry: str = "home") -> None:
        if entry == "command":
            self.stack.slack.slash_command(self.user, "/rtw", "checkin")
        elif entry == "shortcut":
            self.stack.slack.global_shortcut(self.user, "vault.shortcut")
        else:
            self.stack.slack.block_action(self.user, OPEN, "home", view={"type": "home", "blocks": []})
        modal = self.stack.fake.last_modal(self.user)
        if modal is not None and modal.get("callback_id") == CONSENT:
            self.stack.slack.view_submission(self.user, CONSENT, {}, view_id=modal["id"])

    def check_in(self, rating: str, *, from_reminder: bool = False, experiment: bool = False) -> None:
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
            return
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
        self.stack.slack.view_submission(self.user, CHECKIN, values, view_id=modal["id"])

    def set_reminder(self, weekday: int, at: str) -> None:
        self.stack.slack.block_action(
            self.user, REMINDERS_OPEN, "open", view={"type": "modal", "id": "VSPACE"}
        )
        modal = self.stack.fake.last_modal(self.user)
        if modal is not None:
            self.stack.slack.view_submission(
                self.user,
                REMINDERS,
                {
                    "weekday": {"value": {"selected_option": {"value": str(weekday)}}},
                    "time": {"value": {"selected_time": at}},
                },
                view_id=modal["id"],
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
        with urllib.request.urlopen(link, timeout=10) as response:
            return len(response.read())

    def delete(self) -> None:
        self.stack.slack.block_action(self.user, DELETE_OPEN, "open", view={"type": "modal", "id": "VSPACE"})
        modal = self.stack.fake.last_modal(self.user)
        if modal is not None and modal.get("callback_id") == DELETE:
            self.stack.slack.view_submission(self.user, DELETE, {}, view_id=modal["id"])


def private_space_scenes(
    stack: AppStack, ids: dict[str, str], canary: str | None, say: Callable[[str], None]
) -> list[tuple[datetime, Callable[[], None]]]:
    """Scenes for the quarter: consents, six weekly check-ins, a signal, an export, a delete."""
    stack.services.settings.public_url = stack.server.url  # export links point at the demo's own server
    sam, lena, kim, noor = (
        PrivateSpaceActor(stack, ids[f"{name}@example.com"], canary)
        for name in ("sam.patel", "lena.fischer", "kim.nguyen", "noor.haddad")
    )

    def consents() -> None:
        sam.consent("home")
        lena.consent("home")
        kim.consent("shortcut")
        noor.consent("command")
        sam.set_reminder(2, "20:30")
        say(
            "Sam, Lena, Kim and Noor each open their private space and agree; Sam picks Wednesday-evening "
            "reminders."
        )

    def week(number: int) -> Callable[[], None]:
        def run() -> None:
            lena.check_in("none_good" if number >= 4 else "neutral", experiment=number == 1)
            kim.check_in("restorative" if number % 2 else "neutral")
            noor.check_in("demanding" if number == 2 else "neutral", experiment=number == 3)
            say(f"{stack.services.clock.now():%d %b}: weekly check-ins (week {number}).")

        return run

    def sam_from_reminder(number: int) -> Callable[[], None]:
        return lambda: sam.check_in("restorative" if number > 2 else "neutral", from_reminder=True)

    def looking_back() -> None:
        lena.look_back()
        say(
            f"{stack.services.clock.now():%d %b}: Lena looks back; after two weeks where nothing felt good, "
            "her space suggests resetting the conversation (no message is sent about it)."
        )

    def export_and_delete() -> None:
        received = sam.export()
        kim.delete()
        say(
            f"{stack.services.clock.now():%d %b}: Sam downloads his entries once through a single-use link "
            f"({received} bytes); Kim deletes her private space for good."
        )

    scenes: list[tuple[datetime, Callable[[], None]]] = [(datetime(2026, 2, 2, 18, tzinfo=UTC), consents)]
    first_friday = datetime(2026, 2, 6, 19, tzinfo=UTC)
    for number in range(1, 7):
        scenes.append((first_friday + timedelta(weeks=number - 1), week(number)))
        scenes.append(
            (datetime(2026, 2, 4, 21, tzinfo=UTC) + timedelta(weeks=number - 1), sam_from_reminder(number))
        )
    scenes.append((datetime(2026, 3, 16, 12, tzinfo=UTC), looking_back))
    scenes.append((datetime(2026, 3, 18, 12, tzinfo=UTC), export_and_delete))
    return sorted(scenes, key=lambda scene: scene[0])
