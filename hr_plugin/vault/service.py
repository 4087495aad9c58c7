"""The private space's use cases. Content goes in sealed and comes out only for its owner.

Every function takes the acting Slack user (from the signed request) and works on that
person's own space only: no function here takes another person's id from a payload. Errors
never carry content: messages are fixed sentences.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, insert_if_absent, unit_of_work
from hr_plugin.directory import find_by_slack_id
from hr_plugin.enrolment import open_enrolment
from hr_plugin.models import Employee, HelpResource
from hr_plugin.vault.crypto import DecryptionError, derive_key, open_sealed, record_context, seal
from hr_plugin.vault.keystore import KeyStore
from hr_plugin.vault.models import VaultExport, VaultNonce, VaultRecord, VaultSpace

log = logging.getLogger(__name__)


def _nothing() -> None:
    """The default of the test seam below: nothing happens between a check and its write."""


# A test seam: called after a once-only operation has read its row and before it writes. Tests
# replace it to hold one request there while another runs to the end
# (``tests/reliability/test_once_only.py``); in the app it does nothing.
_between_read_and_write: Callable[[], None] = _nothing

MAX_ANSWER = 2000
EXPORT_LINK_MINUTES = 10
RATINGS = ("restorative", "neutral", "demanding", "none_good")
FOLLOW_UPS = ("tried", "partly", "not_tried")


class VaultError(ValueError):
    """A fixed, content-free sentence for the person; ``field`` names the modal input."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


STALE_SCREEN = "This screen has expired. Open your private space again."


class StaleScreen(VaultError):
    """The modal's token is forged, another person's, for another screen, or already spent:
    the answer a second submission of the same screen gets."""

    def __init__(self) -> None:
        super().__init__(STALE_SCREEN)


@dataclass(frozen=True)
class ModalToken:
    """A private modal's single-use token (its ``private_metadata``) and the screen it must be for.

    A save given one spends it in the save's own transaction: the token is spent only if what
    was submitted is stored, so a save that fails leaves the screen usable for a retry, and of
    two submissions of one screen only one is stored.
    """

    purpose: str
    value: str


@dataclass(frozen=True)
class Owner:
    tenant_id: str
    employee_id: int
    country: str
    timezone: str
    enrolled: bool


@dataclass
class CheckinInput:
    restorative: str = ""
    demand: str = ""
    vulnerability: str = ""
    rating: str | None = None
    experiment: str | None = None
    follow_up: str | None = None
    follow_up_note: str = ""

    def check(self) -> None:
        for name in ("restorative", "demand", "vulnerability", "follow_up_note"):
            if len(getattr(self, name)) > MAX_ANSWER:
                raise VaultError(f"Please keep this under {MAX_ANSWER} characters.", name)
        if self.rating not in RATINGS:
            raise VaultError("Choose how this week felt, even roughly.", "rating")
        if self.follow_up is not None and self.follow_up not in FOLLOW_UPS:
            raise VaultError("Choose one of the options.", "follow_up")
        if self.experiment is not None and len(self.experiment) > 300:
            raise VaultError("Keep the experiment short: under 300 characters.", "experiment")


@dataclass
class Profile:
    """The person's private settings: sealed like everything else."""

    partner_questions: bool = True
    arrival_date: str | None = None
    answered_milestones: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Resource:
    kind: str
    name: str
    description: str
    url: str


