"""Slack tokens at rest: sealed with AES-256-GCM, bound to their tenant and field.

The key comes from the master key (the vault derives it for this purpose alone), so a backup
of the database holds no token anyone can use, and a sealed token copied onto another
workspace's row, or from the refresh-token column into the access-token one, fails to open
instead of acting for the wrong workspace.

Nothing here logs, and no exception carries a token, a key or a ciphertext.
"""

from __future__ import annotations

import secrets
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
VERSION = 1  # the first byte of every sealed token, so the format can change later
_LABEL = "hr-plugin slack token v1"


class TokenSealError(Exception):
    """A sealed token could not be opened (another key, another tenant or field, a changed byte)."""

    def __init__(self, message: str = "the stored Slack token cannot be opened") -> None:
        super().__init__(message)


class TokenSealer:
    """Seals and opens one tenant's tokens under the token key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError(f"a token key must be {KEY_BYTES} bytes")
        self._aead = AESGCM(key)

    def __repr__(self) -> str:
        return "TokenSealer()"

    def seal(self, token: str, *, tenant_id: str, field: str) -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, token.encode("utf-8"), _context(tenant_id, field))
        return bytes([VERSION]) + nonce + sealed

    def open(self, sealed: bytes, *, tenant_id: str, field: str) -> str:
        if len(sealed) < 1 + NONCE_BYTES + TAG_BYTES or sealed[0] != VERSION:
            raise TokenSealError()
        nonce, ciphertext = sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
        try:
            return self._aead.decrypt(nonce, ciphertext, _context(tenant_id, field)).decode("utf-8")
        except (InvalidTag, ValueError, UnicodeDecodeError):
            raise TokenSealError() from None

    def opens(self, sealed: bytes, *, tenant_id: str, field: str) -> bool:
        try:
            self.open(sealed, tenant_id=tenant_id, field=field)
        except TokenSealError:
            return False
        return True


def _context(tenant_id: str, field: str) -> bytes:
    """Length-prefixed label, tenant and field: no separator inside one can shift a boundary."""
    parts = []
    for value in (_LABEL, tenant_id, field):
        data = value.encode("utf-8")
        parts.append(struct.pack(">I", len(data)) + data)
    return b"".join(parts)
