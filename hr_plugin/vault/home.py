"""The private space's part of the App Home: a button to the space, nothing else."""

from __future__ import annotations

from typing import Any

from hr_plugin.services import HomeContext
from hr_plugin.vault.views import home_blocks


def home_entry(context: HomeContext) -> dict[str, list[Any]]:
    """The employee's App Home gets a button to the private space: the same for everyone enrolled,
    whether or not they use it. (The Home may be on a shared screen: nothing is read from the
    space to draw it, and it adds no probe to the Home's first statement: nothing about the space
    is read at all, not even whether it exists.)"""
    return {"employee": list(home_blocks())} if "employee" in context.roles else {}
