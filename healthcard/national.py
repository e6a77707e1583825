"""The national plain QR form of the e-health card, for legacy readers that verify online.

Static ``<card id>:1``; dynamic ``<card id>:0:<valid time>`` (1 static, 0 dynamic). Unsigned: it
is only as good as the online check at the platform, which accepts a code only if it issued it (see
services/healthcard_qr.py) and never one valid for longer than a dynamic code may live (300 s). The valid time is written ``yyyyMMddHHmmss``
in Beijing time (UTC+8); no public source fixes its format, so this is a design choice. Upper-case
hex, digits and ':' are all in the QR alphanumeric set, so these forms encode compactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from healthcard.ehc_id import is_ehc_id
from healthcard.errors import QrExpired, QrForged, QrMalformed
from healthcard.tokens import TTL_MAX, QrType

__all__ = ["BEIJING", "NationalCode", "national_dynamic", "national_static", "parse_national"]

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
_TIME_FORMAT = "%Y%m%d%H%M%S"
_RE = re.compile(r"^([0-9A-F]{64}):(1|0:([0-9]{14}))$")


@dataclass(frozen=True, slots=True)
class NationalCode:
    card_id: str
    qr_type: QrType
    valid_until: datetime | None = None  # aware, UTC+8; dynamic only

    def check_valid(self, now: datetime | None = None, *, leeway: int = 0) -> None:
        """Raise ``QrExpired`` for a dynamic code past its valid time, and ``QrForged`` (reason
        ``validity_too_long``) for one valid further ahead than a dynamic code may live (300 s)."""
        current = now or datetime.now(UTC)
        if self.valid_until is None:
            return
        if current > self.valid_until + timedelta(seconds=leeway):
            raise QrExpired("the dynamic QR code has expired", field="token")
        if self.valid_until > current + timedelta(seconds=TTL_MAX + leeway):
            raise QrForged(
                f"a dynamic code is valid for at most {TTL_MAX} s; this one claims longer",
                field="token",
                details={"reason": "validity_too_long"},
            )


def _as_beijing(moment: datetime | float) -> datetime:
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ValueError("valid time must be timezone-aware")
        return moment.astimezone(BEIJING)
    return datetime.fromtimestamp(moment, BEIJING)


def national_static(card_id: str) -> str:
    """``<card id>:1``."""
    if not is_ehc_id(card_id):
        raise QrMalformed("an e-health card id is 64 upper-case hex characters", field="card_id")
    return f"{card_id}:1"


def national_dynamic(card_id: str, valid_until: datetime | float) -> str:
    """``<card id>:0:<yyyyMMddHHmmss, UTC+8>``; ``valid_until`` as aware datetime or epoch seconds."""
    if not is_ehc_id(card_id):
        raise QrMalformed("an e-health card id is 64 upper-case hex characters", field="card_id")
    return f"{card_id}:0:{_as_beijing(valid_until).strftime(_TIME_FORMAT)}"


def parse_national(text: str) -> NationalCode:
    """Split a plain-form code; ``QrMalformed`` when it is not one."""
    match = _RE.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise QrMalformed("not a national plain-form e-health card code", field="token")
    card_id, _, stamp = match.groups()
    if stamp is None:
        return NationalCode(card_id, QrType.STATIC)
    try:
        valid_until = datetime.strptime(stamp, _TIME_FORMAT).replace(tzinfo=BEIJING)
    except ValueError as exc:
        raise QrMalformed("the valid time is not a date", field="token") from exc
    return NationalCode(card_id, QrType.DYNAMIC, valid_until)
