"""How the outbox logs: under one logger, with the ids of the row and nothing of its text."""

from __future__ import annotations

import logging

# One name for every module of the package, the name the outbox logged under when it was one
# module: JSON lines carry it as ``logger``, and whoever filters or alerts on it keeps working.
log = logging.getLogger("hr_plugin.outbox")


def log_ids(row_id: int, key: str, tenant_id: str) -> dict[str, object]:
    """The id fields a log line about a row carries (JSON logs keep these, and only these)."""
    return {"outbox_id": row_id, "outbox_key": key, "tenant": tenant_id}
