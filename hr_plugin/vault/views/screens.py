"""The private space's screens. All are modals the owner opens; none is an App Home or a message.

Every private screen ends with the help HR configured for the person's country and the
disclaimer (not medical advice, nobody monitors this, never an obligation to anyone).
``private_metadata`` carries only a signed single-use token, never content.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DatePickerElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from hr_plugin.slack.blockkit import escape, fit_lines
from hr_plugin.vault import content
from hr_plugin.vault.actions import (
    CHECKIN_ACTION,
    CHECKIN_CALLBACK,
    CONSENT_CALLBACK,
    DELETE_ACTION,
    DELETE_CALLBACK,
    DONE_CALLBACK,
    EXPORT_ACTION,
    EXPORT_CALLBACK,
    GUIDE_ACTION,
    LINK_CALLBACK,
    LOOK_BACK_ACTION,
    LOOK_BACK_CALLBACK,
    MILESTONE_ACTION,
    OPEN_ACTION,
    PAPER_ACTION,
    PAST_REVIEWS_ACTION,
    PAUSE_IN_SPACE_ACTION,
    PROFILE_ACTION,
    PROFILE_CALLBACK,
    READING_CALLBACK,
    REFLECTION_CALLBACK,
    REMINDERS_ACTION,
    REMINDERS_CALLBACK,
    REVIEW_ACTION,
    RITUAL_ACTION,
    SPACE_CALLBACK,
    STOP_IN_SPACE_ACTION,
    TRACK_ACTION,
)
from hr_plugin.vault.signals import Signal, TrendPoint
from hr_plugin.vault.values import MAX_ANSWER, MAX_EXPERIMENT, MAX_EXPERIMENTS, Resource, nth

RATING_BLOCK, EXPERIMENT_BLOCK, OWN_EXPERIMENT_BLOCK = "rating", "experiment", "own_experiment"
FOLLOW_UP_BLOCK, FOLLOW_UP_NOTE_BLOCK = "follow_up", "follow_up_note"
EXPERIMENT_DAY_BLOCK, EXPERIMENT_TIME_BLOCK = "experiment_day", "experiment_time"
CLOSENESS_BLOCK = "closeness_outside"
WEEKDAY_BLOCK, TIME_BLOCK = "weekday", "time"
PARTNER_BLOCK, ARRIVAL_BLOCK = "partner_questions", "arrival_date"
PARTNER_RATING_BLOCK, PARTNER_WORDS_BLOCK = "partner_rating", "partner_words"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
RATING_WORDS = {
    "restorative": "restorative",
    "neutral": "neutral",
    "demanding": "demanding",
    "none_good": "nothing felt good",
}


@dataclass(frozen=True)
class SpaceState:
    include_partner: bool
    checked_in_this_week: bool
    signals: Sequence[Signal]
    reminder: str
    milestone_due: str | None
    # The first-conversation guide is always there for someone with partner content; this says
    # whether to put it forward now (4 to 8 weeks after the arrival or the leave's start).
    first_conversation: bool
    export_url: str | None = None
    review_due: bool = False
    past_reviews: bool = False
    # Shown the first time the person uses the space (right after agreeing).
    expectations: bool = False


def _footer(resources: Sequence[Resource], include_partner: bool) -> list[Block]:
    configured = [r for r in resources if not r.built_in]
    if configured:
        # HR's words and links: escaped, and whole lines dropped at the limit so no link is cut.
        lines = [f"• <{escape(r.url)}|{escape(r.name)}>: {escape(r.description)}" for r in configured]
        helpful = fit_lines(lines, head="*If you need help*", limit=2900)
    else:
        emergency = next((r.url.removeprefix("tel:") for r in resources if r.kind == "emergency"), None)
        fallback = content.help_fallback(emergency)
        helpful = f"*{fallback.title}*\n" + "\n".join(fallback.items or [fallback.text])
    return [
        DividerBlock(),
        SectionBlock(text=MarkdownTextObject(text=helpful[:2900])),
        ContextBlock(elements=[MarkdownTextObject(text=content.disclaimer(include_partner=include_partner))]),
    ]


def _modal(
    callback_id: str,
    title: str,
    blocks: list[Block],
    *,
    token: str = "",
    submit: str | None = None,
    close: str = "Close",
) -> View:
    return View(
        type="modal",
        callback_id=callback_id,
        title=title[:24],
        submit=submit,
        close=close,
        private_metadata=token,
        blocks=blocks,
    )


def consent_modal(token: str, resources: Sequence[Resource]) -> View:
    info = content.consent(include_partner=True)
    paragraphs: list[Block] = [SectionBlock(text=MarkdownTextObject(text=p)) for p in info.paragraphs]
    return _modal(
        CONSENT_CALLBACK,
        info.title,
        [*paragraphs, _arrival_input(None), *_footer(resources, True)],
        token=token,
        submit=info.accept_label,
        close=info.decline_label,
    )


def space_modal(state: SpaceState, resources: Sequence[Resource]) -> View:
    partner = state.include_partner
    week = (
        "You have checked in this week. You can change it."
        if state.checked_in_this_week
        else "This week's check-in is ready when you are."
    )
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=week)),
        ActionsBlock(
            block_id="space",
            elements=[
                ButtonElement(
                    text="Weekly check-in", action_id=CHECKIN_ACTION, value="open", style="primary"
                ),
                ButtonElement(text="Look back", action_id=LOOK_BACK_ACTION, value="open"),
                ButtonElement(text="Reminders", action_id=REMINDERS_ACTION, value="open"),
                ButtonElement(text="My settings", action_id=PROFILE_ACTION, value="open"),
            ],
        ),
    ]
    if state.expectations:
        blocks.append(_expectations())
    for signal in state.signals:
        card = content.signal(str(signal), include_partner=partner)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*{card.title}*\n{card.text}")))
    words = content.space_words
    now: list[str] = []
    extra: list[ButtonElement] = []
    if state.milestone_due:
        milestone = content.milestone(state.milestone_due, include_partner=partner)
        if milestone is not None:
            now.append(words("milestone_now").format(when=milestone.when))
            extra.append(
                ButtonElement(
                    text=words("milestone_label"),
                    action_id=MILESTONE_ACTION,
                    value=state.milestone_due,
                    style="primary",
                )
            )
    if partner:  # the guide is about a conversation with a partner
        if state.first_conversation:
            now.append(words("first_conversation_now"))
        extra.append(
            ButtonElement(
                text=words("first_conversation_label"),
                action_id=GUIDE_ACTION,
                value="open",
                style="primary" if state.first_conversation else None,
            )
        )
    if state.review_due:
        now.append(words("review_due"))
    extra.append(
        ButtonElement(
            text=words("review_label"),
            action_id=REVIEW_ACTION,
            value="open",
            style="primary" if state.review_due else None,
        )
    )
    if state.past_reviews:
        extra.append(
            ButtonElement(text=words("past_reviews_label"), action_id=PAST_REVIEWS_ACTION, value="open")
        )
    extra.append(ButtonElement(text="Questions on paper", action_id=PAPER_ACTION, value="open"))
    if partner:
        extra.append(ButtonElement(text="Our weekly time", action_id=RITUAL_ACTION, value="open"))
        # The longer track, opt-in: for a couple, so drawn only where partner content is shown.
        extra.append(ButtonElement(text="A longer track", action_id=TRACK_ACTION, value="open"))
    if now:
        blocks.append(SectionBlock(block_id="now", text=MarkdownTextObject(text="\n".join(now))))
    blocks.append(ActionsBlock(block_id="tracks", elements=extra))
    blocks.append(SectionBlock(text=MarkdownTextObject(text=f"_Reminders:_ {state.reminder}")))
    blocks.append(
        ActionsBlock(
            block_id="data",
            elements=[
                ButtonElement(text="Export my entries", action_id=EXPORT_ACTION, value="export"),
                ButtonElement(
                    text="Delete everything",
                    action_id=DELETE_ACTION,
                    value="delete",
                    style="danger",
                ),
            ],
        )
    )
    return _modal(SPACE_CALLBACK, content.space_title(), [*blocks, *_footer(resources, partner)])


def checkin_modal(
    token: str,
    *,
    include_partner: bool,
    last_experiments: Sequence[dict[str, Any]],
    resources: Sequence[Resource],
    expectations: bool = False,
) -> View:
    """The week's check-in: ``last_experiments`` are the latest earlier check-in's (each a
    ``text`` with an optional ``day`` and ``time``), each followed up here."""
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"{content.checkin_text('intro', include_partner=include_partner)}\n"
                f"_{content.checkin_text('contradictions', include_partner=include_partner)}_"
            )
        )
    ]
    if expectations:
        blocks.append(_expectations())
    for question in content.checkin_questions(include_partner_questions=include_partner):
        blocks.append(
            InputBlock(
                block_id=question.id,
                label=question.text,
                hint=question.hint or None,
                optional=True,
                element=PlainTextInputElement(action_id="value", multiline=True, max_length=2000),
            )
        )
    options = [Option(value=o.id, label=o.label) for o in content.rating_options()]
    blocks.append(
        InputBlock(
            block_id=RATING_BLOCK,
            label=content.rating_question(),
            element=RadioButtonsElement(action_id="value", options=options),
        )
    )
    if include_partner:
        blocks += _partner_part(options)
    blocks += _follow_ups(last_experiments)
    blocks += _experiments(include_partner)
    blocks.append(_closeness())
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=content.checkin_text("talk_reminder", include_partner=include_partner)
                )
            ]
        )
    )
    return _modal(
        CHECKIN_CALLBACK,
        content.checkin_text("title", include_partner=include_partner),
        [*blocks, *_footer(resources, include_partner)],
        token=token,
        submit="Save",
        close="Back",
    )


def _when(planned: dict[str, Any]) -> str:
    """An experiment's optional day and time, as "Tuesday 19:00", or ""."""
    day = planned.get("day")
    parts = [WEEKDAYS[day] if isinstance(day, int) and 0 <= day < 7 else "", str(planned.get("time") or "")]
    return " ".join(part for part in parts if part)


