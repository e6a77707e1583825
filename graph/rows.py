"""The rows of the named queries: one TypedDict per query's RETURN clause, named after the query.

Rows stay plain dicts at runtime (``record.data()``); the types make their keys checked by mypy from the
graph functions up through the services. ``QUERY_ROWS`` maps every cypher/*.cypher query to its row type
(None for a query that returns no rows), and tests/unit/test_cypher_rows.py checks that each query's
final RETURN keys are exactly its row type's keys.

Property maps of nodes written from a pydantic model or a caller's dict (``SET n += $props``: residents,
cards, domains, accounts, subscriptions) are ``NodeProps``: their keys are those of the model that wrote
them, not of the query. Nodes with a fixed set of properties written by one query have their own
TypedDict (``MergeNode``, ``ReviewItemNode``, ...). Temporal values are ``datetime``/``date`` where the
graph function converts them (``graph.values.plain``), ``neo4j.time`` values where it does not.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NotRequired, TypeAlias, TypedDict

from neo4j.time import DateTime

__all__ = [
    "QUERY_ROWS", "AccountRow", "AuditNode", "BankCardNode", "CandidateRow", "CardHolder", "ChangeNode",
    "ConsoleRecord", "ConsoleReviewItem", "ConsoleReviewRow", "ConsoleUser", "DeliveryNode", "EventNode",
    "IdentifierLock", "IdentityLock", "IdentityRow", "LinkEventNode", "MergeNode", "NodeProps", "PixRow",
    "RedriveRow", "ResidentRow", "ReviewItemNode", "ReviewItemRow", "RevokedTokenNode", "SameAsLink",
    "SameAsProps", "SameAsRow", "Statistics", "SubscriptionStatsRow", "SupervisionDailyRow",
    "SupervisionTotalsRow",
]

# The property map of a node written from a model or a caller's dict (``n {.*}``; see the module doc).
NodeProps: TypeAlias = dict[str, Any]


# -- small rows: one or two scalar keys ------------------------------------------------------------------

class CreatedRow(TypedDict):
    created: int


class LinkedRow(TypedDict):
    linked: int


class PurgedRow(TypedDict):
    purged: int


class FreshRow(TypedDict):
    fresh: bool


class EmpiIdRow(TypedDict):
    empi_id: str


class MergeIdRow(TypedDict):
    merge_id: str


class CardIdRow(TypedDict):
    card_id: str


class ReviewIdRow(TypedDict):
    review_id: str


class SubscriptionIdRow(TypedDict):
    subscription_id: str


class ReviewStatusRow(TypedDict):
    """create_review_item, find_review_by_pair."""
    review_id: str
    status: str


class AttachCardRow(TypedDict):
    rel_id: str
    card_id: str


class DetachCardRow(TypedDict):
    rel_id: str
    domain: str
    number: str


class BulkLockRow(TypedDict):
    number: str
    empi_id: str | None


class SourceRow(TypedDict):
    """create_resident, find_resident_by_source."""
    resident_id: str
    empi_id: str


# -- residents, cards, identities -------------------------------------------------------------------------

class CandidateRow(TypedDict):
    """A record and its EMPI id (find_candidates, lock_resident, list_records_page, list_flagged_records)."""
    resident: NodeProps
    empi_id: str


class ResidentRow(CandidateRow):
    """get_resident: a record, its EMPI id and its cards (with their domain OID and the HAS_CARD details)."""
    cards: list[NodeProps]


class CardHolder(TypedDict):
    resident_id: str
    empi_id: str


class IdentifierLock(TypedDict):
    """lock_identifier and find_identifier: the card and the identities already holding it."""
    card_id: str
    status: str
    holders: list[CardHolder]


class CardRow(TypedDict):
    card: NodeProps
    empi_ids: list[str]
    resident_ids: list[str]


class CardStatusRow(TypedDict):
    card: NodeProps
    previous: str | None


class IdentityRow(TypedDict):
    """get_identity: the requested EMPI id, the survivor it resolves to and its records."""
    requested: str
    empi_id: str
    status: str
    resident_ids: list[str]


class IdDocument(TypedDict):
    id_type: str | None
    id_number: str


class IdentityLock(TypedDict):
    empi_id: str
    status: str
    created_at: datetime
    merged_into: str | None
    resident_ids: list[str]
    id_documents: list[IdDocument]


class PixIdentifier(TypedDict):
    domain: str
    oid: str
    value: str
    card_type: str
    status: NotRequired[str]
    card_id: NotRequired[str]


class PixRow(TypedDict):
    empi_id: str
    identifiers: list[PixIdentifier]
    id_documents: list[IdDocument]


class PdqIdentitiesRow(TypedDict):
    total: int
    empi_ids: list[str]


class PdqResident(TypedDict):
    empi_id: str
    resident: NodeProps
    identifiers: list[PixIdentifier]


class PdqResidentsRow(TypedDict):
    total: int
    page: list[PdqResident]


class SameAsProps(TypedDict):
    """The properties of a SAME_AS link (link_same_as, link_same_as_manual)."""
    score: float
    method: str
    decided_by: str
    reason: str
    model_version: str
    explanation: Any  # JSON text in the graph; the parsed list after graph.residents reads it
    at: datetime
    merge_id: NotRequired[str | None]


class SameAsRow(TypedDict):
    """list_same_as: a SAME_AS link's ends and its properties."""
    from_id: str
    to_id: str
    link: SameAsProps


