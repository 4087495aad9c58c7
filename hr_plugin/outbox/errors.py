"""Slack's errors for the outbox's calls, and what each leads to: the one place that decides.

``SLACK_ERRORS`` maps each error to a ``Handling``; ``handling_of`` reads it for an error the
table may not list. A send that got no answer at all is read by ``never_left``: whether the
request certainly never reached Slack. Either way, only a call that shows something
(``SHOWN_BY``) can leave a duplicate behind, so a failure is read for the step it hit (``Step``).
"""

from __future__ import annotations

import http.client
import socket
import urllib.error
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from slack_sdk.errors import SlackRequestError


class Handling(StrEnum):
    """What the outbox does with a row when Slack answers one of its calls with an error."""

    PERMANENT = "permanent"
    """It cannot succeed as it is: the row fails at once, the error kept, nothing retried."""
    RETRY = "retry"
    """Slack did nothing: the row is retried after a backoff (at most ``max_attempts`` tries)."""
    RETRY_POSSIBLE_DUPLICATE = "retry, possible duplicate"
    """Slack failed part way and says part of the call may have happened: retried like
    ``RETRY``, and flagged ``possible_duplicate`` when the call was one that shows something
    (``chat.postMessage``, ``files.completeUploadExternal``)."""
    RENEW_TOKEN = "refresh the token, retry"
    """The token ran out. With rotation on it is refreshed at once and the row retried without
    a backoff; with rotation off nothing can renew it, so the row fails (as ``PERMANENT``)."""
    RATE_LIMITED = "wait for Retry-After"
    """Slack asks for a pause: the row and its workspace wait ``Retry-After``; the attempt
    does not count."""
    UPLOAD_AGAIN = "upload again, retry"
    """The uploaded file is gone before it was shared: its id is forgotten and the retry
    uploads it afresh (nothing was shown, so no duplicate)."""


@dataclass(frozen=True)
class SlackErrorRule:
    handling: Handling
    meaning: str  # what Slack's reference says it means, in our words


def _rule(handling: Handling, meaning: str) -> SlackErrorRule:
    return SlackErrorRule(handling, meaning)


_PERMANENT, _RETRY, _PARTIAL = Handling.PERMANENT, Handling.RETRY, Handling.RETRY_POSSIBLE_DUPLICATE

