"""The views a late save shows in a modal (``hr_plugin.slack.deadline``): "Saving...", then
"Saved", or the form again with the person's values and its errors drawn as blocks. Pure: each
takes the modal as Slack sent it with the submission, and builds a view for ``views.update``."""

from __future__ import annotations

from typing import Any, Final

from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject, PlainTextObject, SectionBlock
from slack_sdk.models.views import View

from hr_plugin.slack.blockkit import ViewJson

SAVING: Final = "Saving your answers. This will update in a moment."
SAVED: Final = "Saved. You can close this."
NOT_SAVED: Final = "This was not saved. Check the form and submit it again."
FAILED: Final = "This could not be saved just now. Please submit it again in a moment."

# Slack's limit on blocks in a modal (SLACK-FACTS.md).
MAX_BLOCKS: Final = 100

# What the form keeps of the submitted view when it is shown again (Slack adds id, hash, state,
# team and app ids to what it sends, and refuses them in ``views.update``).
_KEPT = (
    "type",
    "title",
    "submit",
    "close",
    "callback_id",
    "private_metadata",
    "clear_on_close",
    "notify_on_close",
)

# Where each kind of input keeps its value in ``view.state`` and where a view sets it again.
_STATE_TO_INITIAL = {
    "value": "initial_value",
    "selected_option": "initial_option",
    "selected_options": "initial_options",
    "selected_user": "initial_user",
    "selected_users": "initial_users",
    "selected_conversation": "initial_conversation",
    "selected_conversations": "initial_conversations",
    "selected_channel": "initial_channel",
    "selected_channels": "initial_channels",
    "selected_date": "initial_date",
    "selected_time": "initial_time",
    "selected_date_time": "initial_date_time",
    "rich_text_value": "initial_value",
}


def saving_view(submitted: dict[str, Any]) -> View:
    """The same modal's title, and a line saying the answers are being saved; nothing to submit."""
    return _notice(submitted, SAVING)


def saved_view(submitted: dict[str, Any]) -> View:
    return _notice(submitted, SAVED)


def form_with_errors(submitted: dict[str, Any], errors: dict[str, str]) -> ViewJson:
    """The submitted form again: each input holds what the person chose or typed, each error
    sits under its field, and a first line says it was not saved (or, with no errors named,
    that saving failed)."""
    values = ((submitted.get("state") or {}).get("values")) or {}
    blocks: list[dict[str, Any]] = [
        SectionBlock(text=PlainTextObject(text=NOT_SAVED if errors else FAILED)).to_dict()
    ]
    for block in submitted.get("blocks") or []:
        blocks.append(_refilled(block, values.get(block.get("block_id"), {})))
        message = errors.get(str(block.get("block_id")))
        if message:
            blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f":warning: {message}")]).to_dict())
    if len(blocks) > MAX_BLOCKS:  # the errors still show, together, at the top
        listed = "\n".join(f":warning: {text}" for text in errors.values())
        blocks = [
            SectionBlock(text=MarkdownTextObject(text=f"{NOT_SAVED}\n{listed}"[:3000])).to_dict(),
            *[_refilled(b, values.get(b.get("block_id"), {})) for b in submitted.get("blocks") or []],
        ][:MAX_BLOCKS]
    view = {key: submitted[key] for key in _KEPT if submitted.get(key) not in (None, "")}
    view["blocks"] = blocks
    return ViewJson(view)


def _notice(submitted: dict[str, Any], text: str) -> View:
    title = submitted.get("title") or {"type": "plain_text", "text": "Saving"}
    return View(
        type="modal",
        title=PlainTextObject(text=str(title.get("text") or "Saving")[:24]),
        close=PlainTextObject(text="Close"),
        blocks=[SectionBlock(text=PlainTextObject(text=text))],
    )


def _refilled(block: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    """An input block with its element's initial value set to what the state holds."""
    element = block.get("element")
    if block.get("type") != "input" or not isinstance(element, dict):
        return block
    chosen = state.get(str(element.get("action_id"))) or {}
    refilled = {key: value for key, value in element.items() if not key.startswith("initial_")}
    for held, initial in _STATE_TO_INITIAL.items():
        value = chosen.get(held)
        if value in (None, "", []):
            continue
        refilled[initial] = _option(value) if held.startswith("selected_option") else value
    return {**block, "element": refilled}


def _option(value: Any) -> Any:
    """An option as a view may carry it (the state adds nothing Slack refuses, but keep only these)."""
    if isinstance(value, list):
        return [_option(item) for item in value]
    return {key: value[key] for key in ("text", "value", "description") if key in value}
