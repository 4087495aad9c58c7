"""Log lines: one JSON object per line for ``serve`` and ``scheduler``, text for the other commands.

``HR_PLUGIN_LOG_FORMAT`` picks ``json`` or ``text`` for every command; unset, the long-running
commands write JSON (what a log pipeline reads) and the one-shot commands text (what a person
at a terminal reads). JSON lines carry ids, never names or content; see ``JsonFormatter``.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Literal

LogFormat = Literal["json", "text"]


def default_log_format(command: str) -> LogFormat:
    """JSON for the long-running processes a log pipeline reads; text at a terminal."""
    return "json" if command in ("serve", "scheduler") else "text"


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# The only fields a call may add with ``extra=``, each an identifier by construction.
ID_FIELDS = frozenset(
    {
        "tenant",  # workspace or enterprise id
        "user",  # Slack user id
        "employee_id",  # database id
        "event_id",  # Slack Events API id
        "outbox_id",  # outbox row id
        "outbox_key",  # idempotency key: kind:tenant:ids:period
        "tick",  # background tick name
        "holder",  # scheduler process (host:pid)
        "surface",  # fixed label from hr_plugin.observability.surfaces
        "method",  # Slack Web API method
        "slack_error",  # Slack's error code, e.g. channel_not_found
        "attempts",
        "status",
        "count",
        "duration_ms",
    }
)

# What an id may look like: no spaces, no @, nothing long. A name or a sentence passed by
# mistake as an id field fails this and is dropped rather than written.
_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:,/+=-]{1,160}$")

# Loggers whose messages this project writes with ids only ("hr_plugin.slack" is not one:
# Bolt writes its own messages there, and they can quote requests and exceptions).
_OWN_LOGGERS = ("hr_plugin.", "mentoring", "huddles", "gunicorn", "apscheduler", "alembic")
_BOLT_LOGGER = "hr_plugin.slack"

WITHHELD = "[withheld: this library's messages may quote Slack payloads]"

_STANDARD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time``, ``level``, ``logger``, ``message`` and id fields.

    Why so strict: logs leave the app for a log store that more people can read than the
    database, for longer. So the line is built from an allowlist, not from whatever the
    record holds:

    - ``extra=`` fields outside ``ID_FIELDS`` are dropped. An extra field is free-form, and
      one ``extra={"text": ...}`` would ship a message body to the log store; with an
      allowlist, logging a new kind of id is a reviewed change to this module.
    - An allowed field whose value does not look like an id (spaces, an email, too long) is
      dropped too, so a name passed by mistake does not get through.
    - An exception is written as its type and the code locations it passed, never its text:
      a database error quotes the statement's parameters, a Slack error the response body.
    - Messages from libraries (Bolt, the Slack SDK, SQLAlchemy ...) are reduced to their
      format string when they use ``%s`` arguments and withheld when they are pre-formatted,
      because those libraries quote requests and payloads. Our own loggers log ids only.
    """

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": _message(record),
        }
        for name, value in record.__dict__.items():
            if name in _STANDARD_ATTRIBUTES or name not in ID_FIELDS:
                continue
            if _looks_like_an_id(value):
                line[name] = value
        if record.exc_info and record.exc_info[0] is not None:
            line["error"] = _error(record.exc_info[0], record.exc_info[2])
        return json.dumps(line, ensure_ascii=False, separators=(",", ":"))


def _message(record: logging.LogRecord) -> str:
    name = record.name
    own = name != _BOLT_LOGGER and (name.startswith(_OWN_LOGGERS) or name == "hr_plugin")
    if own:
        return record.getMessage()
    if record.args and isinstance(record.msg, str):
        return record.msg
    return WITHHELD


def _looks_like_an_id(value: Any) -> bool:
    if isinstance(value, bool | int | float):
        return True
    return isinstance(value, str) and bool(_ID_PATTERN.match(value))


def _error(kind: type[BaseException], tb: TracebackType | None) -> dict[str, Any]:
    frames = [f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in traceback.extract_tb(tb)]
    return {"type": f"{kind.__module__}.{kind.__qualname__}", "stack": frames}


def configure_logging(level: str, log_format: LogFormat) -> None:
    """Log to stderr at ``level`` in the chosen format, replacing any earlier setup."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(getattr(logging, level.upper(), logging.INFO))
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # APScheduler logs two lines per tick run (the drain runs every second); the tick metrics
    # say the same. Its warnings (a tick overrunning its interval) still come through.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
