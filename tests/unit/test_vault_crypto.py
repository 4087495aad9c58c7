"""The vault's envelope encryption: records open only in their own context, errors leak nothing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hr_plugin.vault.crypto import (
    DecryptionError,
    LocalKeyProvider,
    derive_key,
    new_data_key,
    open_sealed,
    record_context,
    seal,
    subject_context,
)

CANARY = b"CANARY-a-touch-that-felt-like-demand-7f3a"
MASTER = bytes(range(32))
CONTEXT = record_context("T1", 42, "rec-1", "checkin")


def test_round_trip() -> None:
    key = new_data_key()

    sealed = seal(key, CANARY, CONTEXT)

    assert open_sealed(key, sealed, CONTEXT) == CANARY
    assert CANARY not in sealed
    assert sealed[0] == 1 and len(sealed) == 1 + 12 + len(CANARY) + 16


def test_each_seal_uses_a_fresh_nonce() -> None:
    key = new_data_key()

    assert seal(key, CANARY, CONTEXT) != seal(key, CANARY, CONTEXT)


@pytest.mark.parametrize(
    "other",
    [
        record_context("T1", 43, "rec-1", "checkin"),  # another employee
        record_context("T1", 42, "rec-2", "checkin"),  # another record
        record_context("T1", 42, "rec-1", "milestone"),  # another kind
        record_context("T2", 42, "rec-1", "checkin"),  # another tenant
        subject_context("T1", 42),  # not a record context at all
        b"",
    ],
)
def test_a_ciphertext_does_not_open_in_another_context(other: bytes) -> None:
    key = new_data_key()
    sealed = seal(key, CANARY, CONTEXT)

    with pytest.raises(DecryptionError):
        open_sealed(key, sealed, other)


def test_every_tampered_byte_is_detected() -> None:
    key = new_data_key()
    sealed = seal(key, CANARY, CONTEXT)

    for index in range(len(sealed)):
        tampered = bytearray(sealed)
        tampered[index] ^= 0x01
        with pytest.raises(DecryptionError):
            open_sealed(key, bytes(tampered), CONTEXT)


@pytest.mark.parametrize("cut", [0, 1, 13, 28, -1])
def test_truncated_values_fail_cleanly(cut: int) -> None:
    key = new_data_key()
    sealed = seal(key, CANARY, CONTEXT)

    with pytest.raises(DecryptionError):
        open_sealed(key, sealed[:cut], CONTEXT)


def test_another_employees_data_key_does_not_open_it() -> None:
    mine, theirs = new_data_key(), new_data_key()

    with pytest.raises(DecryptionError):
        open_sealed(theirs, seal(mine, CANARY, CONTEXT), CONTEXT)


def test_an_unknown_version_is_refused() -> None:
    key = new_data_key()
    sealed = seal(key, CANARY, CONTEXT)

    with pytest.raises(DecryptionError):
        open_sealed(key, bytes([2]) + sealed[1:], CONTEXT)


def test_errors_carry_no_plaintext_key_or_ciphertext() -> None:
    key = new_data_key()
    sealed = seal(key, CANARY, CONTEXT)
    provider = LocalKeyProvider(MASTER)
    wrapped = provider.wrap(key, subject_context("T1", 42))

    failures: list[BaseException] = []
    for attempt in (
        lambda: open_sealed(key, sealed, b"wrong"),
        lambda: open_sealed(new_data_key(), sealed, CONTEXT),
        lambda: open_sealed(key, sealed[:-1] + bytes([sealed[-1] ^ 1]), CONTEXT),
        lambda: provider.unwrap(wrapped, subject_context("T1", 43)),
        lambda: LocalKeyProvider(bytes(32)).unwrap(wrapped, subject_context("T1", 42)),
    ):
        with pytest.raises(DecryptionError) as caught:
            attempt()
        failures.append(caught.value)

    for failure in failures:
        shown = str(failure) + repr(failure) + repr(failure.args)
        assert "CANARY" not in shown
        for secret in (CANARY, key, sealed, MASTER, wrapped):
            assert secret.hex() not in shown
            assert repr(secret) not in shown
        assert failure.__cause__ is None and failure.__suppress_context__


def test_local_provider_wraps_and_unwraps_bound_to_the_subject() -> None:
    provider = LocalKeyProvider(MASTER)
    key = new_data_key()

    wrapped = provider.wrap(key, subject_context("T1", 42))

    assert key not in wrapped
    assert provider.unwrap(wrapped, subject_context("T1", 42)) == key
    with pytest.raises(DecryptionError):
        provider.unwrap(wrapped, subject_context("T1", 41))
    with pytest.raises(DecryptionError):
        LocalKeyProvider(bytes(32)).unwrap(wrapped, subject_context("T1", 42))


def test_key_id_is_a_short_fingerprint_not_the_key() -> None:
    provider = LocalKeyProvider(MASTER)

    assert len(provider.key_id) == 12
    assert provider.key_id == LocalKeyProvider(MASTER).key_id
    assert provider.key_id != LocalKeyProvider(bytes(32)).key_id
    assert provider.key_id not in MASTER.hex()
    assert MASTER.hex() not in repr(provider)


@pytest.mark.parametrize("size", [0, 16, 31, 33, 64])
def test_keys_of_the_wrong_size_are_refused(size: int) -> None:
    with pytest.raises(ValueError):
        LocalKeyProvider(bytes(size))
    with pytest.raises(ValueError):
        seal(bytes(size), CANARY, CONTEXT)
    with pytest.raises(ValueError):
        derive_key(bytes(size), "purpose")


def test_new_data_keys_are_random() -> None:
    keys = {new_data_key() for _ in range(100)}

    assert len(keys) == 100
    assert all(len(key) == 32 for key in keys)


def test_derived_keys_are_stable_and_distinct_per_purpose() -> None:
    mac = derive_key(MASTER, "modal-metadata-mac")

    assert len(mac) == 32
    assert derive_key(MASTER, "modal-metadata-mac") == mac
    assert derive_key(MASTER, "slack-tokens") != mac
    assert derive_key(bytes(32), "modal-metadata-mac") != mac
    assert mac != MASTER
    with pytest.raises(ValueError):
        derive_key(MASTER, "")


fields = st.text(max_size=12)
employee_ids = st.integers(min_value=-(2**63), max_value=2**63)


@given(st.tuples(fields, employee_ids, fields, fields), st.tuples(fields, employee_ids, fields, fields))
def test_record_contexts_are_unambiguous(
    first: tuple[str, int, str, str], second: tuple[str, int, str, str]
) -> None:
    assert (record_context(*first) == record_context(*second)) == (first == second)


@given(st.tuples(fields, employee_ids), st.tuples(fields, employee_ids))
def test_subject_contexts_are_unambiguous(first: tuple[str, int], second: tuple[str, int]) -> None:
    assert (subject_context(*first) == subject_context(*second)) == (first == second)


@given(fields, employee_ids, fields, fields)
def test_a_record_context_is_never_a_subject_context(
    tenant: str, employee: int, record_id: str, kind: str
) -> None:
    assert record_context(tenant, employee, record_id, kind) != subject_context(tenant, employee)


def test_separators_inside_fields_cannot_shift_boundaries() -> None:
    assert record_context("a|b", 1, "c", "d") != record_context("a", 1, "b|c", "d")
    assert record_context("T", 1, "x\x00", "y") != record_context("T", 1, "x", "\x00y")
    assert subject_context("T1", 23) != subject_context("T12", 3)
