"""One person's private space changes nothing anyone else can see (#18's differential test).

The demo runs twice: once as it is, where Noor uses her private space (the check-in with her
partner's part, look back, the longer track's tools, a milestone, the quarterly review, the
downloads for home), and once where she never opens it. Everything anyone else can see must
be the same in both runs, apart from times and ids: every Slack call whose audience is not
Noor alone (App Homes, messages, group DMs, the answers to others' requests), the audit log,
the numbers in ``/metrics``, and the HR console's pages and downloads as HR sees them. The
canary she typed is in no plaintext column, no job in the scheduler's store, no log line, and
no file of the demo but her own encrypted records.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import inspect, select, text

from hr_plugin.db import make_engine, make_session_factory, unit_of_work
from hr_plugin.models import AuditEntry
from tests.e2e import demo_runs
from tests.e2e.demo_runs import CANARY, NOOR, DemoRun

# What differs between two runs by construction, not by what anyone did: the moment of each
# call (``at``), and the ids the fake Slack and the app make up afresh (views, triggers, message
# timestamps, files, single-use tokens and links, the demo server's port).
_IDS = [
    (re.compile(r"\b\d{10}\.\d{6}\b"), "<ts>"),
    (re.compile(r"\bV[0-9A-Z]{6,}\b"), "<view>"),
    (re.compile(r"\bF[0-9A-Z]{6,}\b"), "<file>"),
    (re.compile(r"\b\d+\.\d+\.[0-9a-f]{8,}\b"), "<trigger>"),
    (re.compile(r"\b[0-9a-f]{16,}\b"), "<hex>"),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "<uuid>"),
    (re.compile(r"http://127\.0\.0\.1:\d+"), "<server>"),
    (re.compile(r"/vault/export/[A-Za-z0-9_-]{20,}"), "/vault/export/<secret>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(\+00:00|Z)?"), "<time>"),
]


def _normal(value: Any) -> str:
    shown = json.dumps(value, sort_keys=True, default=str)
    for pattern, placeholder in _IDS:
        shown = pattern.sub(placeholder, shown)
    return shown


@pytest.fixture(scope="module")
def runs(demo_run: DemoRun, tmp_path_factory: pytest.TempPathFactory) -> dict[str, DemoRun]:
    """The session's demo (Noor uses her private space) and a run where she never opens it."""
    return {"used": demo_run, "unused": demo_runs.run(tmp_path_factory.mktemp("unused"), leave_out=NOOR)}


def _people(out: Path) -> dict[str, dict[str, Any]]:
    return dict(json.loads((out / "people.json").read_text()))


def _noor(out: Path) -> str:
    return next(user for user, person in _people(out).items() if person["name"] == "Noor Haddad")


def _calls(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "slack-calls.jsonl").read_text().splitlines()]


def _seen_by_others(out: Path) -> list[str]:
    noor = _noor(out)
    return [
        _normal({key: value for key, value in call.items() if key != "at"})
        for call in _calls(out)
        if call["audience"] != [noor]
    ]


def test_noor_used_her_private_space_in_one_run_only(runs: dict[str, DemoRun]) -> None:
    """The premise: otherwise the comparisons below prove nothing."""
    mine = {name: [c for c in _calls(run.out) if CANARY in json.dumps(c)] for name, run in runs.items()}
    noor = _noor(runs["used"].out)
    assert any(f"{CANARY}:{noor}" in json.dumps(call) for call in mine["used"])
    assert any(f"{CANARY}:{noor}:partner" in json.dumps(call) for call in mine["used"])
    assert not any(f"{CANARY}:{noor}" in json.dumps(call) for call in mine["unused"])
    private = {"used": 0, "unused": 0}
    for name, run in runs.items():
        private[name] = sum(1 for call in _calls(run.out) if call["audience"] == [noor])
    assert private["used"] > private["unused"]


def test_every_slack_call_anyone_else_sees_is_the_same(runs: dict[str, DemoRun]) -> None:
    used, unused = _seen_by_others(runs["used"].out), _seen_by_others(runs["unused"].out)
    assert len(used) > 100
    assert used == unused


def _audit(out: Path) -> list[str]:
    engine = make_engine(f"sqlite:///{out / 'demo.db'}")
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
            return [
                _normal({c.key: getattr(row, c.key) for c in AuditEntry.__table__.columns if c.key != "id"})
                for row in rows
            ]
    finally:
        engine.dispose()


def test_the_audit_log_is_the_same(runs: dict[str, DemoRun]) -> None:
    used = _audit(runs["used"].out)
    assert len(used) > 20
    assert used == _audit(runs["unused"].out)


# A page's form carries the session's CSRF token, made up afresh at each sign-in.
_CSRF = re.compile(r'(name="csrf_token" value=")[^"]*"')


def _console(out: Path) -> dict[str, str]:
    """The console's saved pages and CSVs; the charts' element ids are uuids (``_IDS``)."""
    return {
        path.name: _normal(_CSRF.sub(r'\1<csrf>"', path.read_text(encoding="utf-8")))
        for path in sorted((out / "console").iterdir())
    }


def test_the_console_pages_and_downloads_are_the_same(runs: dict[str, DemoRun]) -> None:
    used, unused = _console(runs["used"].out), _console(runs["unused"].out)
    assert {name.rsplit(".", 1)[1] for name in used} == {"html", "csv"} and len(used) == 12  # 7 pages, 5 CSVs
    assert "<csrf>" in used["home.html"] and "<uuid>" in used["overview.html"]
    for name, page in used.items():
        assert page == unused[name], name
    assert set(used) == set(unused)


def _samples(text: str) -> dict[tuple[str, str], float]:
    return {
        (sample.name, json.dumps(sample.labels, sort_keys=True)): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _numbers(run: DemoRun) -> dict[tuple[str, str], float]:
    """The run's numbers in /metrics at the end of its quarter, without what measures time
    (durations, ages, creation times): counters as this run moved them, gauges as they are."""
    before = _samples(run.counted_before.read_text())
    found = {}
    for (name, labels), number in _samples((run.out / "metrics.txt").read_text()).items():
        timing = "_seconds" in name and not name.endswith("_count")
        if timing or "age" in name or name.endswith("_created") or name.startswith(("process_", "python_")):
            continue
        counted = name.endswith(("_total", "_count"))
        found[(name, labels)] = number - before.get((name, labels), 0.0) if counted else number
    return found


def test_the_metrics_count_the_same(runs: dict[str, DemoRun]) -> None:
    used = _numbers(runs["used"])
    assert sum(n for (name, _), n in used.items() if name == "hr_plugin_slack_requests_total") > 100
    assert used == _numbers(runs["unused"])


def test_the_canary_is_in_no_plaintext_column_job_or_file(runs: dict[str, DemoRun]) -> None:
    out = runs["used"].out
    typed = re.compile(rf"{CANARY}:U".encode())  # what someone typed, not the narration's word for it
    for path in out.rglob("*"):  # console/ too
        if path.is_file() and path.name != "slack-calls.jsonl":  # her own screens are in there
            assert not typed.search(path.read_bytes()), path.name
    engine = make_engine(f"sqlite:///{out / 'demo.db'}")
    try:
        with engine.connect() as connection:
            for table in inspect(connection).get_table_names():
                for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                    assert CANARY not in repr(tuple(row)), table
    finally:
        engine.dispose()


def test_at_debug_the_canary_is_in_no_log_line(runs: dict[str, DemoRun]) -> None:
    logged = runs["used"].logged
    assert len(logged) > 10_000  # every SQL statement, the outbox, the vault: DEBUG was on
    assert [line for line in logged if CANARY in line] == []
