"""Single-use links that expire in minutes and of which only a hash is stored: a person's copy
of everything in their space, the questions on paper, and the weekly ritual for both
calendars. Each is redeemed once, by the POST from its own page (``export_page``).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from hr_plugin.db import unit_of_work
from hr_plugin.models import Employee
from hr_plugin.vault.models import VaultExport
from hr_plugin.vault.service._common import VaultBase, between_read_and_write
from hr_plugin.vault.signals import migrated
from hr_plugin.vault.values import Owner

EXPORT_LINK_MINUTES = 10
LINK_KINDS: Final = ("export", "questions", "ritual")


@dataclass(frozen=True)
class Redeemed:
    """What a redeemed link delivers, as data for its page to render: the entries (``export``),
    whether the partner questions are asked (``questions``), or the weekly time (``ritual``)."""

    kind: str
    data: dict[str, Any]


class Exports(VaultBase):
    """The part of ``Vault`` that exports a person's entries to them, and only to them."""

    def export(self, tenant_id: str, user_id: str) -> dict[str, Any]:
        with unit_of_work(self.factory) as session:
            owner = self.owner(session, tenant_id, user_id)
            return self._export(session, owner)

    def _export(self, session: Session, owner: Owner) -> dict[str, Any]:
        return {
            "exported_at": self.clock.now().isoformat(),
            "checkins": sorted(
                (migrated(d) for _, d in self._records(session, owner, "checkin")), key=lambda d: d["week"]
            ),
            "milestones": [d for _, d in self._records(session, owner, "milestone")],
            "reviews": [d for _, d in self._records(session, owner, "review")],
            "profile": next((d for _, d in self._records(session, owner, "profile")), {}),
            # The longer track: every record of it (each tool's, each ask, each addition to the tally).
            "track": sorted(
                (d for _, d in self._records(session, owner, "track")),
                key=lambda d: (str(d.get("part")), str(d.get("saved_at"))),
            ),
        }

    def export_link(self, tenant_id: str, user_id: str, kind: str = "export") -> str:
        """A single-use secret for a download that expires in minutes; only its hash is stored."""
        if kind not in LINK_KINDS:
            raise ValueError(f"unknown link kind: {kind!r}")
        secret = secrets.token_urlsafe(32)
        with unit_of_work(self.factory) as session:
            owner = self.owner(session, tenant_id, user_id)
            self._key(owner)
            session.add(
                VaultExport(
                    token_hash=hashlib.sha256(secret.encode()).hexdigest(),
                    tenant_id=tenant_id,
                    employee_id=owner.employee_id,
                    kind=kind,
                    expires_at=self.clock.now() + timedelta(minutes=EXPORT_LINK_MINUTES),
                )
            )
            session.commit()
        return secret

    def link_kind(self, secret: str) -> str | None:
        """The kind of a link that would still download; None for one that would not. Spends nothing."""
        digest = hashlib.sha256(secret.encode()).hexdigest()
        with unit_of_work(self.factory) as session:
            link = session.get(VaultExport, digest)
            usable = link is not None and link.used_at is None and link.expires_at >= self.clock.now()
            return link.kind if usable and link is not None else None

    def export_link_usable(self, secret: str) -> bool:
        """Whether the link would still download (known, unused, not expired); spends nothing.

        The page a GET shows asks for this, so a link previewer learns nothing more than a
        second click would, and only the POST from that page redeems the link.
        """
        digest = hashlib.sha256(secret.encode()).hexdigest()
        with unit_of_work(self.factory) as session:
            link = session.get(VaultExport, digest)
            return link is not None and link.used_at is None and link.expires_at >= self.clock.now()

    def redeem_export(self, secret: str) -> bytes | None:
        """What the link delivers as JSON bytes, once; None for an unknown, used or expired link."""
        redeemed = self.redeem_link(secret)
        return None if redeemed is None else json.dumps(redeemed.data, indent=2, ensure_ascii=False).encode()

    def redeem_link(self, secret: str) -> Redeemed | None:
        """What the link delivers, once; None for an unknown, used or expired link.

        One conditional UPDATE claims the link (``used_at`` still empty, not expired), so of
        any number of simultaneous requests exactly one sees a row change; the others get what
        a second click gets. The claim is committed with nothing else: if building what it
        delivers fails, the transaction rolls back and the link still works.
        """
        digest = hashlib.sha256(secret.encode()).hexdigest()
        now = self.clock.now()
        with unit_of_work(self.factory) as session:
            link = session.get(VaultExport, digest)
            if link is None or link.used_at is not None or link.expires_at < now:
                return None
            between_read_and_write()
            if not _claim_export(session, digest, now):
                return None
            employee = session.get(Employee, link.employee_id)
            if employee is None:
                return None
            owner = Owner(link.tenant_id, employee.id, employee.country, employee.timezone, True)
            redeemed = Redeemed(link.kind, self._deliver(session, owner, link.kind))
            session.commit()
            return redeemed

    def _deliver(self, session: Session, owner: Owner, kind: str) -> dict[str, Any]:
        if kind == "questions":
            profile = next((d for _, d in self._records(session, owner, "profile")), {})
            return {"include_partner": bool(profile.get("partner_questions", True))}
        if kind == "ritual":
            space = self.space(session, owner)
            now = self.clock.now()
            return {
                "weekday": space.reminder_weekday if space else None,
                "at": space.reminder_time if space else None,
                "timezone": owner.timezone,
                "today": now.astimezone(ZoneInfo(owner.timezone)).date().isoformat(),
                "now": now.isoformat(),
            }
        return self._export(session, owner)


def _claim_export(session: Session, digest: str, now: datetime) -> bool:
    """Mark the link used if nobody has and it has not expired; True for the one who did.

    The WHERE clause is checked again under the row's write lock (PostgreSQL re-reads the row
    once the lock holder commits; SQLite has one writer at a time), so only one claim matches.
    """
    claimed = session.execute(
        update(VaultExport)
        .where(
            VaultExport.token_hash == digest,
            VaultExport.used_at.is_(None),
            VaultExport.expires_at >= now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], claimed).rowcount == 1
