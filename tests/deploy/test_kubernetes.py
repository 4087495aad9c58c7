"""deploy/k8s: every object valid for Kubernetes, and the properties a safe rollout needs.

Each kustomization is rendered (by the real kustomize where installed, else by the Python
renderer beside this file), every object is validated against Kubernetes' own JSON schemas in
strict mode (unknown fields fail), and then the points docs/deployment.md promises are checked:
probes, resources, non-root and read-only pods, secrets only by reference, the autoscaler on
the web Deployment, two schedulers, the migration Job, and the network policies.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from tests.deploy import kustomize
from tests.deploy.kustomize import Manifest, identity, pod_spec
from tests.deploy.support import DEPLOY, SECRET_NAME, is_command, unknown_settings

BASE = DEPLOY / "k8s" / "base"
OVERLAY = DEPLOY / "k8s" / "overlays" / "example"
KUSTOMIZATIONS = [BASE, OVERLAY]
# The oldest Kubernetes the manifests claim (autoscaling/v2, policy/v1 and the pod fields they
# use all exist there) and the newest the schema package knows.
KUBERNETES_VERSIONS = ["1.30.0", kubernetes_validate.latest_version()]
SECRET_NAMES = {"hr-plugin-database", "hr-plugin-keystore", "hr-plugin-slack", "hr-plugin-master-key"}
MASTER_KEY_SECRET = "hr-plugin-master-key"
WEB, SCHEDULER, MIGRATE = "hr-plugin-web", "hr-plugin-scheduler", "hr-plugin-migrate"


@cache
def _render(directory: Path) -> list[Manifest]:
    """The rendered objects, once per kustomization (the tests only read them)."""
    command = kustomize.tool_command()
    return kustomize.render_with_tool(directory, command) if command else kustomize.render(directory)


@pytest.fixture(scope="module", params=KUSTOMIZATIONS, ids=["base", "overlay-example"])
def manifests(request: pytest.FixtureRequest) -> list[Manifest]:
    return _render(request.param)


def _one(manifests: list[Manifest], kind: str, name: str) -> Manifest:
    found = [m for m in manifests if m["kind"] == kind and m["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind}/{name}, found {len(found)}"
    return found[0]


def _workloads(manifests: list[Manifest]) -> list[Manifest]:
    return [m for m in manifests if pod_spec(m) is not None]


def _containers(manifest: Manifest) -> list[dict[str, Any]]:
    spec = pod_spec(manifest) or {}
    return [*spec.get("initContainers", []), *spec.get("containers", [])]


def _pod_labels(manifest: Manifest) -> dict[str, str]:
    labels: dict[str, str] = manifest["spec"]["template"]["metadata"]["labels"]
    return labels


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Kubernetes' label-selector semantics for matchLabels and matchExpressions."""
    if any(labels.get(key) != value for key, value in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        value, operator = labels.get(expression["key"]), expression["operator"]
        if operator == "In" and value not in expression["values"]:
            return False
        if operator == "NotIn" and value in expression["values"]:
            return False
        if operator == "Exists" and value is None:
            return False
        if operator == "DoesNotExist" and value is not None:
            return False
    return True


# -- rendering and schemas ---------------------------------------------------------------------


@pytest.mark.parametrize("directory", KUSTOMIZATIONS, ids=["base", "overlay-example"])
def test_the_python_renderer_matches_kustomize(directory: Path) -> None:
    command = kustomize.tool_command()
    if command is None:
        pytest.skip("neither kustomize nor kubectl is installed; the Python renderer alone is used")
    by_tool = {identity(m): m for m in kustomize.render_with_tool(directory, command)}
    by_python = {identity(m): m for m in kustomize.render(directory)}
    assert sorted(by_python) == sorted(by_tool)
    for key, manifest in by_tool.items():
        assert by_python[key] == manifest, f"{key} renders differently"


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_object_is_valid_for_kubernetes(manifests: list[Manifest], version: str) -> None:
    assert manifests
    for manifest in manifests:
        try:
            kubernetes_validate.validate(manifest, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{identity(manifest)} is not valid for Kubernetes {version}: {error.message}")


def test_the_base_has_every_part_of_the_deployment() -> None:
    kinds = {(m["kind"], m["metadata"]["name"]) for m in _render(BASE)}
    assert kinds >= {
        ("ConfigMap", "hr-plugin-config"),
        ("Deployment", WEB),
        ("Service", WEB),
        ("Ingress", WEB),
        ("HorizontalPodAutoscaler", WEB),
        ("PodDisruptionBudget", WEB),
        ("Deployment", SCHEDULER),
        ("Job", MIGRATE),
        ("NetworkPolicy", WEB),
        ("NetworkPolicy", SCHEDULER),
        ("NetworkPolicy", MIGRATE),
    }


def test_the_overlay_pins_a_released_image_into_its_namespace() -> None:
    manifests = _render(OVERLAY)
    assert {m["metadata"].get("namespace") for m in manifests} == {"hr-plugin"}
    for workload in _workloads(manifests):
        for container in _containers(workload):
            image = container["image"]
            tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else None
            assert tag not in (None, "latest") or "@sha256:" in image, f"{image} is not pinned"


# -- the workloads -------------------------------------------------------------------------------


def test_workloads_run_real_commands_with_known_settings(manifests: list[Manifest]) -> None:
    config = _one(manifests, "ConfigMap", "hr-plugin-config")
    assert unknown_settings(list(config["data"])) == []
    expected = {WEB: ["serve"], SCHEDULER: ["scheduler"], MIGRATE: ["db", "upgrade"]}
    for workload in _workloads(manifests):
        (container,) = _containers(workload)
        assert container["args"] == expected[workload["metadata"]["name"]]
        assert is_command(container["args"])
        assert "command" not in container, "the image's entrypoint (hr-plugin) must run"
        assert unknown_settings([variable["name"] for variable in container.get("env", [])]) == []


def test_web_has_probes_on_its_port(manifests: list[Manifest]) -> None:
    web = _one(manifests, "Deployment", WEB)
    (container,) = _containers(web)
    config = _one(manifests, "ConfigMap", "hr-plugin-config")["data"]
    (port,) = container["ports"]
    assert port["containerPort"] == int(config["HR_PLUGIN_PORT"])
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": port["name"]}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": port["name"]}
    assert config["HR_PLUGIN_HOST"] == "0.0.0.0", "serve must listen beyond the pod's loopback"


def test_scheduler_runs_two_replicas_with_a_liveness_probe(manifests: list[Manifest]) -> None:
    scheduler = _one(manifests, "Deployment", SCHEDULER)
    assert scheduler["spec"]["replicas"] == 2
    (container,) = _containers(scheduler)
    metrics_port = next(v["value"] for v in container["env"] if v["name"] == "HR_PLUGIN_METRICS_PORT")
    (port,) = container["ports"]
    assert port["containerPort"] == int(metrics_port)
    assert container["livenessProbe"]["httpGet"]["port"] == port["name"]


def test_migration_job_runs_db_upgrade_once(manifests: list[Manifest]) -> None:
    job = _one(manifests, "Job", MIGRATE)
    assert job["spec"]["template"]["spec"]["restartPolicy"] in ("Never", "OnFailure")
    (container,) = _containers(job)
    assert container["args"] == ["db", "upgrade"]
    # Migrations need the database only, not Slack's tokens nor the master key.
    assert [v["name"] for v in container["env"]] == ["HR_PLUGIN_DATABASE_URL"]


def test_every_container_sets_requests_and_limits(manifests: list[Manifest]) -> None:
    for workload in _workloads(manifests):
        for container in _containers(workload):
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]), identity(workload)
            assert "memory" in resources["limits"], identity(workload)


