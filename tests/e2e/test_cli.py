"""The ``hr-plugin`` command as an operator runs it: a real process, the real database."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from hr_plugin.clock import SystemClock
from hr_plugin.testing.fake_slack import FakeSlack

TOKEN = "xoxb-fake-token"

GOOD_CSV = """email,name,manager_email,department,country
boss@example.com,Bea Boss,,Leadership,GB
hr@example.com,Hal Resources,boss@example.com,People,GB
dev@example.com,Dee Veloper,boss@example.com,Engineering,DE
"""


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(clock=SystemClock(), bot_tokens=[TOKEN]) as running:
        running.add_user("UBOSS", name="boss", real_name="Bea Boss", email="boss@example.com")
        running.add_user(
            "UHR", name="hr", real_name="Hal Resources", email="hr@example.com", tz="Europe/London"
        )
        running.add_user(
            "UDEV", name="dev", real_name="Dee Veloper", email="dev@example.com", tz="Europe/Berlin"
        )
        yield running


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hr_plugin.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("HR_PLUGIN_")}, **(env or {})},
    )


def _env(database_url: str, fake: FakeSlack) -> dict[str, str]:
    return {
        "HR_PLUGIN_DATABASE_URL": database_url,
        "HR_PLUGIN_SLACK_BOT_TOKEN": TOKEN,
        "HR_PLUGIN_SLACK_API_URL": fake.base_url,
    }


def _dump(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        rows: list[tuple[object, ...]] = []
        for table in ("tenants", "employees", "audit_log", "hr_admins"):
            rows += [(table, *row) for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY 1"))]
        return rows


def test_import_then_appoint_an_admin(
    database_url: str, engine: Engine, fake: FakeSlack, tmp_path: Path
) -> None:
    csv_file = tmp_path / "org.csv"
    csv_file.write_text(GOOD_CSV)

    imported = run_cli("directory", "import", str(csv_file), env=_env(database_url, fake))
    appointed = run_cli("admins", "add", "HR@example.com", env=_env(database_url, fake))
    again = run_cli("admins", "add", "hr@example.com", env=_env(database_url, fake))
    unknown = run_cli("admins", "add", "nobody@example.com", env=_env(database_url, fake))

    assert imported.returncode == 0, imported.stderr
    assert "3 created" in imported.stdout
    assert appointed.returncode == 0 and "Hal Resources is now an HR admin" in appointed.stdout
    assert again.returncode == 0 and "was already" in again.stdout
    assert unknown.returncode == 2 and "nobody@example.com is not in the directory" in unknown.stderr
    with engine.connect() as connection:
        zones = dict(connection.execute(text("SELECT email, timezone FROM employees")).all())
    assert zones["dev@example.com"] == "Europe/Berlin"  # from Slack


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("email,name,department,country\nx@example.com,X,Eng,GB\n", "line 1"),
        (GOOD_CSV + "not-an-email,Broken,boss@example.com,Eng,GB\n", "line 5"),
        (GOOD_CSV + "new@example.com,New,ghost@example.com,Eng,GB\n", "line 5"),
        (
            GOOD_CSV.replace("boss@example.com,Bea Boss,,", "boss@example.com,Bea Boss,dev@example.com,"),
            "cycle",
        ),
    ],
    ids=["missing-column", "bad-email", "unknown-manager", "reporting-cycle"],
)
def test_a_malformed_csv_names_the_line_and_changes_nothing(
    database_url: str, engine: Engine, fake: FakeSlack, tmp_path: Path, content: str, expected: str
) -> None:
    good = tmp_path / "good.csv"
    good.write_text(GOOD_CSV.replace("Dee Veloper", "Dee V"))
    assert run_cli("directory", "import", str(good), env=_env(database_url, fake)).returncode == 0
    before = _dump(engine)
    bad = tmp_path / "bad.csv"
    bad.write_text(content)

    result = run_cli("directory", "import", str(bad), "--full", env=_env(database_url, fake))

    assert result.returncode == 2
    assert expected in result.stderr
    assert "nothing changed" in result.stderr
    assert _dump(engine) == before


def test_a_file_piped_to_dev_stdin_is_imported(database_url: str, fake: FakeSlack) -> None:
    """As the deployment guide runs it in a container; the import reads its file twice, a pipe once."""
    env = _env(database_url, fake)
    piped = subprocess.run(
        [sys.executable, "-m", "hr_plugin.cli", "directory", "import", "/dev/stdin"],
        input=GOOD_CSV,
        capture_output=True,
        text=True,
        timeout=120,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("HR_PLUGIN_")}, **env},
    )
    assert piped.returncode == 0, piped.stderr
    assert "3 created" in piped.stdout


def test_a_latin1_file_is_refused_with_its_line_and_the_advice_to_export_utf8(
    database_url: str, engine: Engine, fake: FakeSlack, tmp_path: Path
) -> None:
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(GOOD_CSV.replace("Hal Resources", "Hélène Resources").encode("latin-1"))

    result = run_cli("directory", "import", str(latin1), env=_env(database_url, fake))

    assert result.returncode == 2
    assert "line 3: " in result.stderr and "CSV UTF-8" in result.stderr
    assert "byte" not in result.stderr and "position" not in result.stderr
    assert "nothing changed" in result.stderr
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM employees")).scalar() == 0


def test_vault_new_key_writes_a_private_file_and_never_overwrites(tmp_path: Path) -> None:
    key_file = tmp_path / "master.key"

    first = run_cli("vault", "new-key", "--file", str(key_file))
    second = run_cli("vault", "new-key", "--file", str(key_file))

    assert first.returncode == 0
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    from hr_plugin.settings import Settings

    assert len(Settings(vault_key_file=key_file).master_key()) == 32
    assert second.returncode == 2 and "refusing to overwrite" in second.stderr


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, "HR_PLUGIN_SLACK_SIGNING_SECRET"),
        (
            {"HR_PLUGIN_SLACK_SIGNING_SECRET": "s", "HR_PLUGIN_SLACK_BOT_TOKEN": "xoxb-1"},
            "HR_PLUGIN_VAULT_KEY",
        ),
        (
            {"HR_PLUGIN_SLACK_SIGNING_SECRET": "s", "HR_PLUGIN_VAULT_KEY": "c2hvcnQ="},
            "HR_PLUGIN_SLACK_BOT_TOKEN",
        ),
    ],
)
def test_serve_refuses_to_start_and_names_what_is_missing(
    tmp_path: Path, env: dict[str, str], missing: str
) -> None:
    result = run_cli("serve", env={"HR_PLUGIN_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", **env})

    assert result.returncode == 2
    assert missing in result.stderr
    assert not (tmp_path / "x.db").exists()


def test_serve_refuses_a_malformed_master_key(tmp_path: Path) -> None:
    result = run_cli(
        "serve",
        env={
            "HR_PLUGIN_SLACK_SIGNING_SECRET": "s",
            "HR_PLUGIN_SLACK_BOT_TOKEN": "xoxb-1",
            "HR_PLUGIN_VAULT_KEY": "c2hvcnQ=",
            "HR_PLUGIN_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        },
    )

    assert result.returncode == 2
    assert "must be 32 bytes" in result.stderr


def test_db_upgrade_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"

    first = run_cli("db", "upgrade", env={"HR_PLUGIN_DATABASE_URL": url})
    second = run_cli("db", "upgrade", env={"HR_PLUGIN_DATABASE_URL": url})

    assert first.returncode == 0 and second.returncode == 0
    from hr_plugin.migrations import head_revision

    assert f"database schema at {head_revision()}" in second.stdout
    from hr_plugin.db import make_engine

    with make_engine(url).connect() as connection:
        assert connection.execute(select(text("count(*)")).select_from(text("employees"))).scalar() == 0


def test_policies_enrolments_and_plan_preview_from_the_command_line(
    database_url: str, engine: Engine, fake: FakeSlack, tmp_path: Path
) -> None:
    env = _env(database_url, fake)
    org = tmp_path / "org.csv"
    org.write_text(GOOD_CSV)
    assert run_cli("directory", "import", str(org), env=env).returncode == 0
    policy = tmp_path / "policy.json"
    policy.write_text(
        '{"name": "Germany", "scope": {"country": "DE"}, "reduced_weeks": 3, "reduced_percent": 50, '
        '"ramp_percents": [75], "extension_weeks": 1}'
    )
    bad_policy = tmp_path / "bad.json"
    bad_policy.write_text('{"name": "Bad", "scope": "all", "reduced_weeks": 2, "reduced_percent": 150}')
    enrolments = tmp_path / "enrolments.csv"
    enrolments.write_text("email,leave_start,expected_return\ndev@example.com,2026-09-01,2027-01-04\n")

    saved = run_cli("policy", "set", str(policy), env=env)
    refused = run_cli("policy", "set", str(bad_policy), env=env)
    listed = run_cli("policy", "list", env=env)
    proposed = run_cli("enrolment", "import", str(enrolments), env=env)
    again = run_cli("enrolment", "import", str(enrolments), env=env)
    preview = run_cli(
        "plan", "preview", "--return-date", "2026-12-21", "--policy", str(policy), "--country", "GB", env=env
    )

    assert saved.returncode == 0 and "policy 'Germany' created" in saved.stdout
    assert (
        refused.returncode == 2
        and "reduced_percent" in refused.stderr
        and "nothing changed" in refused.stderr
    )
    assert "Germany\tcountry DE\t3 weeks at 50%" in listed.stdout and "Default" in listed.stdout
    assert proposed.returncode == 0 and "1 enrolment(s) proposed" in proposed.stdout
    assert (
        again.returncode == 2
        and "line 2: dev@example.com already has an enrolment in progress" in again.stderr
    )
    assert preview.returncode == 0
    import json

    plan = json.loads(preview.stdout)
    assert set(plan) == {"days", "weeks", "full_capacity_from"}
    assert "2026-12-25" not in [day["date"] for day in plan["days"]]  # Christmas Day is skipped


def test_help_links_are_set_from_a_file_and_bad_files_change_nothing(
    database_url: str, engine: Engine, fake: FakeSlack, tmp_path: Path
) -> None:
    env = _env(database_url, fake)
    org = tmp_path / "org.csv"
    org.write_text(GOOD_CSV)
    assert run_cli("directory", "import", str(org), env=env).returncode == 0
    good = tmp_path / "help.json"
    good.write_text(
        '[{"kind": "crisis", "country": "GB", "name": "Crisis line", "description": "Any time",'
        ' "url": "https://help.example.org/crisis"},'
        ' {"kind": "counselling", "country": "**", "name": "EAP", "description": "Six sessions",'
        ' "url": "https://eap.example.org"}]'
    )
    bad = tmp_path / "bad.json"
    bad.write_text('[{"kind": "crisis", "country": "GB", "name": "X", "url": "http://insecure.example.org"}]')

    saved = run_cli("resources", "set", str(good), env=env)
    refused = run_cli("resources", "set", str(bad), env=env)

    assert saved.returncode == 0 and "2 help link(s) set" in saved.stdout
    assert refused.returncode == 2 and "resource 1" in refused.stderr and "https://" in refused.stderr
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM help_resources")).scalar() == 2
