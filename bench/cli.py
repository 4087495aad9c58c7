"""``python -m bench`` (or ``bench``): every benchmark, each beside its peer or limit, one report.

    python -m bench --quick                 # about 7 minutes: smaller sizes, fewer runs
    python -m bench                         # the full run: the sizes the targets are set for
    python -m bench --only matching fanout  # some of them

Each scenario runs in a fresh process of its own, so its wall time and peak resident memory
(``getrusage``) are its own, and prints one line per figure: PASS or FAIL against its target,
the figure, and beside it the peer or limit it is measured against. Every figure is the
median of the scenario's runs; the runs themselves are in the JSON report,
``bench/results/<timestamp>.json``, copied to ``bench/results/latest.json``. The exit status
is 1 when a target was missed or a scenario failed, 0 otherwise (a scenario skipped for want
of PostgreSQL does not fail the run, its line says why; with ``--require-peers`` the run
refuses to start without PostgreSQL and OR-Tools, and a skipped scenario fails it).

The PostgreSQL scenarios use ``HR_PLUGIN_BENCH_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/bench``) and drop its ``public`` schema.
"""

from __future__ import annotations

import argparse
import importlib
import multiprocessing
import sys
import time
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from bench.database import missing_peers
from bench.report import FAILED, SKIPPED, ScenarioResult, machine, peak_rss_mb, write_report


@dataclass(frozen=True)
class Scenario:
    module: str
    about: str
    quick_runs: int
    full_runs: int


SCENARIOS: dict[str, Scenario] = {
    "matching": Scenario("bench.matching", "mentor matching beside OR-Tools (and dense scipy)", 3, 3),
    "huddles": Scenario("bench.huddles", "huddle planning, 50,000 people (quick 10,000)", 3, 5),
    "due_reminders": Scenario("bench.due_reminders", "50,000 weekly reminders due in one minute", 3, 5),
    "hr_figures": Scenario("bench.hr_figures", "the HR App Home of a large tenant", 5, 7),
    "fanout": Scenario("bench.fanout", "reminders through the outbox at Slack's pace", 1, 1),
    "directory_import": Scenario(
        "bench.directory_import", "the directory import of 100,000 rows, peak memory", 1, 3
    ),
    "slack_requests": Scenario(
        "bench.slack_requests", "Slack acks and views beside bare Bolt and the fair peers", 3, 5
    ),
}


def _child(name: str, quick: bool, runs: int, options: dict[str, Any], connection: Connection) -> None:
    """Run one scenario in this fresh process and send back its result."""
    began = time.perf_counter()
    try:
        module = importlib.import_module(SCENARIOS[name].module)
        result: ScenarioResult = module.scenario(quick, runs, **options)
    except BaseException as exc:  # report it: the other scenarios still run
        result = ScenarioResult(name, FAILED, note=f"{type(exc).__name__}: {exc}")
        result.data["traceback"] = traceback.format_exc().splitlines()[-12:]
    result.seconds = time.perf_counter() - began
    result.peak_rss_mb = peak_rss_mb()
    connection.send(result.to_json())
    connection.close()


def run_scenario(name: str, quick: bool, runs: int, options: dict[str, Any]) -> ScenarioResult:
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(name, quick, runs, options, sender), name=f"bench-{name}")
    process.start()
    sender.close()
    try:
        body = receiver.recv()
    except EOFError:
        process.join()
        return ScenarioResult(
            name, FAILED, note=f"the scenario's process died (exit code {process.exitcode})"
        )
    process.join()
    return ScenarioResult.from_json(body)


def _print(result: ScenarioResult) -> None:
    cost = f"[{result.seconds:.0f} s, peak RSS {result.peak_rss_mb:.0f} MB]"
    if result.status == FAILED and not result.lines:
        print(f"FAIL  {result.name}: {result.note} {cost}", flush=True)
        return
    for index, line in enumerate(result.lines):
        print(line.render() + (f"  {cost}" if index == 0 else ""), flush=True)
    for line in result.details:
        print("  " + line.render(width=42), flush=True)
    if result.note and result.status != SKIPPED:
        print(f"      note: {result.note}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer runs (about 7 minutes)")
    parser.add_argument("--only", nargs="+", choices=list(SCENARIOS), metavar="NAME", help="run only these")
    parser.add_argument("--runs", type=int, help="runs per scenario (default: each scenario's own)")
    parser.add_argument("--fanout-messages", type=int, help="reminders to send (quick 1,000; full 10,000)")
    parser.add_argument("--fanout-budget", type=int, help="workspace budget a minute (quick 1,000; full 600)")
    parser.add_argument("--results", type=Path, help="where the JSON reports go (default bench/results)")
    parser.add_argument(
        "--require-peers",
        action="store_true",
        help="fail instead of skipping when PostgreSQL or OR-Tools is missing",
    )
    args = parser.parse_args(argv)
    if args.require_peers and (missing := missing_peers()):
        for reason in missing:
            print(f"FAIL  a peer is missing: {reason}", flush=True)
        return 1

    names = args.only or list(SCENARIOS)
    started = datetime.now(UTC).replace(microsecond=0)
    report: dict[str, Any] = {
        "started": started.isoformat().replace("+00:00", "Z"),
        "command": "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:]),
        "mode": "quick" if args.quick else "full",
        "machine": machine(),
        "scenarios": [],
    }
    where = report["machine"]
    print(
        f"bench ({report['mode']}) on {where['cpus']} CPUs ({where['cpu_model']}), Python {where['python']}, "
        f"load {where['load_average_at_start']}",
        flush=True,
    )
    began = time.perf_counter()
    results: list[ScenarioResult] = []
    for name in names:
        scenario = SCENARIOS[name]
        print(f"-- {name}: {scenario.about}", flush=True)
        options: dict[str, Any] = {}
        if name == "fanout":
            options = {"messages": args.fanout_messages, "budget": args.fanout_budget}
        if name == "matching":
            options = {"require_peers": args.require_peers}
        runs = args.runs or (scenario.quick_runs if args.quick else scenario.full_runs)
        result = run_scenario(name, args.quick, runs, options)
        results.append(result)
        _print(result)
        report["scenarios"].append(result.to_json())
        report["seconds"] = round(time.perf_counter() - began, 1)
        path = write_report(report, args.results) if args.results else write_report(report)
    missed = [r.name for r in results if r.passed is False or (args.require_peers and r.status == SKIPPED)]
    report["passed"] = not missed
    path = write_report(report, args.results) if args.results else write_report(report)
    print(f"report: {path} (and latest.json beside it); {time.perf_counter() - began:.0f} s in all")
    if missed:
        print(f"targets missed or failed: {', '.join(missed)}")
        return 1
    return 0
