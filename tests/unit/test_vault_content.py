"""The private space's words: Slack's limits, discretion in messages, and partner-free wording.

The limits are checked by walking the whole file with the key conventions its ``_note``
states, so text added later is checked without a new test. Discretion is checked on the words
that go out as messages (the reminder, the retention notice) and the App Home line, which can be
on a shared screen.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hr_plugin.vault import content, signals

TITLE_MAX, LABEL_MAX, QUESTION_MAX, SECTION_MAX = 24, 75, 150, 3000


def walk(node: Any, path: str = "") -> Iterator[tuple[str, str, str]]:
    """Every string in the content as (path, key, text); list items keep their parent's key."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key.startswith("_"):
                continue
            for found in walk(value, f"{path}.{key}"):
                yield found if found[1] else (found[0], key, found[2])
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{path}[{index}]")
    elif isinstance(node, str):
        yield path, "", node


def strings() -> list[tuple[str, str, str]]:
    return [item for item in walk(content.content()) if not item[0].startswith(".sensitive_words")]


def all_wordings() -> Iterator[str]:
    for _, _, text in strings():
        yield text


# --- Slack's limits ---------------------------------------------------------------------------


def test_every_modal_title_fits_slack() -> None:
    titles = [(path, text) for path, key, text in strings() if key == "title" or key.endswith("_title")]
    assert len(titles) >= 10
    too_long = [(path, text) for path, text in titles if len(text) > TITLE_MAX]
    assert too_long == []


def test_every_option_and_button_label_fits_slack() -> None:
    labels = [(path, text) for path, key, text in strings() if key == "label" or key.endswith("_label")]
    assert len(labels) >= 20
    assert [(path, text) for path, text in labels if len(text) > LABEL_MAX] == []


def test_questions_are_short_and_every_text_fits_a_section() -> None:
    questions = [
        (path, text)
        for path, key, text in strings()
        if key in ("question", "own_question", "note_question")
        or (".questions[" in path and key in ("text", "text_solo"))
    ]
    assert len(questions) >= 10
    assert [(p, t) for p, t in questions if len(t) > QUESTION_MAX] == []
    assert [(p, t) for p, _, t in strings() if len(t) > SECTION_MAX or not t.strip()] == []


def test_accessors_stay_within_limits_too() -> None:
    for include in (True, False):
        assert all(len(o.label) <= LABEL_MAX for o in content.experiments(include_partner=include))
        assert all(
            len(q.text) <= QUESTION_MAX for q in content.checkin_questions(include_partner_questions=include)
        )
    assert len(content.consent().title) <= TITLE_MAX
    assert len(content.space_title()) <= TITLE_MAX
    assert all(len(o.label) <= LABEL_MAX for o in content.rating_options())
    assert all(len(o.label) <= LABEL_MAX for o in content.follow_up().options)


# --- discretion -------------------------------------------------------------------------------


def test_the_reminder_says_nothing_sensitive() -> None:
    assert content.reminder_text() == "Your weekly reflection is ready."
    assert not content.contains_sensitive_word(content.reminder_text())
    for key in ("open", "pause", "stop"):
        assert not content.contains_sensitive_word(content.reminder_label(key))


def test_other_outward_words_say_nothing_sensitive() -> None:
    for text in (
        content.retention_notice_text(date(2027, 2, 1)),
        content.home_line(),
        content.open_label(),
        content.space_title(),
    ):
        assert content.find_sensitive_words(text) == set(), text


def test_the_retention_notice_names_the_date() -> None:
    assert "1 February 2027" in content.retention_notice_text(date(2027, 2, 1))


def test_the_list_has_the_words_the_design_needs() -> None:
    words = content.sensitive_words()
    required = {"touch", "intimacy", "intimate", "sex", "sexual", "desire", "closeness", "libido", "arousal"}
    assert required <= words
    assert all(word == word.strip().casefold() and word for word in words)


