"""The private space's use cases. Content goes in sealed and comes out only for its owner.

Every function takes the acting Slack user (from the signed request) and works on that
person's own space only: no function here takes another person's id from a payload. Errors
never carry content: messages are fixed sentences.

A package because the use cases outgrew one module: ``Vault`` is made in ``vault.py`` of one
part per idea (``space``, ``entries``, ``reminders``, ``export``) on ``_common.VaultBase``.
This module only names what the rest of the vault uses, and holds the test seam.
"""

from __future__ import annotations

from collections.abc import Callable

from hr_plugin.vault.service._common import nothing
from hr_plugin.vault.service.export import EXPORT_LINK_MINUTES, LINK_KINDS, Redeemed
from hr_plugin.vault.service.reminders import enqueue_due_reminders, send_due_reminders
from hr_plugin.vault.service.space import retention_notice
from hr_plugin.vault.service.vault import Vault
from hr_plugin.vault.values import (
    FOLLOW_UPS,
    MAX_ANSWER,
    RATINGS,
    STALE_SCREEN,
    CheckinInput,
    ModalToken,
    Owner,
    Profile,
    Resource,
    StaleScreen,
    VaultError,
)

__all__ = [
    "EXPORT_LINK_MINUTES",
    "FOLLOW_UPS",
    "LINK_KINDS",
    "MAX_ANSWER",
    "RATINGS",
    "STALE_SCREEN",
    "CheckinInput",
    "ModalToken",
    "Owner",
    "Profile",
    "Redeemed",
    "Resource",
    "StaleScreen",
    "Vault",
    "VaultError",
    "enqueue_due_reminders",
    "retention_notice",
    "send_due_reminders",
]

# A test seam: called after a once-only operation has read its row and before it writes. Tests
# replace it here to hold one request there while another runs to the end
# (``tests/reliability/test_once_only.py``); in the app it does nothing. The use cases call it
# through ``_common.between_read_and_write``, which looks it up here each time.
_between_read_and_write: Callable[[], None] = nothing
