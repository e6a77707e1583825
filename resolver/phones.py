"""Phone numbers: strip +86, spaces and dashes; tell mobiles (1xxxxxxxxxx) from landlines."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["PhoneForm", "standardise_phone"]

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")


@dataclass(frozen=True, slots=True)
class PhoneForm:
    """A phone number as digits: ``kind`` is "mobile", "landline" or "other"."""

    digits: str
    kind: str

    @property
    def subscriber(self) -> str:
        """The number without a landline area code (the last 8 digits; all of a mobile)."""
        return self.digits if self.kind == "mobile" else self.digits[-8:]


def standardise_phone(raw: str | None) -> PhoneForm | None:
    """Digits only, country code 86 removed; None when fewer than 7 digits remain."""
    if not raw:
        return None
    text = unicodedata.normalize("NFKC", raw)
    text = re.split(r"(?:转|ext\.?|x)", text, maxsplit=1, flags=re.IGNORECASE)[0]
    digits = re.sub(r"\D", "", text)
    country = False
    if digits.startswith("0086"):
        digits, country = digits[4:], True
    elif digits.startswith("86") and len(digits) >= 12:
        digits, country = digits[2:], True
    if country and not digits.startswith("0") and not _MOBILE.match(digits):
        digits = "0" + digits  # +86 10 1234 5678 -> 010 1234 5678
    if len(digits) < 7:
        return None
    if _MOBILE.match(digits):
        kind = "mobile"
    elif _LANDLINE.match(digits):
        kind = "landline"
    else:
        kind = "other"
    return PhoneForm(digits=digits, kind=kind)
