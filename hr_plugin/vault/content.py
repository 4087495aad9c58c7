"""The words of the private space, read from ``content/en.json``.

The wording lives in data so that people who do not write Python can edit it and translators can
add a sibling file; this module only gives it typed shapes. It reads the packaged file once and
does nothing else, so views and ticks can call it freely.

Two choices decide which words a person sees:

- ``include_partner``: false for single parents and when the enrolment is marked to leave baby and
  partner content out. Texts with a ``*_solo`` sibling switch to it; items marked
  ``needs_partner`` are left out. (The content never mentions a baby, so nothing else changes.)
- Nothing else: the rest reads the same for everyone.

``contains_sensitive_word`` is the guard for every Slack *message* (not modal) the app sends: a
message can show on a lock screen or turn up in a workspace export, so it must not hint at what
the check-in is about.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

MILESTONE_KEYS = ("6_weeks", "3_months", "6_months")


@dataclass(frozen=True, slots=True)
class Question:
    """One check-in question, already worded for this person.

    ``partner_question`` says whether this wording speaks of a partner (so a view can mark it).
    """

    id: str
    text: str
    hint: str
    partner_question: bool


@dataclass(frozen=True, slots=True)
class Option:
    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Experiment:
    id: str
    label: str
    needs_partner: bool


@dataclass(frozen=True, slots=True)
class Consent:
    title: str
    paragraphs: tuple[str, ...]
    accept_label: str
    decline_label: str


@dataclass(frozen=True, slots=True)
class Card:
    """A titled block of text with optional bullet items (signals, expectations, help)."""

    title: str
    text: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FollowUp:
    last_week: str
    question: str
    options: tuple[Option, ...]
    note_question: str
    note_hint: str


@dataclass(frozen=True, slots=True)
class Milestone:
    key: str
    title: str
    when: str
    intro: str
    question: str
    hint: str


@dataclass(frozen=True, slots=True)
class Track:
    """A guided sequence: the first conversation's steps, or the quarterly review's questions."""

    id: str
    title: str
    intro: str
    steps: tuple[Question, ...]


# -- loading ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _raw() -> dict[str, Any]:
    text = (resources.files("hr_plugin.vault") / "content" / "en.json").read_text(encoding="utf-8")
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("vault content must be a JSON object")
    return data


def content() -> dict[str, Any]:
    """The whole content as loaded, as a copy: callers cannot change what others will read."""
    return copy.deepcopy(_raw())


def _worded(node: Mapping[str, Any], key: str, include_partner: bool) -> str:
    """``node[key]``, or its ``_solo`` sibling when partner wording is left out and one exists."""
    if not include_partner:
        solo = node.get(f"{key}_solo")
        if solo is not None:
            return str(solo)
    return str(node[key])


def _kept(node: Mapping[str, Any], include_partner: bool) -> bool:
    """Whether an item stays: those that need a partner go when partner content is left out."""
    return include_partner or not node.get("needs_partner", False)


def _texts(nodes: list[Mapping[str, Any]], include_partner: bool) -> tuple[str, ...]:
    return tuple(_worded(node, "text", include_partner) for node in nodes if _kept(node, include_partner))


# -- the private space -----------------------------------------------------------------------


def space_title() -> str:
    return str(_raw()["space"]["title"])


def home_line() -> str:
    """The App Home line beside the button: it may be on a shared screen, so it says nothing private."""
    return str(_raw()["space"]["home_line"])


def open_label() -> str:
    return str(_raw()["space"]["open_label"])


def space_words(key: str) -> str:
    """A line of the space itself, by key (``arrival_label``, ``arrival_hint``, ...)."""
    return str(_raw()["space"][key])


def consent(*, include_partner: bool = True) -> Consent:
    node = _raw()["consent"]
    return Consent(
        title=str(node["title"]),
        paragraphs=_texts(node["paragraphs"], include_partner),
        accept_label=str(node["accept_label"]),
        decline_label=str(node["decline_label"]),
    )


def disclaimer(*, include_partner: bool = True) -> str:
    """The line every private screen shows."""
    return _worded(_raw()["disclaimer"], "text", include_partner)


# -- the weekly check-in ---------------------------------------------------------------------


def checkin_text(key: str, *, include_partner: bool = True) -> str:
    """A plain check-in text: ``title``, ``intro``, ``contradictions``, ``talk_reminder``, ``saved``."""
    value = _raw()["checkin"][key]
    if isinstance(value, Mapping):
        return _worded(value, "text", include_partner)
    return str(value)


def checkin_questions(*, include_partner_questions: bool) -> list[Question]:
    """The three questions, in order.

    Without partner questions, a partner question is asked in its ``_solo`` wording when it has
    one and left out when it has none, so a single parent still gets a full check-in.
    """
    questions = []
    for node in _raw()["checkin"]["questions"]:
        partner = bool(node["partner_question"])
        if partner and not include_partner_questions and "text_solo" not in node:
            continue
        questions.append(
            Question(
                id=str(node["id"]),
                text=_worded(node, "text", include_partner_questions),
                hint=_worded(node, "hint", include_partner_questions),
                partner_question=partner and include_partner_questions,
            )
        )
    return questions


def partner_part() -> dict[str, str]:
    """The check-in's optional part done together: what the partner chose to share."""
    node = _raw()["checkin"]["partner_part"]
    return {key: str(value) for key, value in node.items() if isinstance(value, str)}


