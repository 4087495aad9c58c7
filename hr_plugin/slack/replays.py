"""A signed request that changes something has its effect once, even when the same signed bytes
arrive again (a replay within Slack's 5-minute signature window).

Bolt checks the signature and its window; within it, whoever captured a request could send it
again. So a request that can change something (a button, a modal submitted or closed) is
claimed by its signature (``hr_plugin.events``), and the claim rides in the first transaction
its listener commits (``claimed_with_first_commit``): one transaction holds the claim and the
change, with no round trip of its own, and two copies of a request arriving at once serialise
on the claim row, so exactly one has the effect. A listener that commits nothing is claimed
after it on its own. A replay is answered 401, and nothing it queued is sent.

Slash commands and shortcuts are not guarded: they answer the sender or open a modal with a
trigger that works once. Events are retried by Slack rather than replayed: ``event_id``
deduplicates them (``hr_plugin.slack.listeners.events``). Socket Mode requests carry no
signature (they come over Slack's own connection) and cannot be replayed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Final, TypeVar

from slack_bolt import BoltResponse

from hr_plugin.events import Replayed, claim_request, claimed_with_first_commit
from hr_plugin.services import Services
from hr_plugin.slack.deferred import drop_queued
from hr_plugin.slack.payloads import tenant_of

log = logging.getLogger(__name__)

GUARDED: Final = frozenset({"block_actions", "view_submission", "view_closed"})

T = TypeVar("T")


def signature_to_claim(args: Any) -> str | None:
    """The signature a request is claimed by, or None when it is not guarded."""
    body: dict[str, Any] = args.body or {}
    if body.get("type") not in GUARDED or args.request is None:
        return None
    signature = args.request.headers.get("x-slack-signature", [""])[0]
    return signature or None


def once(services: Services, args: Any, run: Callable[[], T]) -> T:
    """``run()``, the request claimed in its first transaction; raises ``Replayed`` (nothing
    saved, nothing queued) when the request was handled before."""
    signature = signature_to_claim(args)
    if signature is None:
        return run()
    tenant = tenant_of(args.context)
    now = services.clock.now()
    try:
        with claimed_with_first_commit(services.factory, tenant, signature, now) as claim:
            result = run()
        if not claim.made and not claim_request(services.factory, tenant, signature, now):
            raise Replayed(tenant)
    except Replayed:
        drop_queued()
        log.warning("refused a replayed %s request in %s", (args.body or {}).get("type"), tenant)
        raise
    return result


def refused() -> BoltResponse:
    """The answer to a replay."""
    return BoltResponse(status=401, body="")
