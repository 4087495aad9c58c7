"""``hr_plugin.hkdf`` gives the bytes ``cryptography``'s HKDF gave: keys derived before it
(wrapped data keys, sealed tokens, the console's cookie key) still open."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hr_plugin.hkdf import hkdf_sha256


def test_rfc_5869_test_case_3() -> None:
    """SHA-256, no salt, no info (RFC 5869 A.3)."""
    expected = "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
    assert hkdf_sha256(bytes([0x0B]) * 22, info=b"", length=42).hex() == expected


@pytest.mark.parametrize("length", [1, 16, 31, 32, 33, 64, 100, 255 * 32])
def test_the_same_bytes_as_cryptography(length: int) -> None:
    key, info = bytes(range(32)), b"hr-plugin vault derive v1\x00some purpose"
    theirs = HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(key)
    assert hkdf_sha256(key, info=info, length=length) == theirs


def test_a_length_hkdf_cannot_give_is_refused() -> None:
    with pytest.raises(ValueError):
        hkdf_sha256(bytes(32), info=b"x", length=255 * 32 + 1)
    with pytest.raises(ValueError):
        hkdf_sha256(bytes(32), info=b"x", length=0)
