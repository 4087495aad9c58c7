"""Uninstalls: stop a workspace's work at once, erase its data after a grace period.

When Slack says the app was uninstalled (``app_uninstalled``) or its bot token revoked
(``tokens_revoked``), the tenant's tokens are deleted, its unsent messages cancelled and the
time recorded, all in one transaction: from then on no request, tick or send has a token to
act with. Its data stays for ``HR_PLUGIN_UNINSTALL_GRACE_DAYS`` (30 by default), so a
mistaken uninstall can be undone by installing again, which clears the mark. After that the
purge tick erases everything the tenant had: the private spaces first by destroying their
data keys (crypto-shredding, in the vault's key store), then every row of every table that
carries the tenant, then the tenant itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import MetaData, Table, delete, exists, select, update
from sqlalchemy.orm import Session

from hr_plugin.audit import record
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.models import OutboxMessage, SlackInstallation, Tenant
from hr_plugin.oauth.store import delete_tokens
from hr_plugin.outbox import CANCELLED, PENDING
from hr_plugin.settings import Settings
from hr_plugin.ticks import Tick, TickContext

log = logging.getLogger(__name__)

UNINSTALLED_ERROR = "the app was uninstalled from this workspace"
PURGE_EVERY = timedelta(hours=1)

# Destroys the vault's data keys for a tenant; returns how many (``hr_plugin.vault.shred_tenant``).
Shredder = Callable[[Settings, str], int]


@dataclass(frozen=True)
class Forgotten:
    tenant_id: str
    had_tokens: bool
    cancelled: int


def forget_workspace(factory: SessionFactory, clock: Clock, tenant_id: str, *, cause: str) -> Forgotten:
    """Delete the tenant's tokens, cancel what it has waiting to send, record when (idempotent)."""
    now = clock.now()
    with unit_of_work(factory) as session:
        had_tokens = delete_tokens(session, tenant_id)
        cancelled = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.tenant_id == tenant_id, OutboxMessage.status == PENDING)
            .values(status=CANCELLED, last_error=UNINSTALLED_ERROR)
        ).rowcount  # type: ignore[attr-defined]
        tenant = session.get(Tenant, tenant_id)
        if tenant is not None:
            if tenant.uninstalled_at is None:
                tenant.uninstalled_at = now
            record(session, tenant_id=tenant_id, at=now, actor="slack", action=f"app.{cause}")
        session.commit()
    log.warning(
        "tenant %s: %s; tokens deleted, %s unsent message(s) cancelled",
        tenant_id,
        cause,
        cancelled,
        extra={"tenant": tenant_id, "count": cancelled},
    )
    return Forgotten(tenant_id, had_tokens, int(cancelled or 0))


def due_for_erasure(session: Session, now: datetime, grace: timedelta) -> list[str]:
    """Tenants uninstalled longer than the grace period ago and not installed since."""
    installed = exists().where(SlackInstallation.tenant_id == Tenant.id)
    return list(
        session.scalars(
            select(Tenant.id)
            .where(Tenant.uninstalled_at.is_not(None), Tenant.uninstalled_at <= now - grace, ~installed)
            .order_by(Tenant.id)
        )
    )


def erase_workspace(
    factory: SessionFactory,
    settings: Settings,
    tenant_id: str,
    now: datetime,
    grace: timedelta,
    shred: Shredder,
) -> bool:
    """Erase one tenant if it is still due (a reinstall in the meantime wins); True if erased.

    The tenant row is claimed first with a write that only matches while it is still due: on
    PostgreSQL that locks the row, so a reinstall racing with the erasure waits for it and then
    fails (the installer starts again and gets a fresh tenant); on SQLite it takes the
    database's write lock.
    """
    with unit_of_work(factory) as session:
        claimed = session.execute(
            update(Tenant)
            .where(
                Tenant.id == tenant_id,
                Tenant.uninstalled_at.is_not(None),
                Tenant.uninstalled_at <= now - grace,
                ~exists().where(SlackInstallation.tenant_id == tenant_id),
            )
            .values(uninstalled_at=Tenant.uninstalled_at)
        ).rowcount  # type: ignore[attr-defined]
        if not claimed:
            return False
        keys = shred(settings, tenant_id)
        rows = _delete_tenant_rows(session, tenant_id)
        session.commit()
    log.warning(
        "tenant %s erased after its grace period: %s data key(s) destroyed, %s row(s) deleted",
        tenant_id,
        keys,
        rows,
        extra={"tenant": tenant_id},
    )
    return True


def _delete_tenant_rows(session: Session, tenant_id: str) -> int:
    """Every row of every table with a ``tenant_id`` column, children before parents, then the tenant.

    The tables are read from the database itself rather than from the models imported in this
    process, so a feature's table cannot be missed because its module was not loaded.
    """
    metadata = MetaData()
    metadata.reflect(bind=session.connection())
    deleted = 0
    for table in reversed(metadata.sorted_tables):
        if "tenant_id" in table.c:
            deleted += _delete_where(session, table, tenant_id)
    deleted += session.execute(delete(Tenant).where(Tenant.id == tenant_id)).rowcount  # type: ignore[attr-defined]
    return deleted


def _delete_where(session: Session, table: Table, tenant_id: str) -> int:
    result = session.execute(delete(table).where(table.c.tenant_id == tenant_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def purge_tick(shred: Shredder) -> Tick:
    """Hourly: erase the tenants whose grace period ran out; forget abandoned install attempts."""

    def run(context: TickContext) -> object:
        settings = context.settings
        if settings is None:
            raise RuntimeError("the purge tick needs the settings in its context")
        now = context.clock.now()
        grace = timedelta(days=settings.uninstall_grace_days)
        with unit_of_work(context.factory) as session:
            due = due_for_erasure(session, now, grace)
        engine = context.factory.kw["bind"]
        erased = [
            tenant_id
            for tenant_id in due
            if erase_workspace(context.factory, settings, tenant_id, now, grace, shred)
        ]
        from hr_plugin.oauth.states import OAuthStates  # not with the module: see its docstring

        OAuthStates(engine, expiration_seconds=0).prune()
        return erased

    return Tick("workspaces-purge", PURGE_EVERY, run)
