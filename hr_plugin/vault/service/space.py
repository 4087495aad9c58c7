"""The private space's life: opened by consent, deleted by its owner, erased a set time after
they left the program; and the help shown on its every screen.

Withdrawing consent and erasure both crypto-shred: the data key goes first, so every sealed
record is unreadable at once, before its row is deleted.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hr_plugin import outbox
from hr_plugin.db import insert_if_absent, unit_of_work
from hr_plugin.enrolment import open_enrolment
from hr_plugin.models import Employee, HelpResource
from hr_plugin.vault import content
from hr_plugin.vault.models import VaultExport, VaultRecord, VaultSpace
from hr_plugin.vault.service._common import VaultBase, between_read_and_write
from hr_plugin.vault.values import ModalToken, Profile, Resource, VaultError, checked_arrival


class Space(VaultBase):
    """The part of ``Vault`` that opens, deletes and erases a space, and finds its help."""

    def has_consented(self, tenant_id: str, user_id: str) -> bool:
        with unit_of_work(self.factory) as session:
            return self.space(session, self.owner(session, tenant_id, user_id)) is not None

    def started_on(self, tenant_id: str, user_id: str) -> date | None:
        """The day the person agreed and their space opened (the quarterly rhythm counts from it)."""
        with unit_of_work(self.factory) as session:
            space = self.space(session, self.owner(session, tenant_id, user_id))
            return space.consented_at.date() if space is not None else None

    # -- consent -----------------------------------------------------------------------

    def consent(
        self,
        tenant_id: str,
        user_id: str,
        *,
        token: ModalToken | None = None,
        arrival_date: str | None = None,
    ) -> None:
        """Nothing is stored before this; it creates the person's data key and their space.

        The optional ``arrival_date`` (ISO) is sealed in their profile in the same transaction,
        so the space never exists without the date they gave (nor the date without the space).
        A date that is not one, or more than about a year ahead, is refused before anything.
        """
        arrival = checked_arrival(arrival_date, self.clock.now().date())
        with unit_of_work(self.factory) as session:
            self._spend(session, tenant_id, user_id, token)
            owner = self.owner(session, tenant_id, user_id)
            if not owner.enrolled:
                raise VaultError("The private space opens once you are enrolled in the program.")
            if self.space(session, owner) is not None:
                session.commit()  # the token is spent: the screen did what it was for
                return
            between_read_and_write()
            # The key store creates the key once however many ask (insert-if-absent, re-read);
            # the space's unique key makes the consent once, and a second one at the same
            # moment returns as a later click does instead of failing on that key.
            self.keystore.data_key(owner.tenant_id, owner.employee_id, create=True)
            insert_if_absent(
                session,
                VaultSpace,
                {"tenant_id": tenant_id, "employee_id": owner.employee_id, "consented_at": self.clock.now()},
                ["tenant_id", "employee_id"],
            )
            if arrival is not None:
                owner_profile = Profile(arrival_date=arrival)
                self._write(session, owner, "profile", owner_profile.__dict__, self._profile_record_id(owner))
            session.commit()

    def delete_everything(self, tenant_id: str, user_id: str, *, token: ModalToken | None = None) -> None:
        """Withdrawing consent deletes: the data key is destroyed first (crypto-shredding), then
        the sealed rows and the schedule."""
        with unit_of_work(self.factory) as session:
            self._spend(session, tenant_id, user_id, token)
            owner = self.owner(session, tenant_id, user_id)
            self._shred(session, owner.tenant_id, owner.employee_id)
            session.commit()

    def _shred(self, session: Session, tenant_id: str, employee_id: int) -> None:
        self.keystore.destroy(tenant_id, employee_id)
        session.execute(
            delete(VaultRecord).where(
                VaultRecord.tenant_id == tenant_id, VaultRecord.employee_id == employee_id
            )
        )
        session.execute(
            delete(VaultSpace).where(VaultSpace.tenant_id == tenant_id, VaultSpace.employee_id == employee_id)
        )
        session.execute(
            delete(VaultExport).where(
                VaultExport.tenant_id == tenant_id, VaultExport.employee_id == employee_id
            )
        )

    # -- help --------------------------------------------------------------------------

    def resources(self, tenant_id: str, user_id: str) -> list[Resource]:
        with unit_of_work(self.factory) as session:
            owner = self.owner(session, tenant_id, user_id)
            rows = session.scalars(
                select(HelpResource)
                .where(HelpResource.tenant_id == tenant_id, HelpResource.country.in_((owner.country, "**")))
                .order_by(HelpResource.kind, HelpResource.name)
            )
            configured = [
                Resource(row.kind, row.name, row.description, row.url, row.sessions) for row in rows
            ]
            if configured:
                return configured
            number = content.emergency_number(owner.country)
            if number is None:
                return []
            return [Resource("emergency", "Emergency services", "", f"tel:{number}", built_in=True)]

    # -- retention ---------------------------------------------------------------------

    def retention_pass(self, retention: timedelta, notice: timedelta, notify: Any) -> int:
        """Erase spaces a set time after their owner left the program, telling them beforehand."""
        erased = 0
        now = self.clock.now()
        with unit_of_work(self.factory) as session:
            for space in session.scalars(select(VaultSpace)).all():
                enrolled = open_enrolment(session, space.tenant_id, space.employee_id) is not None
                if enrolled:
                    space.erase_after, space.erase_notice_sent = None, False
                    continue
                if space.erase_after is None:
                    space.erase_after = now + retention
                if space.erase_after <= now:
                    # Not audited: the audit log must not say who used the private space.
                    self._shred(session, space.tenant_id, space.employee_id)
                    erased += 1
                elif not space.erase_notice_sent and space.erase_after - notice <= now:
                    notify(session, space.tenant_id, space.employee_id, space.erase_after, now)
                    space.erase_notice_sent = True
            session.commit()
        return erased


def retention_notice(
    session: Session, tenant_id: str, employee_id: int, erase_after: datetime, now: datetime
) -> None:
    """Tell a person, in ``session``, the date their space will be erased (``retention_pass``'s
    ``notify``): once per date, and only if they can still be reached."""
    person = session.get(Employee, employee_id)
    if person is None or not person.reachable:
        return
    outbox.enqueue(
        session,
        tenant_id=tenant_id,
        key=f"vault-retention-notice:{tenant_id}:{employee_id}:{erase_after.date().isoformat()}",
        now=now,
        recipient=person.slack_user_id,
        text=content.retention_notice_text(erase_after.date()),
    )
