"""Reading a running process's ``/metrics`` the way Prometheus would."""

from __future__ import annotations

import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def work_after_answer(base: str) -> dict[str, float]:
    """``hr_plugin_work_after_answer_total`` by place (``worker`` or ``companion``) at ``base``."""
    with urllib.request.urlopen(base + "/metrics", timeout=5) as response:
        text = response.read().decode()
    return {
        sample.labels["place"]: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "hr_plugin_work_after_answer_total"
    }
