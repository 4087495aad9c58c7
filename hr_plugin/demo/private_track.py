"""The demo's deeper private scenes: the longer track through every tool, a milestone, the first
conversation's guide, a quarterly review read back, and the two links made for home (the
questions on paper, the ritual's calendar file), each downloaded once.

Each scene is played by the people given (Noor, Lena and Sam, less anyone left out), through
signed requests (``private_actor``), and each line is checked against what the app showed them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

from hr_plugin.demo.private_actor import (
    GUIDE_OPEN,
    PAPER,
    PAST_REVIEWS_OPEN,
    RITUAL,
    TRACK_TOOLS,
    PrivateSpaceActor,
    require,
)
from hr_plugin.testing.stack import AppStack

TRACK_SAVED = "you have written something here"  # the track's list, beside each step written in
TALLY_SHOWN = "So far: 2 repairs and 3 warm gestures"  # after one tally of 2 and 3
# The words the private screens show, as the checks look for them (the demo does not reach
# into the vault's code: it reads the screens, as a person would).
MILESTONES = {"6_weeks": "six weeks on", "3_months": "three months on", "6_months": "six months on"}
GUIDE_TITLE, PAST_REVIEWS = "A first conversation", "Past reflections"
MILESTONE_TITLE = "A moment to reflect"  # the heading of a milestone's answer, read back
NO_COUNSELLING = "doctor or local health service"  # "If you feel stuck" where HR set up none


def _names(actors: list[PrivateSpaceActor]) -> str:
    names = [actor.name for actor in actors]
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)


def _shows(screen: object, texts: list[str]) -> bool:
    """Whether a screen (as JSON) shows each text as typed."""
    text = json.dumps(screen) if not isinstance(screen, str) else screen
    return all(json.dumps(typed)[1:-1] in text for typed in texts)


def deeper_scenes(
    stack: AppStack,
    people: list[PrivateSpaceActor],
    sam: PrivateSpaceActor | None,
    say: Callable[[str], None],
    help_link: tuple[str, str],
) -> list[tuple[datetime, Callable[[], None]]]:
    """The scenes, at their moments; ``sam`` downloads the links made for home (he set a reminder
    time, which the ritual's calendar file needs); ``help_link`` is the one HR added for him."""
    clock = stack.services.clock
    who = _names(people)

    def tools(names: tuple[str, ...]) -> None:
        for actor in people:
            saved = {tool: actor.save_tool(tool) for tool in names}
            require(all(saved.values()), f"{actor.name} saves {', '.join(names)}", f"saved: {saved}")

    def track_begins() -> None:
        for actor in people:
            listed = actor.start_track()
            require("week 1 of about eight" in listed, f"{actor.name} starts the longer track", "no list")
        tools(("goals", "rules"))
        say(
            f"{clock.now():%d %b}: {who} each start the longer track (one explicit click; week 1 of "
            "about eight) and write a shared aim, their partner's words as they shared them beside "
            "their own, then the phrases for a pause and a return, and their red lines."
        )

    def track_middle() -> None:
        tools(("household", "ask", "touch"))
        say(
            f"{clock.now():%d %b}: {who} give each household task an owner, put one unspoken thing "
            "in three calm parts (describe, impact, ask), and note where they are with closeness, "
            "with their own words for yes, slower and stop."
        )

    def track_later() -> None:
        tools(("ritual", "tally"))
        for actor in people:
            claim = f"{actor.name} finds every tool as written when opening it again"
            for tool in TRACK_TOOLS:
                reopened = actor.track_step(tool)
                require(_shows(reopened, actor.typed_in(tool)), claim, f"the {tool} screen does not show it")
                if tool == "tally":
                    require(TALLY_SHOWN in json.dumps(reopened), claim, "the tally does not add up")
            listed = actor.track_list()
            require(listed.count(TRACK_SAVED) == len(TRACK_TOOLS), claim, "the list does not mark them all")
            stuck = json.dumps(actor.track_step("help"))
            require(NO_COUNSELLING in stuck, f"{actor.name} opens 'If you feel stuck'", "no help shown")
            if actor is sam:
                require(
                    f"<{help_link[1]}|{help_link[0]}>" in stuck,
                    "Sam's 'If you feel stuck' shows Priya's help link",
                    "it does not",
                )
        say(
            f"{clock.now():%d %b}: {who} choose a weekly ritual and count a few repairs and warm "
            f"gestures ({TALLY_SHOWN.lower()}); opened again, every tool shows what they wrote, and "
            f"'If you feel stuck' points to a doctor or local health service (HR set up no counselling)"
            + (f", with Priya's {help_link[0]} on Sam's" if sam in people else "")
            + "."
        )

    def reflections() -> None:
        answered = []
        for actor in people:
            key = actor.milestone_offered()
            claim = f"{actor.name} answers the milestone reflection waiting in the space"
            require(key is not None, claim, "the space offers none")
            assert key is not None
            require(actor.answer_milestone(key), claim, "the answer was not saved")
            require(actor.milestone_offered() is None, claim + " once", "it is still offered")
            when = MILESTONES.get(key, key)
            require(
                when.capitalize() in actor.reflection_shown, f"{claim} ({when})", "its screen says otherwise"
            )
            answered.append(f"{actor.name} ({when})")
            require(
                GUIDE_TITLE in json.dumps(actor.reading(GUIDE_OPEN)),
                f"{actor.name} reads the first conversation's guide",
                "it did not open",
            )
        counted = (
            "Noor's counted from the arrival date she gave, the others' from their leave's start"
            if any(actor.name == "Noor" for actor in people)
            else "counted from their leave's start"
        )
        say(
            f"{clock.now():%d %b}: a reflection waits in {who}'s spaces, and each answers it: "
            f"{', '.join(answered)} ({counted}); once answered, it is no longer offered. Each then "
            "reads the guide to a first conversation."
        )

    def reviews() -> None:
        title = PAST_REVIEWS
        for actor in people:
            require(actor.answer_review(), f"{actor.name} writes a quarterly review", "it was not saved")
            past = actor.reading(PAST_REVIEWS_OPEN)
            require(
                title in json.dumps(past) and _shows(past, [actor.words(0), actor.words(1)]),
                f"{actor.name} reads the review back under {title!r}",
                "the screen does not show it",
            )
            require(
                MILESTONE_TITLE in json.dumps(past),
                f"{actor.name} reads their milestone reflection back there too",
                "the screen does not show it",
            )
        say(
            f"{clock.now():%d %b}: {who} each write a quarterly review and read it back in Slack, "
            f"under {title!r}, beside their milestone reflection."
        )

    def downloads() -> None:
        assert sam is not None
        paper, ritual = sam.download(PAPER), sam.download(RITUAL)
        claim = "Sam downloads the questions on paper and the ritual's calendar file, each once"
        require(paper.size > 0 and paper.content_type.startswith("text/html"), claim, paper)
        require(ritual.size > 0 and ritual.content_type.startswith("text/calendar"), claim, ritual)
        require(paper.second_try == 404 and ritual.second_try == 404, claim, (paper, ritual))
        weekly = b"RRULE:FREQ=WEEKLY;BYDAY=WE" in ritual.body and b"T203000" in ritual.body
        require(weekly, "the calendar file is at his reminder's day and time", "it is not")
        say(
            f"{clock.now():%d %b}: Sam downloads the questions on paper ({paper.size} bytes) and the "
            f"calendar file for their weekly time ({ritual.size} bytes, at his reminder's day and time), "
            "each through a single-use link; trying each link again is refused (404)."
        )

    scenes: list[tuple[datetime, Callable[[], None]]] = []
    if people:
        scenes += [
            (datetime(2026, 2, 14, 10, tzinfo=UTC), track_begins),
            (datetime(2026, 2, 28, 10, tzinfo=UTC), track_middle),
            (datetime(2026, 3, 2, 12, tzinfo=UTC), reflections),
            (datetime(2026, 3, 7, 10, tzinfo=UTC), track_later),
            (datetime(2026, 3, 17, 12, tzinfo=UTC), reviews),
        ]
    if sam is not None:
        scenes.append((datetime(2026, 3, 18, 11, tzinfo=UTC), downloads))
    return scenes
