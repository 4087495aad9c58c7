"""HR's help links, edited from the App Home: open the list, add one, remove one."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from hr_plugin.resources import ResourceError, add_help_link, help_links, remove_help_link
from hr_plugin.services import Services
from hr_plugin.slack import refusals
from hr_plugin.slack.payloads import request_context
from hr_plugin.slack.views.help_links import (
    FIELD_BLOCKS,
    NAME_BLOCK,
    HelpLinkSubmission,
    help_links_modal,
)


def open_help_links(
    body: dict[str, Any], client: WebClient, context: Any, respond: Respond, services: Services
) -> None:
    """Shows the list to an HR admin; anyone else is told it is for HR."""
    if not refusals.hr_admin_or_told(services, body, context, respond):
        return
    who = request_context(context)
    links = help_links(services.factory, tenant_id=who.tenant_id)
    client.views_open(trigger_id=body["trigger_id"], view=help_links_modal(links))


def submit_help_link(ack: Ack, view: dict[str, Any], context: Any, services: Services) -> None:
    """Adds the link and shows the list again with an empty form, or names the field at fault."""
    who = request_context(context)
    submission = HelpLinkSubmission.from_view(view)
    try:
        links = add_help_link(
            services.factory,
            services.clock,
            tenant_id=who.tenant_id,
            actor_user_id=who.user_id,
            fields=submission.fields(),
        )
    except ResourceError as exc:
        message = str(exc)
        ack(
            response_action="errors",
            errors={FIELD_BLOCKS.get(exc.field or "", NAME_BLOCK): message[:1].upper() + message[1:]},
        )
        return
    ack(response_action="update", view=help_links_modal(links))


def remove_help_link_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, context: Any, services: Services
) -> None:
    """Removes the link, then draws the modal again (after the answer: the call is deferred), with
    the view's hash, so an out-of-date view is never drawn over a newer one."""
    ack()
    who = request_context(context)
    try:
        link_id = int(body["actions"][0].get("value") or "")
        removal = remove_help_link(
            services.factory,
            services.clock,
            tenant_id=who.tenant_id,
            actor_user_id=who.user_id,
            link_id=link_id,
        )
    except (ResourceError, ValueError):
        return
    if not removal.removed:
        # A second click on the same link: the first one's update shows the list; this one's view
        # is already out of date (Slack would refuse its hash).
        return
    client.views_update(
        view_id=body["view"]["id"], hash=body["view"].get("hash"), view=help_links_modal(removal.links)
    )
