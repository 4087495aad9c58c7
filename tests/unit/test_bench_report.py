"""The benchmark's interpolated percentile (bench/report.py): what its p99 figures mean."""

from __future__ import annotations

import pytest

from bench.report import interpolated_percentile, percentile


def test_interpolated_percentile_lies_between_the_nearest_ranks() -> None:
    values = [float(n) for n in range(1, 201)]  # 1 .. 200
    # position 0.99 * 199 = 197.01: between the 198th (198.0) and the 199th (199.0) value
    assert interpolated_percentile(values, 0.99) == pytest.approx(198.01)
    assert percentile(values, 0.99) == 198.0  # nearest rank, for contrast
    assert interpolated_percentile(values, 0.5) == pytest.approx(100.5)
    assert interpolated_percentile(values, 0.0) == 1.0
    assert interpolated_percentile(values, 1.0) == 200.0


def test_interpolated_percentile_of_one_value_and_of_none() -> None:
    assert interpolated_percentile([7.0], 0.99) == 7.0
    with pytest.raises(ValueError):
        interpolated_percentile([], 0.99)


def test_one_outlier_moves_an_interpolated_p99_by_a_fraction_of_the_gap() -> None:
    steady = [0.010] * 198 + [0.012, 0.500]
    assert interpolated_percentile(steady, 0.99) == pytest.approx(0.01002, abs=1e-7)


def test_rest_memory_is_judged_against_bare_bolt_and_shows_the_durable_peer_for_scale() -> None:
    from types import SimpleNamespace
    from typing import Any

    from bench.report import ScenarioResult
    from bench.slack_requests import _judge_rest_memory

    def workers(*mb: float) -> Any:
        return SimpleNamespace(rest_worker_rss_mb=list(mb))

    result = ScenarioResult("slack_requests")
    servers = {
        "ours": workers(90.0, 92.0),
        "bare-default": workers(41.0, 41.5),
        "bare-pbr": workers(40.0, 40.5),
        "peer-durable": workers(66.0, 66.5),
    }
    _judge_rest_memory(result, servers)
    [line] = result.lines
    assert line.passed is False  # 92 / 40 = 2.3x, against the lightest bare worker
    assert "(2.30x)" in line.figure
    assert line.beside.startswith(
        "bare pbr 40, 40 MB a worker; for scale, durable-write peer 66, 66 MB (1.66x)"
    )

    result = ScenarioResult("slack_requests")
    _judge_rest_memory(result, {"ours": workers(79.0), "bare-pbr": workers(40.0)})
    [line] = result.lines
    assert line.passed is True
    assert "for scale" not in line.beside
