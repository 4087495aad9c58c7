"""Multi-workspace installs: the OAuth flow, sealed tokens that rotate, uninstalls and erasure.

Active when ``HR_PLUGIN_SLACK_CLIENT_ID`` and ``HR_PLUGIN_SLACK_CLIENT_SECRET`` are set;
otherwise the app runs in single-workspace mode with the bot token from the settings and
none of this is used. The key that seals tokens is handed in by the app wiring (the vault
derives it from the master key), so this package never sees the master key itself.
"""

from __future__ import annotations

from hr_plugin.oauth.sealing import TokenSealer, TokenSealError
from hr_plugin.oauth.store import InstalledBot, SealedInstallationStore, reseal_tokens
from hr_plugin.oauth.tokens import Installations, TokenRefreshError

__all__ = [
    "Installations",
    "InstalledBot",
    "SealedInstallationStore",
    "TokenRefreshError",
    "TokenSealError",
    "TokenSealer",
    "reseal_tokens",
]