def test_pods_run_as_non_root_on_a_read_only_root(manifests: list[Manifest]) -> None:
    for workload in _workloads(manifests):
        spec = pod_spec(workload) or {}
        pod_security = spec["securityContext"]
        assert pod_security["runAsNonRoot"] is True
        assert pod_security["runAsUser"] != 0
        assert spec["automountServiceAccountToken"] is False
        tmp_volumes = {v["name"] for v in spec["volumes"] if "emptyDir" in v}
        for container in _containers(workload):
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True
            assert security["allowPrivilegeEscalation"] is False
            assert security["capabilities"]["drop"] == ["ALL"]
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            assert mounts.get("/tmp") in tmp_volumes, f"{identity(workload)} needs a writable /tmp"


# -- secrets -------------------------------------------------------------------------------------


def test_secrets_are_referenced_never_written(manifests: list[Manifest]) -> None:
    assert [m for m in manifests if m["kind"] == "Secret"] == [], "Secrets are created outside git"
    config = _one(manifests, "ConfigMap", "hr-plugin-config")["data"]
    assert [name for name in config if SECRET_NAME.search(name)] == []
    for workload in _workloads(manifests):
        spec = pod_spec(workload) or {}
        for container in _containers(workload):
            for variable in container.get("env", []):
                if SECRET_NAME.search(variable["name"]):
                    assert "value" not in variable, f"{variable['name']} is written inline"
                    assert variable["valueFrom"]["secretKeyRef"]["name"] in SECRET_NAMES
        for volume in spec.get("volumes", []):
            if "secret" in volume:
                assert volume["secret"]["secretName"] in SECRET_NAMES