def _follow_ups(last_experiments: Sequence[dict[str, Any]]) -> list[Block]:
    """For each of last week's experiments: what it was, how it went, and a note."""
    follow = content.follow_up()
    blocks: list[Block] = []
    for index, planned in enumerate(last_experiments[:MAX_EXPERIMENTS]):
        when = _when(planned)
        named = escape(str(planned.get("text") or "")) + (f" ({when})" if when else "")
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=follow.last_week.format(experiment=f"_{named}_")[:2900])
            )
        )
        blocks.append(
            InputBlock(
                block_id=f"{FOLLOW_UP_BLOCK}{nth(index)}",
                label=follow.question,
                optional=True,
                element=RadioButtonsElement(
                    action_id="value", options=[Option(value=o.id, label=o.label) for o in follow.options]
                ),
            )
        )
        blocks.append(
            InputBlock(
                block_id=f"{FOLLOW_UP_NOTE_BLOCK}{nth(index)}",
                label=follow.note_question,
                optional=True,
                hint=follow.note_hint or None,
                element=PlainTextInputElement(action_id="value", multiline=True, max_length=MAX_ANSWER),
            )
        )
    return blocks


def _experiments(include_partner: bool) -> list[Block]:
    """Up to three experiments for the coming week, each chosen or described, with an optional
    day and time. No reminder is ever sent for them: the screen says so."""
    prompt = content.experiment_prompt()
    choices = [
        Option(value=e.id, label=e.label) for e in content.experiments(include_partner=include_partner)
    ]
    days = [Option(value=str(index), label=name) for index, name in enumerate(WEEKDAYS)]
    blocks: list[Block] = []
    for index in range(MAX_EXPERIMENTS):
        suffix = nth(index)
        blocks.append(
            InputBlock(
                block_id=f"{EXPERIMENT_BLOCK}{suffix}",
                label=prompt["question"] if index == 0 else prompt[f"more_question_{index + 1}"],
                optional=True,
                hint=(prompt.get("hint") or None) if index == 0 else None,
                element=StaticSelectElement(action_id="value", options=choices),
            )
        )
        blocks.append(
            InputBlock(
                block_id=f"{OWN_EXPERIMENT_BLOCK}{suffix}",
                label=prompt["own_question"],
                optional=True,
                hint=(prompt.get("own_hint") or None) if index == 0 else None,
                element=PlainTextInputElement(action_id="value", max_length=MAX_EXPERIMENT),
            )
        )
        blocks.append(
            InputBlock(
                block_id=f"{EXPERIMENT_DAY_BLOCK}{suffix}",
                label=prompt["day_question"],
                optional=True,
                element=StaticSelectElement(action_id="value", options=days),
            )
        )
        blocks.append(
            InputBlock(
                block_id=f"{EXPERIMENT_TIME_BLOCK}{suffix}",
                label=prompt["time_question"],
                optional=True,
                element=TimePickerElement(action_id="value"),
            )
        )
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=prompt["no_reminder"])]))
    return blocks


