"""HKDF-SHA256 (RFC 5869) with no salt, on the standard library's HMAC.

Every process derives keys as it starts (the vault's wrapping key, the console's cookie key),
and ``cryptography``'s HKDF would load its OpenSSL bindings for that: about 8 MB of resident
memory in every web worker, which otherwise needs them only when it seals or opens something.
The same bytes as ``cryptography.hazmat.primitives.kdf.hkdf.HKDF(SHA256(), length, None,
info)``; a test checks them against it and against RFC 5869's test vector.
"""

from __future__ import annotations

import hashlib
import hmac

_HASH_BYTES = hashlib.sha256().digest_size


def hkdf_sha256(key_material: bytes, *, info: bytes, length: int = 32) -> bytes:
    """``length`` bytes of output keying material for ``info`` from ``key_material``."""
    if not 0 < length <= 255 * _HASH_BYTES:
        raise ValueError(f"HKDF-SHA256 gives 1 to {255 * _HASH_BYTES} bytes")
    # Extract: with no salt, the salt is a string of zeros as long as the hash (RFC 5869 2.2).
    pseudo_random_key = hmac.new(bytes(_HASH_BYTES), key_material, hashlib.sha256).digest()
    # Expand: T(i) = HMAC(PRK, T(i-1) | info | i), concatenated and cut to length (2.3).
    output, block = b"", b""
    counter = 1
    while len(output) < length:
        block = hmac.new(pseudo_random_key, block + info + bytes([counter]), hashlib.sha256).digest()
        output += block
        counter += 1
    return output[:length]
