"""Which Slack account each person in a directory file has: read from Slack, no database.

Slack ids are resolved by paging ``users.list`` (Tier 2, hundreds of users a page: minutes for
a large company) rather than one ``users.lookupByEmail`` per person (Tier 3: hours); the import
does this before its write transaction opens, so no database transaction waits on Slack.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from hr_plugin.directory.rows import RowKey, is_valid_time_zone

USERS_LIST_PAGE = 200
DEFAULT_LOOKUP_LIMIT = 50

# Told how far a long import has got, in counts (the CLI prints each line to stderr).
Progress = Callable[[str], None]


class SlackAccount(NamedTuple):
    """What the directory takes from a Slack user: the id, the zone, and whether it is gone."""

    user_id: str
    timezone: str | None
    deleted: bool


def _account(member: Mapping[str, Any]) -> SlackAccount:
    tz = member.get("tz")
    return SlackAccount(
        user_id=str(member["id"]),
        timezone=tz if isinstance(tz, str) and is_valid_time_zone(tz) else None,
        deleted=bool(member.get("deleted", False)),
    )


@dataclass
class _SlackView:
    by_email: dict[str, SlackAccount] = field(default_factory=dict)
    by_id: dict[str, SlackAccount] = field(default_factory=dict)

    def add(self, member: Mapping[str, Any]) -> None:
        if not member.get("id"):
            return
        account = _account(member)
        self.by_id[account.user_id] = account
        email = (member.get("profile") or {}).get("email")
        if not isinstance(email, str) or not email:
            return
        email = email.lower()
        current = self.by_email.get(email)
        # A recreated account leaves the old, deactivated one behind with the same address.
        if current is None or (current.deleted and not account.deleted):
            self.by_email[email] = account


def _read_users_list(slack: WebClient, progress: Progress) -> _SlackView:
    view = _SlackView()
    cursor: str | None = None
    read = 0
    while True:
        response = slack.users_list(limit=USERS_LIST_PAGE, cursor=cursor)
        members = response.get("members") or []
        for member in members:
            view.add(member)
        read += len(members)
        progress(f"Resolving Slack accounts: {read} users read")
        cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return view


def _lookup_by_email(slack: WebClient, email: str) -> Mapping[str, Any] | None:
    try:
        response = slack.users_lookupByEmail(email=email)
    except SlackApiError as error:
        if error.response.get("error") == "users_not_found":
            return None
        raise
    user = response.get("user")
    return user if isinstance(user, Mapping) else None


def resolve_slack_ids(
    rows: Sequence[RowKey],
    stored_ids: Mapping[str, str | None],
    slack: WebClient | None,
    lookup_limit: int,
    progress: Progress,
) -> tuple[dict[str, str | None], dict[str, SlackAccount]]:
    """Each row's Slack id, and what Slack says about the accounts found.

    Precedence: an id the file gives (HR knows best, for example when Slack holds another
    address), then Slack's account for the email, then the id already stored (unless that
    account now goes to someone else in the file), then a ``users.lookupByEmail`` for the few
    left. Offline, the file's id or the stored one.
    """
    view = _read_users_list(slack, progress) if slack is not None else _SlackView()
    resolved: dict[str, str | None] = {}
    for row in rows:
        found = view.by_email.get(row.email)
        resolved[row.email] = row.slack_user_id or (found.user_id if found else None)
    claimed = {user_id for user_id in resolved.values() if user_id}
    stragglers: list[str] = []
    for row in rows:
        stored = stored_ids.get(row.email)
        if resolved[row.email] is None and stored is not None and stored not in claimed:
            resolved[row.email] = stored
        if resolved[row.email] is None:
            stragglers.append(row.email)
    if slack is None:
        return resolved, {}
    to_look_up = stragglers[:lookup_limit]
    if to_look_up:
        progress(f"Looking up {len(to_look_up)} Slack accounts by email")
    for email in to_look_up:
        user = _lookup_by_email(slack, email)
        if user is not None and user.get("id"):
            view.add(user)
            account = _account(user)
            resolved[email] = account.user_id
    if len(stragglers) > lookup_limit:
        progress(
            f"{len(stragglers) - lookup_limit} people were not looked up one by one (limit {lookup_limit})"
        )
    found_count = sum(1 for user_id in resolved.values() if user_id)
    progress(f"Slack accounts found for {found_count} of {len(rows)} people")
    return resolved, view.by_id