def _closeness() -> Block:
    question, options = content.closeness_question()
    return InputBlock(
        block_id=CLOSENESS_BLOCK,
        label=question,
        optional=True,
        element=RadioButtonsElement(
            action_id="value", options=[Option(value=o.id, label=o.label) for o in options]
        ),
    )


def _partner_part(options: list[Option]) -> list[Block]:
    """The optional part done together: what the partner chose to share, noted after talking."""
    part = content.partner_part()
    return [
        HeaderBlock(text=part["title"]),
        ContextBlock(elements=[MarkdownTextObject(text=part["intro"])]),
        InputBlock(
            block_id=PARTNER_RATING_BLOCK,
            label=part["rating_question"],
            optional=True,
            element=RadioButtonsElement(action_id="value", options=options),
        ),
        InputBlock(
            block_id=PARTNER_WORDS_BLOCK,
            label=part["words_question"],
            hint=part["words_hint"],
            optional=True,
            element=PlainTextInputElement(action_id="value", multiline=True, max_length=2000),
        ),
    ]


def look_back_modal(
    points: Sequence[TrendPoint],
    entries: Sequence[dict[str, Any]],
    *,
    include_partner: bool,
    resources: Sequence[Resource],
    warning_signs: bool = False,
) -> View:
    lines = []
    for point in points:
        rating = (
            RATING_WORDS.get(point.rating or "", "") if point.rating else content.look_back_text("empty_week")
        )
        lines.append(f"{point.start:%d %b}: {rating}")
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=content.look_back_text("intro"))),
        SectionBlock(text=MarkdownTextObject(text="\n".join(lines) or content.look_back_text("no_entries"))),
    ]
    latest = entries[-1] if entries else None
    if latest is not None:
        answers = "\n".join(
            f"• {escape(text)}"
            for text in (latest.get("restorative"), latest.get("demand"), latest.get("vulnerability"))
            if text
        )
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"*Your latest entry ({latest['week']})*\n{answers or '_no words that week_'}"[:2900]
                )
            )
        )
        if include_partner and latest.get("partner_words"):
            title = content.partner_part()["title"]
            blocks.append(
                SectionBlock(
                    text=MarkdownTextObject(text=f"*{title}*\n• {escape(latest['partner_words'])}"[:2900])
                )
            )
    lines = _experiment_lines(entries)
    if lines:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=fit_lines(lines[-12:], head="*Experiments*", limit=2900))
            )
        )
    if warning_signs:
        # After repeated hard weeks: patterns to reflect on, never a diagnosis, never sent anywhere.
        signs = content.warning_signs(include_partner=include_partner)
        listed = "\n".join(f"• {item}" for item in signs.items)
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text=f"*{signs.title}*\n{signs.text}\n{listed}"[:2900]))
        )
    blocks.append(_expectations())
    return _modal(
        LOOK_BACK_CALLBACK,
        content.look_back_text("title"),
        [*blocks, *_footer(resources, include_partner)],
        close="Back",
    )


