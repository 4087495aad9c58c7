"""Benchmark: ``hr-plugin directory import`` of a 100,000-row HRIS export, peak memory and time.

    python -m bench --only directory_import
    python -m bench.directory_import            # the same, printed on its own

The file is the synthetic company of ``bench.company`` (a six-level org, every row with a
Slack id, so the import runs offline), written to a temporary file. Each import is the real
command, ``hr-plugin directory import FILE --full --team T0BENCH``, in a fresh process of its
own, so its peak resident memory (``wait4``'s ``ru_maxrss``) is the import's and nothing else's:
first into an empty directory (100,000 people created), then the same file again (100,000
unchanged, the path a nightly re-import takes). Beside them, the same command importing a
one-row file: what the process costs before it holds any rows, so the growth per row shows.

Why the limit is 300 MB: a company's HRIS export grows with the company, and an import whose
memory grows with the file (5 KB a row before this benchmark existed: a million-row export
would need 5 GB) fails on an ordinary container. PostgreSQL at
``HR_PLUGIN_BENCH_DATABASE_URL`` when it is reachable (its ``public`` schema is dropped),
otherwise a SQLite file; the JSON says which.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from bench.company import directory_csv
from bench.database import bench_url, fresh_schema, unreachable
from bench.report import Line, ScenarioResult, median
from hr_plugin.db import make_engine, make_session_factory, unit_of_work, upgrade
from hr_plugin.tenants import ensure_tenant

TENANT = "T0BENCH"
FULL_ROWS = 100_000
LIMIT_MB = 300.0


def scenario(quick: bool, runs: int, rows: int = FULL_ROWS) -> ScenarioResult:
    """``runs`` times: a fresh database, the one-row baseline, the first import, the re-import."""
    result = ScenarioResult("directory_import")
    first: list[tuple[float, float]] = []
    again: list[tuple[float, float]] = []
    baseline: list[tuple[float, float]] = []
    kind = ""
    with tempfile.TemporaryDirectory(prefix="bench-directory-") as folder:
        big = Path(folder) / "directory.csv"
        small = Path(folder) / "one.csv"
        big.write_text(directory_csv(rows), encoding="utf-8")
        small.write_text(directory_csv(1), encoding="utf-8")
        for _ in range(runs):
            with _database(Path(folder)) as (url, kind):
                baseline.append(_import(url, small))
            with _database(Path(folder)) as (url, kind):
                first.append(_import(url, big))
                again.append(_import(url, big))
    peak_first = median(rss for rss, _ in first)
    peak_again = median(rss for rss, _ in again)
    peak_base = median(rss for rss, _ in baseline)
    per_row_kb = (max(peak_first, peak_again) - peak_base) * 1024 / rows
    result.lines.append(
        Line(
            f"directory import of {rows:,} rows, peak RSS",
            f"{peak_first:.0f} MB first, {peak_again:.0f} MB re-import",
            f"limit {LIMIT_MB:.0f} MB; a one-row file {peak_base:.0f} MB, {per_row_kb:.2f} KB a row above it",
            f"< {LIMIT_MB:.0f} MB",
            max(peak_first, peak_again) < LIMIT_MB,
        )
    )
    result.details.append(
        Line(
            "time",
            f"{median(s for _, s in first):.1f} s first, {median(s for _, s in again):.1f} s re-import",
            f"{kind}; each in a fresh hr-plugin process",
        )
    )
    result.data = {
        "rows": rows,
        "database": kind,
        "limit_mb": LIMIT_MB,
        "first": [{"peak_rss_mb": rss, "seconds": s} for rss, s in first],
        "reimport": [{"peak_rss_mb": rss, "seconds": s} for rss, s in again],
        "one_row": [{"peak_rss_mb": rss, "seconds": s} for rss, s in baseline],
    }
    return result


@contextlib.contextmanager
def _database(folder: Path) -> Iterator[tuple[str, str]]:
    """An empty, migrated database holding the bench tenant: PostgreSQL if reachable, else SQLite."""
    url = bench_url()
    if unreachable(url) is not None:
        path = folder / "directory.db"
        path.unlink(missing_ok=True)
        url, kind = f"sqlite:///{path}", "sqlite"
        engine = make_engine(url)
        upgrade(engine)
    else:
        engine, kind = fresh_schema(url), "postgresql"
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            ensure_tenant(session, TENANT, datetime.now(UTC))
            session.commit()
    finally:
        engine.dispose()
    yield url, kind


def _import(url: str, path: Path) -> tuple[float, float]:
    """Run the import command in a fresh process: its peak RSS in MB and its wall seconds."""
    environment = {**os.environ, "HR_PLUGIN_DATABASE_URL": url}
    environment.pop("HR_PLUGIN_SLACK_BOT_TOKEN", None)  # offline: the file carries the ids
    command = [sys.executable, "-m", "hr_plugin.cli", "directory", "import", str(path)]
    command += ["--full", "--team", TENANT]
    began = time.perf_counter()
    process = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - began
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"the import exited with {process.returncode}: {output.decode(errors='replace')}")
    return usage.ru_maxrss / 1024, seconds


def main() -> int:
    result = scenario(quick=False, runs=1)
    for line in [*result.lines, *result.details]:
        print(line.render())
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
