"""When a click opens nothing on purpose, the person is told why.

Two cases today: an HR-only modal (policies, huddle settings, pairing by hand, proposing an
enrolment, appointing HR admins) clicked by someone who may not use it, and a mentoring button
clicked by someone the directory does not know. Before this, the first opened the modal anyway
(only its submission was refused) and the second logged an error and showed nothing.

The listeners that show these modals answer Slack first (``hr_plugin.slack.showing``), so the
check runs after the answer, and so does the reply: an ephemeral message through the click's
``response_url`` when it has one (a button in a message), otherwise a DM through the outbox
(a button on the App Home has no message to answer), through ``hr_plugin.slack.telling`` as
for views Slack refuses; the DM is keyed on the click's trigger id, so a replayed click is told
once.

The words say what the person may not do and whom to ask, and nothing about anyone else.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any, Final

from slack_bolt import Respond

from hr_plugin.roles import is_hr_admin_user
from hr_plugin.services import Services
from hr_plugin.slack.payloads import RequestContext, request_context
from hr_plugin.slack.telling import direct_message_once, reply_in_place

log = logging.getLogger(__name__)

ONLY_HR: Final = "Only HR admins can open this. If something here needs changing, ask your HR team."
ONLY_ADMINS: Final = (
    "Only HR admins and workspace admins can appoint HR admins. Ask your HR team if someone should be one."
)
KEY_PREFIX: Final = "refused"


def hr_admin_or_told(services: Services, body: dict[str, Any], context: Any, respond: Respond | None) -> bool:
    """True when the person clicking is an HR admin; otherwise they are told ``ONLY_HR``: False."""
    who = request_context(context)
    if is_hr_admin_user(services.factory, tenant_id=who.tenant_id, user_id=who.user_id):
        return True
    tell(services, body, context, respond, ONLY_HR, reason="hr-only")
    return False


def tell(
    services: Services, body: dict[str, Any], context: Any, respond: Respond | None, text: str, *, reason: str
) -> None:
    """Tell the person who clicked ``text``: ephemerally in place if the click was in a message,
    else as a DM. ``reason`` names the refusal in the log and the DM's key (never content)."""
    who = request_context(context)
    if body.get("response_url") and reply_in_place(respond, text):
        log.info("refused (%s); told %s in an ephemeral reply", reason, who.user_id)
        return
    key = _key(who, reason, str(body.get("trigger_id") or body.get("action_ts") or ""))
    told = direct_message_once(
        services,
        tenant_id=who.tenant_id,
        team_id=context.team_id,
        enterprise_id=context.enterprise_id,
        user_id=who.user_id,
        key=key,
        text=text,
    )
    if told:
        log.info("refused (%s); a DM tells %s", reason, who.user_id)


def _key(who: RequestContext, reason: str, reference: str) -> str:
    digest = hashlib.sha256(reference.encode()).hexdigest()[:24] if reference else "none"
    return f"{KEY_PREFIX}:{who.tenant_id}:{who.user_id}:{reason}:{digest}"
