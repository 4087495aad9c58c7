"""The installation store on a real database: sealed rows, and a master-key rotation that
re-seals every workspace's tokens (store level and through ``hr-plugin vault rotate-master-key``)."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import update

from hr_plugin import vault
from hr_plugin.clock import SimulatedClock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.models import SlackInstallation
from hr_plugin.oauth import SealedInstallationStore, TokenSealer, TokenSealError, reseal_tokens
from hr_plugin.vault.crypto import LocalKeyProvider
from hr_plugin.vault.keystore import KeyStore

OLD_MASTER = bytes(range(32))
NEW_MASTER = bytes(range(100, 132))
TOKENS = {"T1": "xoxe.xoxb-1-T1-aaaa", "T2": "xoxb-T2-bbbb"}
REFRESH = "xoxe-1-T1-refresh"


def _install(store: SealedInstallationStore, team: str) -> None:
    store.save(
        Installation(
            app_id="A0DEMO",
            team_id=team,
            team_name=f"Team {team}",
            bot_token=TOKENS[team],
            bot_id="B0BOT",
            bot_user_id="UBOT",
            bot_scopes="chat:write,commands",
            bot_refresh_token=REFRESH if team == "T1" else None,
            bot_token_expires_in=43200 if team == "T1" else None,
            user_id="UADMIN",
        )
    )


def _store(factory: SessionFactory, clock: SimulatedClock, master: bytes) -> SealedInstallationStore:
    return SealedInstallationStore(factory, clock, TokenSealer(vault.slack_token_key(master)))


def test_tokens_are_resealed_under_a_new_master_key_once(
    session_factory: SessionFactory, clock: SimulatedClock
) -> None:
    old = _store(session_factory, clock, OLD_MASTER)
    for team in TOKENS:
        _install(old, team)

    assert reseal_tokens(session_factory, old.sealer, TokenSealer(vault.slack_token_key(NEW_MASTER))) == 2

    new = _store(session_factory, clock, NEW_MASTER)
    t1, t2 = new.load("T1"), new.load("T2")
    assert t1 is not None and t1.bot_token == TOKENS["T1"] and t1.refresh_token == REFRESH
    assert t2 is not None and t2.bot_token == TOKENS["T2"] and t2.refresh_token is None
    with pytest.raises(TokenSealError):
        old.load("T1")
    assert reseal_tokens(session_factory, old.sealer, new.sealer) == 0  # a re-run changes nothing


def test_a_token_copied_to_another_workspace_does_not_open(
    session_factory: SessionFactory, clock: SimulatedClock
) -> None:
    store = _store(session_factory, clock, OLD_MASTER)
    for team in TOKENS:
        _install(store, team)
    with unit_of_work(session_factory) as session:
        stolen = session.get(SlackInstallation, "T1")
        assert stolen is not None
        session.execute(
            update(SlackInstallation)
            .where(SlackInstallation.tenant_id == "T2")
            .values(bot_token_sealed=stolen.bot_token_sealed)
        )
        session.commit()

    with pytest.raises(TokenSealError):
        store.load("T2")
    found = store.find_installation(enterprise_id=None, team_id="T1")
    assert found is not None and found.bot_token == TOKENS["T1"]


def test_the_master_key_rotation_command_reseals_the_tokens(
    database_url: str, session_factory: SessionFactory, clock: SimulatedClock, tmp_path: Path
) -> None:
    _install(_store(session_factory, clock, OLD_MASTER), "T1")
    old_file, new_file = tmp_path / "old.key", tmp_path / "new.key"
    for path, key in ((old_file, OLD_MASTER), (new_file, NEW_MASTER)):
        path.write_text(base64.urlsafe_b64encode(key).decode() + "\n")
        path.chmod(0o600)
    env = {
        **{name: value for name, value in os.environ.items() if not name.startswith("HR_PLUGIN_")},
        "HR_PLUGIN_VAULT_KEY_FILE": str(old_file),
        "HR_PLUGIN_VAULT_KEYSTORE_URL": f"sqlite:///{tmp_path / 'keys.db'}",
        "HR_PLUGIN_DATABASE_URL": database_url,
    }
    keystore = KeyStore(env["HR_PLUGIN_VAULT_KEYSTORE_URL"], LocalKeyProvider(OLD_MASTER))
    keystore.data_key("T1", 1, create=True)  # the command refuses an empty or missing key store
    keystore.dispose()

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "hr_plugin.cli",
            "vault",
            "rotate-master-key",
            "--new-key-file",
            str(new_file),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert "re-sealed the Slack tokens of 1 workspace installation(s)" in result.stdout
    found = _store(session_factory, clock, NEW_MASTER).load("T1")
    assert found is not None and found.bot_token == TOKENS["T1"] and found.refresh_token == REFRESH
