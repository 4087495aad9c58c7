"""The servers the request benchmark talks to, each in its own process tree.

    python -m bench.serve ours [--slow-db SECONDS]     # exactly `hr-plugin serve`
    python -m bench.serve bare-default | bare-pbr      # a bare Bolt app, same gunicorn setup
    python -m bench.serve peer-durable                 # bare Bolt, one INSERT + COMMIT per submission
    python -m bench.serve peer-fixed-view              # bare Bolt, ack, then views.open/publish

``ours`` runs ``hr_plugin.cli.main(["serve"])``: gunicorn's threaded workers as deployed
(``HR_PLUGIN_WEB_WORKERS`` x ``HR_PLUGIN_WEB_THREADS``), configured from the environment.
With ``--slow-db``, every SQL statement the app sends waits that long before it runs: a
``before_cursor_execute`` hook on SQLAlchemy's ``Engine`` class, set in the gunicorn master
before the workers fork, so it covers each worker's main database and its vault key store.
It delays the statement, not the connection, so a slow round trip costs what it costs.

The bare apps are Bolt with one trivial listener per request kind (``ack()`` and nothing
else) behind the very same ``run_gunicorn``, in Bolt's default mode (the listener runs on
Bolt's executor and the request thread polls for the ack every 10 ms) or with
``process_before_response=True`` (the listener runs in the request thread).

The fair peers are bare Bolt apps too, behind the same ``run_gunicorn``, each doing the least
a real app must for one request kind:

- ``peer-durable`` (``process_before_response=True``, so the answer waits for the listener):
  the modal submission's listener INSERTs one row (who, the submitted values) into
  ``bench_peer_submission`` on the same PostgreSQL and COMMITs (``synchronous_commit`` as the
  server has it) before ``ack()``: what "acknowledged means saved" costs at the least. Its
  pool is sized to the web threads, as ours is.
- ``peer-fixed-view`` (Bolt's default mode, so ``ack()`` answers at once and the listener
  goes on): the button's listener acks, then calls ``views.open`` with the trigger id, and
  ``app_home_opened``'s acks, then ``views.publish``; both send a fixed view, the very view
  ours sent (``HR_PLUGIN_BENCH_FIXED_VIEWS`` names a JSON file holding ``open`` and
  ``publish``). What the person waits for, with nothing read and nothing built. Its
  submission's listener, for scale only, saves as ``peer-durable`` does, acks, then publishes
  the fixed Home: the least a submission costs when the person's Home shows what they changed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

BARE_KINDS = {"bare-default": False, "bare-pbr": True}
PEER_KINDS = ("peer-durable", "peer-fixed-view")
FIXED_VIEWS_ENV = "HR_PLUGIN_BENCH_FIXED_VIEWS"
PEER_TABLE = "bench_peer_submission"


def bare_app(process_before_response: bool) -> Any:
    """A WSGI app: Bolt with trivial listeners for the four request kinds the benchmark sends."""
    app, _settings = _bare(process_before_response)
    return _served(app)


def _bare(process_before_response: bool) -> tuple[Any, Any]:
    """A Bolt app configured as the bare ones are, and the settings it came from."""
    from slack_bolt import App

    from hr_plugin.settings import Settings
    from hr_plugin.slack_clients import make_client

    settings = Settings()
    client = make_client(settings.slack_bot_token or "", settings.slack_api_url, wait_on_rate_limit=False)
    app = App(
        signing_secret=settings.slack_signing_secret or "",
        client=client,
        process_before_response=process_before_response,
    )
    return app, settings


def _trivial(ack: Any) -> None:
    ack()


def _served(app: Any, *, button: Any = _trivial, submission: Any = _trivial, home: Any = _trivial) -> Any:
    """``app``'s listeners for the four request kinds (``/rtw`` always trivial), behind Bolt's
    WSGI adapter."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    app.command("/rtw")(_trivial)
    app.action("settings.working_hours_open")(button)
    app.view("settings.working_hours")(submission)
    app.event("app_home_opened")(home)
    return SlackRequestHandler(app, path="/slack/events")