def paper_page(*, include_partner: bool) -> dict[str, str]:
    """The words of the printable page of questions."""
    node = _raw()["paper"]
    keys = ("title", "intro", "first", "second", "closing")
    return {key: _worded(node, key, include_partner) for key in keys}


def ritual_title() -> str:
    """The calendar event's title: neutral, since the file is meant to be forwarded."""
    return str(_raw()["ritual"]["title"])


def link_words(kind: str) -> dict[str, str]:
    """What a single-use link's modal and page say, for ``export``, ``questions`` or ``ritual``."""
    node = _raw()["links"][kind]
    return {key: str(value) for key, value in node.items() if isinstance(value, str)}


def rating_question() -> str:
    return str(_raw()["checkin"]["rating"]["question"])


def rating_options() -> list[Option]:
    """The week's rating: ids ``restorative``, ``neutral``, ``demanding``, ``none_good``."""
    return [Option(str(o["id"]), str(o["label"])) for o in _raw()["checkin"]["rating"]["options"]]


def closeness_question() -> tuple[str, list[Option]]:
    """The optional question about closeness outside the plan, and its options (``yes``, ``no``,
    ``rather_not_say``)."""
    node = _raw()["checkin"]["closeness"]
    return str(node["question"]), [Option(str(o["id"]), str(o["label"])) for o in node["options"]]


def experiment_prompt() -> dict[str, str]:
    """The micro-experiment texts: ``question``, ``hint``, ``none_label``, ``own_question``,
    ``own_hint``, ``more_question_2``/``_3``, ``day_question``, ``time_question``, ``no_reminder``."""
    return {key: str(value) for key, value in _raw()["checkin"]["experiment"].items()}


def experiments(*, include_partner: bool) -> list[Experiment]:
    """The suggested micro-experiments; without a partner, only those one can do alone."""
    return [
        Experiment(str(node["id"]), str(node["label"]), bool(node["needs_partner"]))
        for node in _raw()["experiments"]
        if _kept(node, include_partner)
    ]


def follow_up() -> FollowUp:
    """The question about last week's experiment: options ``tried``, ``partly``, ``not_tried``."""
    node = _raw()["checkin"]["follow_up"]
    return FollowUp(
        last_week=str(node["last_week"]),
        question=str(node["question"]),
        options=tuple(Option(str(o["id"]), str(o["label"])) for o in node["options"]),
        note_question=str(node["note_question"]),
        note_hint=str(node["note_hint"]),
    )


# -- signals, expectations, milestones, tracks -----------------------------------------------


def signal(signal_id: str, *, include_partner: bool = True) -> Card:
    """The words for one signal (ids as in ``hr_plugin.vault.signals.Signal``)."""
    node = _raw()["signals"][signal_id]
    if not _kept(node, include_partner) and "instead" in node:
        # Where partner content is left out, a signal read from both partners' answers speaks
        # in the words of the one-person signal it stands in for.
        return signal(str(node["instead"]), include_partner=include_partner)
    return Card(
        title=str(node["title"]),
        text=_worded(node, "text", include_partner),
        items=_texts(node.get("items", []), include_partner),
    )


def warning_signs(*, include_partner: bool = True) -> Card:
    """Patterns offered for reflection, never as a diagnosis; shown in the private space only."""
    return signal("warning_signs_reflection", include_partner=include_partner)


def expectations() -> Card:
    node = _raw()["expectations"]
    return Card(title=str(node["title"]), text="\n\n".join(_texts(node["paragraphs"], True)))


def milestone(key: str, *, include_partner: bool = True) -> Milestone | None:
    """The milestone reflection for ``6_weeks``, ``3_months`` or ``6_months``.

    Offered to everyone: where partner content is left out, the question is asked in its
    ``_solo`` wording, about the person alone (asking about a partner of someone who has none,
    or after a loss, would be unkind). ``None`` only if the content marks it ``needs_partner``.
    """
    if key not in MILESTONE_KEYS:
        raise KeyError(key)
    node = _raw()["milestones"]
    if not _kept(node, include_partner):
        return None
    return Milestone(
        key=key,
        title=str(node["title"]),
        when=str(node["when"][key]),
        intro=_worded(node, "intro", include_partner),
        question=_worded(node, "question", include_partner),
        hint=str(node["hint"]),
    )


