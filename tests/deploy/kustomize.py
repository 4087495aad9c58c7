"""Render deploy/k8s kustomizations: with the ``kustomize`` tool when the machine has it, else in Python.

The Python renderer implements the part of kustomize the manifests use (resources, namespace,
images, strategic-merge patches from files) and refuses any other field, so a kustomization
that grows past it fails loudly instead of rendering wrong. Where the real tool is installed,
``test_kubernetes.py`` checks that both render the same objects.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

Manifest = dict[str, Any]

SUPPORTED_FIELDS = {"apiVersion", "kind", "resources", "namespace", "images", "patches"}
# Kinds that live outside any namespace (the namespace transformer leaves them alone).
CLUSTER_SCOPED = {
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "IngressClass",
    "PersistentVolume",
    "PriorityClass",
    "StorageClass",
}
# Strategic merge: these lists merge element by element on the key; every other list is
# replaced whole, as Kubernetes' own patch strategy for them says.
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "env": "name",
    "ports": "containerPort",
}


class KustomizeError(ValueError):
    pass


def tool_command() -> list[str] | None:
    """The installed kustomize (standalone, or built into kubectl), if any."""
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    return None


def render_with_tool(directory: Path, command: list[str]) -> list[Manifest]:
    result = subprocess.run(
        [*command, str(directory)], capture_output=True, text=True, timeout=60, check=False
    )
    if result.returncode != 0:
        raise KustomizeError(f"{' '.join(command)} {directory} failed:\n{result.stderr}")
    return [document for document in yaml.safe_load_all(result.stdout) if document]


def render(directory: Path) -> list[Manifest]:
    """The objects ``kustomize build directory`` would print, in the order the files list them."""
    kustomization = _load_kustomization(directory)
    unknown = set(kustomization) - SUPPORTED_FIELDS
    if unknown:
        raise KustomizeError(f"{directory}: the Python renderer does not support {sorted(unknown)}")
    objects: list[Manifest] = []
    for entry in kustomization.get("resources", []):
        path = (directory / entry).resolve()
        if path.is_dir():
            objects.extend(render(path))
        else:
            objects.extend(_load_documents(path))
    _check_unique(objects, directory)
    for patch_entry in kustomization.get("patches", []):
        if set(patch_entry) != {"path"}:
            raise KustomizeError(f"{directory}: only patches given by `path` are supported")
        for patch in _load_documents(directory / patch_entry["path"]):
            _apply_patch(objects, patch, directory)
    if "namespace" in kustomization:
        for manifest in objects:
            if manifest["kind"] not in CLUSTER_SCOPED:
                manifest.setdefault("metadata", {})["namespace"] = kustomization["namespace"]
    for image in kustomization.get("images", []):
        for manifest in objects:
            for container in _containers(manifest):
                _set_image(container, image)
    return objects


def identity(manifest: Manifest) -> tuple[str, str, str]:
    metadata = manifest.get("metadata", {})
    return (manifest["kind"], metadata.get("namespace", ""), metadata["name"])


def pod_spec(manifest: Manifest) -> dict[str, Any] | None:
    """The pod spec inside a workload (Deployment, Job, ...), or None for other kinds."""
    spec = manifest.get("spec", {})
    if manifest["kind"] == "Pod":
        return spec
    if manifest["kind"] == "CronJob":
        return spec.get("jobTemplate", {}).get("spec", {}).get("template", {}).get("spec")
    template = spec.get("template")
    return template.get("spec") if isinstance(template, dict) else None


def _containers(manifest: Manifest) -> list[dict[str, Any]]:
    spec = pod_spec(manifest)
    if spec is None:
        return []
    return [*spec.get("initContainers", []), *spec.get("containers", [])]


def _set_image(container: dict[str, Any], image: dict[str, str]) -> None:
    current = container.get("image", "")
    name = current.split("@", 1)[0]
    if ":" in name.rsplit("/", 1)[-1]:
        name = name.rsplit(":", 1)[0]
    if name != image["name"]:
        return
    new_name = image.get("newName", name)
    if "digest" in image:
        container["image"] = f"{new_name}@{image['digest']}"
    elif "newTag" in image:
        container["image"] = f"{new_name}:{image['newTag']}"
    else:
        container["image"] = new_name + current[len(name) :]


def _load_kustomization(directory: Path) -> dict[str, Any]:
    for name in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
        path = directory / name
        if path.exists():
            loaded = yaml.safe_load(path.read_text())
            if not isinstance(loaded, dict):
                raise KustomizeError(f"{path} is not a mapping")
            return loaded
    raise KustomizeError(f"{directory} has no kustomization.yaml")


def _load_documents(path: Path) -> list[Manifest]:
    documents = [document for document in yaml.safe_load_all(path.read_text()) if document]
    for document in documents:
        if not isinstance(document, dict) or "kind" not in document or "metadata" not in document:
            raise KustomizeError(f"{path}: every document must be a Kubernetes object")
    return documents


def _check_unique(objects: list[Manifest], directory: Path) -> None:
    seen: set[tuple[str, str, str]] = set()
    for manifest in objects:
        key = identity(manifest)
        if key in seen:
            raise KustomizeError(f"{directory}: {key} is defined twice")
        seen.add(key)


def _apply_patch(objects: list[Manifest], patch: Manifest, directory: Path) -> None:
    targets = [
        manifest
        for manifest in objects
        if manifest["kind"] == patch["kind"] and manifest["metadata"]["name"] == patch["metadata"]["name"]
    ]
    if len(targets) != 1:
        raise KustomizeError(
            f"{directory}: the patch for {patch['kind']}/{patch['metadata']['name']} "
            f"matches {len(targets)} objects"
        )
    merged = _merge(targets[0], patch)
    targets[0].clear()
    targets[0].update(merged)


def _merge(base: Any, patch: Any, field: str | None = None) -> Any:
    if isinstance(base, dict) and isinstance(patch, dict):
        if "$patch" in patch:
            raise KustomizeError("strategic-merge directives ($patch) are not supported")
        merged = copy.deepcopy(base)
        for key, value in patch.items():
            if value is None:
                merged.pop(key, None)
            elif key in merged:
                merged[key] = _merge(merged[key], value, key)
            else:
                merged[key] = copy.deepcopy(value)
        return merged
    if isinstance(base, list) and isinstance(patch, list) and field in MERGE_KEYS:
        key = MERGE_KEYS[field]
        merged_list = copy.deepcopy(base)
        for item in patch:
            index = next((i for i, old in enumerate(merged_list) if old.get(key) == item.get(key)), None)
            if index is None:
                merged_list.append(copy.deepcopy(item))
            else:
                merged_list[index] = _merge(merged_list[index], item)
        return merged_list
    return copy.deepcopy(patch)
