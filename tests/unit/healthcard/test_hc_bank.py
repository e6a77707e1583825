from __future__ import annotations

import stat
from dataclasses import asdict
from pathlib import Path

import pytest

from healthcard.bank import (
    BANK_CARD_KEY_FILE,
    UNKNOWN_BANK,
    BankCardTokenizer,
    bank_name,
    is_luhn_valid,
    luhn_check_digit,
    normalise_card_number,
)
from healthcard.errors import BankCardInvalid

ICBC = "6222020200112345679"


@pytest.mark.parametrize(
    "number", ["79927398713", "4111111111111111", "5500005555555559", "6222020000000007", ICBC]
)
def test_luhn_accepts_valid_numbers(number: str) -> None:
    assert is_luhn_valid(number)
    assert luhn_check_digit(number[:-1]) == number[-1]


@pytest.mark.parametrize("number", ["79927398710", "4111111111111112", "1", "", "41111111111111a1"])
def test_luhn_rejects_invalid_numbers(number: str) -> None:
    assert not is_luhn_valid(number)


def test_normalise_strips_separators_and_full_width_digits() -> None:
    assert normalise_card_number("6222 0202-0011 2345 679") == ICBC
    assert normalise_card_number("６２２２０２０２００１１２３４５６７９") == ICBC


@pytest.mark.parametrize(
    "raw", ["", "12345678901", "62220202001123456792345", "6222020200112345670", "6222abc", "²" * 16]
)
def test_invalid_card_numbers_are_refused_naming_the_field(raw: str) -> None:
    with pytest.raises(BankCardInvalid) as caught:
        normalise_card_number(raw)
    assert (caught.value.code, caught.value.field) == ("bank_card_invalid", "bank_card_number")


def test_bank_name_by_bin_prefix() -> None:
    assert bank_name(ICBC) == "中国工商银行"
    assert bank_name("6228480000000000000") == "中国农业银行"
    assert bank_name("4111111111111111") == UNKNOWN_BANK


def test_record_keeps_token_bank_and_last_four_never_the_number(hc_home: Path) -> None:
    tokenizer = BankCardTokenizer.from_settings()
    record = tokenizer.tokenize("6222 0202 0011 2345 679")
    assert (record.bank, record.last4, record.length) == ("中国工商银行", "5679", 19)
    assert record.masked == "*" * 15 + "5679"
    assert record.token.startswith("bc_") and len(record.token) == 46
    stored = repr(record) + str(asdict(record))
    assert ICBC not in stored and ICBC[:12] not in stored
    assert tokenizer.tokenize(ICBC).token == record.token  # stable: a rebind is recognised
    assert tokenizer.matches(ICBC, record.token)
    assert not tokenizer.matches("4111111111111111", record.token)
    key_file = hc_home / "secrets" / BANK_CARD_KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "key" not in repr(tokenizer).replace("<key hidden>", "")


def test_token_depends_on_the_server_key() -> None:
    assert BankCardTokenizer(b"a" * 32).token(ICBC) != BankCardTokenizer(b"b" * 32).token(ICBC)
    with pytest.raises(ValueError, match="16 bytes"):
        BankCardTokenizer(b"short")
