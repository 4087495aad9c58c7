"""Where a row goes: the conversation Slack opens for its people, remembered once opened.

A row names people, not a channel: one person (the app's DM with them) or a group (a group
DM). ``conversations.open`` gives the channel; the answer is kept in ``conversation_cache``
per set of people, so the next message to them opens nothing. Slack will not open a group DM
with a deactivated account in it, so a group is opened without the members the directory
knows are gone (``deactivation`` teaches the directory who they are), and the rest still get it.
"""

from __future__ import annotations

from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.models import ConversationCache, Employee, OutboxMessage


def where_to(session: Session, row: OutboxMessage) -> tuple[list[str], str | None]:
    """The people a row goes to, and its channel when it is already known (else ``None``)."""
    tenant_id = row.tenant_id
    users = [row.recipient_user_id] if row.recipient_user_id else list(row.conversation_users or [])
    channel = row.channel_id or _cached_channel(session, tenant_id, users)
    if channel is None and row.conversation_users:
        # Slack will not open a group DM with a deactivated account in it: the group
        # is opened without the members who are gone, so the rest still get it.
        users = _without_unreachable(session, tenant_id, users)
        channel = _cached_channel(session, tenant_id, users) if users else None
    return users, channel


def open_conversation(factory: SessionFactory, client: WebClient, tenant_id: str, users: list[str]) -> str:
    """Ask Slack for the conversation with ``users`` and remember it; its channel id."""
    opened = client.conversations_open(users=users)
    channel = str(opened["channel"]["id"])
    _remember_channel(factory, tenant_id, users, channel)
    return channel


def _cached_channel(session: Session, tenant_id: str, users: list[str]) -> str | None:
    return session.scalar(
        select(ConversationCache.channel_id).where(
            ConversationCache.tenant_id == tenant_id, ConversationCache.users_key == ",".join(sorted(users))
        )
    )


def _remember_channel(factory: SessionFactory, tenant_id: str, users: list[str], channel: str) -> None:
    users_key = ",".join(sorted(users))
    with unit_of_work(factory) as session:
        exists = session.scalar(
            select(ConversationCache.id).where(
                ConversationCache.tenant_id == tenant_id, ConversationCache.users_key == users_key
            )
        )
        if exists is None:
            session.add(ConversationCache(tenant_id=tenant_id, users_key=users_key, channel_id=channel))
            try:
                session.commit()
            except Exception:  # another drainer cached it first: same answer
                session.rollback()


def _without_unreachable(session: Session, tenant_id: str, users: list[str]) -> list[str]:
    """``users`` less those the directory knows are gone (left, or deactivated in Slack)."""
    gone = set(
        session.scalars(
            select(Employee.slack_user_id).where(
                Employee.tenant_id == tenant_id, Employee.slack_user_id.in_(users), ~Employee.reachable
            )
        )
    )
    return [user for user in users if user not in gone]
