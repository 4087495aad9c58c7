"""A directory file read from its bytes each time the import needs its rows, never held as rows.

``import_directory`` reads its rows twice (once to check the whole file, then to write it in
batches). A list of rows would do, but for 100,000 people it is hundreds of megabytes; a
``DirectoryFile`` reads the bytes again instead: from a path (the CLI), from bytes already
received (an upload), or from a stream that can be read only once (``/dev/stdin``, as the
deployment guide pipes an export into a container), which is first copied to an anonymous
temporary file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from hr_plugin.directory.rows import DirectoryRow, decoded_lines, read_directory_rows


class DirectoryFile:
    """The rows of an HRIS export, read afresh on each iteration.

    Iterating checks every row as ``parse_directory_csv`` does and raises ``DirectoryError``
    (every problem, with its line) after the last one.
    """

    def __init__(self, opener: Callable[[], BinaryIO]) -> None:
        self._opener = opener

    @classmethod
    def from_path(cls, path: Path) -> DirectoryFile:
        """A regular file; for a pipe, use ``from_stream``."""
        return cls(lambda: path.open("rb"))

    @classmethod
    def from_bytes(cls, data: bytes) -> DirectoryFile:
        return cls(lambda: BytesIO(data))

    @classmethod
    @contextmanager
    def from_stream(cls, stream: BinaryIO) -> Iterator[DirectoryFile]:
        """A stream that can be read only once, copied first to a temporary file with no name
        (gone when the block ends, or if the process dies), since it is read twice."""
        with tempfile.TemporaryFile() as spool:
            shutil.copyfileobj(stream, spool)
            spool.flush()  # the readings go through their own descriptor, not this buffer

            def reopen() -> BinaryIO:
                copy = os.fdopen(os.dup(spool.fileno()), "rb")
                copy.seek(0)  # the duplicate shares its position; the readings never overlap
                return copy

            yield cls(reopen)

    def __iter__(self) -> Iterator[DirectoryRow]:
        with self._opener() as binary:
            yield from read_directory_rows(decoded_lines(binary))
