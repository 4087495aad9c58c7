"""``hr-plugin huddles plan``: cohorts, facilitators and slots on an explicit input, offline.

HR or an engineer runs it on a file they wrote or exported to see next month's huddles before
anything is sent, so every mistake in the file is named in one line on stderr with exit code 2,
never as a traceback, and a failed run leaves no output file behind.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from hr_plugin.jsonfile import read_json, write_atomically
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
        result = plan(read_json(args.input))
    except ValueError as exc:
        print(f"error: {args.input}: {exc}", file=sys.stderr)
        return 2
    try:
        write_atomically(args.output, json.dumps(result, indent=2, ensure_ascii=False) + "\n")
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
