"""Help HR configures per country, shown as plain links on every private screen.

HR sets the list; nobody, HR included, learns who opened a link: the links are ordinary
URLs in the text, so a click never reaches the app.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import delete
from sqlalchemy.orm import Session

from hr_plugin import audit
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.models import HelpResource

KINDS = ("crisis", "perinatal", "safety", "counselling")


class ResourceError(ValueError):
    pass


def parse_resources(data: Any) -> list[dict[str, str]]:
    """Check a list of ``{"kind", "country", "name", "description", "url"}``; errors name the item."""
    if not isinstance(data, list):
        raise ResourceError("the file must hold a JSON list of resources")
    parsed = []
    for index, item in enumerate(data, start=1):
        where = f"resource {index}"
        if not isinstance(item, dict):
            raise ResourceError(f"{where}: not an object")
        kind = item.get("kind")
        if kind not in KINDS:
            raise ResourceError(f"{where}: kind must be one of {', '.join(KINDS)}")
        country = str(item.get("country", "**")).upper()
        if country != "**" and (len(country) != 2 or not country.isalpha()):
            raise ResourceError(f'{where}: country is a two-letter code, or "**" for everyone')
        name, description, url = (str(item.get(key, "")).strip() for key in ("name", "description", "url"))
        if not name or len(name) > 200:
            raise ResourceError(f"{where}: a name of 1 to 200 characters")
        if len(description) > 500:
            raise ResourceError(f"{where}: a description under 500 characters")
        if urlparse(url).scheme not in ("https", "tel") or len(url) > 500:
            raise ResourceError(f"{where}: the link must start with https:// (or tel:)")
        parsed.append(
            {"kind": kind, "country": country, "name": name, "description": description, "url": url}
        )
    return parsed


def replace_resources(
    factory: SessionFactory, clock: Clock, *, tenant_id: str, resources: Sequence[dict[str, str]], actor: str
) -> int:
    with unit_of_work(factory) as session:
        _replace(session, tenant_id, resources)
        audit.record(
            session,
            tenant_id=tenant_id,
            at=clock.now(),
            actor=actor,
            action="resources.replaced",
            details={"count": len(resources)},
        )
        session.commit()
    return len(resources)


def _replace(session: Session, tenant_id: str, resources: Sequence[dict[str, str]]) -> None:
    session.execute(delete(HelpResource).where(HelpResource.tenant_id == tenant_id))
    for item in resources:
        session.add(HelpResource(tenant_id=tenant_id, **item))
