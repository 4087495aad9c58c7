"""The longer track's use cases: start it, leave it, save what each of its tools holds, and
read it back, for its owner only.

Everything is one record kind, ``track``, sealed like a check-in: which tool a record belongs
to is inside the sealed data, so the plaintext row says no more than that a track record exists.
Each tool keeps one record under a fixed id (an HMAC under the person's key, as the profile's),
except the describe-impact-ask notes and the tally's additions, one record each. The tally is
summed when read, never read, added to and written back: two additions saved at the same moment
(two screens, two devices) are both counted, on either database. The week is never stored or ticked: it is
computed from the sealed start date whenever the screen opens.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from hr_plugin.db import unit_of_work
from hr_plugin.vault import track
from hr_plugin.vault.service._common import VaultBase, between_read_and_write
from hr_plugin.vault.values import ModalToken, Owner, VaultError

KIND = "track"


class Track(VaultBase):
    """The part of ``Vault`` that keeps a person's longer track."""

    def _track_id(self, owner: Owner, part: str) -> str:
        return self._fixed_id(owner, "vault.track-ids", part, KIND)

    def _today(self, owner: Owner) -> date:
        return self.clock.now().astimezone(ZoneInfo(owner.timezone)).date()

    def _progress(self, session: Session, owner: Owner) -> track.Progress:
        parts: dict[str, dict[str, Any]] = {}
        asks = []
        tally: dict[str, Any] = {}
        for _, data in self._records(session, owner, KIND):
            part = str(data.get("part"))
            if part == track.ASK:
                asks.append(data)
            elif part == track.TALLY:
                latest = max(str(tally.get("saved_at", "")), str(data.get("saved_at", "")))
                tally = {"part": part, **track.add_to_tally(tally, data), "saved_at": latest}
            elif part not in parts or str(data.get("saved_at")) >= str(parts[part].get("saved_at")):
                parts[part] = data
        if tally:
            parts[track.TALLY] = tally
        state = parts.pop(track.STATE, {})
        started = state.get("started_on")
        return track.Progress(
            started=date.fromisoformat(str(started)) if started else None,
            today=self._today(owner),
            parts=parts,
            asks=tuple(sorted(asks, key=lambda d: str(d.get("saved_at")))),
        )

    def track_progress(self, tenant_id: str, user_id: str) -> track.Progress:
        """The person's track, opened for them (``VaultError`` without a space)."""
        with unit_of_work(self.factory) as session:
            owner = self.owner(session, tenant_id, user_id)
            if self.space(session, owner) is None:
                raise VaultError("Please open your private space and agree first.")
            return self._progress(session, owner)

    def start_track(self, tenant_id: str, user_id: str, *, token: ModalToken | None = None) -> None:
        """The explicit opt-in: the start date (today, in the person's time zone), sealed."""
        self._set_state(tenant_id, user_id, start=True, token=token)

    def stop_track(self, tenant_id: str, user_id: str, *, token: ModalToken | None = None) -> None:
        """Leave the track: the week count stops; what was written stays until deleted."""
        self._set_state(tenant_id, user_id, start=False, token=token)

    def _set_state(self, tenant_id: str, user_id: str, *, start: bool, token: ModalToken | None) -> None:
        with unit_of_work(self.factory) as session:
            self._spend(session, tenant_id, user_id, token)
            owner = self.owner(session, tenant_id, user_id)
            if self.space(session, owner) is None:
                raise VaultError("Please open your private space and agree first.")
            today = self._today(owner).isoformat()
            # Starting again while on the track (an old opt-in screen) keeps the start date.
            current = self._progress(session, owner).started if start else None
            state = {
                "part": track.STATE,
                "saved_at": self.clock.now().isoformat(),
                "started_on": (current.isoformat() if current else today) if start else None,
                "stopped_on": None if start else today,
            }
            between_read_and_write()
            self._write(session, owner, KIND, state, self._track_id(owner, track.STATE))
            session.commit()

    def save_track(
        self,
        tenant_id: str,
        user_id: str,
        part: str,
        data: dict[str, Any],
        *,
        include_partner: bool = True,
        token: ModalToken | None = None,
    ) -> None:
        """Save one tool's content, checked first (``VaultError`` naming the field, with the
        token left unspent so the screen can be corrected), then sealed with the token spent in
        the same transaction."""
        if part not in track.TOOLS:
            raise VaultError("Unknown step.")
        kept = track.clean(part, data, include_partner=include_partner)
        with unit_of_work(self.factory) as session:
            self._spend(session, tenant_id, user_id, token)
            owner = self.owner(session, tenant_id, user_id)
            if self.space(session, owner) is None:
                raise VaultError("Please open your private space and agree first.")
            record = {"part": part, "saved_at": self.clock.now().isoformat(), **kept}
            if part == track.HOUSEHOLD:
                record["reviewed_on"] = self._today(owner).isoformat()
            between_read_and_write()
            # An ask and a tally's addition are each a record of their own (the tally is summed
            # when read); every other tool has one record, replaced.
            one_each = part in (track.ASK, track.TALLY)
            record_id = uuid.uuid4().hex if one_each else self._track_id(owner, part)
            self._write(session, owner, KIND, record, record_id)
            session.commit()
