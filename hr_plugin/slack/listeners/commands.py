"""``/rtw``: one slash command, with subcommands that features add through ``Services``."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from hr_plugin.services import Services
from hr_plugin.slack.views.help import help_blocks, help_text

HELP_SUMMARY = "what this app can do for you"


def register(app: App, services: Services) -> None:
    services.add_subcommand("help", HELP_SUMMARY, _help(services))

    def on_rtw(
        ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        name, _, rest = (command.get("text") or "").strip().partition(" ")
        name = name.lower() or "help"
        subcommand = services.subcommands.get(name)
        if subcommand is None:
            summaries = {s.name: s.summary for s in services.subcommands.values()}
            ack(text=help_text(summaries), blocks=help_blocks(summaries, unknown=name))
            return
        subcommand.handler(
            ack=ack, command=command, argument=rest.strip(), client=client, context=context, respond=respond
        )

    app.command("/rtw")(on_rtw)


def _help(services: Services) -> Any:
    def show_help(ack: Ack, **_: Any) -> None:
        summaries = {s.name: s.summary for s in services.subcommands.values()}
        ack(text=help_text(summaries), blocks=help_blocks(summaries))

    return show_help