# list_same_as as graph.residents returns it: the link's ends ("from" is a keyword) and its properties.
SameAsLink = TypedDict("SameAsLink", {
    "from": str, "to": str, "score": float, "method": str, "decided_by": str, "reason": str,
    "model_version": str, "explanation": Any, "at": datetime, "merge_id": NotRequired["str | None"],
})


class RemovedSameAsRow(TypedDict):
    from_id: str
    to_id: str
    props: SameAsProps


class GraphRecord(TypedDict):
    resident_id: str
    name: str | None
    source_domain: str
    local_id: str
    birth_date: Any  # a neo4j.time.Date, or a string in records loaded before dates were typed
    gender: str | None


class GraphCard(TypedDict):
    card_id: str
    domain: str
    number: str
    card_type: str
    status: str


class GraphLink(TypedDict):
    to: str
    score: float | None
    method: str | None
    decided_by: str | None


class IdentityGraphRow(TypedDict):
    record: GraphRecord
    cards: list[GraphCard]
    links: list[GraphLink]


class SnapshotRecord(TypedDict):
    resident_id: str | None
    links: list[list[str | None]]
    cards: list[str]


class IdentitySnapshotRow(TypedDict):
    empi_id: str
    status: str
    merged_into: str | None
    records: list[SnapshotRecord]


class VersionRow(TypedDict):
    version: int


class LockedRow(TypedDict):
    locked: int


class MovedRow(TypedDict):
    moved: int


class ScoreRow(TypedDict):
    score: float


class ManualLinkRow(TypedDict):
    merge_id: str | None


class CountResidentsRow(TypedDict):
    residents: int


class SeedDomainsRow(TypedDict):
    domains: int


class DomainNode(TypedDict):
    """An identifier domain (services.models.DomainIn plus what the graph adds)."""
    code: str
    oid: str
    name: str
    kind: str
    card_type: NotRequired[str | None]
    region_code: NotRequired[str | None]
    description: NotRequired[str | None]
    status: str
    builtin: NotRequired[bool]
    created_at: datetime
    updated_at: datetime


class DomainRow(TypedDict):
    domain: DomainNode


# -- merges, reviews, history, audit ----------------------------------------------------------------------

class MergeNode(TypedDict):
    merge_id: str
    survivor: str
    merged: str
    resident_ids: list[str]
    same_as_from: list[str]
    same_as_to: list[str]
    review_id: str | None
    by: str
    reason: str
    at: datetime
    status: str
    override_id_conflict: bool
    undone_at: NotRequired[datetime]
    undone_by: NotRequired[str]
    undo_reason: NotRequired[str]


class MergeRow(TypedDict):
    merge: MergeNode


class ReviewItemNode(TypedDict):
    review_id: str
    pair_key: str
    status: str
    score: float
    model_version: str
    explanation: Any  # JSON text in the graph; the parsed list after graph.lifecycle reads it
    reason: str
    created_at: datetime
    decided_by: NotRequired[str]
    decided_at: NotRequired[datetime]
    decision_reason: NotRequired[str]
    merge_id: NotRequired[str | None]
    claimed_by: NotRequired[str | None]
    claim_until: NotRequired[datetime | None]
    touched_at: NotRequired[datetime]


class ReviewItemRow(TypedDict):
    """get_review_item, lock_review_item, list_reviews: the item and its two records' ids."""
    item: ReviewItemNode
    a: str
    b: str


class ReviewItem(ReviewItemNode):
    """A review item as graph.lifecycle returns it: with its two records' ids."""
    a: str
    b: str


class DecidedItemRow(TypedDict):
    item: ReviewItemNode


class ChangeNode(TypedDict):
    change_id: str
    resident_id: str
    version: int
    at: datetime
    by: str
    kind: str
    fields: Any  # JSON text in the graph; the parsed list after graph.residents reads it


class ChangeRow(TypedDict):
    change: ChangeNode


class LinkEventNode(TypedDict):
    event_id: str
    kind: str
    by: str
    method: str
    score: float | None
    model_version: str | None
    reason: str
    resident_ids: list[str]
    empi_ids: list[str]
    detail: Any  # JSON text in the graph; the parsed object after graph.lifecycle reads it
    at: datetime


class LinkEventRow(TypedDict):
    event: LinkEventNode


class AuditNode(TypedDict):
    audit_id: str
    at: datetime
    sub: str
    role: str
    ip: str | None
    action: str
    resource_type: str
    resource_id: str | None
    detail: Any  # JSON text in the graph; the parsed object after graph.lifecycle reads it


class AuditRow(TypedDict):
    entry: AuditNode


class AuditIdRow(TypedDict):
    audit_id: str


class WrittenRow(TypedDict):
    written: int


# -- statistics ------------------------------------------------------------------------------------------

class StatsCardsRow(TypedDict):
    domain: str
    card_type: str
    status: str
    cards: int


class StatsDataQualityRow(TypedDict):
    domain: str
    flag: str
    records: int


class StatsIdentitiesRow(TypedDict):
    status: str
    identities: int


class StatsMergesPerDayRow(TypedDict):
    day: str
    status: str
    merges: int


class StatsRecordsByDomainRow(TypedDict):
    domain: str
    status: str
    records: int


class StatsRegionsRow(TypedDict):
    province: str | None
    records: int


class StatsRegistrationsPerDayRow(TypedDict):
    day: str
    registrations: int


class StatsReviewsRow(TypedDict):
    status: str
    items: int
    min_score: float
    max_score: float


class SupervisionTotalsRow(TypedDict):
    institution: str
    verifications: int
    accepted: int
    refused: int
    expired: int
    replayed: int
    forged: int
    wrong_scene: int
    card_cancelled: int
    other: int
    ehc_visits: int
    other_checks: int


class SupervisionDailyRow(SupervisionTotalsRow):
    step: str
    day: Any  # a neo4j.time.Date in the row; its ISO text after graph.supervision reads it


class Statistics(TypedDict):
    """graph.lifecycle.statistics: the rows of each stats_* query."""
    records_by_domain: list[StatsRecordsByDomainRow]
    data_quality: list[StatsDataQualityRow]
    cards: list[StatsCardsRow]
    identities: list[StatsIdentitiesRow]
    regions: list[StatsRegionsRow]
    reviews: list[StatsReviewsRow]
    registrations_per_day: list[StatsRegistrationsPerDayRow]
    merges_per_day: list[StatsMergesPerDayRow]


class TalliedRow(TypedDict):
    tallied: int


# -- health-card accounts, QR codes, tokens ---------------------------------------------------------------

class BankCardNode(TypedDict):
    bank_card_id: str
    token: str
    bank: str
    last4: str
    length: int
    bound_at: datetime


class AccountRow(TypedDict):
    """ehc_get_account, ehc_lock_account: the account with its card, record and bound bank cards."""
    account: NodeProps
    card: NodeProps | None
    resident: NodeProps | None
    current_empi_id: str | None
    bank_cards: list[BankCardNode]


class ClaimedAccountRow(TypedDict):
    account: NodeProps
    created: bool


class AccountOnlyRow(TypedDict):
    account: NodeProps


class AccountKeyRow(TypedDict):
    ehc_id: str | None
    status: str


class BankCardRow(TypedDict):
    bank_card: BankCardNode


class RemovedBankCardRow(TypedDict):
    gone: BankCardNode


class DemoResidentRow(TypedDict):
    name: str
    id_number: str | None
    gender: str | None
    phone: str | None


class NationalConsumeRow(TypedDict):
    fresh: bool
    ehc_id: str
    exp: int
    issued_at: int


class RevokedTokenNode(TypedDict):
    jti: str
    revoked_at: datetime
    revoked_by: str
    reason: str | None
    expires_at: int | None


class TokenRow(TypedDict):
    token: RevokedTokenNode


# -- notifications ---------------------------------------------------------------------------------------

class SubscriptionNode(TypedDict):
    """A webhook subscription (services.notify writes its url, event types, description and secrets;
    the dispatcher its cursor, lease and counters)."""
    subscription_id: str
    url: str
    event_types: list[str]
    description: str | None
    secret: str
    created_by: str
    status: str
    cursor: int
    generation: int
    revision: int
    head_attempts: int
    delivered_total: int
    dead_total: int
    created_at: datetime
    updated_at: datetime
    head_seq: NotRequired[int | None]
    next_attempt_at: NotRequired[datetime | None]
    last_error: NotRequired[str | None]
    last_error_at: NotRequired[datetime]
    last_delivered_at: NotRequired[datetime | None]
    lease_owner: NotRequired[str | None]
    lease_token: NotRequired[str | None]
    lease_until: NotRequired[datetime | None]
    secret_rotated_at: NotRequired[datetime]
    previous_secret: NotRequired[str | None]
    previous_secret_until: NotRequired[datetime | None]
    replayed_at: NotRequired[datetime]
    replayed_from: NotRequired[int]
    deleted_at: NotRequired[datetime]
    touched_at: NotRequired[datetime]


class SubscriptionStats(SubscriptionNode):
    """A subscription with its backlog (graph.notify get_subscription, list_subscriptions)."""
    lag: int
    dead_letters: int


class SubscriptionRow(TypedDict):
    subscription: SubscriptionNode


class SubscriptionStatsRow(TypedDict):
    """notify_get_subscription, notify_list_subscriptions."""
    subscription: SubscriptionNode
    high: int
    dead_letters: int


class LockedSubscriptionRow(TypedDict):
    subscription: SubscriptionNode
    now: DateTime
    high: int


class DeliveryNode(TypedDict):
    delivery_id: str
    subscription_id: str
    seq: int
    event_type: str
    generation: int
    created_at: datetime
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    last_attempt_at: datetime
    previous_attempts: NotRequired[int]
    redrives: NotRequired[int]
    redriven_at: NotRequired[datetime]
    next_attempt_at: NotRequired[datetime | None]
    delivered_at: NotRequired[datetime]
    dead_at: NotRequired[datetime | None]
    redrive_pending: bool
    dispatcher: str
    superseded_at: NotRequired[datetime]


class DeliveryRow(TypedDict):
    delivery: DeliveryNode


class EventNode(TypedDict):
    seq: int
    type: str
    empi_id: str | None
    resident_id: str | None
    payload: str
    at: datetime


class EventRow(TypedDict):
    event: EventNode


class SeqRow(TypedDict):
    seq: int


class NextEventsRow(TypedDict):
    upper: int
    seqs: list[int]
    events: list[EventNode]


class RedriveRow(TypedDict):
    delivery: DeliveryNode
    event: EventNode


class PrunedDeliveriesRow(TypedDict):
    pruned: int


class CursorRow(TypedDict):
    cursor: int


class RedrivenRow(TypedDict):
    redriven: int


class SupersededRow(TypedDict):
    superseded: int


class OutboxSubscription(TypedDict):
    subscription_id: str
    status: str
    lag: int
    dead_letters: int
    next_event_age_seconds: int | None


class OutboxRow(TypedDict):
    high: int
    subscriptions: list[OutboxSubscription]


class ReviewBacklogRow(TypedDict):
    open_items: int
    oldest_open_seconds: int | None


# -- steward console -------------------------------------------------------------------------------------

class ConsoleUser(TypedDict):
    username: str
    role: str
    password_hash: NotRequired[str]
    failures: NotRequired[int | None]
    locked_until: NotRequired[str | None]
    session_version: NotRequired[int]


class ConsoleUserRow(TypedDict):
    user: ConsoleUser


class ConsoleCard(TypedDict):
    card_id: str
    number: str
    card_type: str
    status: str
    domain: str


class ConsoleHolder(TypedDict):
    resident_id: str
    empi_id: str
    source_domain: str


class ConsoleCardHoldersRow(TypedDict):
    card: ConsoleCard
    holders: list[ConsoleHolder]


class ConsoleClaimRow(TypedDict):
    claimed_by: str | None
    claim_until: str | None
    mine: bool


class ConsoleReviewItem(TypedDict):
    review_id: str
    score: float
    status: str
    created_at: datetime
    decided_by: str | None
    model_version: str | None
    taken_by: str | None


class ConsoleReviewRecord(TypedDict):
    resident_id: str
    name: str | None
    source_domain: str
    region_code: str | None


class ConsoleReviewRow(TypedDict):
    item: ConsoleReviewItem
    a: ConsoleReviewRecord
    b: ConsoleReviewRecord


class ConsoleRecord(TypedDict):
    resident_id: str
    name: str | None
    gender: str | None
    birth_date: Any  # a date, or a string in records loaded before dates were typed
    id_number: str | None
    phone: str | None
    source_domain: str
    local_id: str


class ConsoleSearchKeysRow(TypedDict):
    record: ConsoleRecord
    empi_id: str
    via: str


class ConsoleSearchNamesRow(TypedDict):
    record: ConsoleRecord
    empi_id: str
    score: float


class ConsoleNameHit(ConsoleSearchNamesRow):
    via: str


# services.console_search: a record found by key (``via`` says which) or by name (with its score).
ConsoleSearchHit: TypeAlias = "ConsoleSearchKeysRow | ConsoleNameHit"


class ConsoleSessionRow(TypedDict):
    role: str
    session_version: int


class ConsoleSharedCardRow(TypedDict):
    card_id: str
    resident_id: str
    empi_id: str


class ConsoleSignInRow(TypedDict):
    failures: int
    locked_until: str | None


class ConsoleSignOutRow(TypedDict):
    session_version: int


# -- operations ------------------------------------------------------------------------------------------

class ConstraintRow(TypedDict):
    name: str
    type: str
    labelsOrTypes: list[str]  # the key SHOW CONSTRAINTS returns
    properties: list[str]


class SnapshotNodeRow(TypedDict):
    labels: list[str]
    props: NodeProps


class SnapshotRelationshipRow(TypedDict):
    type: str
    props: NodeProps
    from_labels: list[str]
    from_props: NodeProps
    to_labels: list[str]
    to_props: NodeProps


