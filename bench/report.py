"""What every scenario hands back, and the JSON report they all go into.

A scenario runs in its own process (see ``bench.cli``) and returns a ``ScenarioResult``: one
headline ``Line`` or more (the figure, the peer or limit it is set beside, the target and
whether it was met), the scenario's wall time and peak resident memory, and the raw data
behind the lines (every run, so the medians can be checked).
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"

OK, SKIPPED, FAILED = "ok", "skipped", "failed"


@dataclass
class Line:
    """One printed line: a figure beside its peer or limit, and the verdict against the target.

    ``passed`` is None for a figure that has no target of its own (context for the others).
    """

    label: str
    figure: str
    beside: str = ""
    target: str = ""
    passed: bool | None = None

    def render(self, width: int = 44) -> str:
        verdict = {True: "PASS", False: "FAIL", None: "    "}[self.passed]
        text = f"{verdict}  {self.label:<{width}} {self.figure}"
        if self.beside:
            text += f"  | {self.beside}"
        if self.target:
            text += f"  | target {self.target}"
        return text


@dataclass
class ScenarioResult:
    name: str
    status: str = OK
    lines: list[Line] = field(default_factory=list)
    details: list[Line] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    seconds: float = 0.0
    peak_rss_mb: float = 0.0

    @property
    def passed(self) -> bool | None:
        """False if any target was missed (or the scenario failed); None if nothing was checked."""
        if self.status == FAILED:
            return False
        verdicts = [line.passed for line in [*self.lines, *self.details] if line.passed is not None]
        return all(verdicts) if verdicts else None

    def to_json(self) -> dict[str, Any]:
        body = asdict(self)
        body["passed"] = self.passed
        return body

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> ScenarioResult:
        body = dict(body)
        body.pop("passed", None)
        body["lines"] = [Line(**line) for line in body.get("lines", [])]
        body["details"] = [Line(**line) for line in body.get("details", [])]
        return cls(**body)


def median(values: Iterable[float]) -> float:
    return float(statistics.median(list(values)))


def percentile(sorted_values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile of already sorted values (p99 of 100 values is the 99th)."""
    if not sorted_values:
        raise ValueError("no values")
    rank = max(1, -(-len(sorted_values) * share // 1))  # ceil without floats drifting
    return float(sorted_values[int(rank) - 1])


def interpolated_percentile(sorted_values: Sequence[float], share: float) -> float:
    """The percentile of already sorted values, interpolated linearly between the two nearest
    ranks (position ``share * (n - 1)``, as numpy's default). With 200 samples nearest rank makes
    p99 the second slowest request, so one outlier more or less jumps the figure; interpolating
    moves it by a fraction of the gap instead, which is what a median of runs at one connection
    needs to be steady."""
    if not sorted_values:
        raise ValueError("no values")
    position = share * (len(sorted_values) - 1)
    below = int(position)
    above = min(below + 1, len(sorted_values) - 1)
    low, high = float(sorted_values[below]), float(sorted_values[above])
    return low + (high - low) * (position - below)


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (getrusage sees native allocations too)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def machine() -> dict[str, Any]:
    """Where the figures were measured: they mean little without it."""
    cpu = "unknown"
    try:
        for row in Path("/proc/cpuinfo").read_text().splitlines():
            if row.startswith("model name"):
                cpu = row.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load: list[float] | None
    try:
        load = [round(value, 2) for value in os.getloadavg()]
    except OSError:
        load = None
    return {
        "cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_model": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": load,
    }


def write_report(report: dict[str, Any], folder: Path = RESULTS) -> Path:
    """``results/<timestamp>.json`` and a copy as ``results/latest.json``."""
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=2, default=str) + "\n"
    stamped = folder / f"{report['started'].replace(':', '').replace('-', '')}.json"
    stamped.write_text(text, encoding="utf-8")
    (folder / "latest.json").write_text(text, encoding="utf-8")
    return stamped


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"
