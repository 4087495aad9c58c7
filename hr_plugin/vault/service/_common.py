"""What every part of the private space's use cases shares: who the acting person is, their
data key, sealing and opening records, and the single-use tokens of the space's modals.

``VaultBase`` holds it; the parts of ``Vault`` (``space``, ``entries``, ``reminders``,
``export``) build on it, so each reads the others' essentials without importing them.
Every function takes the acting Slack user (from the signed request) and works on that
person's own space only: no function here takes another person's id from a payload.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import sys
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, insert_if_absent, unit_of_work
from hr_plugin.directory import find_by_slack_id
from hr_plugin.enrolment import open_enrolment
from hr_plugin.vault.crypto import DecryptionError, derive_key, open_sealed, record_context, seal
from hr_plugin.vault.keystore import KeyStore
from hr_plugin.vault.models import VaultNonce, VaultRecord, VaultSpace
from hr_plugin.vault.values import ModalToken, Owner, StaleScreen, VaultError

# One logger for the whole service package, under the name it had as one module.
log = logging.getLogger("hr_plugin.vault.service")


def nothing() -> None:
    """The default of the test seam: nothing happens between a check and its write."""


def between_read_and_write() -> None:
    """Call the test seam the package holds, ``hr_plugin.vault.service._between_read_and_write``.

    Looked up there on every call, not imported once: tests replace it on the package to hold
    one request after it has read its row and before it writes (``tests/reliability``), and
    the use cases calling it live in the package's submodules. Found in ``sys.modules`` rather
    than imported, so that this module does not import the package that imports it.
    """
    sys.modules["hr_plugin.vault.service"]._between_read_and_write()


class VaultBase:
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

    def _own_space(self, session: Session, tenant_id: str, user_id: str) -> VaultSpace:
        space = self.space(session, self.owner(session, tenant_id, user_id))
        if space is None:
            raise VaultError("Please open your private space and agree first.")
        return space

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

    def _fixed_id(self, owner: Owner, label: str, name: str, kind: str) -> str:
        """The id of the one record of ``kind`` named ``name`` (a week's check-in, the profile, a
        milestone's answer, a tool of the track): the same at every save, so two saves at once
        write the same row and the last one stays, as when one follows the other.

        An HMAC under a key derived (for ``label``) from the person's data key: the id tells
        nobody without that key which week or milestone it is, stays as opaque as a random id,
        and means nothing once the key is shredded.
        """
        id_key = derive_key(self._key(owner), label)
        message = record_context(owner.tenant_id, owner.employee_id, name, kind)
        return hmac.new(id_key, message, hashlib.sha256).hexdigest()[:32]

    def _profile_record_id(self, owner: Owner) -> str:
        """The id of the person's one profile record."""
        return self._fixed_id(owner, "vault.profile-ids", "profile", "profile")

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
