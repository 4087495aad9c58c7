"""Benchmark: our matching solver next to two peers on the same instance, in the same run.

    python -m bench.matching            # 10,000 mentees x 5,000 mentors, ~100 candidates each
    python -m bench.matching --quick    # 2,000 x 1,000, in seconds

The target: **at least as fast as OR-Tools on the same instance, with the same optimum**
(issue 20). The peers:

- OR-Tools min-cost flow (``SimpleMinCostFlow.solve_max_flow_with_min_cost``), the peer the
  target is set against: source -> mentee -> mentor -> sink with the mentor's capacity on the
  last arc. It maximises the flow first and then minimises the cost, which is exactly our
  lexicographic objective without any big constant, so it is also an independent check of our
  cost construction. When ortools is not installed it is skipped, through ``missing_peer``;
  with ``require_peers`` (``--require-peers``) the same call makes it a failure instead.
- scipy's dense ``linear_sum_assignment`` on the capacity-expanded matrix, for context: the
  obvious approach. Every mentor slot and every mentee's "unmatched" column becomes a dense
  column, so the matrix is mentees x (slots + mentees) float64 whatever the sparsity (about
  1.6 GB for the full instance). It is skipped, with the reason printed, when the machine has
  too little free memory (not a missing peer: it has no target of its own).

Each solver runs in its own child process (``spawn``), so its peak resident memory
(``getrusage``, which sees native allocations that ``tracemalloc`` misses) is its own. The
instance is generated once, saved, and loaded by every child; the timer covers only the solve
(for ours: the public ``solve`` call, input validation included). All solvers must reach the
same matched count and total weight, or the run fails. A JSON report is written.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.report import Line, ScenarioResult, median

FULL = {"mentees": 10_000, "mentors": 5_000, "candidates": 100}
QUICK = {"mentees": 2_000, "mentors": 1_000, "candidates": 100}
MAX_WEIGHT = 112  # the largest weight scoring.py gives with its default configuration
OURS, PEER, DENSE = (
    "ours (scipy sparse + dual proof)",
    "OR-Tools min-cost flow",
    "scipy dense linear_sum_assignment",
)
TARGET = "at least as fast as OR-Tools, same optimum"
DEFAULT_SEED = 20261123


@dataclass
class Result:
    """One solver's line in the report."""

    solver: str
    status: str  # "ok", "skipped" or "failed"
    seconds: float | None = None
    peak_rss_mb: float | None = None
    rss_before_solve_mb: float | None = None
    matched: int | None = None
    weight: int | None = None
    note: str = ""


def generate(mentees: int, mentors: int, candidates: int, seed: int) -> dict[str, np.ndarray]:
    """A seeded instance: each mentee gets ``candidates`` distinct mentors and integer weights.

    Capacities are 1 to 3, so the slots roughly equal the mentees and mentors are contested.
    """
    rng = np.random.default_rng(seed)
    capacities = rng.integers(1, 4, size=mentors)
    columns = np.empty((mentees, candidates), dtype=np.int64)
    for row in range(mentees):
        columns[row] = rng.choice(mentors, size=candidates, replace=False)
    rows = np.repeat(np.arange(mentees, dtype=np.int64), candidates)
    weights = rng.integers(1, MAX_WEIGHT + 1, size=rows.size)
    return {"rows": rows, "cols": columns.ravel(), "weights": weights, "capacities": capacities}


def lexicographic_costs(arrays: dict[str, np.ndarray]) -> tuple[np.ndarray, int]:
    """Edge costs and the unmatched cost for the assignment formulation (see matching.py).

    Written out again here rather than imported, so the dense peer does not share a bug with
    the solver it checks.
    """
    rows, weights = arrays["rows"], arrays["weights"]
    best = np.zeros(int(rows.max()) + 1, dtype=np.int64)
    np.maximum.at(best, rows, weights)
    w_max = int(weights.max())
    spread = int(best.sum()) + 1  # weights are positive, so the lowest total is 0
    return w_max + 1 - weights, spread + w_max + 1


def run_ours(arrays: dict[str, np.ndarray]) -> tuple[Callable[[], tuple[int, int]], str]:
    from mentoring.matching import solve

    mentees = [f"e{i}" for i in range(int(arrays["rows"].max()) + 1)]
    mentors = [(f"m{j}", int(c)) for j, c in enumerate(arrays["capacities"].tolist())]
    mentor_names = [name for name, _ in mentors]
    edges = [
        (mentees[r], mentor_names[c], w)
        for r, c, w in zip(
            arrays["rows"].tolist(), arrays["cols"].tolist(), arrays["weights"].tolist(), strict=True
        )
    ]

    def go() -> tuple[int, int]:
        solution = solve(mentees, mentors, edges)
        return solution.matched, solution.weight

    return go, "LAPJVsp on each mentee's strongest edges, proved optimal for all by dual prices"


