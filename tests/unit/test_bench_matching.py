"""The matching benchmark's verdict: ours beside OR-Tools, and a missing OR-Tools skipped or failed.

No solver runs here (they run in ``python -m bench``); these check the rules the figures are
judged by, which a typo could otherwise turn into a target that always passes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import matching as bench
from bench.matching import DENSE, OURS, PEER, Result

SIZE = {"mentees": 10, "mentors": 5, "candidates": 3}


def solved(name: str, seconds: float, weight: int = 100) -> Result:
    return Result(name, "ok", seconds=seconds, matched=10, weight=weight)


@pytest.mark.parametrize(
    ("ours", "flow", "agree", "verdict"),
    [
        (1.0, 1.2, True, True),
        (1.2, 1.2, True, True),
        (1.3, 1.2, True, False),
        (1.0, 1.2, False, False),  # a different optimum fails however fast
    ],
)
def test_the_target_is_ours_at_least_as_fast_as_or_tools_with_the_same_optimum(
    ours: float, flow: float, agree: bool, verdict: bool
) -> None:
    results = {OURS: solved(OURS, ours), PEER: solved(PEER, flow), DENSE: solved(DENSE, 0.5)}
    assert bench._verdict(results, agree) is verdict  # the dense solver, faster here, is not the peer


def test_a_skipped_or_tools_leaves_the_target_unchecked() -> None:
    results = {
        OURS: solved(OURS, 1.0),
        PEER: Result(PEER, "skipped", note="not installed"),
        DENSE: solved(DENSE, 9),
    }
    assert bench._verdict(results, agree=True) is None


def test_a_missing_or_tools_is_skipped_unless_peers_are_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "_has_ortools", lambda: False)

    def measured(*args: object) -> Result:
        raise AssertionError("a missing peer must not be run")

    monkeypatch.setattr(bench, "measure", measured)
    path = Path("unused.npz")
    skipped = bench._run_solver(PEER, path, SIZE, 10, None, 60.0)
    required = bench._run_solver(PEER, path, SIZE, 10, None, 60.0, require_peers=True)
    assert (skipped.status, required.status) == ("skipped", "failed")
    assert "ortools is not installed" in required.note
    assert bench._failure_note([solved(OURS, 1.0), required]).startswith(PEER)