def _experiment_lines(entries: Sequence[dict[str, Any]]) -> list[str]:
    """One line per experiment, oldest first: its week, what it was, its day and time, and how
    it went where the next check-in said."""
    outcomes = {o.id: o.label for o in content.follow_up().options}
    lines = []
    for position, entry in enumerate(entries):
        following = entries[position + 1] if position + 1 < len(entries) else {}
        # A follow-up gives the place of the experiment it answers in last week's list (two
        # experiments may have the same words); one saved before there could be three gives
        # none and answers the only one.
        follow_ups = following.get("follow_ups") or []
        by_place = {f["index"]: f.get("outcome") for f in follow_ups if isinstance(f.get("index"), int)}
        unplaced = [f.get("outcome") for f in follow_ups if not isinstance(f.get("index"), int)]
        for index, planned in enumerate(entry.get("experiments") or []):
            when = _when(planned)
            line = f"• {escape(str(entry.get('week', '')))}: {escape(str(planned.get('text') or ''))[:700]}"
            line += f" ({when})" if when else ""
            outcome = by_place.get(index, unplaced[0] if index == 0 and unplaced else None)
            if outcome in outcomes:
                line += f": _{outcomes[outcome]}_"
            lines.append(line)
    return lines


def _expectations() -> Block:
    """What to expect: in Look back, and the first time the space and the check-in are used."""
    card = content.expectations()
    return SectionBlock(
        block_id="expectations", text=MarkdownTextObject(text=f"*{card.title}*\n{card.text}"[:2900])
    )


