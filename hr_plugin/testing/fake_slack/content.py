"""What Slack refuses in a message, a view or an HTTP ack: Block Kit and surface limits.

The limits themselves are written down once, with their sources, in ``slack_limits``; this
module applies them to a call's arguments and answers the way Slack does (the first
violation's error, every message in ``response_metadata.messages``). ``slack_sdk.models``
gives a second opinion on shapes the table does not model. Pure functions: no workspace state.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal, cast

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from hr_plugin.testing.fake_slack.replies import SlackError, missing
from hr_plugin.testing.slack_limits import Violation, check_message, check_view


def check_message_content(params: Mapping[str, Any], *, status: int = 200) -> list[dict[str, Any]]:
    """Slack's checks on a message body: something to show, within the limits.

    Returns the blocks as a list; a refusal carries ``status`` (400 on a response URL).
    """
    text = params.get("text")
    blocks_arg = params.get("blocks")
    if not text and not blocks_arg and not params.get("attachments"):
        raise SlackError("no_text", status=status)
    try:
        blocks = block_list(blocks_arg)
        refuse(check_message({**params, "blocks": blocks}), status=status)
        parse_with_sdk(blocks, error="invalid_blocks", pointer="/blocks")
    except SlackError as refusal:
        refusal.status = status
        raise
    return blocks


def view_argument(params: Mapping[str, Any], *, allowed_type: str) -> dict[str, Any]:
    """The ``view`` argument of a views method, present, an object, and within the limits."""
    raw = params.get("view")
    if raw in (None, ""):
        raise missing("view")
    if not isinstance(raw, dict):
        raise SlackError(
            "invalid_arguments", messages=["[ERROR] view must be a JSON object [json-pointer:/view]"]
        )
    return validate_view(raw, surface=allowed_type)


def block_list(raw: Any) -> list[dict[str, Any]]:
    """A ``blocks`` argument as a list (JSON text decoded), or ``invalid_blocks_format``."""
    if raw in (None, "", []):
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as error:
            raise SlackError("invalid_blocks_format") from error
    if not isinstance(raw, list):
        raise SlackError("invalid_blocks_format")
    return cast(list[dict[str, Any]], raw)


def refuse(violations: list[Violation], *, status: int = 200) -> None:
    """Answer the way Slack does for broken limits: the first violation's error, every message."""
    if violations:
        raise SlackError(
            violations[0].error, status=status, messages=[violation.message for violation in violations]
        )


def parse_with_sdk(blocks: list[dict[str, Any]], *, error: str, pointer: str) -> None:
    """A second opinion from ``slack_sdk.models``: what it cannot parse, Slack refuses too.

    The limits table (``slack_limits``) is the main check; this catches shapes it does not
    model (a block missing a field the library requires, for example).
    """
    problems: list[str] = []
    for index, block in enumerate(blocks):
        where = f"[json-pointer:{pointer}/{index}]"
        try:
            parsed = Block.parse(block)
            if parsed is None:
                problems.append(f"[ERROR] unsupported block type {block.get('type')!r} {where}")
                continue
            parsed.to_dict()
        except Exception as failure:  # any failure of the library's parsing is a refusal
            problems.append(f"[ERROR] {failure} {where}")
    if problems:
        raise SlackError(error, messages=problems)


def validate_view(view: dict[str, Any], *, surface: str) -> dict[str, Any]:
    """A view within Slack's limits: ``invalid_arguments`` for anything wrong, blocks included.

    The views methods document ``invalid_arguments`` (they have no ``invalid_blocks``), and
    that is what Slack answers for a broken block inside a view too.
    """
    if surface not in ("modal", "home"):
        raise SlackError(
            "invalid_arguments", messages=[f"[ERROR] unknown view type {surface!r} [json-pointer:/view/type]"]
        )
    refuse(check_view(view, surface=cast(Literal["modal", "home"], surface)))
    parse_with_sdk(block_list(view.get("blocks")), error="invalid_arguments", pointer="/view/blocks")
    try:
        View(**view).to_dict()
    except Exception as failure:  # the library's verdict, whatever its form
        raise SlackError("invalid_arguments", messages=[f"[ERROR] {failure} [json-pointer:/view]"]) from None
    return view


def check_ack(body: Mapping[str, Any], submitted_view: Mapping[str, Any] | None) -> list[Violation]:
    """What Slack would refuse in an HTTP ack: its view, its message, its error keys."""
    action = body.get("response_action")
    if action in ("update", "push"):
        view = body.get("view")
        if not isinstance(view, Mapping):
            return [
                Violation(
                    "invalid_arguments", "/view", "[ERROR] missing required field: view [json-pointer:/view]"
                )
            ]
        return check_view(view, surface="modal")
    if action == "errors":
        return _error_key_violations(body.get("errors"), submitted_view)
    if body.get("text") or body.get("blocks") or body.get("attachments"):
        return check_message(body)
    return []


def _error_key_violations(errors: Any, submitted_view: Mapping[str, Any] | None) -> list[Violation]:
    """``response_action: errors`` names input blocks of the submitted view by block id."""
    if not isinstance(errors, Mapping) or not errors:
        return [
            Violation("invalid_arguments", "/errors", "[ERROR] must provide an object [json-pointer:/errors]")
        ]
    if submitted_view is None:
        return []
    blocks = submitted_view.get("blocks")
    inputs = {
        block.get("block_id")
        for block in (blocks if isinstance(blocks, list) else [])
        if isinstance(block, Mapping) and block.get("type") == "input"
    }
    return [
        Violation(
            "invalid_arguments",
            f"/errors/{key}",
            f"[ERROR] {key!r} is not the block_id of an input block in the view [json-pointer:/errors/{key}]",
        )
        for key in errors
        if key not in inputs
    ]
