"""The JSON log formatter keeps ids and drops everything else a log call might carry."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

from hr_plugin.observability.logs import WITHHELD, JsonFormatter

CANARY = "CANARY-5d1e Pat Parent wrote this"


def _record(
    logger: str, message: str, *args: Any, extra: dict[str, Any] | None = None, exc: bool = False
) -> logging.LogRecord:
    record = logging.getLogger(logger).makeRecord(
        logger,
        logging.ERROR,
        __file__,
        1,
        message,
        args,
        sys.exc_info() if exc else None,
        extra=extra,
    )
    return record


def _line(record: logging.LogRecord) -> dict[str, Any]:
    text = JsonFormatter().format(record)
    assert "\n" not in text, "one JSON object per line"
    parsed = json.loads(text)
    assert isinstance(parsed, dict)
    return parsed


def test_a_line_has_time_level_logger_message_and_the_allowed_ids() -> None:
    line = _line(
        _record(
            "hr_plugin.outbox",
            "outbox row %s failed",
            7,
            extra={
                "tenant": "T0DEMO",
                "outbox_id": 7,
                "outbox_key": "plan-ready:T0DEMO:3:v1",
                "user": "U123",
            },
        )
    )

    assert line["level"] == "ERROR"
    assert line["logger"] == "hr_plugin.outbox"
    assert line["message"] == "outbox row 7 failed"
    assert line["time"].endswith("+00:00")
    assert (line["tenant"], line["outbox_id"], line["outbox_key"], line["user"]) == (
        "T0DEMO",
        7,
        "plan-ready:T0DEMO:3:v1",
        "U123",
    )


def test_extra_fields_outside_the_allowlist_are_dropped() -> None:
    line = _line(
        _record("hr_plugin.x", "sent", extra={"text": CANARY, "person": "Pat Parent", "tick": "outbox-drain"})
    )

    assert "text" not in line and "person" not in line
    assert line["tick"] == "outbox-drain"
    assert CANARY not in json.dumps(line)


def test_an_allowed_field_holding_a_name_or_an_email_is_dropped() -> None:
    line = _line(
        _record("hr_plugin.x", "hello", extra={"user": "Pat Parent", "tenant": "pat@example.com", "count": 3})
    )

    assert "user" not in line and "tenant" not in line
    assert line["count"] == 3


def test_an_exception_is_its_type_and_stack_never_its_text() -> None:
    try:
        raise ValueError(CANARY)
    except ValueError:
        line = _line(_record("hr_plugin.scheduler", "tick %s failed", "demo", exc=True))

    assert line["error"]["type"] == "builtins.ValueError"
    assert any("test_json_logs.py" in frame for frame in line["error"]["stack"])
    assert CANARY not in json.dumps(line)


def test_library_messages_keep_their_format_string_only() -> None:
    preformatted = _line(_record("slack_bolt.App", f"Unhandled request ({CANARY})"))
    with_arguments = _line(_record("sqlalchemy.engine", "parameters: %s", CANARY))
    bolt_app_logger = _line(_record("hr_plugin.slack", f"Failed to run listener function (error: {CANARY})"))
    own_listener = _line(_record("hr_plugin.slack.listeners.home", "users.info failed (%s)", "ratelimited"))

    assert preformatted["message"] == WITHHELD
    assert with_arguments["message"] == "parameters: %s"
    assert bolt_app_logger["message"] == WITHHELD
    assert own_listener["message"] == "users.info failed (ratelimited)"
    for line in (preformatted, with_arguments, bolt_app_logger):
        assert CANARY not in json.dumps(line)