def reminders_modal(
    token: str, weekday: int | None, at: str | None, *, include_partner: bool, resources: Sequence[Resource]
) -> View:
    days = [Option(value=str(index), label=name) for index, name in enumerate(WEEKDAYS)]
    return _modal(
        REMINDERS_CALLBACK,
        "Reminders",
        [
            SectionBlock(
                text="A short, discreet message on the day and time you pick, in your own time zone."
            ),
            InputBlock(
                block_id=WEEKDAY_BLOCK,
                label="Day",
                element=StaticSelectElement(
                    action_id="value",
                    options=days,
                    initial_option=days[weekday] if weekday is not None else None,
                ),
            ),
            InputBlock(
                block_id=TIME_BLOCK,
                label="Time",
                element=TimePickerElement(action_id="value", initial_time=at or "20:00"),
            ),
            ActionsBlock(
                block_id="pause",
                elements=[
                    ButtonElement(text="Pause 2 weeks", action_id=PAUSE_IN_SPACE_ACTION, value="2"),
                    ButtonElement(text="Stop reminders", action_id=STOP_IN_SPACE_ACTION, value="stop"),
                ],
            ),
            *_footer(resources, include_partner),
        ],
        token=token,
        submit="Save",
        close="Back",
    )


def profile_modal(
    token: str, *, include_partner: bool, arrival: str | None, resources: Sequence[Resource]
) -> View:
    options = [
        Option(value="yes", label="Include questions about a partner"),
        Option(value="no", label="Leave partner questions out"),
    ]
    return _modal(
        PROFILE_CALLBACK,
        "My settings",
        [
            SectionBlock(text="These stay in your private space, encrypted like your answers."),
            InputBlock(
                block_id=PARTNER_BLOCK,
                label="Questions",
                element=RadioButtonsElement(
                    action_id="value", options=options, initial_option=options[0 if include_partner else 1]
                ),
            ),
            _arrival_input(arrival),
            *_footer(resources, include_partner),
        ],
        token=token,
        submit="Save",
        close="Back",
    )


def _arrival_input(arrival: str | None) -> InputBlock:
    """The optional arrival date: at consent, and in My settings to change it."""
    return InputBlock(
        block_id=ARRIVAL_BLOCK,
        label=content.space_words("arrival_label"),
        optional=True,
        hint=content.space_words("arrival_hint"),
        element=DatePickerElement(action_id="value", initial_date=arrival),
    )


def reflection_modal(
    token: str,
    title: str,
    intro: str,
    questions: Sequence[tuple[str, str]],
    *,
    include_partner: bool,
    resources: Sequence[Resource],
) -> View:
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=intro[:2900]))]
    for qid, text in questions:
        blocks.append(
            InputBlock(
                block_id=qid,
                label=text,
                optional=True,
                element=PlainTextInputElement(action_id="value", multiline=True, max_length=2000),
            )
        )
    return _modal(
        REFLECTION_CALLBACK,
        title,
        [*blocks, *_footer(resources, include_partner)],
        token=token,
        submit="Save",
        close="Back",
    )


def past_reviews_modal(
    reviews: Sequence[dict[str, Any]],
    review: content.Track,
    *,
    include_partner: bool,
    resources: Sequence[Resource],
    milestones: Sequence[dict[str, Any]] = (),
) -> View:
    """The person's reflections to read, newest first: each quarterly review and each milestone
    answer with its date and words, escaped, and as many as fit in a modal (the rest are in the
    export)."""
    questions = [(step.id, step.text) for step in review.steps]
    footer = _footer(resources, include_partner)
    room = 100 - len(footer) - 2  # the intro, and the line saying older ones are in the export
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=content.space_words("past_reviews_intro")))
    ]
    dated = [(entry, questions, review.title) for entry in reviews]
    for reflection in milestones:
        key = str(reflection.get("milestone"))
        known = (
            content.milestone(key, include_partner=include_partner) if key in content.MILESTONE_KEYS else None
        )
        title = f"{known.title}: {known.when}" if known else content.space_words("past_milestone")
        dated.append((reflection, [("answer", known.question if known else "")], title))
    newest_first = sorted(dated, key=lambda d: str(d[0].get("saved_at", "")), reverse=True)
    for shown, (entry, asked, title) in enumerate(newest_first):
        if shown == room:
            more = content.space_words("past_reviews_more")
            blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
            break
        when = str(entry.get("saved_at", ""))[:10]
        parts = [f"*{escape(title)}, {escape(when)}*"]
        for qid, text in asked:
            answer = str(entry.get(qid) or "").strip()
            if answer:
                parts.append((f"_{escape(text)}_\n" if text else "") + _escaped_cut(answer, 900))
        blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(parts)[:2990])))
    return _modal(
        READING_CALLBACK, content.space_words("past_reviews_title"), [*blocks, *footer], close="Back"
    )