def run_dense(arrays: dict[str, np.ndarray]) -> tuple[Callable[[], tuple[int, int]], str]:
    from scipy.optimize import linear_sum_assignment

    rows, cols, weights, capacities = arrays["rows"], arrays["cols"], arrays["weights"], arrays["capacities"]
    mentees = int(rows.max()) + 1
    slots = int(capacities.sum())
    first_slot = np.cumsum(capacities) - capacities
    costs, unmatched = lexicographic_costs(arrays)
    forbidden = float(mentees * unmatched + 1)  # worse than leaving everyone unmatched

    slot_owner = np.repeat(np.arange(capacities.size), capacities)
    weight_of = dict(zip((rows * capacities.size + cols).tolist(), weights.tolist(), strict=True))

    def go() -> tuple[int, int]:
        matrix = np.full((mentees, slots + mentees), forbidden, dtype=np.float64)
        for k in range(int(capacities.max())):
            has_slot = capacities[cols] > k
            matrix[rows[has_slot], first_slot[cols[has_slot]] + k] = costs[has_slot]
        matrix[np.arange(mentees), slots + np.arange(mentees)] = float(unmatched)
        chosen_rows, chosen_cols = linear_sum_assignment(matrix)
        del matrix
        matched = total = 0
        for r, c in zip(chosen_rows.tolist(), chosen_cols.tolist(), strict=True):
            if c < slots:
                key = r * capacities.size + int(slot_owner[c])
                if key not in weight_of:
                    raise RuntimeError("the dense solver chose a forbidden pair")
                matched += 1
                total += weight_of[key]
        return matched, total

    size_gb = mentees * (slots + mentees) * 8 / 1e9
    return go, f"dense {mentees} x {slots + mentees} float64 matrix ({size_gb:.2f} GB)"


def run_ortools(arrays: dict[str, np.ndarray]) -> tuple[Callable[[], tuple[int, int]], str]:
    from ortools.graph.python import min_cost_flow

    rows, cols, weights, capacities = arrays["rows"], arrays["cols"], arrays["weights"], arrays["capacities"]
    mentees, mentors = int(rows.max()) + 1, int(capacities.size)
    source, sink = mentees + mentors, mentees + mentors + 1
    w_max = int(weights.max())

    def go() -> tuple[int, int]:
        flow = min_cost_flow.SimpleMinCostFlow()
        tails = np.concatenate((np.full(mentees, source), rows, mentees + np.arange(mentors)))
        heads = np.concatenate((np.arange(mentees), mentees + cols, np.full(mentors, sink)))
        caps = np.concatenate((np.ones(mentees), np.ones(rows.size), capacities))
        unit_costs = np.concatenate((np.zeros(mentees), w_max - weights, np.zeros(mentors)))
        flow.add_arcs_with_capacity_and_unit_cost(
            tails.astype(np.int32), heads.astype(np.int32), caps.astype(np.int64), unit_costs.astype(np.int64)
        )
        flow.set_node_supply(source, mentees)
        flow.set_node_supply(sink, -mentees)
        status = flow.solve_max_flow_with_min_cost()
        if status != flow.OPTIMAL:
            raise RuntimeError(f"OR-Tools ended with status {status}")
        used = np.asarray(flow.flows(np.arange(mentees, mentees + rows.size, dtype=np.int32))) > 0
        return int(flow.maximum_flow()), int(weights[used].sum())

    return go, "OR-Tools SimpleMinCostFlow, max flow then min cost"


SOLVERS: dict[str, Callable[[dict[str, np.ndarray]], tuple[Callable[[], tuple[int, int]], str]]] = {
    OURS: run_ours,
    PEER: run_ortools,  # right after ours, so the two the target compares share the same moment
    DENSE: run_dense,
}


