"""``Vault``, the private space's one service object, made of its parts: each part is a module
of this package, one idea each (the space's life, the entries, the reminders, the export), on
the shared base (``_common.VaultBase``) that knows who asks and holds the keys.
"""

from __future__ import annotations

from hr_plugin.vault.service.entries import Entries
from hr_plugin.vault.service.export import Exports
from hr_plugin.vault.service.reminders import Reminders
from hr_plugin.vault.service.space import Space
from hr_plugin.vault.service.track import Track


class Vault(Space, Entries, Reminders, Exports, Track):
    """The vault's service object: the main database, the key store, the clock, a MAC key.

    Content goes in sealed and comes out only for its owner. Every method takes the acting
    Slack user (from the signed request) and works on that person's own space only.
    """