@pytest.mark.parametrize(
    "text",
    [
        "touch",
        "Touch",
        "TOUCH base",
        "a touch.",
        "touch-starved",
        "*touch*",
        "_touch_",
        "(sex)",
        "Partner's day",
    ],
)
def test_sensitive_words_are_found_as_whole_words_in_any_case(text: str) -> None:
    assert content.contains_sensitive_word(text)


@pytest.mark.parametrize(
    "text",
    ["touchscreen", "retouch", "Essex office", "sextant", "Sussex", "partnership review", "a closeness2"],
)
def test_a_word_inside_another_word_is_not_sensitive(text: str) -> None:
    assert not content.contains_sensitive_word(text)


@given(
    st.sampled_from(sorted(content.sensitive_words())),
    st.sampled_from([" ", "\n", ". ", "*", "_", "-", "(", "\u00a0"]),
    st.sampled_from(["", " ", "!", "*", "_", "-", ")", "'s"]),
    st.booleans(),
)
def test_any_sensitive_word_between_boundaries_is_found(
    word: str, before: str, after: str, upper: bool
) -> None:
    assert content.contains_sensitive_word(f"hello{before}{word.upper() if upper else word}{after}")
    assert content.find_sensitive_words(f"hello{before}{word}{after}") == {word}
    assert not content.contains_sensitive_word(f"x{word}y")


# --- partner-free wording and the family mark -------------------------------------------------

PARTNER_WORDS = re.compile(
    r"\b(partner|partners|together|each other|we|us|both of you|either of you)\b", re.I
)


def test_partner_questions_are_left_out_when_asked() -> None:
    with_partner = content.checkin_questions(include_partner_questions=True)
    without = content.checkin_questions(include_partner_questions=False)

    assert [q.id for q in with_partner] == ["restorative", "demand", "vulnerability"]
    assert any(q.partner_question for q in with_partner)
    assert not any(q.partner_question for q in without)
    for question in without:
        assert not PARTNER_WORDS.search(question.text + " " + question.hint), question
    # and the wording that does speak of a partner really differs
    assert {q.text for q in with_partner} != {q.text for q in without}


def test_experiments_without_a_partner_exist_and_are_all_that_single_parents_see() -> None:
    everyone = content.experiments(include_partner=True)
    alone = content.experiments(include_partner=False)

    assert 8 <= len(everyone) <= 12
    assert len(alone) >= 3
    assert all(not e.needs_partner for e in alone)
    assert {e.id for e in alone} < {e.id for e in everyone}
    assert len({e.id for e in everyone}) == len(everyone)
    for experiment in alone:
        assert not PARTNER_WORDS.search(experiment.label), experiment
    assert any("15-minute foot massage" in e.label for e in everyone)


def test_without_a_partner_no_text_speaks_of_one() -> None:
    texts = [
        *content.consent(include_partner=False).paragraphs,
        content.disclaimer(include_partner=False),
        content.checkin_text("talk_reminder", include_partner=False),
        *(s.text for s in content.quarterly_review(include_partner=False).steps),
    ]
    for signal in signals.Signal:
        card = content.signal(signal.value, include_partner=False)
        texts += [card.title, card.text, *card.items]
    warning = content.warning_signs(include_partner=False)
    texts += [warning.text, *warning.items]
    alone = [content.milestone(key, include_partner=False) for key in signals.MILESTONES]
    for milestone in alone:  # offered to everyone, in words about the person alone
        assert milestone is not None
        texts += [milestone.title, milestone.when, milestone.intro, milestone.question, milestone.hint]
    for text in texts:
        assert not PARTNER_WORDS.search(text), text
    assert content.first_conversation(include_partner=False) is None