def test_the_master_key_is_a_mounted_file_the_app_can_read(manifests: list[Manifest]) -> None:
    key_file = _one(manifests, "ConfigMap", "hr-plugin-config")["data"]["HR_PLUGIN_VAULT_KEY_FILE"]
    for name in (WEB, SCHEDULER):
        workload = _one(manifests, "Deployment", name)
        spec = pod_spec(workload) or {}
        (container,) = _containers(workload)
        assert "HR_PLUGIN_VAULT_KEY" not in {v["name"] for v in container["env"]}
        volume = next(
            v for v in spec["volumes"] if v.get("secret", {}).get("secretName") == MASTER_KEY_SECRET
        )
        mount = next(m for m in container["volumeMounts"] if m["name"] == volume["name"])
        (item,) = volume["secret"]["items"]
        assert f"{mount['mountPath']}/{item['path']}" == key_file
        assert mount["readOnly"] is True
        # Readable by the pod's group (fsGroup) and nobody else; the app does not run as root.
        assert volume["secret"]["defaultMode"] == 0o440
        assert spec["securityContext"]["fsGroup"] == spec["securityContext"]["runAsGroup"]


def test_web_and_scheduler_share_the_key_store_apart_from_the_database(manifests: list[Manifest]) -> None:
    def source(container: dict[str, Any], name: str) -> tuple[str, str]:
        variable = next(v for v in container["env"] if v["name"] == name)
        reference = variable["valueFrom"]["secretKeyRef"]
        return reference["name"], reference["key"]

    keystores = set()
    for name in (WEB, SCHEDULER):
        (container,) = _containers(_one(manifests, "Deployment", name))
        keystore = source(container, "HR_PLUGIN_VAULT_KEYSTORE_URL")
        assert keystore[0] != source(container, "HR_PLUGIN_DATABASE_URL")[0]
        keystores.add(keystore)
    assert len(keystores) == 1


# -- scaling and disruption ------------------------------------------------------------------


def test_the_autoscaler_drives_the_web_deployment(manifests: list[Manifest]) -> None:
    hpa = _one(manifests, "HorizontalPodAutoscaler", WEB)
    assert hpa["apiVersion"] == "autoscaling/v2"
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["apiVersion"], target["kind"], target["name"]) == ("apps/v1", "Deployment", WEB)
    assert hpa["spec"]["minReplicas"] >= 2
    assert "replicas" not in _one(manifests, "Deployment", WEB)["spec"], "the autoscaler sets replicas"


