"""``hr-plugin policy ...``: HR's budgets for returns, from a JSON file or listed."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hr_plugin.cli_support import read_json, workspace
from hr_plugin.reintegration import preview


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``plan preview``, ``policy set`` and ``policy list`` on the ``hr-plugin`` command."""
    preview.add_commands(subparsers)
    policy = subparsers.add_parser("policy", help="HR budgets for returns").add_subparsers(
        dest="policy_command", required=True
    )
    policy_set = policy.add_parser("set", help="create or replace a policy from a JSON file")
    policy_set.add_argument("file", type=Path)
    policy_set.add_argument("--team", help="workspace (or enterprise) id; needed when several are installed")
    policy_set.set_defaults(handler=_policy_set)
    policy_list = policy.add_parser("list", help="list the policies")
    policy_list.add_argument("--team")
    policy_list.set_defaults(handler=_policy_list)


def _policy_set(args: argparse.Namespace) -> int:
    from hr_plugin.clock import SystemClock
    from hr_plugin.reintegration.policy import PolicyError, parse_policy
    from hr_plugin.reintegration.service import set_policy

    services, tenant_id = workspace(args)
    data, problem = read_json(args.file)
    try:
        if problem is None and not isinstance(data, dict):
            problem = f"{args.file}: the file must hold one JSON object"
        if problem is not None:
            print(f"error: {problem}", file=sys.stderr)
            return 2
        policy = parse_policy(data)
        created = set_policy(services.factory, SystemClock(), tenant_id=tenant_id, policy=policy, actor="cli")
    except PolicyError as exc:
        print(f"error: {args.file}: {exc}; nothing changed", file=sys.stderr)
        return 2
    print(f"policy {policy.name!r} {'created' if created else 'updated'}: {policy.summary()}")
    return 0


def _policy_list(args: argparse.Namespace) -> int:
    from hr_plugin.clock import SystemClock
    from hr_plugin.reintegration.service import list_policies

    services, tenant_id = workspace(args)
    for policy in list_policies(services.factory, SystemClock(), tenant_id=tenant_id):
        print(f"{policy.name}\t{policy.scope_words()}\t{policy.summary()}")
    return 0
