"""``hr-plugin match solve``: DESIGN.md's JSON in and out, or one clear line and exit code 2.

People run this by hand on files they wrote or exported, so every mistake must name itself,
never end in a traceback, and never leave a half-written (or any) output file behind.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mentoring import cli

REPO = Path(__file__).resolve().parents[2]
INSTANCE: dict[str, list[Any]] = {
    "mentees": ["ana", "bo", "cy"],
    "mentors": [{"id": "xia", "capacity": 2}, {"id": "yan", "capacity": 1}],
    "edges": [["ana", "xia", 5], ["bo", "xia", 9], ["bo", "yan", 1], ["cy", "xia", 7]],
}


def write(tmp_path: Path, data: Any, name: str = "in.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(["match", "solve", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source, target = write(tmp_path, INSTANCE), tmp_path / "out.json"
    code, out, err = run(capsys, "--input", str(source), "--output", str(target))
    assert (code, err) == (0, "")
    # Three matches beat the heavier pairing of bo with xia that would strand someone.
    assert json.loads(target.read_text(encoding="utf-8")) == {
        "assignments": [["ana", "xia"], ["bo", "yan"], ["cy", "xia"]],
        "unmatched": [],
        "matched": 3,
        "weight": 13,
    }
    assert "matched 3 of 3 mentees, total weight 13" in out


def test_same_input_same_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(tmp_path, INSTANCE)
    reordered = write(
        tmp_path,
        {key: list(reversed(value)) for key, value in INSTANCE.items()},
        name="reordered.json",
    )
    outputs = []
    for index, path in enumerate([source, source, reordered]):
        target = tmp_path / f"out{index}.json"
        assert run(capsys, "--input", str(path), "--output", str(target))[0] == 0
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]


def test_unmatched_mentees_are_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(
        tmp_path,
        {
            "mentees": ["b", "a", "c"],
            "mentors": [{"id": "m", "capacity": 1}],
            "edges": [["a", "m", 2], ["c", "m", 3]],
        },
    )
    target = tmp_path / "out.json"
    assert run(capsys, "--input", str(source), "--output", str(target))[0] == 0
    assert json.loads(target.read_text(encoding="utf-8")) == {
        "assignments": [["c", "m"]],
        "unmatched": ["a", "b"],
        "matched": 1,
        "weight": 3,
    }


BAD_INPUTS = [
    ("{not json", "not valid JSON (line 1"),
    ("[]", "must hold one JSON object, got a list"),
    ({"mentees": [], "mentors": []}, "missing key(s) 'edges'"),
    ({**INSTANCE, "mentor": []}, "unknown key(s) 'mentor'"),
    ({**INSTANCE, "edges": {}}, "'edges' must be a list, got an object"),
    (
        {**INSTANCE, "mentors": [{"id": "xia"}]},
        "mentors[0] must be an object with exactly 'id' and 'capacity'",
    ),
    ({**INSTANCE, "mentors": ["xia"]}, "mentors[0] must be an object"),
    ({**INSTANCE, "edges": [["ana", "xia"]]}, "edges[0] must be [mentee, mentor, weight]"),
    ({**INSTANCE, "edges": [["ana", "zed", 1]]}, "unknown mentor 'zed'"),
    ({**INSTANCE, "edges": [["zed", "xia", 1]]}, "unknown mentee 'zed'"),
    ({**INSTANCE, "edges": [["ana", "xia", 1.5]]}, "weight must be an integer, got 1.5"),
    ({**INSTANCE, "edges": [["ana", "xia", "high"]]}, "weight must be an integer, got 'high'"),
    ({**INSTANCE, "edges": [["ana", "xia", 1], ["ana", "xia", 2]]}, "('ana', 'xia') is given twice"),
    ({**INSTANCE, "mentees": ["ana", "ana"]}, "duplicate mentee id 'ana'"),
    ({**INSTANCE, "mentees": [7]}, "a mentee id must be a non-empty string, got 7"),
    ({**INSTANCE, "mentors": [{"id": "xia", "capacity": 0}]}, "mentor 'xia': capacity must be at least 1"),
    ({**INSTANCE, "mentors": [{"id": "xia", "capacity": True}]}, "capacity must be an integer"),
]


@pytest.mark.parametrize(("data", "message"), BAD_INPUTS)
def test_bad_input_is_one_line_exit_2_and_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: Any, message: str
) -> None:
    source, target = write(tmp_path, data), tmp_path / "out.json"
    code, out, err = run(capsys, "--input", str(source), "--output", str(target))
    assert code == 2
    assert out == ""
    assert err.startswith(f"error: {source}: ")
    assert message in err
    assert "Traceback" not in err
    assert err.count("\n") == 1
    assert sorted(os.listdir(tmp_path)) == ["in.json"]  # no output, no temporary file left


def test_a_failed_run_leaves_an_existing_output_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, target = write(tmp_path, "[]"), tmp_path / "out.json"
    target.write_text("previous", encoding="utf-8")
    assert run(capsys, "--input", str(source), "--output", str(target))[0] == 2
    assert target.read_text(encoding="utf-8") == "previous"


def test_missing_input_and_unwritable_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--input", str(tmp_path / "absent.json"), "--output", str(tmp_path / "o.json"))
    assert code == 2 and "absent.json: no such file" in err
    source = write(tmp_path, INSTANCE)
    code, _, err = run(capsys, "--input", str(source), "--output", str(tmp_path / "no" / "such" / "dir.json"))
    assert code == 2 and err.startswith("error: cannot write") and "Traceback" not in err


def test_arguments_are_required(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--input", "x.json")
    assert code == 2 and "--output" in err


def test_an_empty_instance(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source, target = write(tmp_path, {"mentees": [], "mentors": [], "edges": []}), tmp_path / "out.json"
    assert run(capsys, "--input", str(source), "--output", str(target))[0] == 0
    assert json.loads(target.read_text(encoding="utf-8")) == {
        "assignments": [],
        "unmatched": [],
        "matched": 0,
        "weight": 0,
    }


def test_through_the_hr_plugin_command(tmp_path: Path) -> None:
    source, target = write(tmp_path, INSTANCE), tmp_path / "out.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "hr_plugin.cli",
            "match",
            "solve",
            "--input",
            str(source),
            "--output",
            str(target),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "HR_PLUGIN_DATABASE_URL": f"sqlite:///{tmp_path / 'unused.db'}"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(target.read_text(encoding="utf-8"))["matched"] == 3
    bad = write(tmp_path, {"mentees": ["a", "a"], "mentors": [], "edges": []}, name="bad.json")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "hr_plugin.cli",
            "match",
            "solve",
            "--input",
            str(bad),
            "--output",
            str(target),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 2
    assert "error:" in done.stderr and "duplicate mentee id 'a'" in done.stderr
    assert "Traceback" not in done.stderr
