"""``hr-plugin vault ...`` commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from hr_plugin.db import is_sqlite
from hr_plugin.settings import Settings, SettingsError, decode_master_key
from hr_plugin.vault.crypto import DecryptionError, LocalKeyProvider
from hr_plugin.vault.keys import KeyFileError, write_new_key_file
from hr_plugin.vault.keystore import KeyStore


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    vault = subparsers.add_parser("vault", help="keys for the private check-in")
    commands = vault.add_subparsers(dest="vault_command", required=True)
    new_key = commands.add_parser("new-key", help="write a new master key file (mode 0600)")
    new_key.add_argument("--file", required=True, type=Path, help="where to write the key")
    new_key.set_defaults(handler=_new_key)

    rotate = commands.add_parser(
        "rotate-master-key",
        help="re-wrap every data key with a new master key (stop the app and scheduler first)",
        description=(
            "Re-wrap every data key in HR_PLUGIN_VAULT_KEYSTORE_URL with the master key in "
            "--new-key-file, all or nothing. Check-in records are not touched. The Slack tokens of "
            "multi-workspace installs (in HR_PLUGIN_DATABASE_URL) are re-sealed under the new key. "
            "Stop the app and the scheduler first: they hold the current key until they restart."
        ),
    )
    rotate.add_argument(
        "--new-key-file", required=True, type=Path, help="the new master key, as `vault new-key` writes it"
    )
    rotate.set_defaults(handler=_rotate_master_key)


def _new_key(args: argparse.Namespace) -> int:
    try:
        write_new_key_file(args.file)
    except KeyFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"wrote a new master key to {args.file} (readable by you only); "
        f"set HR_PLUGIN_VAULT_KEY_FILE={args.file}"
    )
    return 0


def _rotate_master_key(args: argparse.Namespace) -> int:
    settings = Settings()
    try:
        current = LocalKeyProvider(settings.master_key())
        new = LocalKeyProvider(_read_key_file(args.new_key_file))
    except SettingsError as exc:
        return _fail(str(exc))
    if new.key_id == current.key_id:
        return _fail(f"{args.new_key_file} holds the current master key; make a new one with `vault new-key`")
    url = settings.vault_keystore_url
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return _fail("HR_PLUGIN_VAULT_KEYSTORE_URL is not a database URL")
    # Opening a SQLite URL would create an empty file: a typo must not look like an empty store.
    if is_sqlite(url) and not _sqlite_file_exists(url):
        return _fail(f"no key store at {shown}; check HR_PLUGIN_VAULT_KEYSTORE_URL")
    try:
        store = KeyStore(url, current)
    except SQLAlchemyError as exc:
        return _fail(f"cannot open the key store at {shown}: {type(exc).__name__}")
    try:
        rotated = store.rotate(new)
        total = store.count()
    except DecryptionError:
        return _fail(
            "the current master key (HR_PLUGIN_VAULT_KEY or HR_PLUGIN_VAULT_KEY_FILE) cannot unwrap "
            f"every data key in {shown}; nothing was changed"
        )
    except SQLAlchemyError as exc:
        return _fail(f"the key store at {shown} failed: {type(exc).__name__}; nothing was changed")
    finally:
        store.dispose()
    try:
        resealed = _reseal_slack_tokens(settings, settings.master_key(), _read_key_file(args.new_key_file))
    except Exception as exc:  # the data keys are rotated already; a re-run finishes the tokens
        return _fail(
            f"the data keys were re-wrapped, but the Slack tokens in HR_PLUGIN_DATABASE_URL could not "
            f"be re-sealed ({type(exc).__name__}); run the command again before starting the app"
        )
    print(
        f"re-wrapped {rotated} data key(s) in {shown} with master key {new.key_id} "
        f"({total} in the store, none left on the old key {current.key_id}); "
        f"re-sealed the Slack tokens of {resealed} workspace installation(s).\n"
        f"Now set HR_PLUGIN_VAULT_KEY_FILE={args.new_key_file} (and unset HR_PLUGIN_VAULT_KEY), then "
        "start the app and the scheduler. Keep the old key file only as long as you keep key-store "
        "backups made before this rotation; they can be read only with it."
    )
    return 0


def _reseal_slack_tokens(settings: Settings, old_master: bytes, new_master: bytes) -> int:
    """Multi-workspace installs keep their Slack tokens sealed under a key derived from the
    master key: seal them again under the new one (rows already done are skipped)."""
    if is_sqlite(settings.database_url) and not _sqlite_file_exists(settings.database_url):
        return 0  # no main database here, so no installation either
    from hr_plugin.db import make_engine, make_session_factory
    from hr_plugin.oauth import TokenSealer, reseal_tokens
    from hr_plugin.vault.entry import slack_token_key

    engine = make_engine(settings.database_url)
    try:
        if not inspect(engine).has_table("slack_installations"):
            return 0  # a schema from before multi-workspace installs: no token stored
        return reseal_tokens(
            make_session_factory(engine),
            TokenSealer(slack_token_key(old_master)),
            TokenSealer(slack_token_key(new_master)),
        )
    finally:
        engine.dispose()


def _read_key_file(path: Path) -> bytes:
    try:
        text = path.read_text()
    except OSError as exc:
        raise SettingsError(f"--new-key-file: cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise SettingsError(f"--new-key-file: {path} is not a key file") from None
    return decode_master_key(text, f"--new-key-file {path}")


def _sqlite_file_exists(url: str) -> bool:
    database = make_url(url).database
    return not database or database == ":memory:" or Path(database).exists()


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2
