"""``hr-plugin match solve``: the matching solver on an explicit instance, offline.

HR or an engineer runs it on a file they wrote or exported, to see what the solver would do
(or to check it against another tool), so every mistake in the file is named in one line on
stderr with exit code 2, never as a traceback, and a failed run leaves no output file behind.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hr_plugin.jsonfile import read_json, write_atomically

if TYPE_CHECKING:
    from mentoring.matching import Solution

_TOP_KEYS = {"mentees", "mentors", "edges"}
_MENTOR_KEYS = {"id", "capacity"}


class InputError(Exception):
    """A problem with the input file: reported as ``error: ...`` and exit code 2."""


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``match solve`` on the ``hr-plugin`` command (or on ``main``'s own parser)."""
    match = subparsers.add_parser("match", help="mentor matching")
    commands = match.add_subparsers(dest="match_command", required=True)
    solve_command = commands.add_parser(
        "solve",
        help="match mentees to mentors on an explicit instance (JSON in, JSON out)",
        description=(
            "Maximise the number of matched mentees, then the total weight. Input: "
            '{"mentees": [id...], "mentors": [{"id": id, "capacity": n}...], '
            '"edges": [[mentee, mentor, weight]...]}; a pair without an edge is never matched.'
        ),
    )
    solve_command.add_argument("--input", required=True, type=Path, help="the instance, a JSON file")
    solve_command.add_argument("--output", required=True, type=Path, help="where to write the solution")
    solve_command.set_defaults(handler=run_solve)


def run_solve(args: argparse.Namespace) -> int:
    """The ``match solve`` handler: write the solution, or say what is wrong and return 2."""
    # Here, not at the top: every ``hr-plugin`` process (web workers too) imports this module to
    # register the command, and the solver brings numpy and scipy (about 49 MB) with it.
    from mentoring.matching import solve

    try:
        mentees, mentors, edges = parse_instance(read_json(args.input))
        solution = solve(mentees, mentors, edges)
    except (InputError, ValueError) as exc:
        print(f"error: {args.input}: {exc}", file=sys.stderr)
        return 2
    try:
        write_atomically(args.output, render(solution_json(solution)))
    except OSError as exc:
        print(f"error: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(
        f"matched {solution.matched} of {solution.matched + len(solution.unmatched)} mentees, "
        f"total weight {solution.weight}; wrote {args.output}"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``match solve`` without the rest of ``hr-plugin`` (and its settings); for tests."""
    parser = argparse.ArgumentParser(prog="hr-plugin")
    add_commands(parser.add_subparsers(dest="command", required=True))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has already printed its usage message
        return exc.code if isinstance(exc.code, int) else 2
    return int(args.handler(args))


def parse_instance(data: Any) -> tuple[list[str], list[tuple[str, int]], list[tuple[str, str, int]]]:
    """DESIGN.md's input shape as the solver's arguments; ``InputError`` names what is off.

    Shapes are checked here; ids, capacities and weights are checked by ``solve`` itself,
    so the command and the service refuse exactly the same instances.
    """
    if not isinstance(data, dict):
        raise InputError(f"the file must hold one JSON object, got {_kind(data)}")
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise InputError(f"unknown key(s) {', '.join(map(repr, unknown))}; expected mentees, mentors, edges")
    missing = sorted(_TOP_KEYS - set(data))
    if missing:
        raise InputError(f"missing key(s) {', '.join(map(repr, missing))}")
    for key in sorted(_TOP_KEYS):
        if not isinstance(data[key], list):
            raise InputError(f"{key!r} must be a list, got {_kind(data[key])}")

    mentors: list[tuple[str, int]] = []
    for position, mentor in enumerate(data["mentors"]):
        if not isinstance(mentor, dict) or set(mentor) != _MENTOR_KEYS:
            raise InputError(
                f"mentors[{position}] must be an object with exactly 'id' and 'capacity', got {mentor!r}"
            )
        mentors.append((mentor["id"], mentor["capacity"]))

    edges: list[tuple[str, str, int]] = []
    for position, edge in enumerate(data["edges"]):
        if not isinstance(edge, list) or len(edge) != 3:
            raise InputError(f"edges[{position}] must be [mentee, mentor, weight], got {edge!r}")
        edges.append((edge[0], edge[1], edge[2]))
    return list(data["mentees"]), mentors, edges


def solution_json(solution: Solution) -> dict[str, Any]:
    """DESIGN.md's output shape."""
    return {
        "assignments": [[mentee, mentor] for mentee, mentor in solution.assignments],
        "unmatched": list(solution.unmatched),
        "matched": solution.matched,
        "weight": solution.weight,
    }


def render(output: dict[str, Any]) -> str:
    """The output as JSON with one assignment per line: readable by eye, and diffable."""
    pairs = [f"    {json.dumps(pair)}" for pair in output["assignments"]]
    assignments = "[\n" + ",\n".join(pairs) + "\n  ]" if pairs else "[]"
    lines = [
        f'  "assignments": {assignments}',
        f'  "unmatched": {json.dumps(output["unmatched"])}',
        f'  "matched": {json.dumps(output["matched"])}',
        f'  "weight": {json.dumps(output["weight"])}',
    ]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )
