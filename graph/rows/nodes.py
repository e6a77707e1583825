"""The properties of the Resident and Card nodes, as the queries that write them set them.

A Resident is written from ``services.models.ResidentIn.demographics()`` plus its ``resident_id`` and
blocking keys (register_resident, bulk_create_residents, the offline import), then
changed by update_resident and set_block_keys. Neo4j stores no null property, so every demographic
field may be absent. A Card is merged on (domain, number) by lock_identifier, register_lock_source and
bulk_lock_id_numbers, and changed by set_card_status.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NotRequired, TypedDict

__all__ = ["CardNode", "Demographics", "HeldCardNode", "ResidentNode"]


class Demographics(TypedDict):
    """A record's demographics as stored (``ResidentIn.demographics()``): where it comes from, and each
    field it has."""

    source_domain: str
    local_id: str
    name: NotRequired[str]
    gender: NotRequired[str]
    birth_date: NotRequired[date]
    id_type: NotRequired[str]
    id_number: NotRequired[str]
    ethnicity: NotRequired[str]
    marital_status: NotRequired[str]
    occupation: NotRequired[str]
    phone: NotRequired[str]
    address: NotRequired[str]
    region_code: NotRequired[str]


class ResidentNode(Demographics):
    """A Resident node's properties (``r {.*}``): the demographics, what the registration derived
    (the name as received, data-quality flags, blocking keys ``bk_<name>`` of resolver/blocking.py
    ``BLOCKING_KEY_NAMES``) and what the graph adds."""

    resident_id: str
    status: str
    version: int
    created_at: datetime
    updated_at: datetime
    name_raw: NotRequired[str]  # the name as received, when its dots were not the standard ·
    dq_flags: NotRequired[list[str]]  # data-quality codes (resolver/quality.py DQ_CODES)
    bk_id_number: NotRequired[str]
    bk_id_raw: NotRequired[str]
    bk_pinyin_birth: NotRequired[str]
    bk_name_birth: NotRequired[str]
    bk_phone: NotRequired[str]
    bk_pinyin_year_gender: NotRequired[str]
    bk_birth_sorted_surname: NotRequired[str]
    bk_pinyin_region: NotRequired[str]
    touched_at: NotRequired[datetime]  # lock_resident's write lock


class CardNode(TypedDict):
    """A Card node's properties (``c {.*}``)."""

    card_id: str
    domain: str
    number: str
    card_type: str
    status: str
    created_at: datetime
    chip_number: NotRequired[str]
    issuer: NotRequired[str]
    status_reason: NotRequired[str]
    updated_at: NotRequired[datetime]
    touched_at: NotRequired[datetime]


class HeldCardNode(CardNode):
    """A card as get_resident and get_card return it: with its domain's OID and, in get_resident, how
    the record holds it (HAS_CARD)."""

    domain_oid: str
    rel_id: NotRequired[str]
    app_domain: NotRequired[str]
    since: NotRequired[datetime]
