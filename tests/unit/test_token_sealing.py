"""Slack tokens at rest: sealed, bound to their tenant and field, and silent when refused."""

from __future__ import annotations

import pytest

from hr_plugin import vault
from hr_plugin.oauth.sealing import TokenSealer, TokenSealError

TOKEN = "xoxe.xoxb-1-T0DEMO-1-0123456789abcdef"
MASTER = bytes(range(32))


def test_a_sealed_token_opens_for_its_tenant_and_field_only() -> None:
    sealer = TokenSealer(vault.slack_token_key(MASTER))
    sealed = sealer.seal(TOKEN, tenant_id="T1", field="bot_token")

    assert TOKEN.encode() not in sealed
    assert sealer.open(sealed, tenant_id="T1", field="bot_token") == TOKEN
    for tenant, field in (("T2", "bot_token"), ("T1", "bot_refresh_token")):
        with pytest.raises(TokenSealError) as refused:
            sealer.open(sealed, tenant_id=tenant, field=field)
        assert TOKEN not in str(refused.value) and "T1" not in str(refused.value)
    assert sealer.seal(TOKEN, tenant_id="T1", field="bot_token") != sealed  # a fresh nonce each time


def test_a_changed_byte_or_another_key_does_not_open() -> None:
    sealer = TokenSealer(vault.slack_token_key(MASTER))
    sealed = sealer.seal(TOKEN, tenant_id="T1", field="bot_token")
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    other = TokenSealer(vault.slack_token_key(bytes(range(1, 33))))

    for attempt in (
        lambda: sealer.open(tampered, tenant_id="T1", field="bot_token"),
        lambda: other.open(sealed, tenant_id="T1", field="bot_token"),
        lambda: sealer.open(b"\x01short", tenant_id="T1", field="bot_token"),
    ):
        with pytest.raises(TokenSealError):
            attempt()
    assert repr(sealer) == "TokenSealer()"  # no key material in reprs or logs


def test_the_token_key_is_its_own_and_not_the_master_key() -> None:
    key = vault.slack_token_key(MASTER)

    assert len(key) == 32 and key != MASTER
    assert vault.slack_token_key(MASTER) == key  # derived, so every replica derives the same
    assert vault.slack_token_key(bytes(range(1, 33))) != key