def first_conversation(*, include_partner: bool = True) -> Track | None:
    """The guide to a first conversation; ``None`` without a partner, since it is held with one."""
    node = _raw()["tracks"]["first_conversation"]
    if not _kept(node, include_partner):
        return None
    steps = tuple(
        Question(id=f"step_{n}", text=text, hint="", partner_question=True)
        for n, text in enumerate(_texts(node["steps"], include_partner), start=1)
    )
    return Track("first_conversation", str(node["title"]), str(node["intro"]), steps)


def quarterly_review(*, include_partner: bool = True) -> Track:
    node = _raw()["tracks"]["quarterly_review"]
    steps = tuple(
        Question(
            id=str(q["id"]),
            text=_worded(q, "text", include_partner),
            hint="",
            partner_question="text_solo" in q,
        )
        for q in node["questions"]
    )
    return Track("quarterly_review", str(node["title"]), str(node["intro"]), steps)


def look_back_text(key: str) -> str:
    """Words of the look-back view: ``title``, ``intro``, ``empty_week``, ``no_entries``."""
    return str(_raw()["look_back"][key])


# -- messages and help -----------------------------------------------------------------------


def reminder_text() -> str:
    """The weekly reminder: the same discreet words every week, signal or not."""
    return str(_raw()["reminder"]["text"])


def reminder_label(key: str) -> str:
    """A reminder button label: ``open``, ``pause`` or ``stop``."""
    return str(_raw()["reminder"][f"{key}_label"])


def retention_notice_text(erase_on: date) -> str:
    """The message sent before a space is erased; it names a date and nothing private."""
    when = f"{erase_on.day} {erase_on:%B %Y}"
    return str(_raw()["retention_notice"]["text"]).format(date=when)


def help_fallback(emergency_number: str | None) -> Card:
    """Help lines for when HR configured nothing for the person's country: general support for
    new parents, and the emergency number where one number is known for the country, else
    "your local emergency number". Never "ask HR": the person may not want HR to know."""
    node = _raw()["help_fallback"]
    emergency = (
        str(node["emergency_known"]).format(number=emergency_number)
        if emergency_number
        else str(node["emergency_unknown"])
    )
    return Card(title=str(node["title"]), text="", items=(*_texts(node["lines"], True), emergency))


@lru_cache(maxsize=1)
def _emergency_numbers() -> dict[str, str]:
    text = (resources.files("hr_plugin.vault") / "content" / "countries" / "emergency.json").read_text(
        encoding="utf-8"
    )
    return {str(code): str(number) for code, number in json.loads(text)["numbers"].items()}


def emergency_number(country: str) -> str | None:
    """The one number that reaches every emergency service in ``country`` (two letters), if the
    content file knows one."""
    return _emergency_numbers().get(country.upper())


def counselling_offer(name: str, sessions: int | None) -> str:
    """The sentence naming the counselling HR set up, with its number of sessions if HR gave one.
    Said only when HR configured counselling: the app never promises what is not there."""
    node = _raw()["milestones"]
    if sessions:
        return str(node["counselling_sessions"]).format(sessions=sessions, name=name)
    return str(node["counselling"]).format(name=name)


# -- the guard for messages ------------------------------------------------------------------


@lru_cache(maxsize=1)
def sensitive_words() -> frozenset[str]:
    """Words no Slack message may carry, lower-cased."""
    return frozenset(str(word).casefold() for word in _raw()["sensitive_words"])


@lru_cache(maxsize=1)
def _sensitive_pattern() -> re.Pattern[str]:
    # A word ends where a letter or digit does not follow: ``[^\W_]`` is a letter or digit, so
    # Slack's ``_italic_`` and ``*bold*`` marks and hyphens all count as boundaries.
    words = "|".join(re.escape(word) for word in sorted(sensitive_words(), key=len, reverse=True))
    return re.compile(rf"(?<![^\W_])(?:{words})(?![^\W_])", re.IGNORECASE)


def find_sensitive_words(text: str) -> set[str]:
    """The sensitive words in ``text`` (whole words, any case), for a helpful test failure."""
    return {match.group(0).casefold() for match in _sensitive_pattern().finditer(text)}


def contains_sensitive_word(text: str) -> bool:
    """Whether ``text`` has a sensitive word as a whole word: "touchscreen" does not count."""
    return _sensitive_pattern().search(text) is not None


# -- the longer track (its words live in content/track/en.json) --------------------------------


@lru_cache(maxsize=1)
def _track_raw() -> dict[str, Any]:
    text = (resources.files("hr_plugin.vault") / "content" / "track" / "en.json").read_text(encoding="utf-8")
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("the track's content must be a JSON object")
    return data


def track_words(section: str) -> dict[str, Any]:
    """The words of one part of the longer track (``start``, ``list``, ``steps``, ``goals`` ...),
    as a copy; ``track_words("")`` is the top level (``title``, ``button``, ``saved``)."""
    raw = _track_raw()
    return copy.deepcopy(raw if not section else raw[section])
