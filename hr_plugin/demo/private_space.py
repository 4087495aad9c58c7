"""The demo's private space: HR sets the help links; people consent and check in week after
week (Noor's last two together with her partner, until the signal for both of them appears);
Noor, Lena and Sam also take the longer track through every tool, answer a milestone, read the
first conversation's guide, write a quarterly review and read it back; Sam downloads the
questions on paper, the ritual's calendar file and his export, each once; Kim deletes.

Everything goes through signed requests, as a person would click (``private_actor``); the demo
never reads anyone's entries, and each line is checked against what the app answered first.
With ``--canary TEXT`` every free text typed is ``TEXT:<user id>``, and what someone notes of
their partner's words is ``TEXT:<user id>:partner``, so a leak from one person to another can
be told apart in ``slack-calls.jsonl``. With ``leave_out`` one person never opens the space:
their part of every scene, and of its narration, is left out; nothing else changes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from hr_plugin.demo.private_actor import SAVED, PrivateSpaceActor, require, shown
from hr_plugin.demo.private_track import deeper_scenes
from hr_plugin.testing.stack import AppStack

RESET_SIGNAL = "reset the conversation"  # words of the signal after two weeks where nothing felt good
BOTH_SIGNAL = "Two hard weeks for both"  # the signal when both partners said so, two weeks running
HELP_LINKS_OPEN, HELP_LINKS = "resources.open", "resources.help_links"  # HR's help links modal
PARENT_LINE = ("Parent support line", "https://support.example.org/parents")
NOOR_ARRIVAL = "2025-10-20"  # the date Noor gives when she agrees: two weeks into her leave
PEOPLE = {  # who takes part, by the name the narration uses
    "sam.patel@example.com": "Sam",
    "lena.fischer@example.com": "Lena",
    "kim.nguyen@example.com": "Kim",
    "noor.haddad@example.com": "Noor",
}
NO_REMINDER = "Nothing will remind you of them"  # the check-in's words under the experiments
PARTNER_PART = "What your partner shared"  # the title of the part done together
DEEPER = ("noor.haddad@example.com", "lena.fischer@example.com", "sam.patel@example.com")


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
    return json.dumps(shown(answer.json))


def _their(actor: PrivateSpaceActor) -> str:
    return "his" if actor.name == "Sam" else "her"


def _names(actors: list[PrivateSpaceActor]) -> str:
    """ "Sam, Lena and Noor": the people in a line of narration."""
    names = [actor.name for actor in actors]
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)


def private_space_scenes(
    stack: AppStack,
    ids: dict[str, str],
    canary: str | None,
    say: Callable[[str], None],
    hr_email: str,
    leave_out: str | None = None,
) -> list[tuple[datetime, Callable[[], None]]]:
    """Scenes for the quarter: HR's help link, consents, six weekly check-ins (Noor's last two
    with her partner), the signals, the longer track, reflections, downloads, a delete.
    ``leave_out`` (an email) never touches the private space."""
    stack.services.settings.public_url = stack.server.url  # single-use links point at the demo's server
    actors = {
        email: PrivateSpaceActor(stack, ids[email], canary, name)
        for email, name in PEOPLE.items()
        if email != leave_out
    }
    sam, lena, kim, noor = (actors.get(email) for email in PEOPLE)
    deeper = [actors[email] for email in DEEPER if email in actors]

    def help_links() -> None:
        listed = hr_adds_a_help_link(stack, ids[hr_email])
        require(
            PARENT_LINE[0] in listed,
            "Priya adds a help link for Great Britain",
            f"the modal lists {listed!r}",
        )
        say(
            f"{stack.services.clock.now():%d %b}: Priya adds a help link from her App Home "
            f"({PARENT_LINE[0]}, for Great Britain); the modal lists it."
        )

    def consents() -> None:
        entries = {"sam.patel@example.com": "home", "lena.fischer@example.com": "home"}
        entries |= {"kim.nguyen@example.com": "shortcut", "noor.haddad@example.com": "command"}
        agreed = {
            actor.name: actor.consent(entries[email], NOOR_ARRIVAL if actor is noor else None)
            for email, actor in actors.items()
        }
        require(all(agreed.values()), f"{_names(list(actors.values()))} each agree", f"opened: {agreed}")
        lines = [
            f"{stack.services.clock.now():%d %b}: {_names(list(actors.values()))} each open their "
            "private space and agree"
            + (" (Kim from a shortcut)" if kim else "")
            + (f" (Noor with /rtw checkin, giving the day her child arrived, {NOOR_ARRIVAL})" if noor else "")
            + "."
        ]
        if sam:
            require(
                f"<{PARENT_LINE[1]}|{PARENT_LINE[0]}>" in sam.space_text(),
                "Sam (in Great Britain) sees HR's help link in his private space",
                "his space does not show it",
            )
            reminders = sam.set_reminder(2, "20:30")
            require("Wednesdays at 20:30" in reminders, "Sam picks Wednesday reminders", repr(reminders))
            lines.append(f"Sam's space shows Priya's help link; he sets reminders: {reminders}")
        if noor:
            noor_sees = noor.space_text()
            require(
                PARENT_LINE[0] not in noor_sees and "call 911" in noor_sees and "HR team" not in noor_sees,
                "Noor (in the US, where HR set no link) is shown the emergency number, not sent to HR",
                "her space shows something else",
            )
            lines.append(
                "Noor's (in the US, where HR set none) shows the emergency number 911 and support "
                "through a doctor."
            )
        say(" ".join(lines))

    # Each week: (rating, experiments planned, partner's rating, closeness outside the plan).
    plans: dict[str, Callable[[int], tuple[str, int, str | None, str | None]]] = {
        "Lena": lambda n: (
            "none_good" if n >= 4 else "neutral",
            3 if n == 1 else 0,
            "demanding" if n == 2 else None,
            "yes" if n == 1 else None,
        ),
        "Kim": lambda n: ("restorative" if n % 2 else "neutral", 0, None, None),
        "Noor": lambda n: (
            "none_good" if n >= 5 else "demanding" if n == 2 else "neutral",
            3 if n == 3 else 0,
            "none_good" if n >= 5 else None,
            "rather_not_say" if n == 3 else None,
        ),
        "Sam": lambda n: (
            "restorative" if n > 2 else "neutral",
            3 if n == 2 else 0,
            "restorative" if n == 3 else None,
            "yes" if n == 2 else None,
        ),
    }

    def check_in(actor: PrivateSpaceActor, number: int, *, from_reminder: bool = False) -> bool:
        rating, experiments, partner, closeness = plans[actor.name](number)
        saved = actor.check_in(
            rating, from_reminder=from_reminder, experiments=experiments, partner=partner, closeness=closeness
        )
        if partner is not None:  # the partner's part was there to fill in
            require(
                "partner_rating" in actor.checkin_shown,
                f"{actor.name} notes what {_their(actor)} partner shared",
                "the screen has no partner's part",
            )
        if experiments:
            require(
                NO_REMINDER in actor.checkin_shown and '"closeness_outside"' in actor.checkin_shown,
                f"{actor.name} plans experiments with days and times, never reminded of them",
                "the screen does not say so",
            )
        if plans[actor.name](number - 1)[1] == 3:  # last week's three experiments, followed up
            require(
                all(f'"follow_up{s}"' in actor.checkin_shown for s in ("", "_2", "_3")),
                f"{actor.name}'s check-in asks how each of last week's three experiments went",
                "the screen does not ask",
            )
        return saved

    def week(number: int) -> Callable[[], None]:
        def run() -> None:
            weekly = [a for a in (lena, kim, noor) if a]
            saved = {actor.name: check_in(actor, number) for actor in weekly}
            if sam:
                saved["Sam, from his Wednesday reminder"] = sam_saved.get(number, False)
            require(all(saved.values()), f"weekly check-ins (week {number})", f"saved: {saved}")
            everyone = ([sam] if sam else []) + weekly
            notes = [
                f"{a.name} plans three experiments for the coming week, each with a day and a time "
                "(the screen says nothing will remind anyone of them), and answers whether there was "
                "closeness outside the plan"
                for a in everyone
                if plans[a.name](number)[1] == 3
            ]
            notes += [
                f"{a.name}'s check-in asks how each of last week's three went"
                for a in everyone
                if plans[a.name](number - 1)[1] == 3
            ]
            notes += [
                f"{a.name} notes what {_their(a)} partner shared"
                for a in everyone
                if plans[a.name](number)[2] is not None
            ]
            say(
                f"{stack.services.clock.now():%d %b}: weekly check-ins (week {number}): "
                f"{_names(everyone)}"
                + (" (Sam on Wednesday, from his reminder)" if sam else "")
                + f" are each told {SAVED!r}"
                + (f"; {'; '.join(notes)}" if notes else "")
                + "."
            )

        return run

    sam_saved: dict[int, bool] = {}

    def sam_from_reminder(number: int) -> Callable[[], None]:
        def run() -> None:
            if sam:
                sam_saved[number] = check_in(sam, number, from_reminder=True)

        return run

    def looking_back() -> None:
        messages = stack.fake.calls_for("chat.postMessage") + stack.fake.calls_for("chat.postEphemeral")
        lines = [f"{stack.services.clock.now():%d %b}:"]
        if lena:
            seen = len(stack.fake.calls_for(user=lena.user))
            lena_sees = lena.look_back()
            shown_to = [
                c for c in stack.fake.calls_for(user=lena.user)[seen:] if RESET_SIGNAL in json.dumps(c)
            ]
            claim = "Lena's space suggests resetting the conversation"
            require(bool(shown_to) and bool(lena_sees), claim, "nothing she was shown says so")
            require(
                all(
                    c["ok"] and c["audience"] == [lena.user] and c["method"].startswith("views.")
                    for c in shown_to
                ),
                claim + " in her private space only",
                f"it was shown as {[(c['method'], c['audience']) for c in shown_to]}",
            )
            require(not any(RESET_SIGNAL in json.dumps(c) for c in messages), claim, "a message carries it")
            lines.append(
                "Lena looks back; after two weeks where nothing felt good, her space suggests resetting "
                "the conversation (no message is sent about it)."
            )
        if noor:
            seen = len(stack.fake.calls_for(user=noor.user))
            noor_sees = noor.space_text()
            together = [
                c for c in stack.fake.calls_for(user=noor.user)[seen:] if BOTH_SIGNAL in json.dumps(c)
            ]
            claim = "Noor's space shows the signal for both of them"
            require(BOTH_SIGNAL in noor_sees and bool(together), claim, "her space does not show it")
            require(
                all(c["audience"] == [noor.user] for c in together)
                and not any(BOTH_SIGNAL in json.dumps(c) for c in messages),
                claim + " to her alone",
                "someone else was shown it",
            )
            partner_title = PARTNER_PART
            require(
                partner_title in noor.look_back(),
                "Noor's look back shows what her partner shared",
                "it does not",
            )
            lines.append(
                "Noor, who did her last two check-ins together with her partner, noting what her partner "
                f"shared, sees {BOTH_SIGNAL!r}: both of them said nothing felt good, two weeks running; "
                "her look back shows her partner's words beside her own."
            )
        if sam:
            sam_sees = sam.look_back()
            require(
                "*Experiments*" in sam_sees and "Tried it" in sam_sees and "Tuesday 20:30" in sam_sees,
                "Sam's look back lists his experiments with their days and how they went",
                "it does not",
            )
            lines.append(
                "Sam looks back too: his experiments are listed with their days, times and how they went."
            )
        if len(lines) > 1:
            say(" ".join(lines))

    def export_and_delete() -> None:
        lines = [f"{stack.services.clock.now():%d %b}:"]
        if sam:
            received = sam.export()
            claim = "Sam downloads his entries once through a single-use link"
            require(received > 0, claim, "the link gave him nothing")
            require(not sam.link_still_works(), claim, "the link still works after the download")
            lines.append(
                f"Sam downloads his entries through a single-use link ({received} bytes); opened again, "
                "the link no longer works."
            )
        if kim:
            require(kim.delete(), "Kim deletes her private space", "opening it again does not start afresh")
            lines.append(
                "Kim deletes her private space for good: opening it again asks for her consent afresh."
            )
        if len(lines) > 1:
            say(" ".join(lines))

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
    scenes += deeper_scenes(stack, deeper, sam, say, PARENT_LINE)
    return sorted(scenes, key=lambda scene: scene[0])
