"""The deployment guide and the privacy note stay true to the code they describe.

Every setting the app reads is in the guide's table, every Secret the workloads reference and
every file the pilot's compose file reads is named in it, and every ``hr-plugin ...`` command
either document shows is one the CLI has.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.deploy import kustomize
from tests.deploy.support import DEPLOY, ROOT, names_a_command, setting_names

GUIDE = ROOT / "docs" / "deployment.md"
PRIVACY = ROOT / "docs" / "privacy-note.md"
# `hr-plugin <words>`, not the Kubernetes namespace of the same name (`-n hr-plugin`).
COMMAND = re.compile(r"(?<!-n )(?<![\w/-])hr-plugin((?: [a-z][a-z-]*)+)")


def test_the_guide_documents_every_setting() -> None:
    text = GUIDE.read_text()
    missing = sorted(name for name in setting_names() if f"`{name}`" not in text)
    assert not missing, f"docs/deployment.md does not document {missing}"


def test_the_guide_names_every_secret_the_deployment_reads() -> None:
    text = GUIDE.read_text()
    referenced = set()
    for manifest in kustomize.render(DEPLOY / "k8s" / "base"):
        spec = kustomize.pod_spec(manifest) or {}
        for container in spec.get("containers", []):
            for variable in container.get("env", []):
                reference = variable.get("valueFrom", {}).get("secretKeyRef")
                if reference:
                    referenced.add((reference["name"], reference["key"]))
        for volume in spec.get("volumes", []):
            if "secret" in volume:
                referenced |= {
                    (volume["secret"]["secretName"], item["key"]) for item in volume["secret"]["items"]
                }
    assert referenced
    for name, key in referenced:
        assert f"`{name}`" in text, f"the guide does not say how to create the Secret {name}"
        assert key in text, f"the guide does not name the key {key} of the Secret {name}"
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    files = [spec["file"] for spec in compose["secrets"].values()]
    files += [env for service in compose["services"].values() for env in service.get("env_file", [])]
    for file in files:
        assert file.removeprefix("./") in text or Path(file).name in text, f"{file} is not in the guide"


@pytest.mark.parametrize("document", [GUIDE, PRIVACY], ids=["deployment", "privacy-note"])
def test_every_command_shown_exists(document: Path) -> None:
    shown = [match.group(1).split() for match in COMMAND.finditer(document.read_text())]
    assert shown, "the document shows no hr-plugin command"
    for words in shown:
        # Words after the command may be its arguments ("admins add hr.lead@..." reads as
        # "admins add hr"): enough that the first word, and some longer prefix, are commands.
        assert names_a_command(words[:1]), f"hr-plugin {words[0]} is not a command"
        assert any(names_a_command(words[:n]) for n in range(len(words), 1, -1)) or len(words) == 1, words


def test_the_readme_links_both_documents() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "(docs/deployment.md)" in readme and "(docs/privacy-note.md)" in readme
