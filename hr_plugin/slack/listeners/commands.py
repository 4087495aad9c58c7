"""``/rtw``: one slash command, with subcommands that features add through ``Services``."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from hr_plugin.services import Services, Subcommand
from hr_plugin.slack.showing import never_acks
from hr_plugin.slack.views.help import help_blocks, help_text

HELP_SUMMARY = "what this app can do for you"


def on_rtw(
    ack: Ack,
    command: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
    services: Services,
    later: Callable[[Callable[..., Any]], None],
) -> None:
    """``/rtw <name> ...``: the subcommand's handler, or help for a name nobody declared."""
    name, rest = _parsed(command)
    subcommand = services.subcommands.get(name)
    if subcommand is None:
        summaries = {s.name: s.summary for s in services.subcommands.values()}
        ack(text=help_text(summaries), blocks=help_blocks(summaries, unknown=name))
        return
    if subcommand.shows_only:
        # It only reads and shows: Slack gets its answer first (``hr_plugin.slack.showing``),
        # and the command's trigger is kept alive if the reads take long.
        ack()
        later(show_subcommand)
        return
    _run(subcommand, ack, command, rest, client, context, respond, services)


def show_subcommand(
    command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond, services: Services
) -> None:
    """A subcommand that only shows, after the answer."""
    name, rest = _parsed(command)
    _run(services.subcommands[name], never_acks, command, rest, client, context, respond, services)


def _run(
    subcommand: Subcommand,
    ack: Any,
    command: dict[str, Any],
    argument: str,
    client: WebClient,
    context: BoltContext,
    respond: Respond,
    services: Services,
) -> None:
    """A subcommand's handler gets Bolt's arguments, the text after its name and ``services``."""
    subcommand.handler(
        ack=ack,
        command=command,
        argument=argument,
        client=client,
        context=context,
        respond=respond,
        services=services,
    )


def _parsed(command: dict[str, Any]) -> tuple[str, str]:
    """The subcommand's name (``help`` when none is given) and the rest of the text."""
    name, _, rest = (command.get("text") or "").strip().partition(" ")
    return name.lower() or "help", rest.strip()


def show_help(ack: Ack, services: Services, **_: Any) -> None:
    """``/rtw help``: every subcommand the features declared, with its summary."""
    text, blocks = _help_answer(tuple((s.name, s.summary) for s in services.subcommands.values()))
    ack(text=text, blocks=list(blocks))


HELP = Subcommand("help", HELP_SUMMARY, show_help)


@cache
def _help_answer(summaries: tuple[tuple[str, str], ...]) -> tuple[str, tuple[dict[str, Any], ...]]:
    """Built and validated once per set of subcommands (they are all wired at start-up), not
    on every ``/rtw``: Block Kit validation was most of the command's own time."""
    commands = dict(summaries)
    return help_text(commands), tuple(block.to_dict() for block in help_blocks(commands))