def durable_peer() -> Any:
    """The modal submission's fair peer: one durable INSERT and COMMIT, then ``ack()``."""
    app, settings = _bare(process_before_response=True)
    saved = _saving(settings)

    def save(ack: Any, body: dict[str, Any]) -> None:
        saved(body)
        ack()

    return _served(app, submission=save)


def _saving(settings: Any) -> Any:
    """The durable-write peers' save: one INSERT of who submitted what, and its COMMIT, on a
    pool as large as the web threads (as ours)."""
    import json

    from sqlalchemy import text

    from hr_plugin.db import make_engine

    engine = make_engine(settings.database_url, pool_size=settings.web_threads, max_overflow=0)
    insert = text(f"INSERT INTO {PEER_TABLE} (user_id, submitted) VALUES (:user_id, :submitted)")

    def saved(body: dict[str, Any]) -> None:
        values = json.dumps(body["view"]["state"]["values"], separators=(",", ":"))
        with engine.begin() as connection:  # COMMIT on leaving the block, before the ack
            connection.execute(insert, {"user_id": body["user"]["id"], "submitted": values})

    return saved


def fixed_view_peer() -> Any:
    """The button's and ``app_home_opened``'s fair peer for what the person waits for: ack,
    then the same ``views.open`` / ``views.publish`` ours makes, with a fixed view. For scale
    only (not judged), a submission: the durable-write peer's save, ack, then the fixed Home
    published to the person, as ours shows the saved change on their Home."""
    import json
    from pathlib import Path

    app, settings = _bare(process_before_response=False)
    views = json.loads(Path(os.environ[FIXED_VIEWS_ENV]).read_text(encoding="utf-8"))
    saved = _saving(settings)

    def open_view(ack: Any, body: dict[str, Any], client: Any) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=views["open"])

    def publish(ack: Any, event: dict[str, Any], client: Any) -> None:
        ack()
        client.views_publish(user_id=event["user"], view=views["publish"])

    def save_then_publish(ack: Any, body: dict[str, Any], client: Any) -> None:
        saved(body)
        ack()
        client.views_publish(user_id=body["user"]["id"], view=views["publish"])

    return _served(app, button=open_view, submission=save_then_publish, home=publish)


def _create_peer_table(database_url: str) -> None:
    from sqlalchemy import text

    from hr_plugin.db import make_engine

    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    f"CREATE TABLE IF NOT EXISTS {PEER_TABLE} (id BIGSERIAL PRIMARY KEY, "
                    "user_id TEXT NOT NULL, submitted TEXT NOT NULL, "
                    "at TIMESTAMPTZ NOT NULL DEFAULT now())"
                    if engine.dialect.name == "postgresql"
                    else f"CREATE TABLE IF NOT EXISTS {PEER_TABLE} (id INTEGER PRIMARY KEY, "
                    "user_id TEXT NOT NULL, submitted TEXT NOT NULL, "
                    "at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
                )
            )
    finally:
        engine.dispose()


def _slow_statements(seconds: float) -> None:
    from sqlalchemy import Engine, event

    def wait(*_: Any) -> None:
        time.sleep(seconds)

    event.listen(Engine, "before_cursor_execute", wait)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.serve")
    parser.add_argument("kind", choices=["ours", *BARE_KINDS, *PEER_KINDS])
    parser.add_argument("--slow-db", type=float, default=0.0, help="seconds added before every SQL statement")
    args = parser.parse_args(argv)
    if args.kind == "ours":
        if args.slow_db > 0:
            _slow_statements(args.slow_db)
        from hr_plugin.cli import main as hr_plugin

        return hr_plugin(["serve"])
    from hr_plugin.server import run_gunicorn
    from hr_plugin.settings import Settings

    settings = Settings()
    if args.kind in PEER_KINDS:
        _create_peer_table(settings.database_url)  # once, before the workers fork
    if args.kind == "peer-durable":
        run_gunicorn(settings, durable_peer)
    elif args.kind == "peer-fixed-view":
        run_gunicorn(settings, fixed_view_peer)
    else:
        process_before_response = BARE_KINDS[args.kind]
        run_gunicorn(settings, lambda: bare_app(process_before_response))
    return 0


if __name__ == "__main__":
    sys.exit(main())
