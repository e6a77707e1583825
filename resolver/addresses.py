"""Addresses: split into province / city / district with a GB/T 2260 region code (cpca) plus detail."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import cpca

__all__ = ["AddressForm", "standardise_address", "standardise_addresses"]


# Entries in the cache of standard addresses: every API worker holds it for its life; full, about 10 MiB
# at this size and 38 MiB at 65,536 (addresses rarely repeat, so a larger cache mostly holds memory).
ADDRESS_CACHE = 16384

# A road, street, lane... name and its number: 环城路318号, 中山北路12弄, 胜利街5号, 人民大道100号
_STREET = re.compile(
    r"^(?:[\u4e00-\u9fff]{0,8}?[区县镇乡])?([\u4e00-\u9fff]{1,12}?(?:大道|大街|路|街|道|巷|弄|胡同|里))"
    r"(\d{1,5})[号弄]"
)


@dataclass(frozen=True, slots=True)
class AddressForm:
    """An address split into administrative levels; ``region_code`` is the finest code known."""

    text: str
    province: str | None
    city: str | None
    district: str | None
    detail: str
    region_code: str | None  # 6 digits; "xx0000" province, "xxxx00" city level

    @property
    def province_code(self) -> str | None:
        """First two digits of the region code."""
        return self.region_code[:2] if self.region_code else None

    @property
    def city_code(self) -> str | None:
        """First four digits of the region code, when the city is known."""
        if not self.region_code or self.region_code[2:4] == "00":
            return None
        return self.region_code[:4]

    @property
    def street(self) -> str | None:
        """Street and house number ("环城路318号"), when the detail starts with them."""
        found = _STREET.match(self.detail)
        return found.group(1) + found.group(2) + "号" if found else None

    def within_same_area(self, other: AddressForm) -> bool:
        """True when neither address places itself outside the other: same province, and city and
        district equal wherever both sides know them (上海 ... vs 上海市浦东新区 ...)."""
        if not self.region_code or not other.region_code or self.province_code != other.province_code:
            return False
        if self.city_code and other.city_code and self.city_code != other.city_code:
            return False
        return not (self.district_code and other.district_code and self.district_code != other.district_code)

    @property
    def district_code(self) -> str | None:
        """The 6-digit code when the district is known."""
        if not self.region_code or self.region_code[4:6] == "00":
            return None
        return self.region_code


def _clean(raw: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw))


def _form(text: str, row: dict[str, object], region_code: str | None) -> AddressForm:
    code = str(row.get("adcode") or "") or None
    if (
        region_code
        and re.fullmatch(r"\d{6}", region_code)
        and (not code or region_code.startswith(code.rstrip("0")))
    ):
        code = region_code
    detail = re.sub(r"[\s,，、()（）\-]", "", str(row.get("地址") or ""))
    return AddressForm(
        text=text,
        province=(str(row["省"]) if row.get("省") else None),
        city=(str(row["市"]) if row.get("市") else None),
        district=(str(row["区"]) if row.get("区") else None),
        detail=detail,
        region_code=code,
    )


@lru_cache(maxsize=ADDRESS_CACHE)
def standardise_address(raw: str | None, region_code: str | None = None) -> AddressForm | None:
    """The standard form of one address; a 6-digit ``region_code`` refines cpca's guess."""
    if not raw and not region_code:
        return None
    text = _clean(raw or "")
    row = cpca.transform([text]).to_dict("records")[0] if text else {}
    return _form(text, row, region_code)


def standardise_addresses(items: Iterable[tuple[str | None, str | None]]) -> list[AddressForm | None]:
    """Batch form of ``standardise_address`` over (address, region_code) pairs (one cpca call)."""
    pairs = list(items)
    texts = [_clean(raw or "") for raw, _ in pairs]
    wanted = [t for t in texts if t]
    rows = iter(cpca.transform(wanted).to_dict("records")) if wanted else iter(())
    out: list[AddressForm | None] = []
    for (raw, code), text in zip(pairs, texts, strict=True):
        if not raw and not code:
            out.append(None)
            continue
        out.append(_form(text, next(rows) if text else {}, code))
    return out
