"""Master keys: 32 random bytes, written URL-safe base64 to a file only its owner can read."""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path


class KeyFileError(OSError):
    pass


def new_master_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def write_new_key_file(path: Path) -> None:
    """Create ``path`` with mode 0600; never overwrite an existing key (that would lose data)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyFileError(f"{path} already exists; refusing to overwrite a master key") from None
    with os.fdopen(fd, "w") as handle:
        handle.write(new_master_key() + "\n")
    os.chmod(path, 0o600)
