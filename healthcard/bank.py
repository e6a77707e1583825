"""Bank cards bound to a health-card account: Luhn check, opaque token, bank name, last four digits.

The full number is never kept: ``BankCardTokenizer.tokenize`` returns an HMAC-SHA256 token under a
server key (``<secrets_dir>/bank-card.key``, 0600), the issuing bank from a small BIN table, and
the last four digits. The same number always gives the same token, so a rebind is recognised and
an unbind can be checked against a number the holder types again.
"""

from __future__ import annotations

import base64
import hmac
import re
from dataclasses import dataclass

from core.privacy import mask_bank_card
from healthcard.config import secrets_dir
from healthcard.ehc_id import keyed_digest, load_or_create_key
from healthcard.errors import BankCardInvalid

__all__ = [
    "BANK_CARD_KEY_FILE",
    "BIN_TABLE",
    "BankCardRecord",
    "BankCardTokenizer",
    "bank_name",
    "is_luhn_valid",
    "luhn_check_digit",
    "mask_bank_card",
    "normalise_card_number",
]

BANK_CARD_KEY_FILE = "bank-card.key"
UNKNOWN_BANK = "未知银行"
# A few well-known debit-card BINs of Chinese banks (longest prefix wins); illustrative, not complete.
BIN_TABLE: dict[str, str] = {
    "622202": "中国工商银行",
    "622208": "中国工商银行",
    "621226": "中国工商银行",
    "622848": "中国农业银行",
    "622845": "中国农业银行",
    "621700": "中国建设银行",
    "622700": "中国建设银行",
    "436742": "中国建设银行",
    "601382": "中国银行",
    "621661": "中国银行",
    "622262": "交通银行",
    "622588": "招商银行",
    "621483": "招商银行",
    "621799": "中国邮政储蓄银行",
    "622150": "中国邮政储蓄银行",
}
_SEPARATORS = re.compile(r"[\s-]")
_DIGITS = re.compile(r"[0-9]+")


def luhn_check_digit(partial: str) -> str:
    """The digit that makes ``partial + digit`` pass the Luhn check."""
    if not _DIGITS.fullmatch(partial):
        raise BankCardInvalid("a bank card number has digits only", field="bank_card_number")
    total = 0
    for index, char in enumerate(reversed(partial)):
        digit = int(char)
        if index % 2 == 0:  # these double once the check digit is appended
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return str((10 - total % 10) % 10)


def is_luhn_valid(number: str) -> bool:
    """True when ``number`` (digits only, at least 2) passes the Luhn (mod 10) check."""
    return (
        len(number) >= 2 and bool(_DIGITS.fullmatch(number)) and luhn_check_digit(number[:-1]) == number[-1]
    )


def normalise_card_number(raw: str) -> str:
    """Digits only (spaces and dashes dropped), 12-19 long, Luhn-valid; else ``BankCardInvalid``."""
    text = _SEPARATORS.sub("", raw or "")
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if not _DIGITS.fullmatch(text) or not 12 <= len(text) <= 19:
        raise BankCardInvalid("a bank card number has 12-19 digits", field="bank_card_number")
    if not is_luhn_valid(text):
        raise BankCardInvalid("the bank card number fails its check digit (Luhn)", field="bank_card_number")
    return text


def bank_name(number: str) -> str:
    """The issuing bank by the longest known BIN prefix, or 未知银行."""
    for length in range(8, 3, -1):
        found = BIN_TABLE.get(number[:length])
        if found:
            return found
    return UNKNOWN_BANK


@dataclass(frozen=True, slots=True)
class BankCardRecord:
    """What may be stored about a bound card."""

    token: str
    bank: str
    last4: str
    length: int

    @property
    def masked(self) -> str:
        return "*" * (self.length - 4) + self.last4


class BankCardTokenizer:
    """Turns card numbers into records with an opaque, stable token (keyed HMAC-SHA256)."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the bank-card key must have at least 16 bytes")
        self._key = key

    @classmethod
    def from_settings(cls) -> BankCardTokenizer:
        return cls(load_or_create_key(secrets_dir() / BANK_CARD_KEY_FILE))

    def token(self, number: str) -> str:
        digits = normalise_card_number(number)
        return (
            "bc_"
            + base64.urlsafe_b64encode(keyed_digest(self._key, digits.encode("ascii"))).rstrip(b"=").decode()
        )

    def tokenize(self, number: str) -> BankCardRecord:
        digits = normalise_card_number(number)
        return BankCardRecord(self.token(digits), bank_name(digits), digits[-4:], len(digits))

    def matches(self, number: str, token: str) -> bool:
        """True when ``number`` is the card behind ``token`` (constant-time compare)."""
        return hmac.compare_digest(self.token(number), token)

    def __repr__(self) -> str:
        return "BankCardTokenizer(<key hidden>)"
