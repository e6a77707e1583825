"""Masking of personal data for logs, errors and API views (ID numbers, phones, bank cards)."""

from __future__ import annotations

import logging
import re

__all__ = ["mask_id_number", "mask_phone", "mask_bank_card", "mask_text", "MaskingFilter"]


def mask_id_number(value: str | None) -> str:
    """Keep the region prefix and the last four characters: 110105********002X."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """Keep the first three and last four digits: 138****5678."""
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_bank_card(value: str | None) -> str:
    """Keep only the last four digits: ************1234."""
    if not value:
        return ""
    return "*" * max(len(value) - 4, 0) + value[-4:]


_ID_RE = re.compile(r"(?<!\d)(\d{6})(\d{8}|\d{5})(\d{3}[\dXx]|\d)(?![\dXx])")
_CARD_RE = re.compile(r"(?<!\d)\d{12,15}(\d{4})(?!\d)")
_PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_text(text: str) -> str:
    """Mask anything in free text that looks like an ID number, bank card or mobile phone."""
    text = _ID_RE.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3)[-4:].rjust(len(m.group(3)), "*"), text)
    text = _CARD_RE.sub(lambda m: "*" * (len(m.group(0)) - 4) + m.group(1), text)
    return _PHONE_RE.sub(lambda m: m.group(1) + "****" + m.group(3), text)


class MaskingFilter(logging.Filter):
    """A logging filter that masks personal data in every record's rendered message."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_text(record.getMessage())
        record.args = None
        return True
