"""``hr-plugin plan preview``: DESIGN.md's JSON on stdout, or one clear line and exit code 2.

HR runs this by hand on files they wrote, so every mistake must name itself rather than
end in a traceback.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from hr_plugin.reintegration import preview

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
POLICY = {
    "name": "standard",
    "reduced_weeks": 2,
    "reduced_percent": 50,
    "ramp_percents": [75],
    "extension_weeks": 1,
}


def write_policy(tmp_path: Path, policy: object) -> Path:
    path = tmp_path / "policy.json"
    path.write_text(policy if isinstance(policy, str) else json.dumps(policy), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = preview.main(["plan", "preview", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_output_is_designs_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_policy(tmp_path, POLICY)
    code, out, err = run(capsys, "--return-date", "2026-12-21", "--policy", str(path), "--country", "GB")

    assert (code, err) == (0, "")
    output = json.loads(out)
    assert list(output) == ["days", "weeks", "full_capacity_from"]
    for day in output["days"]:
        assert list(day) == ["date", "percent"]
        assert ISO_DATE.fullmatch(day["date"])
        assert type(day["percent"]) is int
    for week in output["weeks"]:
        assert list(week) == ["week_start", "percent", "working_days", "holidays"]
        assert ISO_DATE.fullmatch(week["week_start"])
        assert type(week["percent"]) is int
        assert all(ISO_DATE.fullmatch(day) for day in week["working_days"] + week["holidays"])
    assert ISO_DATE.fullmatch(output["full_capacity_from"])

    # The extension in the policy is not applied: 10 reduced days and 5 ramp days, no more.
    assert [day["percent"] for day in output["days"]] == [50] * 10 + [75] * 5
    assert output["weeks"][0] == {
        "week_start": "2026-12-21",
        "percent": 50,
        "working_days": ["2026-12-21", "2026-12-22", "2026-12-23", "2026-12-24"],
        "holidays": ["2026-12-25"],
    }
    assert output["weeks"][1]["holidays"] == ["2026-12-28", "2027-01-01"]
    assert output["full_capacity_from"] == "2027-01-14"
    assert out.startswith('{\n  "days": [')  # indented, as a person reads it


def test_without_a_country_there_are_no_public_holidays(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_policy(tmp_path, POLICY)
    code, out, _ = run(capsys, "--return-date", "2026-12-21", "--policy", str(path))

    output = json.loads(out)
    assert code == 0
    assert output["days"][4] == {"date": "2026-12-25", "percent": 50}
    assert all(week["holidays"] == [] for week in output["weeks"])
    assert output["full_capacity_from"] == "2027-01-11"


def test_subdivision_and_working_days(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_policy(
        tmp_path, {"reduced_weeks": 1, "reduced_percent": 60}
    )  # name, ramp, extension optional
    argv = ["--return-date", "2026-01-05", "--policy", str(path), "--country", "de", "--subdivision", "by"]
    code, out, _ = run(capsys, *argv, "--working-days", "0,1,2")

    output = json.loads(out)
    assert code == 0
    assert output["days"] == [
        {"date": "2026-01-05", "percent": 60},
        {"date": "2026-01-07", "percent": 60},  # 6 January, Epiphany, is a Bavarian holiday
        {"date": "2026-01-12", "percent": 60},
    ]
    assert output["weeks"][0]["holidays"] == ["2026-01-06"]
    assert output["full_capacity_from"] == "2026-01-13"


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ("{not json", "is not valid JSON"),
        ("[1, 2]", "must hold a JSON object"),
        ({"reduced_percent": 50}, "lacks reduced_weeks"),
        ({**POLICY, "reduced_percent": 0}, "reduced_percent must be between 1 and 100, got 0"),
        ({**POLICY, "reduced_weeks": "2"}, "reduced_weeks must be a whole number"),
        ({**POLICY, "reduced_weeks": 13}, "reduced_weeks must be between 0 and 12"),
        ({**POLICY, "ramp_percents": [90, 80]}, r"ramp_percents\[1\] is 80"),
        ({**POLICY, "ramp_percents": 75}, "ramp_percents must be a list"),
        ({**POLICY, "extension_weeks": -1}, "extension_weeks must be between 0 and 12"),
    ],
)
def test_a_bad_policy_file_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], policy: object, message: str
) -> None:
    path = write_policy(tmp_path, policy)
    code, out, err = run(capsys, "--return-date", "2026-12-21", "--policy", str(path))

    assert code == 2
    assert out == ""
    assert err.startswith("error: ")
    assert re.search(message, err)
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--return-date", "2026-02-30"], "'2026-02-30' is not a real date"),
        (["--return-date", "21/12/2026"], "--return-date must be YYYY-MM-DD"),
        (["--return-date", "20261221"], "--return-date must be YYYY-MM-DD"),
        (["--country", "XX"], "unknown country code 'XX'"),
        (["--country", "GB", "--subdivision", "ZZ"], "unknown subdivision 'ZZ' for GB"),
        (["--subdivision", "BY"], "--subdivision needs --country"),
        (["--working-days", "0,7"], "--working-days must be weekday numbers"),
        (["--working-days", ""], "--working-days must be weekday numbers"),
        (["--working-days", "mon,tue"], "--working-days must be weekday numbers"),
    ],
)
def test_bad_arguments_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    path = write_policy(tmp_path, POLICY)
    defaults = ["--return-date", "2026-12-21", "--policy", str(path)]
    code, out, err = run(capsys, *defaults, *argv)  # a repeated option: argparse keeps the last

    assert code == 2
    assert out == ""
    assert message in err
    assert "Traceback" not in err


def test_a_missing_policy_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.json"
    code, out, err = run(capsys, "--return-date", "2026-12-21", "--policy", str(missing))
    assert (code, out) == (2, "")
    assert f"policy file {missing} does not exist" in err


def test_a_missing_required_option_exits_2_with_usage(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--return-date", "2026-12-21")
    assert (code, out) == (2, "")
    assert "--policy" in err
    assert "Traceback" not in err


def test_the_hr_plugin_command_runs_the_same_preview(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hr_plugin import cli

    path = write_policy(tmp_path, POLICY)
    argv = ["plan", "preview", "--return-date", "2026-12-21", "--policy", str(path), "--country", "GB"]
    assert cli.main(argv) == 0
    through_cli = capsys.readouterr().out
    assert preview.main(argv) == 0
    assert through_cli == capsys.readouterr().out
    assert cli.main([*argv[:-2], "--country", "XX"]) == 2
    assert "unknown country code 'XX'" in capsys.readouterr().err
