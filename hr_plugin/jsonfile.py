"""JSON files for the offline commands: read with plain error messages, write atomically."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def read_json(path: Path) -> Any:
    """The file's JSON; file and syntax problems become ``ValueError`` with a plain message."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError("no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read the file: {exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from None
    except RecursionError:
        raise ValueError("not valid JSON: nested too deeply") from None


def write_atomically(path: Path, text: str) -> None:
    """Write beside the target and rename, so a reader never sees half a file.

    The file is readable by its owner only (``mkstemp``'s mode): outputs name people.
    """
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
