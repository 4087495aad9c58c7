"""The longer track's screens, and what its tools submit. Pure, like the space's other screens.

Every screen is a modal its owner opens from their private space; what they wrote is shown back
only there, escaped. ``private_metadata`` holds only the signed single-use token. Each input's
``block_id`` is the field's name, so an error the vault names a field for lands beside it.
Nothing here shows a target: the list marks the step suggested now, never where anyone
"should" be, and the touch stages have no progress bar.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Self

from pydantic import BaseModel, Field
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from hr_plugin.slack.blockkit import escape, state_value
from hr_plugin.vault import content, track
from hr_plugin.vault.actions import (
    READING_CALLBACK,
    REVIEW_ACTION,
    RITUAL_ACTION,
    TRACK_CALLBACK,
    TRACK_LIST_CALLBACK,
    TRACK_STOP_ACTION,
    track_step_action,
)
from hr_plugin.vault.values import Resource
from hr_plugin.vault.views.screens import _footer, _modal

# The text fields of each tool, by name (each its input's block id), and their limits.
TEXT_FIELDS: dict[str, tuple[tuple[str, int], ...]] = {
    track.GOALS: (
        ("my_problem", track.GOAL_MAX),
        ("my_outcome", track.GOAL_MAX),
        ("their_problem", track.GOAL_MAX),
        ("their_outcome", track.GOAL_MAX),
    ),
    track.RULES: (
        ("pause_phrase", track.PHRASE_MAX),
        ("return_phrase", track.PHRASE_MAX),
        ("red_lines", track.LINES_MAX),
    ),
    track.ASK: (("when", track.ASK_MAX), ("felt", track.ASK_MAX), ("ask", track.ASK_MAX)),
    track.TOUCH: (("green", track.WORD_MAX), ("yellow", track.WORD_MAX), ("red", track.WORD_MAX)),
    track.RITUAL: (("what", track.RITUAL_MAX), ("when", track.PHRASE_MAX)),
}
STAGE_BLOCK = "stage"


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _text(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text[:2900]))


def _input(
    name: str,
    label: str,
    limit: int,
    saved: Mapping[str, Any],
    *,
    multiline: bool = False,
    hint: str | None = None,
) -> InputBlock:
    """An optional text input, holding what was saved (a text input's value is never markup)."""
    initial = str(saved.get(name) or "")[:limit] or None
    return InputBlock(
        block_id=name,
        label=label,
        optional=True,
        hint=hint,
        element=PlainTextInputElement(
            action_id="value", multiline=multiline, max_length=limit, initial_value=initial
        ),
    )


# -- the opt-in, the list, leaving -----------------------------------------------------------


def track_start_modal(token: str, resources: Sequence[Resource]) -> View:
    words = content.track_words("start")
    blocks: list[Block] = [_text(p) for p in words["paragraphs"]]
    return _modal(
        TRACK_CALLBACK,
        words["title"],
        [*blocks, *_footer(resources, True)],
        token=token,
        submit=words["submit"],
        close="Back",
    )


def track_modal(progress: track.Progress, resources: Sequence[Resource]) -> View:
    """The steps as a list: where the person is, the suggested step marked, every step open."""
    words = content.track_words("list")
    steps = content.track_words("steps")
    started = progress.started or progress.today
    within = progress.week <= track.LENGTH_WEEKS
    # Within the eight weeks: "week N"; after them, how many whole weeks ago it started.
    where = words["week" if within else "after"].format(
        started=_day(started), week=progress.week if within else progress.week - 1
    )
    blocks: list[Block] = [_text(f"{where}\n_{words['free']}_")]
    for step in track.STEPS:
        step_words = steps[step.id]
        marks = []
        if step.id == progress.suggested:
            marks.append(f"*{words['suggested']}*")
        if step.id in progress.saved:
            marks.append(words["saved"])
        line = f"*{step_words['title']}* · _{step_words['weeks']}_\n{step_words['summary']}"
        if marks:
            line += "\n" + " · ".join(f"→ {mark}" for mark in marks)
        action_id = REVIEW_ACTION if step.id == track.REVIEW else track_step_action(step.id)
        button = ButtonElement(
            text=words["open"],
            action_id=action_id,
            value=step.id,
            style="primary" if step.id == progress.suggested else None,
        )
        blocks.append(
            SectionBlock(block_id=f"step_{step.id}", text=MarkdownTextObject(text=line), accessory=button)
        )
        if step.id == track.RITUAL:
            blocks.append(
                ActionsBlock(
                    block_id="ritual_calendar",
                    elements=[ButtonElement(text=words["calendar"], action_id=RITUAL_ACTION, value="open")],
                )
            )
    blocks.append(
        ActionsBlock(
            block_id="track_stop",
            elements=[ButtonElement(text=words["stop"], action_id=TRACK_STOP_ACTION, value="stop")],
        )
    )
    return _modal(
        TRACK_LIST_CALLBACK,
        content.track_words("")["title"],
        [*blocks, *_footer(resources, True)],
        close="Back",
    )


def track_stop_modal(token: str, resources: Sequence[Resource]) -> View:
    words = content.track_words("stop")
    return _modal(
        TRACK_CALLBACK,
        words["title"],
        [_text(words["text"]), *_footer(resources, True)],
        token=token,
        submit=words["submit"],
        close="Back",
    )


def track_help_modal(resources: Sequence[Resource]) -> View:
    """If they feel stuck: the counselling HR set up, named with its sessions, only when HR set
    one up; otherwise the general support wording (the footer adds the emergency line)."""
    words = content.track_words("help")
    offered = [r for r in resources if r.kind == "counselling" and not r.built_in]
    # HR typed the name: escaped, so it cannot pass for markup (a mention, a link).
    offer = (
        content.counselling_offer(escape(offered[0].name), offered[0].sessions) if offered else words["none"]
    )
    title = content.track_words("steps")[track.HELP]["title"]
    return _modal(
        READING_CALLBACK,
        title,
        [_text(words["intro"]), _text(offer), *_footer(resources, True)],
        close="Back",
    )


# -- the tools ---------------------------------------------------------------------------


def track_tool_modal(
    part: str,
    token: str,
    progress: track.Progress,
    *,
    include_partner: bool,
    resources: Sequence[Resource],
) -> View:
    """One tool's form, holding what was saved in it before (asks: the earlier ones, listed)."""
    saved = progress.parts.get(part, {})
    builders = {
        track.GOALS: _goals,
        track.RULES: _rules,
        track.HOUSEHOLD: _household,
        track.ASK: _ask,
        track.TOUCH: _touch,
        track.RITUAL: _ritual,
        track.TALLY: _tally,
    }
    blocks = builders[part](saved, progress, include_partner)
    return _modal(
        TRACK_CALLBACK,
        content.track_words("steps")[part]["title"],
        [*blocks, *_footer(resources, include_partner)],
        token=token,
        submit="Save",
        close="Back",
    )


def _goals(saved: Mapping[str, Any], progress: track.Progress, partner: bool) -> list[Block]:
    words = content.track_words("goals")
    blocks: list[Block] = [
        _text(words["intro"]),
        _text(words["agreement"]),
        _input("my_problem", words["my_problem"], track.GOAL_MAX, saved, multiline=True),
        _input("my_outcome", words["my_outcome"], track.GOAL_MAX, saved, multiline=True),
    ]
    if partner:
        blocks += [
            _text(words["partner_intro"]),
            _input("their_problem", words["their_problem"], track.GOAL_MAX, saved, multiline=True),
            _input("their_outcome", words["their_outcome"], track.GOAL_MAX, saved, multiline=True),
        ]
    return blocks


def _rules(saved: Mapping[str, Any], progress: track.Progress, partner: bool) -> list[Block]:
    words = content.track_words("rules")
    return [
        _text(words["intro"]),
        _input("pause_phrase", words["pause_phrase"], track.PHRASE_MAX, saved, hint=words["pause_hint"]),
        _input("return_phrase", words["return_phrase"], track.PHRASE_MAX, saved),
        _text(words["agreement"]),
        _input(
            "red_lines",
            words["red_lines"],
            track.LINES_MAX,
            saved,
            multiline=True,
            hint=words["red_lines_hint"],
        ),
        _text(words["daily"]),
        _text(words["gestures"]),
    ]


def _household(saved: Mapping[str, Any], progress: track.Progress, partner: bool) -> list[Block]:
    words = content.track_words("household")
    reviewed = progress.reviewed()
    when = words["reviewed"].format(date=_day(reviewed)) if reviewed else words["never"]
    if track.look_again_due(reviewed, progress.today):
        when += f"\n*{words['look_again']}*"
    blocks: list[Block] = [_text(words["intro"]), _text(when)]
    rows = list(saved.get("tasks") or []) or [{"task": t, "owner": "undecided"} for t in words["defaults"]]
    options = [Option(value=key, label=label) for key, label in words["owners"].items()]
    for index in range(track.HOUSEHOLD_ROWS):
        row = rows[index] if index < len(rows) else {}
        label = words["task"].format(n=index + 1)
        blocks.append(_input(f"task_{index}", label, track.TASK_MAX, {f"task_{index}": row.get("task")}))
        chosen = next((o for o in options if o.value == row.get("owner", "undecided")), options[-1])
        blocks.append(
            InputBlock(
                block_id=f"owner_{index}",
                label=words["owner"],
                optional=True,
                element=StaticSelectElement(action_id="value", options=options, initial_option=chosen),
            )
        )
    return blocks


def _ask(saved: Mapping[str, Any], progress: track.Progress, partner: bool) -> list[Block]:
    words = content.track_words("ask")
    blocks: list[Block] = [_text(words["intro"])]
    earlier = progress.asks[-5:]
    if earlier:
        lines = [
            " / ".join(escape(str(ask.get(name) or "")) for name in ("when", "felt", "ask") if ask.get(name))
            for ask in earlier
        ]
        blocks.append(_text(f"*{words['earlier']}*\n" + "\n".join(f"• {line}" for line in lines)))
    blank: dict[str, Any] = {}  # each ask is a new one
    blocks += [
        _input("when", words["when"], track.ASK_MAX, blank, multiline=True),
        _input("felt", words["felt"], track.ASK_MAX, blank, multiline=True),
        _input("ask", words["ask"], track.ASK_MAX, blank, multiline=True),
    ]
    return blocks


def _touch(saved: Mapping[str, Any], progress: track.Progress, partner: bool) -> list[Block]:
    words = content.track_words("touch")
    stages = words["stages"]
    options = [Option(value=key, label=stages[key]["label"]) for key in track.STAGES]
    chosen = next((o for o in options if o.value == saved.get("stage")), None)
    return [
        _text(words["intro"]),
        _text("\n".join(f"• {stages[key]['text']}" for key in track.STAGES)),
        InputBlock(
            block_id=STAGE_BLOCK,
            label=words["stage"],
            optional=True,
            element=RadioButtonsElement(action_id="value", options=options, initial_option=chosen),
        ),
        ContextBlock(elements=[MarkdownTextObject(text=words["pace" if partner else "pace_solo"])]),
        _text(words["light"]),
        _input("green", words["green"], track.WORD_MAX, saved),
        _input("yellow", words["yellow"], track.WORD_MAX, saved),
        _input("red", words["red"], track.WORD_MAX, saved),
    ]


def _ritual(saved: Mapping[str, Any], progress: track.Progress, partner: bool) -> list[Block]:
    words = content.track_words("ritual")
    return [
        _text(words["intro"]),
        _input("what", words["what"], track.RITUAL_MAX, saved, multiline=True),
        _input("when", words["when"], track.PHRASE_MAX, saved),
        ContextBlock(elements=[MarkdownTextObject(text=words["calendar"])]),
    ]


def _tally(saved: Mapping[str, Any], progress: track.Progress, partner: bool) -> list[Block]:
    words = content.track_words("tally")
    counts = words["counts"].format(
        repairs=int(saved.get("repairs") or 0), gestures=int(saved.get("gestures") or 0)
    )
    numbers = [Option(value=str(n), label=str(n)) for n in range(track.TALLY_MAX_ADD + 1)]
    return [
        _text(words["intro"]),
        _text(f"*{counts}*"),
        *(
            InputBlock(
                block_id=name,
                label=words[name],
                optional=True,
                element=StaticSelectElement(action_id="value", options=numbers, initial_option=numbers[0]),
            )
            for name in ("repairs", "gestures")
        ),
    ]


# -- what the tools submit -------------------------------------------------------------------


def _value(view: dict[str, Any], block: str) -> str:
    return str(state_value(view, block).get("value") or "")


def _chosen(view: dict[str, Any], block: str) -> str | None:
    value = (state_value(view, block).get("selected_option") or {}).get("value")
    return None if value is None else str(value)


class TrackSubmission(BaseModel):
    """One tool's form as submitted (``track_tool_modal``), by field name; checked by the vault
    (``track.clean``) when saved. ``repr=False``: what was written never reaches a repr."""

    part: str
    data: dict[str, Any] = Field(repr=False)

    @classmethod
    def from_view(cls, part: str, view: dict[str, Any]) -> Self:
        data: dict[str, Any] = {name: _value(view, name) for name, _ in TEXT_FIELDS.get(part, ())}
        if part == track.HOUSEHOLD:
            data["tasks"] = [
                {"task": _value(view, f"task_{index}"), "owner": _chosen(view, f"owner_{index}")}
                for index in range(track.HOUSEHOLD_ROWS)
            ]
        elif part == track.TOUCH:
            data["stage"] = _chosen(view, STAGE_BLOCK)
        elif part == track.TALLY:
            data = {name: _chosen(view, name) or "0" for name in ("repairs", "gestures")}
        return cls(part=part, data=data)
