"""Reading what a modal submission holds, in a module that imports nothing else.

Why apart from ``payloads``: the features parse their modals' submissions in their ``views``
(beside the block ids the modal defines), and view builders may not reach the database, even
indirectly (import-linter, "View builders are pure"); ``payloads`` imports ``tenants``, which does.
``payloads`` imports ``state_value`` from here, so ``payloads.state_value`` still works.
"""

from __future__ import annotations

from typing import Any


def state_value(view: dict[str, Any], block_id: str, action_id: str = "value") -> dict[str, Any]:
    """The submitted state of one input, or an empty dict when the block is absent."""
    values = (view.get("state") or {}).get("values") or {}
    return dict((values.get(block_id) or {}).get(action_id) or {})