# Slack's errors for the calls the outbox makes, and what the outbox does with each: the one
# place that decides. Source: Slack's method references (docs.slack.dev/reference/methods/...)
# for chat.postMessage, conversations.open, files.getUploadURLExternal and
# files.completeUploadExternal, and the errors every method lists. An error not here is
# retried (``Handling.RETRY``); any ``restricted_action_*`` not yet listed is permanent, like
# the rest of its family.
SLACK_ERRORS: Mapping[str, SlackErrorRule] = MappingProxyType(
    {
        # -- waiting, refreshing, retrying ------------------------------------------------------
        "ratelimited": _rule(Handling.RATE_LIMITED, "too many calls of this method; Retry-After says when"),
        "token_expired": _rule(Handling.RENEW_TOKEN, "the token has expired (token rotation)"),
        "fatal_error": _rule(_PARTIAL, "Slack failed badly mid-call; part of the call may have happened"),
        "internal_error": _rule(
            _PARTIAL, "Slack failed mid-call, likely briefly; part of it may have happened"
        ),
        "service_unavailable": _rule(_RETRY, "Slack's service is unavailable for a moment"),
        "request_timeout": _rule(_RETRY, "the request's body reached Slack missing or cut short"),
        "team_added_to_org": _rule(
            _RETRY, "the workspace is moving into an Enterprise org: off and on till done"
        ),
        "org_login_required": _rule(_RETRY, "the workspace is migrating to an enterprise: back when done"),
        "rate_limited": _rule(_RETRY, "the app posted too many messages (no Retry-After given)"),
        "message_limit_exceeded": _rule(_RETRY, "a free workspace's members sent too many messages for now"),
        "file_update_failed": _rule(_RETRY, "Slack failed updating the uploaded file"),
        "file_not_found": _rule(Handling.UPLOAD_AGAIN, "the uploaded file cannot be found from its upload"),
        # -- the token, the app, the workspace's rules --------------------------------------------
        "account_inactive": _rule(_PERMANENT, "the token's user or workspace was deleted"),
        "invalid_auth": _rule(_PERMANENT, "the token is not valid, or the request's IP is not allowed"),
        "not_authed": _rule(_PERMANENT, "no token was sent"),
        "token_revoked": _rule(_PERMANENT, "the token was revoked, or the app removed"),
        "not_allowed_token_type": _rule(_PERMANENT, "this kind of token may not call the method"),
        "team_access_not_granted": _rule(_PERMANENT, "the token has no access to this workspace"),
        "no_permission": _rule(
            _PERMANENT, "the token lacks the permission (the app is not in the conversation)"
        ),
        "missing_scope": _rule(_PERMANENT, "the token lacks a scope the method needs"),
        "access_denied": _rule(_PERMANENT, "access to something the call names is denied"),
        "ekm_access_denied": _rule(_PERMANENT, "admins suspended posting (Enterprise Key Management)"),
        "enterprise_is_restricted": _rule(_PERMANENT, "the method cannot be called from an Enterprise"),
        "accesslimited": _rule(_PERMANENT, "the method is limited on the network the call came from"),
        "app_access_restricted": _rule(_PERMANENT, "the user may not use this app"),
        "is_bot": _rule(_PERMANENT, "a legacy bot may not call the method"),
        "two_factor_setup_required": _rule(_PERMANENT, "two-factor set-up is required"),
        "deprecated_endpoint": _rule(_PERMANENT, "the endpoint is deprecated"),
        "method_deprecated": _rule(_PERMANENT, "the method is deprecated"),
        "unknown_method": _rule(_PERMANENT, "the method is not available"),
        # -- the request itself ---------------------------------------------------------------
        "invalid_arguments": _rule(_PERMANENT, "the call's arguments are not valid"),
        "invalid_arg_name": _rule(_PERMANENT, "an argument's name is not one Slack accepts"),
        "invalid_array_arg": _rule(_PERMANENT, "an array was passed where a string is expected"),
        "invalid_charset": _rule(_PERMANENT, "the Content-Type's charset is not one Slack reads"),
        "invalid_form_data": _rule(_PERMANENT, "the form body is missing or malformed"),
        "invalid_post_type": _rule(_PERMANENT, "the Content-Type is not one Slack accepts"),
        "missing_post_type": _rule(_PERMANENT, "the body came without a Content-Type"),
        "missing_argument": _rule(_PERMANENT, "a required argument is missing (a file length of 0)"),
        # -- the message ------------------------------------------------------------------------
        "invalid_blocks": _rule(_PERMANENT, "the message's blocks are not valid"),
        "invalid_blocks_format": _rule(_PERMANENT, "the blocks are not JSON, or not Block Kit"),
        "msg_blocks_too_long": _rule(_PERMANENT, "the message's blocks are too long"),
        "msg_too_long": _rule(_PERMANENT, "the message text is too long"),
        "no_text": _rule(_PERMANENT, "the message has no text"),
        "too_many_attachments": _rule(_PERMANENT, "more than 100 attachments"),
        "attachment_payload_limit_exceeded": _rule(_PERMANENT, "the attachments are too large"),
        # -- where it goes ------------------------------------------------------------------------
        "channel_not_found": _rule(_PERMANENT, "the channel is not one the token can find"),
        "not_in_channel": _rule(_PERMANENT, "the app is not a member of the channel"),
        "is_archived": _rule(_PERMANENT, "the channel is archived"),
        "messages_tab_disabled": _rule(_PERMANENT, "the app's Messages tab is off, so it cannot DM"),
        "cannot_dm_bot": _rule(_PERMANENT, "the recipient is a bot"),
        "team_not_found": _rule(_PERMANENT, "an org-wide token was given a channel name, not an id"),
        "restricted_action": _rule(_PERMANENT, "a workspace preference stops the app posting"),
        "restricted_action_read_only_channel": _rule(_PERMANENT, "the channel is read-only"),
        "restricted_action_thread_only_channel": _rule(_PERMANENT, "the channel takes thread replies only"),
        "restricted_action_non_threadable_channel": _rule(_PERMANENT, "the channel takes no thread replies"),
        "restricted_action_thread_locked": _rule(_PERMANENT, "admins locked the thread"),
        # -- opening the conversation (conversations.open) ------------------------------------------
        "user_not_found": _rule(_PERMANENT, "a user id is not valid"),
        "users_not_found": _rule(_PERMANENT, "user ids are not valid"),
        "user_not_visible": _rule(_PERMANENT, "the app may not see one of the users"),
        "user_disabled": _rule(
            _PERMANENT,
            "a user is deactivated (on conversations.open the directory learns who: MEMBER_GONE_ERRORS)",
        ),
        "too_many_users": _rule(_PERMANENT, "a group DM holds at most 8 people"),
        "not_enough_users": _rule(_PERMANENT, "too few users to open the conversation"),
        "method_not_supported_for_channel_type": _rule(
            _PERMANENT, "this kind of conversation cannot be opened"
        ),
        "invalid_user_combination": _rule(_PERMANENT, "external people share no channel yet"),
        "users_list_not_supplied": _rule(_PERMANENT, "no users were given"),
        # -- files (files.getUploadURLExternal, files.completeUploadExternal) -----------------------
        "invalid_channel": _rule(_PERMANENT, "the channel to share into is not found or not valid"),
        "posting_to_channel_denied": _rule(_PERMANENT, "the app may not post (share files) in the channel"),
        "file_uploads_disabled": _rule(_PERMANENT, "the workspace disabled file uploads"),
        "file_uploads_except_images_disabled": _rule(_PERMANENT, "the workspace allows image uploads only"),
        "file_type_not_allowed": _rule(_PERMANENT, "the workspace does not allow this type of file"),
        "file_upload_size_restricted": _rule(_PERMANENT, "the workspace restricts files this large"),
        "storage_limit_reached": _rule(_PERMANENT, "a free workspace's file storage is full"),
        "snippet_too_large": _rule(_PERMANENT, "too large for a snippet (1 MB)"),
    }
)

