"""The servers the request benchmark talks to, each in its own process tree.

    python -m bench.serve ours [--slow-db SECONDS]     # exactly `hr-plugin serve`
    python -m bench.serve bare-default | bare-pbr      # a bare Bolt app, same gunicorn setup

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
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

BARE_KINDS = {"bare-default": False, "bare-pbr": True}


def bare_app(process_before_response: bool) -> Any:
    """A WSGI app: Bolt with trivial listeners for the four request kinds the benchmark sends."""
    from slack_bolt import App
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    from hr_plugin.settings import Settings
    from hr_plugin.slack_clients import make_client

    settings = Settings()
    client = make_client(settings.slack_bot_token or "", settings.slack_api_url, wait_on_rate_limit=False)
    app = App(
        signing_secret=settings.slack_signing_secret or "",
        client=client,
        process_before_response=process_before_response,
    )

    def trivial(ack: Any) -> None:
        ack()

    app.command("/rtw")(trivial)
    app.action("settings.working_hours_open")(trivial)
    app.view("settings.working_hours")(trivial)
    app.event("app_home_opened")(trivial)
    return SlackRequestHandler(app, path="/slack/events")


def _slow_statements(seconds: float) -> None:
    from sqlalchemy import Engine, event

    def wait(*_: Any) -> None:
        time.sleep(seconds)

    event.listen(Engine, "before_cursor_execute", wait)


SLOW_DB_ENV = "HR_PLUGIN_BENCH_SLOW_DB_SECONDS"

# Each web worker's companion process (hr_plugin.slack.companion) is spawned with this module as
# its main module, under this name: it gets the same slow statements as the workers.
if __name__ == "__mp_main__" and os.environ.get(SLOW_DB_ENV):
    _slow_statements(float(os.environ[SLOW_DB_ENV]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.serve")
    parser.add_argument("kind", choices=["ours", *BARE_KINDS])
    parser.add_argument("--slow-db", type=float, default=0.0, help="seconds added before every SQL statement")
    args = parser.parse_args(argv)
    if args.kind == "ours":
        if args.slow_db > 0:
            os.environ[SLOW_DB_ENV] = str(args.slow_db)
            _slow_statements(args.slow_db)
        from hr_plugin.cli import main as hr_plugin

        return hr_plugin(["serve"])
    from hr_plugin.server import run_gunicorn
    from hr_plugin.settings import Settings

    process_before_response = BARE_KINDS[args.kind]
    run_gunicorn(Settings(), lambda: bare_app(process_before_response))
    return 0


if __name__ == "__main__":
    sys.exit(main())
