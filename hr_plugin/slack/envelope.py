"""The shape of what Slack sends, checked before Bolt reads a request.

Why: Bolt parses the body and reads ids out of it before it checks the signature or runs a
listener, and it trusts the shape it finds. A body that is not UTF-8 or not JSON, a JSON
array where an object belongs, a ``user`` that is a list, an empty ``actions`` list, a number
where Slack always puts a string: each raises inside Bolt or inside a listener, and the
answer is a 500 with a traceback in the log. Slack never sends such a request, so whatever
does is refused here, at the door, with a 400 (or a 401 when it is not even signed), and a
warning that names the fields at fault but never their contents.

What a listener receives is then Slack's documented shape: strings where Slack puts
strings, objects where it puts objects. Values within that shape (an empty field, a date
that does not exist, an id of someone else's row) remain the listeners' and services' to
judge; those are what people can really send.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Mapping
from typing import Annotated, Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator
from slack_bolt.context import BoltContext
from slack_bolt.request import BoltRequest
from slack_bolt.request.internals import build_context, parse_body

log = logging.getLogger(__name__)

# Slack refuses to sign for a request older than this, and so does Bolt (SLACK-FACTS.md).
MAX_REQUEST_AGE_SECONDS = 5 * 60

# Slack's ids (users, teams, enterprises, channels): upper-case letters and digits.
SlackId = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9]{1,39}$")]


class _Shape(BaseModel):
    """A part of a payload: the fields named are checked (strictly), any others pass."""

    model_config = ConfigDict(extra="allow", strict=True)


class _Identified(_Shape):
    id: SlackId


class _Option(_Shape):
    value: str | None = None
    text: dict[str, Any] | None = None


class _Selection(_Shape):
    """What an input or a clicked element carries, by the key Slack uses for its kind."""

    type: str | None = None
    value: str | None = None
    selected_option: _Option | None = None
    selected_options: list[_Option] | None = None
    selected_user: str | None = None
    selected_users: list[str] | None = None
    selected_conversation: str | None = None
    selected_conversations: list[str] | None = None
    selected_channel: str | None = None
    selected_channels: list[str] | None = None
    selected_date: str | None = None
    selected_time: str | None = None
    selected_date_time: int | None = None
    rich_text_value: dict[str, Any] | None = None


class _Action(_Selection):
    action_id: str
    block_id: str | None = None


class _State(_Shape):
    values: dict[str, dict[str, _Selection]] = Field(default_factory=dict)


class _View(_Shape):
    id: str
    type: str | None = None
    callback_id: str | None = None
    private_metadata: str | None = None
    hash: str | None = None
    state: _State | None = None
    blocks: list[dict[str, Any]] | None = None


class _Common(_Shape):
    """Fields any payload may carry, as Bolt and the listeners read them."""

    type: str | None = None
    user: _Identified | SlackId | None = None
    team: _Identified | SlackId | None = None
    enterprise: _Identified | SlackId | None = None
    channel: _Identified | SlackId | None = None
    container: dict[str, Any] | None = None
    message: dict[str, Any] | None = None
    view: _View | None = None
    state: _State | None = None
    trigger_id: str | None = None
    response_url: str | None = None
    response_urls: list[dict[str, Any]] | None = None
    authorizations: list[dict[str, Any]] | None = None
    is_enterprise_install: bool | str | None = None

    @model_validator(mode="before")
    @classmethod
    def _objects_are_sent_or_left_out(cls, data: Any) -> Any:
        """Slack leaves out a view, event, message, container or state it has not got; it
        never sends ``null`` for one (and Bolt reads them as objects when present)."""
        if isinstance(data, dict):
            for name in ("view", "event", "message", "container", "state"):
                if name in data and data[name] is None:
                    raise ValueError(f"{name} is null")
        return data


class _BlockActions(_Common):
    user: _Identified
    actions: list[_Action] = Field(min_length=1)


class _ViewPayload(_Common):
    user: _Identified
    view: _View


class _Shortcut(_Common):
    user: _Identified
    callback_id: str


class _Event(_Shape):
    type: str
    user: SlackId | dict[str, Any] | None = None
    channel: SlackId | dict[str, Any] | None = None
    tab: str | None = None
    view: dict[str, Any] | None = None


class _EventCallback(_Common):
    event_id: str
    team_id: SlackId | None = None
    event: _Event


class _Command(_Shape):
    command: str
    user_id: SlackId
    team_id: SlackId
    text: str = ""


_BY_TYPE: dict[str | None, type[_Shape]] = {
    "block_actions": _BlockActions,
    "view_submission": _ViewPayload,
    "view_closed": _ViewPayload,
    "shortcut": _Shortcut,
    "message_action": _Shortcut,
    "event_callback": _EventCallback,
}


def envelope_problem(raw: bytes, content_type: str | None) -> str | None:
    """None when ``raw`` has the shape of a request Slack sends; otherwise what is wrong with it,
    naming fields only (never their values)."""
    try:
        body = parse_payload(raw, _bare(content_type))
    except ValueError as exc:
        return str(exc)
    return payload_problem(body)


def parse_payload(raw: bytes, content_type: str | None) -> Any:
    """The payload as Bolt will read it (a form's ``payload`` field decoded, or the JSON)."""
    try:
        return parse_body(raw.decode("utf-8"), content_type)
    except (UnicodeDecodeError, ValueError):
        raise ValueError("the body is not UTF-8 JSON or a form") from None


def payload_problem(body: Any, context: BoltContext | None = None) -> str | None:
    """``envelope_problem`` for a payload already parsed; ``context`` is what Bolt read of its
    ids (``BoltRequest.context``), read here when not given."""
    if not isinstance(body, dict):
        return "the payload is not a JSON object"
    model = _Command if "command" in body else _BY_TYPE.get(body.get("type"), _Common)
    try:
        model.model_validate(body)
    except ValidationError as exc:
        return "; ".join(_describe(error) for error in exc.errors()[:3])
    if context is None:
        try:
            context = build_context(BoltContext({}), body)
        except Exception as exc:  # Bolt's own reading of the ids is the last word on their shape
            return f"Bolt cannot read the ids ({type(exc).__name__})"
    for name in ("user_id", "team_id", "enterprise_id", "channel_id"):
        if context.get(name) is not None and not isinstance(context.get(name), str):
            return f"{name} is not a string"
    if model is not _Common and not (context.get("team_id") or context.get("enterprise_id")):
        return "the payload names neither a team nor an enterprise"  # every row belongs to a tenant
    return None


def _describe(error: Any) -> str:
    where = ".".join(str(part)[:40] for part in error.get("loc", ())[:4]) or "payload"
    return f"{where}: {error.get('type', 'invalid')}"


class Refused(NamedTuple):
    """The answer to a request refused at the door."""

    status: int
    text: str


def at_the_door(
    raw: bytes, headers: Mapping[str, str], signing_secret: str | None, *, query: str = ""
) -> BoltRequest | Refused:
    """Before Bolt handles a POST: Bolt's request, when its payload has Slack's shape;
    otherwise a refusal, 401 when it is not even signed, else 400 with a warning naming the
    fields at fault. ``headers`` have lower-case names, as WSGI's reading gives them.

    The body is parsed once: the shape is checked on what Bolt parsed and the ids it read
    (``BoltRequest.body`` and ``.context``), and that request is the one dispatched. Bolt's
    reading raises on some malformed bodies; those are described by reading them again the
    door's own way (``envelope_problem``), which only a refused request pays for."""
    problem: str | None
    try:
        bolt_request = BoltRequest(body=raw.decode("utf-8"), query=query, headers=dict(headers))
    except Exception:  # not UTF-8, not JSON or a form, or ids Bolt cannot read
        problem = envelope_problem(raw, headers.get("content-type")) or "Bolt cannot read the payload"
    else:
        problem = payload_problem(bolt_request.body, bolt_request.context)
        if problem is None:
            return bolt_request
    if not _signed(raw, headers, signing_secret):
        return Refused(401, "invalid request")
    log.warning("refused a signed request that is not a Slack payload: %s", problem)
    return Refused(400, "malformed request")


def _signed(raw: bytes, headers: Mapping[str, str], signing_secret: str | None) -> bool:
    """Slack's signature over the raw bytes (``slack_sdk``'s verifier wants UTF-8 text)."""
    stamp = str(headers.get("x-slack-request-timestamp", ""))
    given = str(headers.get("x-slack-signature", ""))
    if not signing_secret or not stamp.isdigit():
        return False
    if abs(time.time() - int(stamp)) > MAX_REQUEST_AGE_SECONDS:
        return False
    base = b"v0:" + stamp.encode() + b":" + raw
    expected = "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given)


def _bare(content_type: str | None) -> str | None:
    return content_type.split(";")[0].strip() if content_type else None