def test_every_text_that_speaks_of_a_partner_has_a_way_to_be_left_out() -> None:
    """A partner may only be named where a ``_solo`` sibling or ``needs_partner`` covers it."""

    def uncovered(node: Any, covered: bool, path: str) -> Iterator[str]:
        if isinstance(node, dict):
            here = covered or bool(node.get("needs_partner"))
            for key, value in node.items():
                if key.startswith("_") or key == "sensitive_words" or key.endswith("_solo"):
                    continue
                sibling = f"{key}_solo" in node or (key == "text" and "text_solo" in node)
                yield from uncovered(value, here or sibling, f"{path}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from uncovered(value, covered, f"{path}[{index}]")
        elif isinstance(node, str) and not covered and re.search(r"\bpartners?\b", node, re.I):
            yield path

    assert list(uncovered(content.content(), False, "")) == []


def test_nothing_mentions_a_baby_so_the_words_stay_kind_after_a_loss() -> None:
    for text in all_wordings():
        assert not re.search(r"\b(baby|babies|newborn|infant|pregnan\w*)\b", text, re.I), text


def test_partner_wording_never_assumes_a_gender_or_who_gave_birth() -> None:
    for text in all_wordings():
        assert not re.search(
            r"\b(he|she|him|her|his|hers|husband|wife|mother|father|mum|mom|dad|gave birth)\b", text, re.I
        ), text


# --- the pieces the brief names ---------------------------------------------------------------


def test_the_four_rating_ids_are_exactly_as_specified() -> None:
    options = content.rating_options()
    assert [o.id for o in options] == ["restorative", "neutral", "demanding", "none_good"]
    assert tuple(o.id for o in options) == signals.RATINGS
    assert dict((o.id, o.label) for o in options)["none_good"] == "Nothing felt good this week"


def test_the_follow_up_has_three_outcomes_and_a_note() -> None:
    follow_up = content.follow_up()
    assert [o.id for o in follow_up.options] == ["tried", "partly", "not_tried"]
    assert follow_up.note_question


def test_every_signal_has_words() -> None:
    for signal in [*signals.Signal, "warning_signs_reflection"]:
        card = content.signal(str(signal))
        assert card.title and card.text
    assert len(content.warning_signs().items) >= 3


def test_consent_says_what_a_person_needs_to_decide() -> None:
    text = " ".join(content.consent().paragraphs).lower()
    for needed in (
        "encrypted",
        "manager",
        "mentor",
        "hr",
        "database",
        "slack's servers",
        "never posted",
        "export",
        "delete",
        "not medical advice",
        "nobody",
        "never an obligation",
        "including a partner",
    ):
        assert needed in text, needed


def test_every_private_screen_line_states_the_limits() -> None:
    for include in (True, False):
        line = content.disclaimer(include_partner=include).lower()
        assert "not medical advice" in line and "nobody monitors" in line and "never an obligation" in line


def test_milestones_first_conversation_and_review() -> None:
    for key in signals.MILESTONES:
        milestone = content.milestone(key)
        assert milestone is not None and milestone.when and "partner" in milestone.question
    with pytest.raises(KeyError):
        content.milestone("1_year")
    guide = content.first_conversation()
    assert guide is not None and 4 <= len(guide.steps) <= 7
    assert "bedroom" in " ".join(s.text for s in guide.steps)
    assert [q.id for q in content.quarterly_review().steps] == ["felt_good", "felt_heavy", "next_experiment"]


def test_help_fallback_invents_no_phone_numbers_and_never_sends_people_to_hr() -> None:
    unknown = content.help_fallback(None)
    assert unknown.items and "your local emergency number" in unknown.items[-1]
    assert not any(re.search(r"\d{3}", line) for line in unknown.items)
    known = content.help_fallback(content.emergency_number("gb"))
    assert known.items[-1].endswith("call 999.") and known.items[:-1] == unknown.items[:-1]
    for card in (unknown, known):
        assert not re.search(r"\bHR\b", " ".join(card.items))
        assert "doctor or your local health service" in card.items[0]
    assert content.emergency_number("ZZ") is None
    assert content.emergency_number("FR") == "112" and content.emergency_number("US") == "911"


def test_counselling_is_named_only_as_hr_set_it_up() -> None:
    plain = content.counselling_offer("Company EAP", None)
    counted = content.counselling_offer("Company EAP", 6)
    assert "(Company EAP)" in plain and "sessions" not in plain
    assert "6 counselling sessions" in counted


def test_content_is_a_copy_callers_cannot_spoil() -> None:
    content.content()["reminder"]["text"] = "changed"
    assert content.reminder_text() == "Your weekly reflection is ready."
