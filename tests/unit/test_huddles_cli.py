"""``hr-plugin huddles plan``: DESIGN.md's JSON in and out, or one clear line and exit code 2.

People run this by hand on files they wrote or exported, so every mistake must name itself,
never end in a traceback, and never leave a half-written (or any) output file behind.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from huddles import cli


def person(pid: str, zone: str = "Europe/London", **extra: Any) -> dict[str, Any]:
    return {
        "id": pid,
        "timezone": zone,
        "stage_weeks": 6,
        "working_hours": ["09:00", "17:00"],
        "working_days": [0, 1, 2, 3, 4],
        **extra,
    }


INPUT: dict[str, Any] = {
    "month": "2026-03",
    "min_size": 4,
    "max_size": 7,
    "participants": [person(f"p{i}", country="GB", subdivision="ENG") for i in range(4)]
    + [person("far", "Australia/Sydney")],
    "facilitators": [{k: v for k, v in person("m1", "America/New_York").items() if k != "stage_weeks"}],
}


def write(tmp_path: Path, data: Any, name: str = "in.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(["huddles", "plan", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source, target = write(tmp_path, INPUT), tmp_path / "out.json"
    code, out, err = run(capsys, "--input", str(source), "--output", str(target))
    assert (code, err) == (0, "")
    result = json.loads(target.read_text(encoding="utf-8"))
    # Before New York's DST change (the 8th), London's 09:00-17:00 GMT and the New York
    # facilitator's 09:00 EST (14:00 UTC) first meet at 14:00 UTC on Monday 2 March.
    assert result["groups"] == [
        {
            "members": ["p0", "p1", "p2", "p3"],
            "facilitator": "m1",
            "start_utc": "2026-03-02T14:00:00+00:00",
            "minutes": 30,
        }
    ]
    assert [item["id"] for item in result["unplaced"]] == ["far"]
    assert result["unplaced"][0]["reason"]
    assert "1 groups, 4 people placed, 1 unplaced" in out


def test_same_input_same_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reordered = dict(INPUT, participants=list(reversed(INPUT["participants"])))
    outputs = []
    for index, data in enumerate([INPUT, INPUT, reordered]):
        target = tmp_path / f"out{index}.json"
        assert (
            run(capsys, "--input", str(write(tmp_path, data, f"in{index}.json")), "--output", str(target))[0]
            == 0
        )
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "one JSON object"),
        ({"participants": []}, "missing key 'month'"),
        ({"month": "March", "participants": []}, "YYYY-MM"),
        (
            {"month": "2026-03", "participants": [person("a", "Nowhere/City")]},
            "participants[0]: unknown time zone",
        ),
        ({"month": "2026-03", "participants": [person("a", working_days=[7])]}, "working_days"),
        ({"month": "2026-03", "participants": [person("a", working_hours=["9", "17:00"])]}, "HH:MM"),
        ({"month": "2026-03", "participants": [], "min_size": 2}, "min_size"),
        ({"month": "2026-03", "participants": [], "previous_groups": "p1"}, "previous_groups"),
    ],
)
def test_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: Any, message: str) -> None:
    target = tmp_path / "out.json"
    code, out, err = run(capsys, "--input", str(write(tmp_path, content)), "--output", str(target))
    assert code == 2 and out == ""
    assert err.startswith("error: ") and message in err and "Traceback" not in err
    assert err.count("\n") == 1
    assert not target.exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "in.json"]


def test_missing_input_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--input", str(tmp_path / "nope.json"), "--output", str(tmp_path / "o.json"))
    assert code == 2 and err.startswith("error: ") and "no such file" in err
    assert not (tmp_path / "o.json").exists()


def test_unwritable_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(tmp_path, INPUT)
    code, _, err = run(capsys, "--input", str(source), "--output", str(tmp_path / "missing" / "out.json"))
    assert code == 2 and err.startswith("error: cannot write")


def test_missing_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["huddles", "plan"]) == 2
    assert "--input" in capsys.readouterr().err
