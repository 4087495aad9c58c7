"""A web worker does not load numpy and scipy: only the matching run needs them.

They cost about 49 MB of resident memory in every process that imports them, and matching
never runs in a web worker or its companion (it runs in the scheduler's tick and in
``hr-plugin match solve``). Each check runs in a fresh interpreter, since this test process
has long imported both.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

_HEAVY = ("numpy", "scipy")

# What a gunicorn worker of ``hr-plugin serve`` holds: the command's module (the master imports
# it before forking), then the app its ``build_wsgi`` builds, against a fake Slack since Bolt
# asks ``auth.test`` as it starts.
_BUILD_THE_WORKER_APP = """
import base64, os, sys
from hr_plugin.testing.fake_slack import FakeSlack

with FakeSlack(bot_tokens=["xoxb-imports"]) as fake:
    os.environ.update({
        "HR_PLUGIN_DATABASE_URL": "sqlite:///" + sys.argv[1],
        "HR_PLUGIN_SLACK_BOT_TOKEN": "xoxb-imports",
        "HR_PLUGIN_SLACK_SIGNING_SECRET": "imports-secret",
        "HR_PLUGIN_SLACK_API_URL": fake.base_url,
        "HR_PLUGIN_VAULT_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
    })
    import hr_plugin.cli
    from hr_plugin.services import make_services
    from hr_plugin.settings import Settings
    from hr_plugin.slack.app import build_app
    from hr_plugin.web import WebApp

    services = make_services(Settings())
    WebApp(build_app(services), services)
    services.engine.dispose()
print(",".join(name for name in ("numpy", "scipy") if name in sys.modules))
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
        f"print(','.join(name for name in {_HEAVY!r} if name in sys.modules))"
    )
    assert _loaded_after(script) == []


def test_the_app_a_serve_worker_builds_loads_neither_numpy_nor_scipy(tmp_path: Path) -> None:
    assert _loaded_after(_BUILD_THE_WORKER_APP, str(tmp_path / "imports.db")) == []


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