def _escaped_cut(text: str, size: int) -> str:
    """``text`` escaped for ``mrkdwn`` and, if longer than ``size`` escaped, cut there (never
    inside an entity) with an ellipsis."""
    chunks = _escaped_chunks(text, size)
    return chunks[0] + ("…" if len(chunks) > 1 else "") if chunks else ""


def reading_modal(
    title: str, paragraphs: Sequence[str], *, include_partner: bool, resources: Sequence[Resource]
) -> View:
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=p[:2900])) for p in paragraphs]
    return _modal(READING_CALLBACK, title, [*blocks, *_footer(resources, include_partner)], close="Back")


def export_modal(
    *, url: str | None, inline_json: str | None, include_partner: bool, resources: Sequence[Resource]
) -> View:
    if url:
        body = [
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"<{url}|{content.link_words('export')['modal_link']}>\n"
                    + content.link_words("export")["modal_text"]
                )
            )
        ]
    else:
        chunks = _escaped_chunks(inline_json or "", 2800)[:40]
        body = [SectionBlock(text=MarkdownTextObject(text=f"```{chunk}```")) for chunk in chunks] or [
            SectionBlock(text="Nothing to export yet.")
        ]
    return _modal(EXPORT_CALLBACK, "Export", [*body, *_footer(resources, include_partner)], close="Back")


def link_modal(
    kind: str, *, url: str | None, fallback: str, include_partner: bool, resources: Sequence[Resource]
) -> View:
    """A single-use link made for home (``questions`` or ``ritual``), or, where the app has no
    web address to link to, ``fallback`` (the same thing as text)."""
    words = content.link_words(kind)
    text = f"<{url}|{words['modal_link']}>\n{words['modal_text']}" if url else escape(fallback)
    return _modal(
        LINK_CALLBACK,
        words["modal_title"],
        [SectionBlock(text=MarkdownTextObject(text=text[:2900])), *_footer(resources, include_partner)],
        close="Back",
    )


def _escaped_chunks(text: str, size: int) -> list[str]:
    """``text`` escaped for ``mrkdwn``, in pieces of at most ``size`` characters.

    Why here and not after cutting: an escaped character is up to five long (``&amp;``), so the
    pieces are measured escaped, and never cut inside an entity.
    """
    chunks: list[str] = []
    current = ""
    for character in text:
        shown = escape(character)
        if len(current) + len(shown) > size:
            chunks.append(current)
            current = ""
        current += shown
    return [*chunks, current] if current else chunks


def delete_modal(token: str, *, include_partner: bool, resources: Sequence[Resource]) -> View:
    return _modal(
        DELETE_CALLBACK,
        "Delete everything",
        [
            SectionBlock(
                text=MarkdownTextObject(
                    text="This destroys the key to your private space and removes every entry. "
                    "It cannot be undone, and nobody, including you, will be able to read them again. "
                    "Nothing else in the program changes."
                )
            ),
            *_footer(resources, include_partner),
        ],
        token=token,
        submit="Delete",
        close="Keep",
    )


def done_modal(text: str) -> View:
    return _modal(DONE_CALLBACK, "Private space", [SectionBlock(text=text)], close="Close")


def home_blocks() -> list[Block]:
    """On the App Home (maybe a shared screen): only a button, the same whether used or not."""
    return [
        DividerBlock(),
        HeaderBlock(text=content.space_title()[:150]),
        SectionBlock(
            text=MarkdownTextObject(text=content.home_line()),
            accessory=ButtonElement(text=content.open_label(), action_id=OPEN_ACTION, value="home"),
        ),
    ]


def confirm_delete() -> ConfirmObject:
    return ConfirmObject(
        title="Delete everything?", text="This cannot be undone.", confirm="Delete", deny="Keep"
    )
