"""The private space's ticks: the weekly reminders at the day and time each person chose, and
retention (a space is erased a set time after its owner left the program, with a notice first).
"""

from __future__ import annotations

from datetime import timedelta

from hr_plugin.ticks import Tick, TickContext
from hr_plugin.vault import service
from hr_plugin.vault.entry import build_vault

RETENTION = timedelta(days=90)
RETENTION_NOTICE = timedelta(days=14)


def _reminders(context: TickContext) -> object:
    return service.send_due_reminders(context.factory, context.clock)


def _vault(context: TickContext) -> service.Vault:
    """The tick's Vault, built once per tick context from its settings (the master key)."""
    if context.settings is None:
        raise RuntimeError("the vault's retention tick needs the settings in its context")
    cached = getattr(context, "_vault", None)
    if cached is None:
        cached = build_vault(context.factory, context.clock, context.settings)
        context._vault = cached  # type: ignore[attr-defined]
    return cached


def _retention(context: TickContext) -> object:
    return _vault(context).retention_pass(RETENTION, RETENTION_NOTICE, service.retention_notice)


def ticks() -> list[Tick]:
    return [
        Tick("vault-reminders", timedelta(minutes=5), _reminders),
        Tick("vault-retention", timedelta(hours=6), _retention),
    ]