def _rss_mb() -> float:
    """Current resident memory of this process, in MB (Linux; 0 where /proc is missing)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except OSError:
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes on macOS, KiB on Linux


def _child(name: str, instance_path: str, connection: Any) -> None:
    """Run one solver in this fresh process and send back its ``Result``."""
    try:
        with np.load(instance_path) as data:
            arrays = {key: data[key] for key in data.files}
        go, note = SOLVERS[name](arrays)
        before = _rss_mb()
        started = time.perf_counter()
        matched, weight = go()
        seconds = time.perf_counter() - started
        result = Result(name, "ok", seconds, _peak_rss_mb(), before, matched, weight, note)
    except Exception as exc:
        result = Result(name, "failed", note=f"{type(exc).__name__}: {exc}")
    try:
        connection.send(asdict(result))  # a plain dict: no class to resolve in the parent
    finally:
        connection.close()


def _available_memory_bytes() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def measure(name: str, instance_path: Path, timeout: float) -> Result:
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(name, str(instance_path), sender))
    process.start()
    sender.close()
    if not receiver.poll(timeout):
        process.kill()
        process.join()
        return Result(name, "failed", note=f"no answer within {timeout:.0f} s")
    result = Result(**receiver.recv())
    process.join()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.matching", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 x 1,000 instead of 10,000 x 5,000")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds allowed per solver")
    parser.add_argument(
        "--report", type=Path, help="JSON report path (default bench/results/matching-*.json)"
    )
    parser.add_argument(
        "--require-peers", action="store_true", help="fail, instead of skipping, when OR-Tools is missing"
    )
    args = parser.parse_args(argv)

    size = QUICK if args.quick else FULL
    report_path = args.report or Path(__file__).parent / "results" / (
        f"matching-{'quick' if args.quick else 'full'}.json"
    )
    arrays = generate(size["mentees"], size["mentors"], size["candidates"], args.seed)
    slots = int(arrays["capacities"].sum())
    print(
        f"instance: {size['mentees']:,} mentees, {size['mentors']:,} mentors ({slots:,} slots), "
        f"{arrays['rows'].size:,} candidate pairs, weights 1..{MAX_WEIGHT}, seed {args.seed}"
    )

    available = _available_memory_bytes()
    with tempfile.TemporaryDirectory() as folder:
        instance_path = _save(arrays, Path(folder))
        results = []
        for name in SOLVERS:
            result = _run_solver(
                name, instance_path, size, slots, available, args.timeout, args.require_peers
            )
            results.append(result)
            print(_line(result), flush=True)

    solved = [r for r in results if r.status == "ok"]
    agree = len({(r.matched, r.weight) for r in solved}) == 1 and all(r.status != "failed" for r in results)
    verdict = _verdict({r.solver: r for r in results}, agree)
    report = {
        "instance": {**size, "slots": slots, "pairs": int(arrays["rows"].size), "seed": args.seed},
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "memory_available_gb": None if available is None else round(available / 1e9, 1),
        },
        "results": [asdict(r) for r in results],
        "same_optimum": agree,
        "target": TARGET,
        "passed": verdict,
    }
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"report: {report_path}")
    if not agree:
        print("FAILED: " + _failure_note(results), file=sys.stderr)
        return 1
    print(f"all {len(solved)} solvers reached matched={solved[0].matched:,}, weight={solved[0].weight:,}")
    print(f"target {TARGET}: {({True: 'PASS', False: 'FAIL', None: 'not checked'})[verdict]}")
    return 1 if verdict is False else 0


def _save(arrays: dict[str, np.ndarray], folder: Path) -> Path:
    """The instance as a file every solver's process loads."""
    path = folder / "instance.npz"
    np.savez(
        path,
        rows=arrays["rows"],
        cols=arrays["cols"],
        weights=arrays["weights"],
        capacities=arrays["capacities"],
    )
    return path


def missing_peer(solver: str, note: str, require_peers: bool) -> Result:
    """A peer that cannot run on this machine: skipped, or with ``require_peers`` a failure.

    Every "peer not installed" goes through here, so one flag (``--require-peers``, passed on
    as ``scenario(..., require_peers=True)``) turns all of them into a failed run.
    """
    if require_peers:
        return Result(solver, "failed", note=f"{note} (required: --require-peers)")
    return Result(solver, "skipped", note=note)


def _run_solver(
    name: str,
    instance_path: Path,
    size: dict[str, int],
    slots: int,
    available: int | None,
    timeout: float,
    require_peers: bool = False,
) -> Result:
    """One solver in its own process, or the reason it was skipped."""
    dense_bytes = size["mentees"] * (slots + size["mentees"]) * 8
    if name.startswith("scipy dense") and available is not None and available < 2.5 * dense_bytes:
        return Result(
            name,
            "skipped",
            note=(
                f"needs about {2.5 * dense_bytes / 1e9:.1f} GB free for a {dense_bytes / 1e9:.1f} GB "
                f"matrix, {available / 1e9:.1f} GB available"
            ),
        )
    if name == PEER and not _has_ortools():
        return missing_peer(name, "ortools is not installed: pip install -e '.[bench]'", require_peers)
    return measure(name, instance_path, timeout)


