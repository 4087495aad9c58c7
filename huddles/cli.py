"""``hr-plugin huddles plan``: cohorts, facilitators and slots on an explicit input, offline.

HR or an engineer runs it on a file they wrote or exported to see next month's huddles before
anything is sent, so every mistake in the file is named in one line on stderr with exit code 2,
never as a traceback, and a failed run leaves no output file behind.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from huddles.plan import plan


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``huddles plan`` on the ``hr-plugin`` command (or on ``main``'s own parser)."""
    huddles = subparsers.add_parser("huddles", help="monthly peer huddles")
    commands = huddles.add_subparsers(dest="huddles_command", required=True)
    plan_command = commands.add_parser(
        "plan",
        help="form a month's huddle groups with facilitators and slots (JSON in, JSON out)",
        description=(
            'Input: {"month": "YYYY-MM", "min_size": 4, "max_size": 7, "participants": [...], '
            '"facilitators": [...], "previous_groups": [[id...]...]}. Output: {"groups": '
            '[{"members", "facilitator", "start_utc", "minutes"}...], "unplaced": [{"id", "reason"}...]}.'
        ),
    )
    plan_command.add_argument("--input", required=True, type=Path, help="the month's input, a JSON file")
    plan_command.add_argument("--output", required=True, type=Path, help="where to write the plan")
    plan_command.set_defaults(handler=run_plan)


def run_plan(args: argparse.Namespace) -> int:
    """The ``huddles plan`` handler: write the plan, or say what is wrong and return 2."""
    try:
        result = plan(_read(args.input))
    except ValueError as exc:
        print(f"error: {args.input}: {exc}", file=sys.stderr)
        return 2
    try:
        _write_atomically(args.output, json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    except OSError as exc:
        print(f"error: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    placed = sum(len(group["members"]) for group in result["groups"])
    print(
        f"{len(result['groups'])} groups, {placed} people placed, {len(result['unplaced'])} unplaced; "
        f"wrote {args.output}"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``huddles plan`` without the rest of ``hr-plugin`` (and its settings); for tests."""
    parser = argparse.ArgumentParser(prog="hr-plugin")
    add_commands(parser.add_subparsers(dest="command", required=True))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has already printed its usage message
        return exc.code if isinstance(exc.code, int) else 2
    return int(args.handler(args))


def _read(path: Path) -> Any:
    """The input as JSON; file and syntax problems become ``ValueError`` with a plain message."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError("no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read the file: {exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from None
    except RecursionError:
        raise ValueError("not valid JSON: nested too deeply") from None


def _write_atomically(path: Path, text: str) -> None:
    """Write beside the target and rename, so a reader never sees half a plan.

    The file is readable by its owner only (``mkstemp``'s mode): who is in which group is
    personal data.
    """
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
