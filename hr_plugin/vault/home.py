"""The private space's part of the App Home: a button to the space, nothing else."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from hr_plugin.models import Employee
from hr_plugin.vault.views import home_blocks


def home_entry(
    session: Session, tenant_id: str, person: Employee, roles: frozenset[str], now: datetime
) -> dict[str, list[Any]]:
    """The employee's App Home gets a button to the private space: the same for everyone enrolled,
    whether or not they use it. (The Home may be on a shared screen: nothing is read from the
    space to draw it.)"""
    return {"employee": list(home_blocks())} if "employee" in roles else {}