def scenario(
    quick: bool, runs: int, seed: int = DEFAULT_SEED, timeout: float = 1800.0, require_peers: bool = False
) -> ScenarioResult:
    """``python -m bench``'s view: every solver ``runs`` times, medians beside ours.

    ``require_peers``: a missing OR-Tools fails the scenario instead of skipping it.
    """
    size = QUICK if quick else FULL
    arrays = generate(size["mentees"], size["mentors"], size["candidates"], seed)
    slots = int(arrays["capacities"].sum())
    available = _available_memory_bytes()
    runs_by_solver: dict[str, list[Result]] = {name: [] for name in SOLVERS}
    with tempfile.TemporaryDirectory() as folder:
        instance_path = _save(arrays, Path(folder))
        for _ in range(runs):
            for name in SOLVERS:
                runs_by_solver[name].append(
                    _run_solver(name, instance_path, size, slots, available, timeout, require_peers)
                )
    summary = {name: _median_result(results) for name, results in runs_by_solver.items()}
    solved = [r for r in summary.values() if r.status == "ok"]
    agree = len({(r.matched, r.weight) for r in solved}) == 1 and all(
        r.status != "failed" for results in runs_by_solver.values() for r in results
    )
    ours, flow, dense = summary[OURS], summary[PEER], summary[DENSE]
    scenario_result = ScenarioResult("matching")
    beside = "; ".join(_short(r) for r in (flow, dense))
    scenario_result.lines.append(
        Line(
            f"matching {size['mentees']:,} x {size['mentors']:,}",
            _short(ours),
            beside,
            TARGET,
            _verdict(summary, agree),
        )
    )
    if not agree:
        scenario_result.note = _failure_note([r for results in runs_by_solver.values() for r in results])
    scenario_result.data = {
        "instance": {**size, "slots": slots, "pairs": int(arrays["rows"].size), "seed": seed},
        "memory_available_gb": None if available is None else round(available / 1e9, 1),
        "same_optimum": agree,
        "medians": {name: asdict(result) for name, result in summary.items()},
        "runs": {name: [asdict(r) for r in results] for name, results in runs_by_solver.items()},
    }
    return scenario_result


def _verdict(results: dict[str, Result], agree: bool) -> bool | None:
    """The target: ours at least as fast as OR-Tools, same optimum; None when OR-Tools was skipped.

    ``agree`` is False when any solver failed (a required peer that is missing included) or
    the solvers reached different optima: either fails the target.
    """
    ours, flow = results[OURS], results[PEER]
    if not agree:
        return False
    if ours.seconds is None or flow.status != "ok" or flow.seconds is None:
        return None
    return ours.seconds <= flow.seconds


def _failure_note(results: list[Result]) -> str:
    failed = [f"{r.solver}: {r.note}" for r in results if r.status == "failed"]
    return "; ".join(dict.fromkeys(failed)) if failed else "the solvers did not all reach the same optimum"


def _median_result(results: list[Result]) -> Result:
    done = [r for r in results if r.status == "ok"]
    if not done:
        return results[0]
    first = done[0]
    return Result(
        first.solver,
        "ok",
        seconds=median(r.seconds or 0.0 for r in done),
        peak_rss_mb=median(r.peak_rss_mb or 0.0 for r in done),
        rss_before_solve_mb=median(r.rss_before_solve_mb or 0.0 for r in done),
        matched=first.matched,
        weight=first.weight,
        note=first.note,
    )


def _short(result: Result) -> str:
    name = result.solver.split(" (")[0]
    if result.status != "ok":
        return f"{name} {result.status} ({result.note})"
    return f"{name} {result.seconds:.2f} s, peak {result.peak_rss_mb:.0f} MB"


def _has_ortools() -> bool:
    try:
        import ortools  # noqa: F401
    except ImportError:
        return False
    return True


def _line(result: Result) -> str:
    if result.status != "ok":
        return f"{result.solver:<36} {result.status}: {result.note}"
    return (
        f"{result.solver:<36} {result.seconds:8.2f} s  peak RSS {result.peak_rss_mb:8.0f} MB "
        f"(input held {result.rss_before_solve_mb:.0f} MB)  matched {result.matched:,}  "
        f"weight {result.weight:,}  [{result.note}]"
    )


if __name__ == "__main__":
    sys.exit(main())
