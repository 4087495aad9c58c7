"""Help HR configures per country, shown as plain links on every private screen.

HR sets the list, from the App Home one link at a time or from a JSON file with
``hr-plugin resources set``; the web console uses the same functions. Nobody, HR included,
learns who opened a link: the links are ordinary URLs in the text, so a click never reaches
the app.

The link itself, its kinds and its checks are ``hr_plugin.help_links`` (pure). Every change is
one transaction and is refused, with the field at fault named, unless the person making it is
an HR admin of the workspace now. A link is listed once per country: the
database refuses a second copy (a double submission, two admins adding it at once), and the
second caller is told it is already there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hr_plugin import audit
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.help_links import MOST_LINKS, HelpLink, ResourceError, check_resource
from hr_plugin.models import HelpResource
from hr_plugin.roles import is_hr_admin_in

__all__ = [
    "HelpLink",
    "Removal",
    "ResourceError",
    "add_help_link",
    "help_links",
    "parse_resources",
    "remove_help_link",
    "replace_resources",
]


def parse_resources(data: Any) -> list[dict[str, Any]]:
    """Check a list of links (see ``check_resource``); errors name the item."""
    if not isinstance(data, list):
        raise ResourceError("the file must hold a JSON list of resources")
    if len(data) > MOST_LINKS:
        raise ResourceError(f"at most {MOST_LINKS} resources")
    parsed = []
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(data, start=1):
        where = f"resource {index}"
        if not isinstance(item, dict):
            raise ResourceError(f"{where}: not an object")
        try:
            checked = check_resource(item)
        except ResourceError as exc:
            raise ResourceError(f"{where}: {exc}", exc.field) from exc
        if (checked["country"], checked["url"]) in seen:
            raise ResourceError(f"{where}: the same link is listed earlier for this country", "url")
        seen.add((checked["country"], checked["url"]))
        parsed.append(checked)
    return parsed


def replace_resources(
    factory: SessionFactory, clock: Clock, *, tenant_id: str, resources: Sequence[dict[str, Any]], actor: str
) -> int:
    with unit_of_work(factory) as session:
        session.execute(delete(HelpResource).where(HelpResource.tenant_id == tenant_id))
        for item in resources:
            session.add(HelpResource(tenant_id=tenant_id, **item))
        _audit(session, clock, tenant_id, actor, "resources.replaced", {"count": len(resources)})
        session.commit()
    return len(resources)


def help_links(factory: SessionFactory, *, tenant_id: str) -> list[HelpLink]:
    """Every link the workspace has, by country then kind then name."""
    with unit_of_work(factory) as session:
        return _links(session, tenant_id)


def add_help_link(
    factory: SessionFactory, clock: Clock, *, tenant_id: str, actor_user_id: str, fields: Mapping[str, Any]
) -> list[HelpLink]:
    """Add one link for an HR admin; the list after it. ``ResourceError`` names the field."""
    checked = check_resource(fields)
    with unit_of_work(factory) as session:
        _require_hr_admin(session, tenant_id, actor_user_id)
        if len(_links(session, tenant_id)) >= MOST_LINKS:
            raise ResourceError(f"There are already {MOST_LINKS} links: remove one first.", "name")
        session.add(HelpResource(tenant_id=tenant_id, **checked))
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            raise ResourceError("This link is already listed for that country.", "url") from None
        _audit(session, clock, tenant_id, actor_user_id, "resources.added", {"kind": checked["kind"]})
        session.commit()
        return _links(session, tenant_id)


class Removal(NamedTuple):
    removed: bool
    links: list[HelpLink]


def remove_help_link(
    factory: SessionFactory, clock: Clock, *, tenant_id: str, actor_user_id: str, link_id: int
) -> Removal:
    """Remove one link for an HR admin: whether it was there, and the list after it. Removing a
    link already gone (a second click) changes nothing and records nothing."""
    with unit_of_work(factory) as session:
        _require_hr_admin(session, tenant_id, actor_user_id)
        removed = session.execute(
            delete(HelpResource).where(HelpResource.tenant_id == tenant_id, HelpResource.id == link_id)
        ).rowcount  # type: ignore[attr-defined]
        if removed:
            _audit(session, clock, tenant_id, actor_user_id, "resources.removed", {"id": link_id})
        session.commit()
        return Removal(bool(removed), _links(session, tenant_id))


def _links(session: Session, tenant_id: str) -> list[HelpLink]:
    rows = session.scalars(
        select(HelpResource)
        .where(HelpResource.tenant_id == tenant_id)
        .order_by(HelpResource.country, HelpResource.kind, HelpResource.name, HelpResource.id)
    ).all()
    return [
        HelpLink(
            id=row.id,
            kind=row.kind,
            country=row.country,
            name=row.name,
            description=row.description,
            url=row.url,
            sessions=row.sessions,
        )
        for row in rows
    ]


def _require_hr_admin(session: Session, tenant_id: str, user_id: str) -> None:
    if not is_hr_admin_in(session, tenant_id, user_id):
        raise ResourceError("Only HR admins can change the help links.")


def _audit(
    session: Session, clock: Clock, tenant_id: str, actor: str, action: str, details: dict[str, Any]
) -> None:
    audit.record(session, tenant_id=tenant_id, at=clock.now(), actor=actor, action=action, details=details)
