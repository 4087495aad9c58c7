"""The offline demo, run once per test session for every test that reads its record.

``tests/e2e/test_demo.py`` checks what the demo recorded; ``test_demo_differential.py``
compares it with a second run where Noor never opens her private space. Both read this one run
(the ``demo_run`` fixture in ``tests/e2e/conftest.py``): a demo costs most of a minute.

The run logs at DEBUG, as an operator could set it, with every SQL statement and its
parameters (Slack's libraries stay at INFO: the app keeps them there, since at DEBUG they print
whole request bodies), so the tests can look for the canary in every line.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from prometheus_client import REGISTRY, generate_latest

from hr_plugin.demo.run import run_demo

CANARY = "DEMO-CANARY"
NOOR = "noor.haddad@example.com"


class _Lines(logging.Handler):
    """Every log record, formatted with its traceback as a handler would write it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(logging.Formatter().format(record))


@dataclass
class DemoRun:
    out: Path
    logged: list[str] = field(default_factory=list)

    @property
    def counted_before(self) -> Path:
        """This process's counters before the run: they live in one registry per process, so a
        run's own counts are what its ``metrics.txt`` holds minus these."""
        return self.out.parent / f"{self.out.name}-before.txt"


def run(out: Path, *, leave_out: str | None = None, at_debug: bool = False) -> DemoRun:
    """The demo with ``CANARY`` typed by everyone, into ``out``; ``leave_out`` never opens their
    private space."""
    done = DemoRun(out)
    done.counted_before.write_bytes(generate_latest(REGISTRY))
    lines = _Lines()
    root, sql = logging.getLogger(), logging.getLogger("sqlalchemy.engine")
    levels = root.level, sql.level
    if at_debug:
        root.addHandler(lines)
        root.setLevel(logging.DEBUG)
        sql.setLevel(logging.INFO)  # every statement with its parameters
    try:
        assert run_demo(out=out, canary=CANARY, leave_out=leave_out) == 0
    finally:
        root.removeHandler(lines)
        root.setLevel(levels[0])
        sql.setLevel(levels[1])
    done.logged = lines.lines
    return done
