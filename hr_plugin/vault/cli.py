"""``hr-plugin vault ...`` commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hr_plugin.vault.keys import KeyFileError, write_new_key_file


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    vault = subparsers.add_parser("vault", help="keys for the private check-in")
    commands = vault.add_subparsers(dest="vault_command", required=True)
    new_key = commands.add_parser("new-key", help="write a new master key file (mode 0600)")
    new_key.add_argument("--file", required=True, type=Path, help="where to write the key")
    new_key.set_defaults(handler=_new_key)


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
