"""Masking of personal data for logs, errors and API views (ID numbers, phones, bank cards)."""

from __future__ import annotations

import logging
import re

__all__ = ["MaskingFilter", "mask_bank_card", "mask_id_number", "mask_phone", "mask_text"]


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
    text = _ID_RE.sub(
        lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3)[-4:].rjust(len(m.group(3)), "*"), text
    )
    text = _CARD_RE.sub(lambda m: "*" * (len(m.group(0)) - 4) + m.group(1), text)
    return _PHONE_RE.sub(lambda m: m.group(1) + "****" + m.group(3), text)


def _mask_arg(value: object) -> object:
    if isinstance(value, str | int) and not isinstance(value, bool):
        masked = mask_text(str(value))
        return value if masked == str(value) else masked
    return value


class MaskingFilter(logging.Filter):
    """A logging filter masking personal data in a record's message, its arguments and its traceback.

    The arguments keep their shape (a tuple stays a tuple of the same length), so formatters that
    unpack them -- uvicorn's access formatter does -- still work. ``core.logs`` masks every field again
    when it renders the JSON line; this filter is for loggers used without that setup."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_text(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_mask_arg(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _mask_arg(v) for k, v in record.args.items()}
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            record.exc_text = mask_text(logging.Formatter().formatException(record.exc_info))
        return True