# Every named query's row type; None for a query that returns nothing.
QUERY_ROWS: dict[str, type | None] = {
    "attach_card": AttachCardRow,
    "await_indexes": None,
    "bulk_create_residents": CreatedRow,
    "bulk_link_card_domains": LinkedRow,
    "bulk_lock_id_numbers": BulkLockRow,
    "console_add_user": ConsoleUserRow,
    "console_card_holders": ConsoleCardHoldersRow,
    "console_claim_review": ConsoleClaimRow,
    "console_get_user": ConsoleUserRow,
    "console_list_reviews": ConsoleReviewRow,
    "console_list_users": ConsoleUserRow,
    "console_release_review": ReviewIdRow,
    "console_search_keys": ConsoleSearchKeysRow,
    "console_search_names": ConsoleSearchNamesRow,
    "console_session_user": ConsoleSessionRow,
    "console_set_password": ConsoleUserRow,
    "console_shared_cards": ConsoleSharedCardRow,
    "console_sign_in_result": ConsoleSignInRow,
    "console_sign_out": ConsoleSignOutRow,
    "count_residents": CountResidentsRow,
    "create_domain": DomainRow,
    "create_identity": EmpiIdRow,
    "create_merge": MergeIdRow,
    "create_resident": SourceRow,
    "create_review_item": ReviewStatusRow,
    "decide_review_item": DecidedItemRow,
    "detach_card": DetachCardRow,
    "ehc_add_bank_card": BankCardRow,
    "ehc_claim_account": ClaimedAccountRow,
    "ehc_demo_residents": DemoResidentRow,
    "ehc_find_account_by_key": AccountKeyRow,
    "ehc_get_account": AccountRow,
    "ehc_link_account": CardIdRow,
    "ehc_lock_account": AccountRow,
    "ehc_remove_bank_card": RemovedBankCardRow,
    "ehc_update_account": AccountOnlyRow,
    "emit_event": SeqRow,
    "find_candidates": CandidateRow,
    "find_identifier": IdentifierLock,
    "find_resident_by_source": SourceRow,
    "find_review_by_pair": ReviewStatusRow,
    "get_card": CardRow,
    "get_domain": DomainRow,
    "get_identity": IdentityRow,
    "get_merge": MergeRow,
    "get_resident": ResidentRow,
    "get_review_item": ReviewItemRow,
    "identity_graph": IdentityGraphRow,
    "identity_history": LinkEventRow,
    "identity_snapshot": IdentitySnapshotRow,
    "later_merges_touching": MergeIdRow,
    "link_same_as": ScoreRow,
    "link_same_as_manual": ManualLinkRow,
    "list_audit": AuditRow,
    "list_changes": ChangeRow,
    "list_constraints": ConstraintRow,
    "list_domains": DomainRow,
    "list_events_after": EventRow,
    "list_flagged_records": CandidateRow,
    "list_merges": MergeRow,
    "list_records_page": CandidateRow,
    "list_reviews": ReviewItemRow,
    "list_revoked_tokens": TokenRow,
    "list_same_as": SameAsRow,
    "lock_block_keys": LockedRow,
    "lock_identifier": IdentifierLock,
    "lock_identity": IdentityLock,
    "lock_merge": MergeRow,
    "lock_resident": CandidateRow,
    "lock_review_item": ReviewItemRow,
    "mark_identity_merged": EmpiIdRow,
    "metrics_outbox": OutboxRow,
    "metrics_review_backlog": ReviewBacklogRow,
    "move_records": MovedRow,
    "notify_create_subscription": SubscriptionRow,
    "notify_due_subscriptions": SubscriptionIdRow,
    "notify_get_subscription": SubscriptionStatsRow,
    "notify_list_deliveries": DeliveryRow,
    "notify_list_subscriptions": SubscriptionStatsRow,
    "notify_lock_subscription": LockedSubscriptionRow,
    "notify_next_events": NextEventsRow,
    "notify_pending_redrives": RedriveRow,
    "notify_prune_deliveries": PrunedDeliveriesRow,
    "notify_record_delivered": CursorRow,
    "notify_record_failure": DeliveryRow,
    "notify_redrive": RedrivenRow,
    "notify_release_lease": SubscriptionIdRow,
    "notify_replay": SubscriptionRow,
    "notify_set_lease": SubscriptionRow,
    "notify_supersede_failed": SupersededRow,
    "notify_update_subscription": SubscriptionRow,
    "pdq_search_identities": PdqIdentitiesRow,
    "pdq_search_residents": PdqResidentsRow,
    "pix_lookup": PixRow,
    "qr_consume_nonce": FreshRow,
    "qr_national_consume": NationalConsumeRow,
    "qr_national_issue": CreatedRow,
    "qr_national_purge": PurgedRow,
    "qr_purge_nonces": PurgedRow,
    "record_audit": AuditIdRow,
    "record_audits": WrittenRow,
    "record_link_event": LinkedRow,
    "remove_same_as_of": RemovedSameAsRow,
    "revoke_token": TokenRow,
    "seed_domains": SeedDomainsRow,
    "set_card_status": CardStatusRow,
    "snapshot_nodes": SnapshotNodeRow,
    "snapshot_relationships": SnapshotRelationshipRow,
    "stats_cards": StatsCardsRow,
    "stats_data_quality": StatsDataQualityRow,
    "stats_identities": StatsIdentitiesRow,
    "stats_merges_per_day": StatsMergesPerDayRow,
    "stats_records_by_domain": StatsRecordsByDomainRow,
    "stats_regions": StatsRegionsRow,
    "stats_registrations_per_day": StatsRegistrationsPerDayRow,
    "stats_reviews": StatsReviewsRow,
    "stats_supervision_daily": SupervisionDailyRow,
    "stats_supervision_daily_institution": SupervisionDailyRow,
    "stats_supervision_institution": SupervisionTotalsRow,
    "stats_supervision_institutions": SupervisionTotalsRow,
    "supervision_tally": TalliedRow,
    "undo_merge": MergeIdRow,
    "update_domain": DomainRow,
    "update_resident": VersionRow,
}