class Vault:
    """The vault's service object: the main database, the key store, the clock, a MAC key."""

    def __init__(self, factory: SessionFactory, keystore: KeyStore, clock: Clock, master_key: bytes) -> None:
        self.factory = factory
        self.keystore = keystore
        self.clock = clock
        self._mac_key = derive_key(master_key, "vault-modal-tokens")

    # -- who ---------------------------------------------------------------------------

    def owner(self, session: Session, tenant_id: str, user_id: str) -> Owner:
        person = find_by_slack_id(session, tenant_id, user_id)
        if person is None or not person.active:
            raise VaultError("The private space is for people in the return-to-work program.")
        enrolled = open_enrolment(session, tenant_id, person.id) is not None
        return Owner(tenant_id, person.id, person.country, person.timezone, enrolled)

    def space(self, session: Session, owner: Owner) -> VaultSpace | None:
        return session.scalars(
            select(VaultSpace).where(
                VaultSpace.tenant_id == owner.tenant_id, VaultSpace.employee_id == owner.employee_id
            )
        ).first()

    def has_consented(self, tenant_id: str, user_id: str) -> bool:
        with unit_of_work(self.factory) as session:
            return self.space(session, self.owner(session, tenant_id, user_id)) is not None

    # -- consent -----------------------------------------------------------------------

    def consent(self, tenant_id: str, user_id: str, *, token: ModalToken | None = None) -> None:
        """Nothing is stored before this; it creates the person's data key and their space."""
        with unit_of_work(self.factory) as session:
            self._spend(session, tenant_id, user_id, token)
            owner = self.owner(session, tenant_id, user_id)
            if not owner.enrolled:
                raise VaultError("The private space opens once you are enrolled in the program.")
            if self.space(session, owner) is not None:
                session.commit()  # the token is spent: the screen did what it was for
                return
            _between_read_and_write()
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

    # -- records -----------------------------------------------------------------------

    def _key(self, owner: Owner) -> bytes:
        key = self.keystore.data_key(owner.tenant_id, owner.employee_id, create=False)
        if key is None:
            raise VaultError("Your private space is not set up yet.")
        return key

    def _records(self, session: Session, owner: Owner, kind: str) -> list[tuple[str, dict[str, Any]]]:
        key = self._key(owner)
        rows = session.scalars(
            select(VaultRecord).where(
                VaultRecord.tenant_id == owner.tenant_id,
                VaultRecord.employee_id == owner.employee_id,
                VaultRecord.kind == kind,
            )
        )
        opened = []
        for row in rows:
            try:
                plain = open_sealed(
                    key, row.sealed, record_context(owner.tenant_id, owner.employee_id, row.id, kind)
                )
            except DecryptionError:
                continue  # a row that is not this person's (or was tampered with) is never shown
            opened.append((row.id, json.loads(plain)))
        return opened

    def _write(
        self, session: Session, owner: Owner, kind: str, data: dict[str, Any], record_id: str | None = None
    ) -> None:
        key = self._key(owner)
        record_id = record_id or uuid.uuid4().hex
        sealed = seal(
            key,
            json.dumps(data, sort_keys=True).encode(),
            record_context(owner.tenant_id, owner.employee_id, record_id, kind),
        )
        log.debug(
            "sealed a %s record (%d bytes) in space of employee %s", kind, len(sealed), owner.employee_id
        )
        _put_record(
            session,
            {
                "id": record_id,
                "tenant_id": owner.tenant_id,
                "employee_id": owner.employee_id,
                "kind": kind,
                "sealed": sealed,
            },
        )

    # -- the weekly check-in -----------------------------------------------------------

    def iso_week(self, owner: Owner, moment: datetime | None = None) -> str:
        from zoneinfo import ZoneInfo

        local = (moment or self.clock.now()).astimezone(ZoneInfo(owner.timezone)).date()
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"

    def _week_record_id(self, owner: Owner, week: str) -> str:
        """The id of the person's check-in for ``week``: the same for every check-in that week.

        An HMAC under a key derived from the person's data key, so the id tells nobody without
        that key which week it is (it stays as opaque as a random id) and means nothing once the
        key is shredded; the person's data key keeps it apart from everyone else's ids.
        """
        id_key = derive_key(self._key(owner), "vault.checkin-week-ids")
        message = record_context(owner.tenant_id, owner.employee_id, week, "checkin")
        return hmac.new(id_key, message, hashlib.sha256).hexdigest()[:32]

    def _profile_record_id(self, owner: Owner) -> str:
        """The id of the person's one profile record, made like a week's (``_week_record_id``):
        two saves at once write the same row, and the last one stays, as one after the other."""
        id_key = derive_key(self._key(owner), "vault.profile-ids")
        message = record_context(owner.tenant_id, owner.employee_id, "profile", "profile")
        return hmac.new(id_key, message, hashlib.sha256).hexdigest()[:32]

    def save_checkin(
        self,
        tenant_id: str,
        user_id: str,
        answers: CheckinInput,
        *,
        from_reminder: bool,
        token: ModalToken | None = None,
    ) -> None:
        """One entry per week: checking in again the same week replaces that week's entry.

        With the modal's ``token`` the token is spent in the same transaction as the entry:
        both are committed or neither (``StaleScreen`` if it was already spent).
        """
        answers.check()
        with unit_of_work(self.factory) as session:
            self._spend(session, tenant_id, user_id, token)
            owner = self.owner(session, tenant_id, user_id)
            if self.space(session, owner) is None:
                raise VaultError("Please open your private space and agree first.")
            week = self.iso_week(owner)
            existing = [
                rid for rid, data in self._records(session, owner, "checkin") if data.get("week") == week
            ]
            entry = {
                "week": week,
                "saved_at": self.clock.now().isoformat(),
                "restorative": answers.restorative.strip(),
                "demand": answers.demand.strip(),
                "vulnerability": answers.vulnerability.strip(),
                "rating": answers.rating,
                "experiment": (answers.experiment or "").strip() or None,
                "follow_up": answers.follow_up,
                "follow_up_note": answers.follow_up_note.strip(),
                "from_reminder": from_reminder,
            }
            _between_read_and_write()
            # The week's own id, not a random one: two check-ins of one week at once then write
            # the same row and the last one stays, as when one follows the other. (An entry
            # stored under a random id before keeps it.)
            record_id = existing[0] if existing else self._week_record_id(owner, week)
            self._write(session, owner, "checkin", entry, record_id)
            session.commit()

    def entries(self, tenant_id: str, user_id: str) -> list[dict[str, Any]]:
        with unit_of_work(self.factory) as session:
            owner = self.owner(session, tenant_id, user_id)
            return sorted(
                (data for _, data in self._records(session, owner, "checkin")), key=lambda d: d["week"]
            )

    def this_week(self, tenant_id: str, user_id: str) -> str:
        with unit_of_work(self.factory) as session:
            return self.iso_week(self.owner(session, tenant_id, user_id))

    # -- profile, milestones, reviews ----------------------------------------------------

    def profile(self, tenant_id: str, user_id: str) -> Profile:
        with unit_of_work(self.factory) as session:
            owner = self.owner(session, tenant_id, user_id)
            found = self._records(session, owner, "profile")
            return Profile(**found[0][1]) if found else Profile()

    def save_profile(
        self, tenant_id: str, user_id: str, profile: Profile, *, token: ModalToken | None = None
    ) -> None:
        with unit_of_work(self.factory) as session:
            self._spend(session, tenant_id, user_id, token)
            owner = self.owner(session, tenant_id, user_id)
            found = self._records(session, owner, "profile")
            _between_read_and_write()
            # An older profile keeps its random id; a new one gets the person's fixed id.
            record_id = found[0][0] if found else self._profile_record_id(owner)
            self._write(session, owner, "profile", profile.__dict__, record_id)
            session.commit()

    def save_reflection(
        self,
        tenant_id: str,
        user_id: str,
        kind: str,
        answers: dict[str, str],
        *,
        milestone: str | None = None,
        token: ModalToken | None = None,
    ) -> None:
        """A milestone answer or a quarterly review: sealed like a check-in.

        A ``milestone`` answered is marked in the profile in the same transaction as the answer
        (and the modal's ``token`` spent in it too), so it is never marked without its answer.
        """
        if kind not in ("milestone", "review"):
            raise VaultError("Unknown reflection.")
        for name, text in answers.items():
            if len(text) > MAX_ANSWER:
                raise VaultError(f"Please keep this under {MAX_ANSWER} characters.", name)
        with unit_of_work(self.factory) as session:
            self._spend(session, tenant_id, user_id, token)
            owner = self.owner(session, tenant_id, user_id)
            self._write(session, owner, kind, {"saved_at": self.clock.now().isoformat(), **answers})
            if milestone is not None:
                found = self._records(session, owner, "profile")
                profile = Profile(**found[0][1]) if found else Profile()
                profile.answered_milestones = [*profile.answered_milestones, milestone]
                record_id = found[0][0] if found else self._profile_record_id(owner)
                self._write(session, owner, "profile", profile.__dict__, record_id)
            session.commit()

    def reflections(self, tenant_id: str, user_id: str, kind: str) -> list[dict[str, Any]]:
        with unit_of_work(self.factory) as session:
            owner = self.owner(session, tenant_id, user_id)
            return sorted((d for _, d in self._records(session, owner, kind)), key=lambda d: d["saved_at"])

    # -- reminders (plaintext: the scheduler needs the day and time) ----------------------

    def set_reminder(
        self,
        tenant_id: str,
        user_id: str,
        weekday: int | None,
        at: str | None,
        *,
        token: ModalToken | None = None,
    ) -> None:
        if weekday is None or not 0 <= weekday <= 6:
            raise VaultError("Pick a day.", "weekday")
        if not at or len(at) != 5 or at[2] != ":":
            raise VaultError("Pick a time.", "time")
        with unit_of_work(self.factory) as session:
            self._spend(session, tenant_id, user_id, token)
            space = self._own_space(session, tenant_id, user_id)
            space.reminder_weekday, space.reminder_time = weekday, at
            space.reminders_stopped, space.reminders_paused_until = False, None
            session.commit()

    def pause_reminders(self, tenant_id: str, user_id: str, weeks: int = 2) -> date:
        with unit_of_work(self.factory) as session:
            space = self._own_space(session, tenant_id, user_id)
            until = self.clock.now().date() + timedelta(weeks=weeks)
            space.reminders_paused_until = until
            session.commit()
            return until

    def stop_reminders(self, tenant_id: str, user_id: str) -> None:
        with unit_of_work(self.factory) as session:
            space = self._own_space(session, tenant_id, user_id)
            space.reminders_stopped = True
            session.commit()

    def reminder_settings(
        self, tenant_id: str, user_id: str
    ) -> tuple[int | None, str | None, bool, date | None]:
        with unit_of_work(self.factory) as session:
            space = self._own_space(session, tenant_id, user_id)
            return (
                space.reminder_weekday,
                space.reminder_time,
                space.reminders_stopped,
                space.reminders_paused_until,
            )

    def _own_space(self, session: Session, tenant_id: str, user_id: str) -> VaultSpace:
        space = self.space(session, self.owner(session, tenant_id, user_id))
        if space is None:
            raise VaultError("Please open your private space and agree first.")
        return space

    # -- export ------------------------------------------------------------------------

    def export(self, tenant_id: str, user_id: str) -> dict[str, Any]:
        with unit_of_work(self.factory) as session:
            owner = self.owner(session, tenant_id, user_id)
            return self._export(session, owner)

    def _export(self, session: Session, owner: Owner) -> dict[str, Any]:
        return {
            "exported_at": self.clock.now().isoformat(),
            "checkins": sorted(
                (d for _, d in self._records(session, owner, "checkin")), key=lambda d: d["week"]
            ),
            "milestones": [d for _, d in self._records(session, owner, "milestone")],
            "reviews": [d for _, d in self._records(session, owner, "review")],
            "profile": next((d for _, d in self._records(session, owner, "profile")), {}),
        }

    def export_link(self, tenant_id: str, user_id: str) -> str:
        """A single-use secret for a download that expires in minutes; only its hash is stored."""
        secret = secrets.token_urlsafe(32)
        with unit_of_work(self.factory) as session:
            owner = self.owner(session, tenant_id, user_id)
            self._key(owner)
            session.add(
                VaultExport(
                    token_hash=hashlib.sha256(secret.encode()).hexdigest(),
                    tenant_id=tenant_id,
                    employee_id=owner.employee_id,
                    expires_at=self.clock.now() + timedelta(minutes=EXPORT_LINK_MINUTES),
                )
            )
            session.commit()
        return secret

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
        """The export as JSON bytes, once; None for an unknown, used or expired link.

        One conditional UPDATE claims the link (``used_at`` still empty, not expired), so of
        any number of simultaneous requests exactly one sees a row change; the others get what
        a second click gets. The claim is committed with nothing else: if building the export
        fails, the transaction rolls back and the link still works.
        """
        digest = hashlib.sha256(secret.encode()).hexdigest()
        now = self.clock.now()
        with unit_of_work(self.factory) as session:
            link = session.get(VaultExport, digest)
            if link is None or link.used_at is not None or link.expires_at < now:
                return None
            _between_read_and_write()
            if not _claim_export(session, digest, now):
                return None
            employee = session.get(Employee, link.employee_id)
            if employee is None:
                return None
            owner = Owner(link.tenant_id, employee.id, employee.country, employee.timezone, True)
            body = json.dumps(self._export(session, owner), indent=2, ensure_ascii=False).encode()
            session.commit()
            return body

    # -- modal tokens: who may submit what, once ------------------------------------------

    def token(self, tenant_id: str, user_id: str, purpose: str) -> str:
        """``private_metadata`` for a private modal: a purpose, a nonce and a MAC over who may use it.

        It carries no content; a submission with altered metadata, another person's token, or
        a replay of one already used is refused.
        """
        nonce = secrets.token_hex(12)
        return f"{purpose}.{nonce}.{self._mac(tenant_id, user_id, purpose, nonce)}"

    def redeem_token(self, tenant_id: str, user_id: str, purpose: str, token: str) -> bool:
        """Spend a token on its own; True the one time it is valid and unspent.

        For a screen that saves something, pass the token to the save instead (``ModalToken``),
        so the token is not spent by a save that then fails.
        """
        with unit_of_work(self.factory) as session:
            try:
                self._spend(session, tenant_id, user_id, ModalToken(purpose, token))
            except StaleScreen:
                return False
            session.commit()
        return True

    def _spend(self, session: Session, tenant_id: str, user_id: str, token: ModalToken | None) -> None:
        """Record the token's nonce as used in ``session`` (committed with whatever the caller
        saves there); ``StaleScreen`` if it is not this person's token for this screen, or is spent.

        The nonce's unique key decides between simultaneous submissions: the second INSERT waits
        for the first transaction and finds the nonce if it was committed, or adds it if the first
        rolled back. Nothing to spend when ``token`` is None (the CLI, the demo, tests).
        """
        if token is None:
            return
        parts = token.value.split(".")
        if len(parts) != 3 or parts[0] != token.purpose:
            raise StaleScreen()
        _, nonce, mac = parts
        if not hmac.compare_digest(mac, self._mac(tenant_id, user_id, token.purpose, nonce)):
            raise StaleScreen()
        fresh = insert_if_absent(
            session,
            VaultNonce,
            {"tenant_id": tenant_id, "nonce": nonce, "used_at": self.clock.now()},
            ["tenant_id", "nonce"],
        )
        if not fresh:
            raise StaleScreen()

    def token_purpose(self, token: str) -> str:
        return token.split(".", 1)[0]

    def _mac(self, tenant_id: str, user_id: str, purpose: str, nonce: str) -> str:
        message = json.dumps([tenant_id, user_id, purpose, nonce]).encode()
        return hmac.new(self._mac_key, message, hashlib.sha256).hexdigest()[:32]

    # -- help --------------------------------------------------------------------------

    def resources(self, tenant_id: str, user_id: str) -> list[Resource]:
        with unit_of_work(self.factory) as session:
            owner = self.owner(session, tenant_id, user_id)
            rows = session.scalars(
                select(HelpResource)
                .where(HelpResource.tenant_id == tenant_id, HelpResource.country.in_((owner.country, "**")))
                .order_by(HelpResource.kind, HelpResource.name)
            )
            return [Resource(row.kind, row.name, row.description, row.url) for row in rows]

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


def _put_record(session: Session, values: dict[str, Any]) -> None:
    """Insert a sealed record, or replace the sealed value of the row with its id.

    One INSERT ... ON CONFLICT (id) DO UPDATE, not a look followed by an insert: two writers of
    one id at once leave one row, the last one's (PostgreSQL waits for the first and updates
    its row; SQLite has one writer at a time). Only a row of the same person and kind is
    replaced; an id taken by anything else is an error, never an overwrite.
    """
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(VaultRecord).values(**values)
    written = session.execute(
        statement.on_conflict_do_update(
            index_elements=[VaultRecord.id],
            set_={"sealed": statement.excluded.sealed},
            where=(VaultRecord.tenant_id == values["tenant_id"])
            & (VaultRecord.employee_id == values["employee_id"])
            & (VaultRecord.kind == values["kind"]),
        ).returning(VaultRecord.id)
    ).first()
    if written is None:
        raise RuntimeError("a vault record id is taken by another record")


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
