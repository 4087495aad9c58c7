"""``hr-plugin plan preview``: show HR the plan a policy would give, before anyone returns.

Offline and read-only: it reads a policy file, builds the plan with the same pure generator the
app uses and prints DESIGN.md's JSON. The policy's scope and extension are not applied (a
preview is about one hypothetical employee, and an extension is the employee's choice later),
so only the budget's shape is read from the file.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from hr_plugin.reintegration.calendar import holiday_checker
from hr_plugin.reintegration.plan import DEFAULT_WORKING_WEEKDAYS, Budget, generate_plan

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class PreviewError(Exception):
    """Bad input: reported as one line on stderr with exit code 2, never as a traceback."""


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``plan preview`` on the ``hr-plugin`` command (or on ``main``'s own parser)."""
    plan = subparsers.add_parser("plan", help="half-capacity reintegration plans")
    commands = plan.add_subparsers(dest="plan_command", required=True)
    preview = commands.add_parser(
        "preview",
        help="print the capacity plan a policy gives for a return date, as JSON",
        description="Print the plan as JSON. The policy's scope and extension are not applied.",
    )
    preview.add_argument("--return-date", required=True, help="first day back, YYYY-MM-DD")
    preview.add_argument("--policy", required=True, type=Path, help="policy JSON file, as for 'policy set'")
    preview.add_argument("--country", help="ISO country code for public holidays; none without it")
    preview.add_argument("--subdivision", help="state, region or nation within --country (e.g. BY, SCT)")
    preview.add_argument(
        "--working-days",
        default=",".join(str(d) for d in DEFAULT_WORKING_WEEKDAYS),
        help="weekdays worked, 0 = Monday (default 0,1,2,3,4)",
    )
    preview.set_defaults(handler=run_preview)


def run_preview(args: argparse.Namespace) -> int:
    """The ``plan preview`` handler: print the plan, or say what is wrong and return 2."""
    try:
        return_date = _parse_date(args.return_date)
        budget = _read_budget(args.policy)
        working_days = _parse_working_days(args.working_days)
        holidays = _holiday_source(args.country, args.subdivision)
        plan = generate_plan(return_date, budget, working_weekdays=working_days, holidays=holidays)
    except (PreviewError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(plan.to_json(), indent=2))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``plan preview`` without the rest of ``hr-plugin`` (and its settings); for tests."""
    parser = argparse.ArgumentParser(prog="hr-plugin")
    add_commands(parser.add_subparsers(dest="command", required=True))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has already printed its usage message
        return exc.code if isinstance(exc.code, int) else 2
    return int(args.handler(args))


def _parse_date(text: str) -> date:
    # date.fromisoformat also takes "20261221" and week dates; the interface promises YYYY-MM-DD.
    if not _ISO_DATE.fullmatch(text):
        raise PreviewError(f"--return-date must be YYYY-MM-DD, got {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PreviewError(f"--return-date {text!r} is not a real date") from None


def _parse_working_days(text: str) -> tuple[int, ...]:
    parts = [part.strip() for part in text.split(",")]
    if not all(re.fullmatch(r"[0-6]", part) for part in parts):
        raise PreviewError(
            f"--working-days must be weekday numbers 0 (Monday) to 6 (Sunday) separated by commas, "
            f"got {text!r}"
        )
    return tuple(sorted({int(part) for part in parts}))


def _holiday_source(country: str | None, subdivision: str | None) -> Callable[[date], bool] | tuple[()]:
    if country is None:
        if subdivision is not None:
            raise PreviewError("--subdivision needs --country")
        return ()
    return holiday_checker(country, subdivision)


def _read_budget(path: Path) -> Budget:
    """Read the budget fields of a policy file; ``name`` and ``scope`` matter only to ``policy set``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PreviewError(f"policy file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PreviewError(f"cannot read policy file {path}: {exc}") from None
    try:
        policy: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PreviewError(f"policy file {path} is not valid JSON: {exc}") from None
    if not isinstance(policy, dict):
        raise PreviewError(f"policy file {path} must hold a JSON object, got {type(policy).__name__}")
    missing = [key for key in ("reduced_weeks", "reduced_percent") if key not in policy]
    if missing:
        raise PreviewError(f"policy file {path} lacks {', '.join(missing)}")
    ramp = policy.get("ramp_percents", [])
    if not isinstance(ramp, list):
        raise PreviewError(f"policy file {path}: ramp_percents must be a list of whole numbers, got {ramp!r}")
    try:
        return Budget(
            reduced_weeks=policy["reduced_weeks"],
            reduced_percent=policy["reduced_percent"],
            ramp_percents=tuple(ramp),
            extension_weeks=policy.get("extension_weeks", 0),
        )
    except ValueError as exc:
        raise PreviewError(f"policy file {path}: {exc}") from None
