"""deploy/Dockerfile, .dockerignore and deploy/compose.yaml, read the way Docker reads them.

No Docker daemon is needed: the Dockerfile is parsed into stages and instructions, the ignore
file is matched with Docker's rules, and the pilot's compose file is checked service by
service. deploy/make-secrets.sh really runs, and the environment each container would get is
handed to the app's own ``Settings``, which must accept it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from hr_plugin.settings import Settings, decode_master_key
from tests.deploy.support import DEPLOY, ROOT, SECRET_NAME, is_command, unknown_settings

DOCKERFILE = DEPLOY / "Dockerfile"
COMPOSE = DEPLOY / "compose.yaml"
APP_SERVICES = ("migrate", "web", "scheduler")


# -- a Dockerfile, parsed ------------------------------------------------------------------------


@dataclass
class Instruction:
    keyword: str
    flags: dict[str, str]
    arguments: str

    def exec_form(self) -> list[str]:
        parsed = json.loads(self.arguments)
        assert isinstance(parsed, list), f"{self.keyword} is not in exec form"
        return [str(part) for part in parsed]


@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]


def parse_dockerfile(text: str) -> list[Stage]:
    """Stages in order, with ARG defaults declared before the first FROM substituted."""
    logical: list[str] = []
    pending = ""
    for line in text.splitlines():
        if line.strip().startswith("#"):
            continue  # comments, parser directives, and comment lines inside continuations
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    arguments: dict[str, str] = {}
    stages: list[Stage] = []
    for line in (entry.strip() for entry in logical):
        if not line:
            continue
        keyword, _, rest = line.partition(" ")
        keyword, rest = keyword.upper(), rest.strip()
        flags: dict[str, str] = {}
        while rest.startswith("--"):
            flag, _, rest = rest.partition(" ")
            name, _, value = flag[2:].partition("=")
            flags[name] = value
            rest = rest.strip()
        if keyword == "ARG" and not stages:
            name, _, default = rest.partition("=")
            arguments[name] = default
        elif keyword == "FROM":
            words = rest.split()
            image = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: arguments[m.group(1) or m.group(2)], words[0])
            stage_name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(image, stage_name))
        else:
            stages[-1].instructions.append(Instruction(keyword, flags, rest))
    return stages


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    return parse_dockerfile(DOCKERFILE.read_text())


def test_the_image_is_built_in_two_stages(stages: list[Stage]) -> None:
    assert len(stages) >= 2
    build, runtime = stages[0], stages[-1]
    assert build.name and runtime.name and build.name != runtime.name
    assert any("pip wheel" in run.arguments for run in build.all("RUN")), "the build stage makes wheels"
    # The runtime installs those wheels without keeping them: a bind mount from the build
    # stage, offline (--no-index), so the final image holds no build tools, wheels or caches.
    installs = [run for run in runtime.all("RUN") if "pip install" in run.arguments]
    assert installs
    for run in installs:
        assert f"from={build.name}" in run.flags.get("mount", "")
        assert "--no-index" in run.arguments and "--no-cache-dir" in run.arguments
    assert "slim" in runtime.image, "a slim runtime"
    assert runtime.image == build.image, "wheels built for the Python they run on"
    assert not runtime.all("ADD"), "nothing fetched into the image"
    for run in runtime.all("RUN"):
        assert not re.search(r"\b(curl|wget|apt-get)\b", run.arguments)


def test_the_image_runs_as_an_unprivileged_user(stages: list[Stage]) -> None:
    runtime = stages[-1]
    users = runtime.all("USER")
    assert users, "the runtime stage sets a USER"
    user = users[-1].arguments.split(":")[0]
    assert user not in ("root", "0")
    assert runtime.instructions.index(users[-1]) > max(
        runtime.instructions.index(run) for run in runtime.all("RUN")
    ), "nothing runs as root after the USER line"
    # Kubernetes' runAsUser names the same uid.
    pod_user = yaml.safe_load((DEPLOY / "k8s/base/web-deployment.yaml").read_text())["spec"]["template"][
        "spec"
    ]["securityContext"]["runAsUser"]
    assert user == str(pod_user)


def test_the_image_checks_its_own_health_without_curl(stages: list[Stage]) -> None:
    runtime = stages[-1]
    (check,) = runtime.all("HEALTHCHECK")
    keyword, _, command = check.arguments.partition(" ")
    assert keyword == "CMD"
    program = json.loads(command)
    assert program[0] == "python"
    assert "urllib.request.urlopen" in program[-1] and "/healthz" in program[-1]
    env = " ".join(i.arguments for i in runtime.all("ENV"))
    port = re.search(r"HR_PLUGIN_PORT=(\d+)", env)
    assert port and runtime.all("EXPOSE")[0].arguments == port.group(1)
    assert "HR_PLUGIN_HOST=0.0.0.0" in env, "serve must listen beyond the container's loopback"


def test_one_image_runs_serve_scheduler_and_migrations(stages: list[Stage]) -> None:
    runtime = stages[-1]
    (entrypoint,) = runtime.all("ENTRYPOINT")
    assert entrypoint.exec_form() == ["hr-plugin"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["hr-plugin"] == "hr_plugin.cli:main"
    (default,) = runtime.all("CMD")
    for args in (default.exec_form(), ["serve"], ["scheduler"], ["db", "upgrade"]):
        assert is_command(args), f"hr-plugin {' '.join(args)}"


def test_the_dockerfile_holds_no_secret(stages: list[Stage]) -> None:
    for stage in stages:
        for instruction in stage.all("ENV") + stage.all("ARG"):
            names = re.findall(r"([A-Z_][A-Z0-9_]*)=", instruction.arguments)
            assert [name for name in names if SECRET_NAME.search(name)] == []


# -- .dockerignore -------------------------------------------------------------------------------


def _pattern(pattern: str) -> re.Pattern[str]:
    """Docker's ignore patterns: Go's filepath.Match, plus ``**`` for any number of folders."""
    pattern = pattern.strip("/")
    parts = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            parts.append("(?:.*/)?")
            index += 3
        elif pattern.startswith("**", index):
            parts.append(".*")
            index += 2
        elif pattern[index] == "*":
            parts.append("[^/]*")
            index += 1
        elif pattern[index] == "?":
            parts.append("[^/]")
            index += 1
        elif pattern[index] == "[":
            end = pattern.index("]", index)
            parts.append(pattern[index : end + 1])
            index = end + 1
        else:
            parts.append(re.escape(pattern[index]))
            index += 1
    return re.compile("".join(parts) + r"\Z")


def ignored(path: str, rules: list[str]) -> bool:
    """Whether Docker leaves ``path`` out of the build context: the last matching rule wins, and a
    rule about a folder applies to everything in it."""
    result = False
    prefixes = [path] + ["/".join(path.split("/")[:n]) for n in range(1, path.count("/") + 1)]
    for rule in rules:
        negated = rule.startswith("!")
        matcher = _pattern(rule[1:] if negated else rule)
        if any(matcher.match(prefix) for prefix in prefixes):
            result = not negated
    return result


def test_the_build_context_holds_the_sources_and_nothing_private(stages: list[Stage]) -> None:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    rules = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    copied = [i.arguments.split()[:-1] for i in stages[0].all("COPY") if "from" not in i.flags]
    for sources in copied:
        for source in sources:
            assert not ignored(source.rstrip("/"), rules), f"COPY {source} would find nothing"
            assert (ROOT / source).exists()
    for kept in ("hr_plugin/cli.py", "hr_plugin/migrations/versions/0001_x.py", "huddles/content/en.json"):
        assert not ignored(kept, rules), kept
    for private in (
        ".venv/bin/python",
        ".git/config",
        "deploy/secrets/master.key",
        "hr_plugin.db",
        "hr_plugin-keys.db",
        "hr_plugin/hr_plugin-keys.db",
        "demo-out/slack-calls.jsonl",
        "master.key",
        "hr_plugin/__pycache__/cli.cpython-312.pyc",
        "tests/conftest.py",
    ):
        assert ignored(private, rules), f"{private} would be sent to the Docker daemon"


# -- compose.yaml --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_compose_runs_postgresql_the_migration_the_app_and_two_schedulers(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"postgres", *APP_SERVICES}
    images = {services[name]["image"] for name in APP_SERVICES}
    assert len(images) == 1, "one image for every process"
    build = services["migrate"]["build"]
    assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert services["web"]["command"] == ["serve"]
    assert services["scheduler"]["command"] == ["scheduler"]
    assert services["scheduler"]["deploy"]["replicas"] == 2
    for name in APP_SERVICES:
        assert is_command(services[name]["command"])


def test_compose_starts_things_in_order(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in ("web", "scheduler"):
        assert services[name]["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }
    assert services["migrate"]["restart"] == "no"


def test_compose_health_checks(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"][1]
    assert services["migrate"]["healthcheck"] == {"disable": True}, "a one-shot job has no health"
    web_check = " ".join(services["web"]["healthcheck"]["test"])
    assert "urllib" in web_check and "3000/healthz" in web_check
    scheduler = services["scheduler"]
    port = scheduler["environment"]["HR_PLUGIN_METRICS_PORT"]
    assert f"{port}/metrics" in " ".join(scheduler["healthcheck"]["test"])


def test_compose_app_containers_are_locked_down(compose: dict[str, Any]) -> None:
    for name in APP_SERVICES:
        service = compose["services"][name]
        assert service["read_only"] is True
        assert "/tmp" in service["tmpfs"]
        assert service["cap_drop"] == ["ALL"]
        assert "no-new-privileges:true" in service["security_opt"]


def test_compose_writes_no_secret_inline(compose: dict[str, Any]) -> None:
    secrets = compose["secrets"]
    for name, service in compose["services"].items():
        for variable, value in (service.get("environment") or {}).items():
            if variable.endswith("_FILE"):
                assert str(value).startswith("/run/secrets/"), f"{name}: {variable}"
                assert str(value).removeprefix("/run/secrets/") in service["secrets"]
            else:
                assert not SECRET_NAME.search(variable), f"{name}: {variable} is written inline"
        for env_file in service.get("env_file", []):
            assert env_file.startswith("./secrets/"), f"{name}: {env_file} is outside deploy/secrets"
        for secret in service.get("secrets", []):
            assert secrets[secret]["file"].startswith("./secrets/")
    assert "/secrets/" in (DEPLOY / ".gitignore").read_text().split(), "deploy/secrets/ is git-ignored"
    # Migrations get the database only: no Slack tokens, no master key.
    migrate = compose["services"]["migrate"]
    assert migrate["env_file"] == ["./secrets/database.env"]
    assert "secrets" not in migrate


# -- the pilot's secrets, made for real and read by the app --------------------------------------


def _make_secrets(folder: Path) -> Path:
    """Run deploy/make-secrets.sh in a copy of deploy/ and return the secrets folder it wrote."""
    shutil.copy(DEPLOY / "make-secrets.sh", folder / "make-secrets.sh")
    result = subprocess.run(
        ["sh", str(folder / "make-secrets.sh")], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return folder / "secrets"


def _env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def test_make_secrets_writes_two_databases_and_a_master_key_once(tmp_path: Path) -> None:
    secrets = _make_secrets(tmp_path)
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o700
    urls = _env_file(secrets / "database.env")
    main = re.fullmatch(r"postgresql://(\w+):(\w+)@postgres:5432/(\w+)", urls["HR_PLUGIN_DATABASE_URL"])
    keys = re.fullmatch(r"postgresql://(\w+):(\w+)@postgres:5432/(\w+)", urls["HR_PLUGIN_VAULT_KEYSTORE_URL"])
    assert main and keys
    assert main.group(3) != keys.group(3) and main.group(1) != keys.group(1), "the key store stands apart"
    assert main.group(2) == (secrets / "app_db_password").read_text().strip()
    assert keys.group(2) == (secrets / "keystore_db_password").read_text().strip()
    # PostgreSQL's first start creates exactly those roles and databases.
    init = (DEPLOY / "postgres" / "init-databases.sh").read_text()
    assert re.findall(r"CREATE DATABASE (\w+) OWNER (\w+);", init) == [
        (main.group(3), main.group(1)),
        (keys.group(3), keys.group(1)),
    ]
    assert len(decode_master_key((secrets / "master.key").read_text(), "master.key")) == 32

    before = {path.name: path.read_bytes() for path in secrets.iterdir()}
    _make_secrets(tmp_path)
    assert {path.name: path.read_bytes() for path in secrets.iterdir()} == before, "never overwritten"


def test_each_container_gets_settings_the_app_accepts(
    tmp_path: Path, compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = _make_secrets(tmp_path)
    slack = (secrets / "slack.env").read_text()
    slack = slack.replace("HR_PLUGIN_SLACK_SIGNING_SECRET=", "HR_PLUGIN_SLACK_SIGNING_SECRET=s3cret")
    slack = slack.replace("HR_PLUGIN_SLACK_BOT_TOKEN=", "HR_PLUGIN_SLACK_BOT_TOKEN=xoxb-1")
    (secrets / "slack.env").write_text(slack)
    mounted = {f"/run/secrets/{name}": tmp_path / spec["file"] for name, spec in compose["secrets"].items()}

    for name in APP_SERVICES:
        service = compose["services"][name]
        environment: dict[str, str] = {}
        for env_file in service["env_file"]:
            environment.update(_env_file(tmp_path / env_file))
        environment.update({k: str(v) for k, v in (service.get("environment") or {}).items()})
        assert unknown_settings(list(environment)) == [], name
        for variable in [v for v in os.environ if v.startswith("HR_PLUGIN_")]:
            monkeypatch.delenv(variable)
        for variable, value in environment.items():
            monkeypatch.setenv(variable, str(mounted.get(value, value)))
        settings = Settings()
        assert settings.database_url.startswith("postgresql://")
        if name == "migrate":
            assert settings.vault_key_file is None and settings.slack_bot_token is None
            continue
        settings.check_serve()  # signing secret, a token and a readable master key, or it says which
        assert settings.vault_keystore_url != settings.database_url
        assert settings.slack_bot_token, "the scheduler sends messages"


def test_postgresql_init_script_reads_its_passwords_from_docker_secrets(compose: dict[str, Any]) -> None:
    postgres = compose["services"]["postgres"]
    mounted_scripts = [v.split(":") for v in postgres["volumes"] if "docker-entrypoint-initdb.d" in v]
    ((source, _target, mode),) = mounted_scripts
    script = (DEPLOY / source).resolve()
    assert mode == "ro" and script == DEPLOY / "postgres" / "init-databases.sh"
    read = re.findall(r"/run/secrets/(\w+)", script.read_text())
    assert read and set(read) <= set(postgres["secrets"])
    superuser_password = postgres["environment"]["POSTGRES_PASSWORD_FILE"]
    assert superuser_password.removeprefix("/run/secrets/") in postgres["secrets"]
    # Passwords reach psql as variables (:'name'), quoted by psql, never pasted into the SQL.
    assert "PASSWORD :'" in script.read_text()
