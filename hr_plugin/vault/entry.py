"""The vault's entry points: what its feature declaration (``feature.py``) names and the core
calls through the package's public names. Kept apart from ``__init__`` so that the vault's own
modules import them from here, and the package imports nothing that imports it back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hr_plugin.services import Services, Slot, singleton

if TYPE_CHECKING:
    from flask import Flask, Response

    from hr_plugin.settings import Settings
    from hr_plugin.vault.service import Vault

_VAULT: Slot[Vault] = Slot("vault")
# Where the vault's web routes live (the single-use links): nothing else is served there.
EXPORT_PREFIX = "/vault"
# The purpose the key sealing stored Slack tokens is derived for; no other key shares it.
SLACK_TOKEN_PURPOSE = "slack.installation-tokens"


def vault_for(services: Services) -> Vault:
    """The process's Vault, built once from the settings (master key, key store URL)."""
    return singleton(
        services, _VAULT, lambda: build_vault(services.factory, services.clock, services.settings)
    )


def build_vault(factory: Any, clock: Any, settings: Settings) -> Vault:
    """A Vault on ``settings``' master key and key store (``vault_for``'s, and the ticks' own)."""
    from hr_plugin.vault.crypto import LocalKeyProvider
    from hr_plugin.vault.keystore import KeyStore
    from hr_plugin.vault.service import Vault

    master = settings.master_key()
    return Vault(factory, KeyStore(settings.vault_keystore_url, LocalKeyProvider(master)), clock, master)


# Every method is taken, so that one the page never sends is told so in the page's words.
_EXPORT_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]


def export_routes(web: Flask, services: Services) -> None:
    """The single-use export links, ``/vault/export/<secret>``: a page for GET, the download
    for its POST (``hr_plugin.vault.export_page``)."""

    def export(secret: str = "") -> Response:
        from hr_plugin.vault import export_page

        return export_page.answer(vault_for(services), secret)

    web.add_url_rule(EXPORT_PREFIX + "/export/", "vault_export_bare", export, methods=_EXPORT_METHODS)
    web.add_url_rule(EXPORT_PREFIX + "/export/<path:secret>", "vault_export", export, methods=_EXPORT_METHODS)


def slack_token_key(master_key: bytes) -> bytes:
    """The key that seals the Slack tokens of multi-workspace installs.

    Derived from the master key for that purpose alone, so the master key stays here and the
    token key opens nothing of the vault's (nor the vault's keys any token).
    """
    from hr_plugin.vault.crypto import derive_key

    return derive_key(master_key, SLACK_TOKEN_PURPOSE)


def prepare_keystore(settings: Settings) -> None:
    """Make the key store's table (and, on SQLite, its private file) now: ``serve`` calls this
    before it starts the workers that open the store, so none of them races
    another to create it."""
    from hr_plugin.vault.keystore import create_store

    create_store(settings.vault_keystore_url)


def shred_tenant(settings: Settings, tenant_id: str) -> int:
    """Destroy the data key of everyone in a workspace being erased; returns how many there were.

    Crypto-shredding first means every sealed record of the tenant is unreadable at once, even
    before (or if something stops) the purge deleting its rows.
    """
    from hr_plugin.vault.crypto import LocalKeyProvider
    from hr_plugin.vault.keystore import KeyStore

    keystore = KeyStore(settings.vault_keystore_url, LocalKeyProvider(settings.master_key()))
    try:
        return keystore.destroy_tenant(tenant_id)
    finally:
        keystore.dispose()