# Refusals that say the bot token itself is gone for good (revoked, or its workspace deleted).
# In single-workspace mode the token comes from the settings, so the messages wait for a new
# one instead of failing (``Outcomes.on_slack_error``); elsewhere they are permanent.
TOKEN_DEATH_ERRORS = frozenset({"token_revoked", "account_inactive"})

# The calls that show something to someone: only these can leave a duplicate behind.
SHOWN_BY = frozenset({"chat.postMessage", "files.completeUploadExternal"})


def handling_of(error: str) -> Handling:
    """What the outbox does after Slack answered ``error`` (see ``SLACK_ERRORS``)."""
    rule = SLACK_ERRORS.get(error)
    if rule is not None:
        return rule.handling
    if error.startswith("restricted_action"):
        return Handling.PERMANENT
    return Handling.RETRY


@dataclass
class Step:
    """The Slack call a send is making, so that a failure is read for the step it hit."""

    method: str


def never_left(exc: BaseException) -> bool:
    """True when the request certainly never reached Slack, so a retry cannot duplicate.

    The SDK raises ``SlackRequestError`` only before sending (Slack's answers, errors included,
    become ``SlackApiError``).
    """
    if isinstance(exc, SlackRequestError):
        return True
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, ConnectionRefusedError | socket.gaierror):
        return True
    if isinstance(reason, OSError) and not isinstance(
        reason, TimeoutError | ConnectionResetError | ConnectionAbortedError | BrokenPipeError
    ):
        return isinstance(reason, ConnectionError)
    return isinstance(reason, http.client.CannotSendRequest)
