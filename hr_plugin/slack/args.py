"""Bolt's arguments for a listener with some of them replaced (the ``ack`` a submission's
deadline holds, the ``client`` that keeps a click's trigger alive)."""

from __future__ import annotations

from typing import Any


class ArgsWith:
    """``args`` as Bolt gave them, but for the names given here."""

    def __init__(self, args: Any, **replaced: Any) -> None:
        self._args = args
        self.__dict__.update(replaced)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._args, name)
