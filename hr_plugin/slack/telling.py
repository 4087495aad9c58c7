"""Telling one person something after Slack has had its answer: in place, else by DM.

Two kinds of listener need it: a view Slack refused (``hr_plugin.slack.failures``) and a click
that opens nothing on purpose (``hr_plugin.slack.refusals``). Both answer the person's own
click, so the words go ephemerally through the click's ``response_url`` when it has one (a
button in a message, a slash command), and otherwise as a DM through the outbox (a button on
the App Home has no message to answer). The DM is ``solicited`` (not held during leave) and
goes under a key made from the request, so a replayed request is told once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from hr_plugin import outbox
from hr_plugin.db import unit_of_work
from hr_plugin.services import Services
from hr_plugin.tenants import ensure_tenant

log = logging.getLogger(__name__)


def reply_in_place(respond: Callable[..., Any] | None, text: str) -> bool:
    """``text`` as an ephemeral reply through the request's ``response_url``; True if Slack took it."""
    if respond is None:
        return False
    try:
        answer = respond(text=text, response_type="ephemeral", replace_original=False)
    except Exception as exc:  # the URL is gone or unreachable: the caller sends a DM instead
        log.info("the ephemeral reply could not be sent (%s); sending a DM", type(exc).__name__)
        return False
    status = getattr(answer, "status_code", 0)
    if status != 200:
        log.info("the ephemeral reply was refused (HTTP %s); sending a DM", status)
        return False
    return True


def direct_message_once(
    services: Services,
    *,
    tenant_id: str,
    team_id: str | None,
    enterprise_id: str | None,
    user_id: str,
    key: str,
    text: str,
) -> bool:
    """``text`` to ``user_id`` by DM through the outbox under ``key``; False if that key was
    already queued (the person has been told)."""
    with unit_of_work(services.factory) as session:
        now = services.clock.now()
        # Single-workspace mode before any directory import has no tenant row yet.
        ensure_tenant(session, tenant_id, now, team_id=team_id, enterprise_id=enterprise_id)
        added = outbox.enqueue(
            session,
            tenant_id=tenant_id,
            key=key,
            now=now,
            text=text,
            recipient=user_id,
            solicited=True,  # it answers what the person just did: not held for leave
        )
        session.commit()
    return added