def test_disruption_budgets_keep_a_pod_of_each(manifests: list[Manifest]) -> None:
    for name in (WEB, SCHEDULER):
        budget = _one(manifests, "PodDisruptionBudget", name)
        labels = _pod_labels(_one(manifests, "Deployment", name))
        assert _selects(budget["spec"]["selector"], labels)
    assert _one(manifests, "PodDisruptionBudget", WEB)["spec"]["minAvailable"] >= 1
    assert _one(manifests, "PodDisruptionBudget", SCHEDULER)["spec"]["maxUnavailable"] == 1


def test_service_and_ingress_reach_the_web_pods_and_nothing_else(manifests: list[Manifest]) -> None:
    web = _one(manifests, "Deployment", WEB)
    service = _one(manifests, "Service", WEB)
    assert _selects({"matchLabels": service["spec"]["selector"]}, _pod_labels(web))
    (container,) = _containers(web)
    port_names = {p["name"] for p in container["ports"]}
    assert {p["targetPort"] for p in service["spec"]["ports"]} <= port_names
    ingress = _one(manifests, "Ingress", WEB)
    assert ingress["spec"]["tls"], "Slack calls https:// URLs only"
    paths = set()
    for rule in ingress["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            assert backend["name"] == WEB
            assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}
            paths.add(path["path"])
    # Slack's requests and the OAuth install, and the employee's export links; not /metrics.
    assert paths == {"/slack/", "/vault/export/"}


# -- network policies ------------------------------------------------------------------------


def _policies_for(manifests: list[Manifest], workload: Manifest) -> list[Manifest]:
    labels = _pod_labels(workload)
    return [
        m for m in manifests if m["kind"] == "NetworkPolicy" and _selects(m["spec"]["podSelector"], labels)
    ]


def _egress_ports(policy: Manifest) -> set[int]:
    return {port["port"] for rule in policy["spec"].get("egress", []) for port in rule.get("ports", [])}


def test_every_pod_is_fenced_in_both_directions(manifests: list[Manifest]) -> None:
    for workload in _workloads(manifests):
        types = {t for p in _policies_for(manifests, workload) for t in p["spec"]["policyTypes"]}
        assert types == {"Ingress", "Egress"}, identity(workload)


def test_base_policies_let_in_only_the_ingress_controller() -> None:
    manifests = _render(BASE)
    web = _one(manifests, "NetworkPolicy", WEB)
    (rule,) = web["spec"]["ingress"]
    (peer,) = rule["from"]
    assert peer["namespaceSelector"]["matchLabels"] == {"kubernetes.io/metadata.name": "ingress-nginx"}
    (port,) = rule["ports"]
    (container,) = _containers(_one(manifests, "Deployment", WEB))
    assert port["port"] == container["ports"][0]["containerPort"]
    for name in (SCHEDULER, MIGRATE):
        policy = _one(manifests, "NetworkPolicy", name)
        assert "Ingress" in policy["spec"]["policyTypes"]
        assert not policy["spec"].get("ingress"), f"nothing may connect to {name}"


def test_egress_is_dns_postgresql_and_slack_only(manifests: list[Manifest]) -> None:
    assert _egress_ports(_one(manifests, "NetworkPolicy", WEB)) == {53, 5432, 443}
    assert _egress_ports(_one(manifests, "NetworkPolicy", SCHEDULER)) == {53, 5432, 443}
    assert _egress_ports(_one(manifests, "NetworkPolicy", MIGRATE)) == {53, 5432}
    for name in (WEB, SCHEDULER):
        (https,) = [
            rule
            for rule in _one(manifests, "NetworkPolicy", name)["spec"]["egress"]
            if {p["port"] for p in rule["ports"]} == {443}
        ]
        blocks = [peer["ipBlock"] for peer in https["to"]]
        assert all(block["except"] for block in blocks), "HTTPS to private ranges stays closed"
        assert any("169.254.0.0/16" in block["except"] for block in blocks), "no cloud metadata service"
