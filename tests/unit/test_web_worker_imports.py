"""A web worker does not load numpy and scipy: only the matching run needs them.

They cost about 49 MB of resident memory in every process that imports them, and matching
never runs in a web worker (it runs in the scheduler's tick and in
``hr-plugin match solve``). Each check runs in a fresh interpreter, since this test process
has long imported both.

Nor, at rest, the packages only a rarer request needs, each imported on its first use (the
resident memory target: ``bench/slack_requests.py``): Alembic (only to upgrade a schema),
SQLAlchemy's asyncio extension (through ``slack_sdk``'s OAuth state store), PyJWT (the
console's sign-in), pygal (its charts), WTForms (the console's forms), icalendar (a calendar
file) and holidays (a plan or a huddle's slots). ``cryptography`` stays at start on purpose:
every process derives its vault keys with it then. Loaded on the private space's first use
instead, it would add about 8 MB to a single-workspace worker's memory exactly when someone first
used the space, which a memory graph would show (issue 18: not even whether it is used). The
last test checks that using each feature does load its package, so the absence above is not
vacuous.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

_HEAVY = ("numpy", "scipy")

# Imported on first use: the module, and a use of the feature that needs it.
_ON_FIRST_USE = {
    "alembic": "from hr_plugin.db import make_engine, upgrade\nupgrade(make_engine('sqlite://'))",
    "sqlalchemy.ext.asyncio": "from hr_plugin.oauth.states import OAuthStates",
    "jwt": (
        "from datetime import UTC, datetime\n"
        "from hr_plugin.console.auth import IdTokenVerifier, SignInError\n"
        "from hr_plugin.settings import Settings\n"
        "verifier = IdTokenVerifier(Settings(slack_api_url='http://127.0.0.1:9/api'))\n"
        "try:\n"
        "    verifier.verify('not-a-token', nonce='n', now=datetime.now(UTC))\n"
        "except SignInError:\n"
        "    pass"
    ),
    "pygal": (
        "from hr_plugin.console.charts import draw\n"
        "from hr_plugin.console.figures import Row, Table\n"
        "draw(Table('k', 'Title', 'Label', ('n',), (Row('a', (1.0,)),)))"
    ),
    "wtforms": "from hr_plugin.console.forms import HelpLinkForm\nHelpLinkForm()",
    "icalendar": (
        "from datetime import UTC, datetime\n"
        "from huddles.calendar import ics\n"
        "now = datetime.now(UTC)\n"
        "ics(uid='u', start_utc=now, minutes=30, title='t', description='d', stamp=now)"
    ),
    "holidays": (
        "from hr_plugin.reintegration.calendar import public_holidays\n"
        "assert public_holidays('GB', None, [2026])"
    ),
}
_AT_REST = (*_HEAVY, *_ON_FIRST_USE)

# What a gunicorn worker of ``hr-plugin serve`` holds: the command's module (the master imports
# it before forking), then the app its ``build_wsgi`` builds, against a fake Slack since Bolt
# asks ``auth.test`` as it starts. The fake runs in a process of its own (it imports PyJWT to
# sign its OpenID tokens, which a worker does not), and the database is already at head, as
# it is for every worker (``serve`` migrates the embedded SQLite file before forking them,
# ``hr-plugin db upgrade`` migrates PostgreSQL): migrated in another process too, so the
# worker's own check finds nothing to do.
_BUILD_THE_WORKER_APP = """
import base64, os, subprocess, sys

fake = subprocess.Popen(
    [sys.executable, "-c", "import sys\\nfrom hr_plugin.testing.fake_slack import FakeSlack\\n"
     "with FakeSlack(bot_tokens=['xoxb-imports']) as fake:\\n"
     "    print(fake.base_url, flush=True)\\n"
     "    sys.stdin.read()"],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
)
try:
    os.environ.update({
        "HR_PLUGIN_DATABASE_URL": "sqlite:///" + sys.argv[1],
        "HR_PLUGIN_SLACK_BOT_TOKEN": "xoxb-imports",
        "HR_PLUGIN_SLACK_SIGNING_SECRET": "imports-secret",
        "HR_PLUGIN_SLACK_API_URL": fake.stdout.readline().strip(),
        "HR_PLUGIN_VAULT_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
    })
    subprocess.run([sys.executable, "-m", "hr_plugin.cli", "db", "upgrade"], check=True, capture_output=True)
    import hr_plugin.cli
    from hr_plugin.services import make_services
    from hr_plugin.settings import Settings
    from hr_plugin.slack.app import build_app
    from hr_plugin.web import WebApp

    services = make_services(Settings())
    WebApp(build_app(services), services)
    services.engine.dispose()
finally:
    fake.stdin.close()
    fake.wait(timeout=30)
print(",".join(name for name in sys.argv[2:] if name in sys.modules))
"""


def _loaded_after(script: str, *args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    return [name for name in last.split(",") if name]


def test_importing_the_web_app_and_the_command_loads_neither_numpy_nor_scipy() -> None:
    script = (
        "import sys, hr_plugin.web, hr_plugin.cli, hr_plugin.features\n"
        f"print(','.join(name for name in {_AT_REST!r} if name in sys.modules))"
    )
    assert _loaded_after(script) == []


def test_the_app_a_serve_worker_builds_loads_neither_numpy_nor_scipy(tmp_path: Path) -> None:
    """Nor any package imported on first use (the module docstring)."""
    assert _loaded_after(_BUILD_THE_WORKER_APP, str(tmp_path / "imports.db"), *_AT_REST) == []


def test_a_serve_worker_loads_cryptography_at_start_whether_or_not_the_space_is_used(tmp_path: Path) -> None:
    """Its keys are derived as the worker starts, so its memory does not grow on the private
    space's first use (the module docstring)."""
    loaded = _loaded_after(_BUILD_THE_WORKER_APP, str(tmp_path / "imports.db"), "cryptography")
    assert loaded == ["cryptography"]


def test_solving_still_loads_them(tmp_path: Path) -> None:
    """The checks above are not vacuous: ``hr-plugin match solve`` brings numpy and scipy in."""
    instance = tmp_path / "instance.json"
    pair = {"mentees": ["ana"], "mentors": [{"id": "xia", "capacity": 1}], "edges": [["ana", "xia", 5]]}
    instance.write_text(json.dumps(pair), encoding="utf-8")
    script = (
        "import sys, hr_plugin.cli\n"
        f"assert not [name for name in {_HEAVY!r} if name in sys.modules]\n"
        "code = hr_plugin.cli.main(['match', 'solve', '--input', sys.argv[1], '--output', sys.argv[2]])\n"
        "assert code == 0\n"
        f"print(','.join(name for name in {_HEAVY!r} if name in sys.modules))"
    )
    assert _loaded_after(script, str(instance), str(tmp_path / "out.json")) == list(_HEAVY)


@pytest.mark.parametrize("module", list(_ON_FIRST_USE))
def test_using_the_feature_loads_its_package(module: str) -> None:
    """The checks above are not vacuous: each package is loaded by the feature that needs it,
    and by nothing before it (the command's module imported first, as in ``serve``)."""
    script = (
        "import sys, hr_plugin.cli, hr_plugin.web\n"
        f"assert {module!r} not in sys.modules\n"
        f"{_ON_FIRST_USE[module]}\n"
        f"print({module!r} if {module!r} in sys.modules else '')"
    )
    assert _loaded_after(script) == [module]
