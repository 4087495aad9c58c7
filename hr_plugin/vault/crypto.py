"""Envelope encryption for the private check-in.

Every employee has their own data key; a master key from a key provider (a local key file by
default, a KMS in production) wraps it. Records are sealed with AES-256-GCM under the data key,
with associated data naming tenant, employee, record id and kind, so a ciphertext copied onto
another row, another person or another tenant fails to open instead of being shown as theirs.

Nothing here logs, and no exception raised here carries plaintext, keys or ciphertext: an error
message can end up in a log or an error report, which the check-in content must never reach.
"""

from __future__ import annotations

import hashlib
import secrets
import struct
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
# The first byte of every sealed value, so the format can change later without guessing.
VERSION = 1

_KEY_ID_LABEL = b"hr-plugin vault key id v1\x00"
_HKDF_INFO_PREFIX = b"hr-plugin vault derive v1\x00"
_SUBJECT_LABEL = "hr-plugin vault subject v1"
_RECORD_LABEL = "hr-plugin vault record v1"
# The purpose under which a local master key is turned into the key that wraps data keys; kept
# apart from every other purpose so a MAC key can never double as a wrapping key.
_WRAP_PURPOSE = "vault.data-key-wrapping"


class DecryptionError(Exception):
    """A sealed value or a wrapped key could not be opened.

    Deliberately vague: wrong key, wrong context, a tampered byte and an unknown format all look
    the same, and the message never carries the data, so it is safe to log.
    """

    def __init__(self, message: str = "the record cannot be decrypted") -> None:
        super().__init__(message)


class KeyProvider(Protocol):
    """Wraps and unwraps data keys with a master key it never hands out (a KMS adapter fits here).

    ``key_id`` names the master key (a fingerprint or a KMS key id, never the key itself) so the
    key store can record which master key wrapped each data key.
    """

    key_id: str

    def wrap(self, data_key: bytes, context: bytes) -> bytes: ...

    def unwrap(self, wrapped: bytes, context: bytes) -> bytes:
        """The data key, or :class:`DecryptionError` for another master key or another context."""
        ...


class LocalKeyProvider:
    """The default provider: the master key comes from the settings (a key file by default).

    The master key itself never encrypts anything; a wrapping key derived from it does, so the
    same master key can also feed other purposes (MACs, stored tokens) without key reuse.
    """

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != KEY_BYTES:
            raise ValueError(f"a master key must be {KEY_BYTES} bytes")
        self._wrapping_key = derive_key(master_key, _WRAP_PURPOSE)
        self.key_id = key_fingerprint(master_key)

    def __repr__(self) -> str:
        # The default repr would be harmless too, but say so explicitly: no key material in reprs.
        return f"LocalKeyProvider(key_id={self.key_id!r})"

    def wrap(self, data_key: bytes, context: bytes) -> bytes:
        if len(data_key) != KEY_BYTES:
            raise ValueError(f"a data key must be {KEY_BYTES} bytes")
        return seal(self._wrapping_key, data_key, context)

    def unwrap(self, wrapped: bytes, context: bytes) -> bytes:
        data_key = open_sealed(self._wrapping_key, wrapped, context)
        if len(data_key) != KEY_BYTES:
            raise DecryptionError("the data key cannot be unwrapped")
        return data_key


def key_fingerprint(master_key: bytes) -> str:
    """A short public name for a master key: enough to tell keys apart, useless to guess one."""
    return hashlib.sha256(_KEY_ID_LABEL + master_key).hexdigest()[:12]


def new_data_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def seal(data_key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """``version || nonce || AES-256-GCM(plaintext, aad)``; a fresh random nonce every time.

    A random 96-bit nonce is safe here: one data key seals one employee's records, far below the
    2**32 messages after which random nonces start to risk a collision.
    """
    if len(data_key) != KEY_BYTES:
        raise ValueError(f"a data key must be {KEY_BYTES} bytes")
    nonce = secrets.token_bytes(NONCE_BYTES)
    return bytes([VERSION]) + nonce + AESGCM(data_key).encrypt(nonce, plaintext, aad)


def open_sealed(data_key: bytes, sealed: bytes, aad: bytes) -> bytes:
    """The plaintext of :func:`seal`'s output, or :class:`DecryptionError` whatever went wrong."""
    if len(data_key) != KEY_BYTES or len(sealed) < 1 + NONCE_BYTES + TAG_BYTES or sealed[0] != VERSION:
        raise DecryptionError()
    nonce, ciphertext = sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
    try:
        return AESGCM(data_key).decrypt(nonce, ciphertext, aad)
    except (InvalidTag, ValueError):
        # ``from None``: the chained exception adds nothing and keeps error reports minimal.
        raise DecryptionError() from None


def subject_context(tenant_id: str, employee_id: int) -> bytes:
    """Associated data for a wrapped data key, so a wrapped key moved to another person fails."""
    return _encode(_SUBJECT_LABEL, tenant_id, str(employee_id))


def record_context(tenant_id: str, employee_id: int, record_id: str, kind: str) -> bytes:
    """Associated data for a record, so rows cannot be swapped between people, records or kinds."""
    return _encode(_RECORD_LABEL, tenant_id, str(employee_id), record_id, kind)


def derive_key(master_key: bytes, purpose: str) -> bytes:
    """A 32-byte key for one ``purpose`` (HKDF-SHA256), independent of the keys for any other.

    One secret to configure, many keys in use: MACs on modal metadata, wrapping data keys,
    encrypting stored Slack tokens. Knowing one derived key reveals neither the master key nor
    the others.
    """
    if len(master_key) != KEY_BYTES:
        raise ValueError(f"a master key must be {KEY_BYTES} bytes")
    if not purpose:
        raise ValueError("a derived key needs a purpose")
    info = _HKDF_INFO_PREFIX + purpose.encode("utf-8")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info)
    return hkdf.derive(master_key)


def _encode(*fields: str) -> bytes:
    """Length-prefixed UTF-8 fields: no separator inside a field can shift a boundary."""
    parts = []
    for field in fields:
        data = field.encode("utf-8")
        parts.append(struct.pack(">I", len(data)) + data)
    return b"".join(parts)
