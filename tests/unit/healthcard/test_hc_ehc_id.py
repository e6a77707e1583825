from __future__ import annotations

import hashlib
import hmac
import stat
from pathlib import Path

import pytest

from core.errors import InvalidInput
from core.settings import get_settings
from healthcard.config import DigestName
from healthcard.ehc_id import EHC_ID_KEY_FILE, EhcIdDeriver, derive_ehc_id, is_ehc_id, keyed_digest

KEY = b"k" * 32


def test_card_id_is_64_upper_hex_and_stable() -> None:
    first = derive_ehc_id("EMPI-1", KEY)
    assert is_ehc_id(first) and len(first) == 64 and first == first.upper()
    assert derive_ehc_id("EMPI-1", KEY) == first
    assert derive_ehc_id(" EMPI-1 ", KEY) == first


def test_card_id_is_the_hmac_sha256_of_the_empi_id() -> None:
    expected = hmac.new(KEY, b"EMPI-1", hashlib.sha256).hexdigest().upper()
    assert derive_ehc_id("EMPI-1", KEY) == expected


def test_different_ids_keys_and_algorithms_give_different_card_ids() -> None:
    ids = {
        derive_ehc_id("EMPI-1", KEY),
        derive_ehc_id("EMPI-2", KEY),
        derive_ehc_id("EMPI-1", b"q" * 32),
        derive_ehc_id("EMPI-1", KEY, DigestName.SM3),
    }
    assert len(ids) == 4


def _hmac_sm3_by_hand(key: bytes, message: bytes) -> bytes:
    """RFC 2104 built from the SM3 hash alone (block size 64), to check the library's HMAC-SM3."""

    def sm3(data: bytes) -> bytes:
        return hashlib.new("sm3", data).digest()

    block = key.ljust(64, b"\0")
    inner = sm3(bytes(b ^ 0x36 for b in block) + message)
    return sm3(bytes(b ^ 0x5C for b in block) + inner)


def test_sm3_is_the_real_sm3_and_hmac_sm3_matches_rfc2104() -> None:
    # GB/T 32905-2016 example 1: SM3("abc").
    assert hashlib.new("sm3", b"abc").hexdigest() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )
    assert keyed_digest(KEY, b"EMPI-1", DigestName.SM3) == _hmac_sm3_by_hand(KEY, b"EMPI-1")
    assert derive_ehc_id("EMPI-1", KEY, DigestName.SM3) == _hmac_sm3_by_hand(KEY, b"EMPI-1").hex().upper()


def test_server_key_is_generated_once_with_mode_0600(hc_home: Path) -> None:
    first = EhcIdDeriver.from_settings().derive("EMPI-9")
    key_file = hc_home / "secrets" / EHC_ID_KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key_file.read_bytes()) == 32
    assert EhcIdDeriver.from_settings().derive("EMPI-9") == first
    assert "k" * 8 not in repr(EhcIdDeriver(KEY))


def test_sm3_is_chosen_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EHC_HC_EHC_ID_DIGEST", "sm3")
    get_settings.cache_clear()
    deriver = EhcIdDeriver.from_settings()
    assert deriver.digest is DigestName.SM3
    assert deriver.derive("EMPI-1") != EhcIdDeriver(deriver._key).derive("EMPI-1")


def test_empty_empi_id_and_short_key_are_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        derive_ehc_id("  ", KEY)
    assert caught.value.field == "empi_id"
    with pytest.raises(ValueError, match="16 bytes"):
        EhcIdDeriver(b"short")


@pytest.mark.parametrize("value", ["", "ab" * 32, "G" * 64, "A" * 63, "A" * 65, "A" * 64 + "\n"])
def test_is_ehc_id_rejects_other_shapes(value: str) -> None:
    assert not is_ehc_id(value)
