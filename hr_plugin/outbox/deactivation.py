"""Learning from Slack who is deactivated, when it will not open a conversation over them.

Slack refuses ``conversations.open`` with ``user_disabled`` when someone in the conversation
is deactivated. Alone, that someone is the recipient: the directory learns it and the row is
cancelled. In a group, Slack is asked which members are deactivated (``users.info``); the
directory learns them, and the row goes again without them (``conversations``). Once the
directory knows, nothing more is sent to them: their DMs are cancelled before sending, and
their groups opened without them.
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from hr_plugin.db import unit_of_work
from hr_plugin.directory import record_deactivated_in_slack
from hr_plugin.outbox.logs import log
from hr_plugin.outbox.outcomes import DrainReport, Outcomes

# What Slack answers when a conversation cannot be opened because someone in it is deactivated.
# Not ``account_inactive``: that one says the *token's* user or workspace is gone, and reading it
# as the recipients' would mark everyone deactivated. Nor ``user_not_found``: an unknown id is a
# mistake to show, not someone who left.
MEMBER_GONE_ERRORS = frozenset({"user_disabled"})


def refused_over_a_member(method: str, exc: SlackApiError) -> bool:
    """Slack would not open a conversation because of who is in it."""
    error = exc.response.get("error") if exc.response is not None else None
    return method == "conversations.open" and error in MEMBER_GONE_ERRORS


def find_who_is_gone(
    outcomes: Outcomes,
    row_id: int,
    client: WebClient,
    tenant_id: str,
    users: list[str],
    refusal: SlackApiError,
    report: DrainReport,
) -> None:
    """Slack refused to open a conversation over an account it cannot reach. Alone, that
    is the recipient: the directory learns it and the row is cancelled. In a group, Slack
    is asked which members are deactivated (at most 8 ``users.info`` calls); the directory
    learns them and the row is handed back, to be opened without them. When Slack
    names nobody the directory still holds, the refusal is recorded as it is (no loop); a
    lookup that fails is retried like any send (a 429 waits its ``Retry-After``)."""
    if len(users) == 1:
        _record_deactivated(outcomes, tenant_id, users)
        outcomes.not_sent(row_id, report, "recipient deactivated in Slack", cancel=True)
        return
    try:
        gone = [user for user in users if _deactivated_in_slack(client, user)]
    except SlackApiError as exc:
        outcomes.on_slack_error(row_id, tenant_id, client, exc, report, "users.info")
        return
    except Exception as exc:  # nothing was posted, so there is no duplicate to fear
        outcomes.not_sent(row_id, report, f"users.info: {type(exc).__name__}", cancel=False)
        return
    learnt = _record_deactivated(outcomes, tenant_id, gone) if gone else 0
    if not learnt:
        outcomes.record_slack_error(row_id, refusal, report, "conversations.open")
        return
    outcomes.hand_back([row_id])  # to be opened again without them: not a failed attempt
    report.retried += 1


def _deactivated_in_slack(client: WebClient, user_id: str) -> bool:
    """Whether Slack says this account is deactivated; Slack's refusals raise."""
    return bool(client.users_info(user=user_id)["user"].get("deleted"))


def _record_deactivated(outcomes: Outcomes, tenant_id: str, user_ids: list[str]) -> int:
    """Tell the directory who Slack says is deactivated; how many it did not know yet."""
    with unit_of_work(outcomes.factory) as session:
        learnt = record_deactivated_in_slack(session, tenant_id, user_ids, outcomes.clock.now())
        session.commit()
    if learnt:
        log.warning(
            "Slack says %d recipient(s) are deactivated; the directory now says so and nothing "
            "more is sent to them",
            learnt,
            extra={"tenant_id": tenant_id},
        )
    return learnt
