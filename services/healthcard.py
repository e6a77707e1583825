"""Virtual health-card accounts (虚拟化账户管理): register, read, update, cancel, bind/unbind bank cards.

Registration: real-name check (offline at a terminal, or online four elements through the
identity-verifier port) -> the person in the master index by ID number (holders of the ID card), else
a new record through ``ResidentService.register`` (source domain ``EHC``, local id = account key, so
the matching engine decides) -> card id = keyed hash of the EMPI id -> account + ``EHC`` card in one
transaction with its event and audit record. Every write here records ``emit_event`` and
``record_audit`` in the same transaction.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TypedDict

from core.errors import Conflict, NotFound
from core.ids import new_id
from graph import healthcard as store
from graph import residents as repo
from graph.audit_buffer import AuditBuffer
from graph.driver import Graph, Transaction
from graph.rows import AccountRow, BankCardNode
from graph.trail import Actor, emit_event, record_audit
from healthcard.accounts import AccountStatus, VerificationMethod, check_cancel_reason
from healthcard.errors import AccountInactive, BankCardLimit, IdDocumentMismatch
from healthcard.ports import FourElements
from healthcard.runtime import HealthCardRuntime
from services.domain_ehc import Account, BankCard, OfflineCheck, OnlineCheck
from services.healthcard_models import (
    AccountChanges,
    AccountIn,
    AccountUpdate,
    BankCardIn,
    CancelIn,
    IdDocument,
    ReactivateIn,
    SuspendIn,
)
from services.models import check_real_name
from services.registry import ResidentService

__all__ = ["EHC_DOMAIN", "HealthCardService", "NewAccount"]


class NewAccount(TypedDict):
    """The properties of an account being registered (JSON text for the verification and preferences)."""

    account_id: str
    ehc_id: str
    empi_id: str
    resident_id: str
    verified_by: str
    verification: str
    nickname: str | None
    contact_preferences: str | None


EHC_DOMAIN = "EHC"
ID_DOMAIN = "ID"


class HealthCardService:
    """Account use cases; one Neo4j transaction per write (the master-index registration is its own)."""

    def __init__(
        self,
        graph: Graph,
        runtime: HealthCardRuntime,
        residents: ResidentService,
        audit: AuditBuffer | None = None,
    ) -> None:
        self.graph = graph
        self.rt = runtime
        self.residents = residents
        self.audit = audit

    # -- read ---------------------------------------------------------------------------------
    def raw(self, ehc_id: str) -> AccountRow | None:
        """``{account, card, resident, bank_cards, current_empi_id}`` or None."""
        return store.read_account(self.graph, ehc_id)

    def _require(self, ehc_id: str) -> AccountRow:
        found = self.raw(ehc_id)
        if found is None:
            raise NotFound(f"no e-health card account {ehc_id!r}", field="ehc_id")
        return found

    def get(self, ehc_id: str, actor: Actor | None = None) -> Account:
        view = Account.from_row(self._require(ehc_id))
        if self.audit is not None and actor is not None:
            self.audit.record(actor, "read", "ehc_account", ehc_id)
        return view

    def find_by_document(self, id_type: str, id_number: str) -> str | None:
        """The card id of the account of an ID document, if any."""
        found = self.graph.read(store.find_account_by_key, self.rt.account_keys.key(id_type, id_number))
        return str(found["ehc_id"]) if found else None

    # -- register -----------------------------------------------------------------------------
    def register(self, body: AccountIn, actor: Actor) -> tuple[Account, bool]:
        """Register (idempotent per ID document): the account view and whether it was created now."""
        verification = self._verify_identity(body)
        account_key = self.rt.account_keys.key(body.id_type, body.id_number)
        existing = self.graph.read(store.find_account_by_key, account_key)
        if existing is not None:
            return self.get(str(existing["ehc_id"])), False
        empi_id, resident_id = self._resolve_person(body, account_key, actor)
        ehc_id = self.rt.ehc_ids.derive(empi_id)
        props: NewAccount = {
            "account_id": new_id("EA"),
            "ehc_id": ehc_id,
            "empi_id": empi_id,
            "resident_id": resident_id,
            "verified_by": body.verification.method,
            "verification": json.dumps(verification, ensure_ascii=False),
            "nickname": body.nickname,
            "contact_preferences": json.dumps(body.contact_preferences.model_dump())
            if body.contact_preferences
            else None,
        }
        held, created = self.graph.write(self._register_tx, account_key, props, actor)
        return self.get(held), created

    def _verify_identity(self, body: AccountIn) -> OfflineCheck | OnlineCheck:
        v = body.verification
        if v.method == VerificationMethod.OFFLINE.value:
            return {
                "method": "offline",
                "terminal_id": v.terminal_id,
                "operator": v.operator,
                "institution": v.institution,
            }
        phone = v.phone or body.phone or ""
        check = self.rt.verifier.verify(FourElements(body.name, body.id_number, v.bank_card_number, phone))
        return {"method": "online", "provider": check.provider, "reference": check.reference}

    def _resolve_person(self, body: AccountIn, account_key: str, actor: Actor) -> tuple[str, str]:
        """(EMPI id, resident id): the holder of the ID card, else a record fed through the matching engine."""
        if body.id_type == "01":
            found = self.graph.read(repo.find_identifier, ID_DOMAIN, body.id_number)
            if found and found["holders"]:
                holder = found["holders"][0]
                return str(holder["empi_id"]), str(holder["resident_id"])
        registration = self.residents.register(body.resident(EHC_DOMAIN, account_key), actor)
        return registration.resident.empi_id, registration.resident.resident_id

    @staticmethod
    def _register_tx(tx: Transaction, account_key: str, props: NewAccount, actor: Actor) -> tuple[str, bool]:
        ehc_id = props["ehc_id"]
        other = store.get_account(tx, ehc_id)
        if other is not None and other["account"]["account_key"] != account_key:
            raise Conflict(
                "this person already has an e-health card registered with another ID document",
                field="id_number",
                code="account_exists",
            )
        account, created = store.claim_account(tx, account_key, dict(props))
        if not created:
            return str(account["ehc_id"]), False
        locked = repo.lock_identifier(
            tx, domain=EHC_DOMAIN, number=ehc_id, card_type="EHC", card_id=new_id("C"), issuer="ehc-empi"
        )
        if locked and any(h["empi_id"] != props["empi_id"] for h in locked["holders"]):
            raise Conflict("the e-health card id is held by another identity", field="ehc_id")
        repo.attach_card(
            tx,
            resident_id=props["resident_id"],
            domain=EHC_DOMAIN,
            number=ehc_id,
            rel_id=new_id("L"),
            app_domain=EHC_DOMAIN,
        )
        card_id = store.link_account(
            tx, account_key=account_key, resident_id=props["resident_id"], ehc_id=ehc_id
        )
        emit_event(
            tx,
            "account.registered",
            empi_id=props["empi_id"],
            resident_id=props["resident_id"],
            payload={
                "ehc_id": ehc_id,
                "account_id": props["account_id"],
                "card_id": card_id,
                "verified_by": props["verified_by"],
            },
        )
        record_audit(
            tx,
            actor,
            "register",
            "ehc_account",
            ehc_id,
            {"account_id": props["account_id"], "verified_by": props["verified_by"]},
        )
        return ehc_id, True

    # -- update -------------------------------------------------------------------------------
    def update(self, ehc_id: str, body: AccountUpdate, actor: Actor) -> Account:
        """Demographics to the master index (versioned change), account-only fields on the account."""
        found = self._require(ehc_id)
        if found["account"]["status"] != AccountStatus.ACTIVE.value:
            raise AccountInactive("a cancelled account cannot be changed", field="ehc_id")
        resident_fields = body.resident_fields()
        if resident_fields:
            # Real-name accounts stay strict: a changed birth date or gender must agree with the ID
            # document, though the master index would accept (and flag) the disagreement from a feed.
            resident = found["resident"]
            if resident is None:  # an account is linked to its record when it is registered
                raise NotFound(f"e-health card account {ehc_id!r} has no master-index record", field="ehc_id")
            check_real_name(
                {
                    "id_type": resident.get("id_type"),
                    "id_number": resident.get("id_number"),
                    **body.model_dump(include={"birth_date", "gender"} & set(resident_fields)),
                }
            )
            version = body.resident_version or int(resident["version"])
            self.residents.update(resident["resident_id"], body.resident_update(version), actor)
        account_changes = body.account_changes()
        if resident_fields or account_changes:
            self.graph.write(self._update_tx, ehc_id, account_changes, resident_fields, actor)
        return self.get(ehc_id)

    @staticmethod
    def _update_tx(
        tx: Transaction, ehc_id: str, changes: AccountChanges, resident_fields: list[str], actor: Actor
    ) -> None:
        found = store.lock_account(tx, ehc_id)
        if found is None:
            raise NotFound(f"no e-health card account {ehc_id!r}", field="ehc_id")
        if changes:
            store.update_account(tx, ehc_id, dict(changes))
        fields = {"account_fields": sorted(changes), "resident_fields": resident_fields}
        emit_event(
            tx,
            "account.updated",
            empi_id=found["account"]["empi_id"],
            resident_id=found["account"]["resident_id"],
            payload={"ehc_id": ehc_id, **fields},
        )
        record_audit(tx, actor, "update", "ehc_account", ehc_id, fields)

    # -- cancel -------------------------------------------------------------------------------
    def cancel(self, ehc_id: str, body: CancelIn, actor: Actor) -> Account:
        """Cancel for emigration or death only; the record stays, card and codes stop working."""
        check_cancel_reason(body.reason)
        self.graph.write(self._cancel_tx, ehc_id, body, actor)
        return self.get(ehc_id)

    @staticmethod
    def _cancel_tx(tx: Transaction, ehc_id: str, body: CancelIn, actor: Actor) -> None:
        found = store.lock_account(tx, ehc_id)
        if found is None:
            raise NotFound(f"no e-health card account {ehc_id!r}", field="ehc_id")
        account = found["account"]
        if account["status"] == AccountStatus.CANCELLED.value:
            raise AccountInactive("the account is already cancelled", field="ehc_id")
        resident_id = account["resident_id"]
        current = repo.lock_resident(tx, resident_id)
        previous = current["resident"].get("status") if current else None
        if current is not None and previous != body.reason:
            repo.update_resident(
                tx,
                resident_id=resident_id,
                changes={"status": body.reason},
                change_id=new_id("X"),
                by=actor.sub,
                kind="ehc_cancel",
                fields=[{"field": "status", "old": previous, "new": body.reason}],
            )
        if found["card"]:
            repo.set_card_status(tx, found["card"]["card_id"], "cancelled", body.reason)
        evidence = body.evidence.model_dump(mode="json")
        store.update_account(
            tx,
            ehc_id,
            {
                "status": AccountStatus.CANCELLED.value,
                "cancel_reason": body.reason,
                "cancel_note": body.note,
                "cancel_evidence": json.dumps(evidence, ensure_ascii=False),
                "cancelled_at": datetime.now(UTC),
                "cancelled_by": actor.sub,
                "static_jti": None,
            },
        )
        payload = {
            "ehc_id": ehc_id,
            "reason": body.reason,
            "evidence": evidence,
            "resident_status": body.reason,
        }
        emit_event(
            tx, "account.cancelled", empi_id=account["empi_id"], resident_id=resident_id, payload=payload
        )
        record_audit(tx, actor, "cancel", "ehc_account", ehc_id, payload)

    # -- suspend (挂失) and reactivate (解挂) ---------------------------------------------------------
    def suspend(self, ehc_id: str, body: SuspendIn, actor: Actor) -> Account:
        """Suspend the card: its codes stop verifying and no new ones are issued; the account stays."""
        self.graph.write(self._card_status_tx, ehc_id, "suspended", body.reason, body.note, actor)
        return self.get(ehc_id)

    def reactivate(self, ehc_id: str, body: ReactivateIn, actor: Actor) -> Account:
        """Lift a suspension, on presentation of the holder's ID document."""
        self.graph.write(self._card_status_tx, ehc_id, "active", None, body.note, actor, body)
        return self.get(ehc_id)

    def _card_status_tx(
        self,
        tx: Transaction,
        ehc_id: str,
        status: str,
        reason: str | None,
        note: str | None,
        actor: Actor,
        document: IdDocument | None = None,
    ) -> None:
        found = store.lock_account(tx, ehc_id)
        if found is None:
            raise NotFound(f"no e-health card account {ehc_id!r}", field="ehc_id")
        account, card = found["account"], found["card"]
        if account["status"] != AccountStatus.ACTIVE.value or card is None or card["status"] == "cancelled":
            raise AccountInactive(
                "a cancelled account's card cannot be suspended or reactivated", field="ehc_id"
            )
        if document is not None and not self.rt.account_keys.matches(
            account["account_key"], document.id_type, document.id_number
        ):
            raise IdDocumentMismatch(
                "the ID document presented is not the account holder's; reactivating the "
                "card needs the holder's own ID document",
                field="id_number",
            )
        if card["status"] == status:
            raise Conflict(
                f"the e-health card is {status} already", field="ehc_id", code="card_status_unchanged"
            )
        repo.set_card_status(tx, card["card_id"], status, reason)
        action, event = (
            ("suspend", "account.suspended")
            if status == "suspended"
            else ("reactivate", "account.reactivated")
        )
        payload = {"ehc_id": ehc_id, "card_status": status, "reason": reason, "note": note}
        emit_event(tx, event, empi_id=account["empi_id"], resident_id=account["resident_id"], payload=payload)
        record_audit(tx, actor, action, "ehc_account", ehc_id, payload)

    # -- bank cards ---------------------------------------------------------------------------
    def bind_bank_card(self, ehc_id: str, body: BankCardIn, actor: Actor) -> tuple[BankCard, bool]:
        """Bind a Luhn-valid card (token + bank + last four); binding the same card again is a no-op."""
        record = self.rt.bank_cards.tokenize(body.bank_card_number)
        card, created = self.graph.write(
            self._bind_tx,
            ehc_id,
            record.token,
            record.bank,
            record.last4,
            record.length,
            self.rt.settings.max_bank_cards,
            actor,
        )
        return BankCard.from_row(card), created

    @staticmethod
    def _bind_tx(
        tx: Transaction, ehc_id: str, token: str, bank: str, last4: str, length: int, limit: int, actor: Actor
    ) -> tuple[BankCardNode, bool]:
        found = store.lock_account(tx, ehc_id)
        if found is None:
            raise NotFound(f"no e-health card account {ehc_id!r}", field="ehc_id")
        if found["account"]["status"] != AccountStatus.ACTIVE.value:
            raise AccountInactive("a cancelled account cannot bind bank cards", field="ehc_id")
        for bound in found["bank_cards"]:
            if bound["token"] == token:
                return bound, False
        if len(found["bank_cards"]) >= limit:
            raise BankCardLimit(
                f"an account can bind at most {limit} bank cards; unbind one first",
                field="bank_card_number",
                details={"limit": limit},
            )
        card = store.add_bank_card(
            tx, ehc_id, bank_card_id=new_id("BC"), token=token, bank=bank, last4=last4, length=length
        )
        payload = {"ehc_id": ehc_id, "bank_card_id": card["bank_card_id"], "bank": bank, "last4": last4}
        emit_event(
            tx,
            "account.bank_bound",
            empi_id=found["account"]["empi_id"],
            resident_id=found["account"]["resident_id"],
            payload=payload,
        )
        record_audit(tx, actor, "bind_bank_card", "ehc_account", ehc_id, payload)
        return card, True

    def unbind_bank_card(
        self, ehc_id: str, bank_card_id: str, document: IdDocument, actor: Actor
    ) -> BankCard:
        """Unbind, on presentation of the holder's ID document."""
        return BankCard.from_row(self.graph.write(self._unbind_tx, ehc_id, bank_card_id, document, actor))

    def _unbind_tx(
        self, tx: Transaction, ehc_id: str, bank_card_id: str, document: IdDocument, actor: Actor
    ) -> BankCardNode:
        found = store.lock_account(tx, ehc_id)
        if found is None:
            raise NotFound(f"no e-health card account {ehc_id!r}", field="ehc_id")
        if not self.rt.account_keys.matches(
            found["account"]["account_key"], document.id_type, document.id_number
        ):
            raise IdDocumentMismatch(
                "the ID document presented is not the account holder's; unbinding a bank "
                "card needs the holder's own ID document",
                field="id_number",
            )
        gone = store.remove_bank_card(tx, ehc_id, bank_card_id)
        if gone is None:
            raise NotFound(f"no bank card {bank_card_id!r} bound to this account", field="bank_card_id")
        payload = {
            "ehc_id": ehc_id,
            "bank_card_id": bank_card_id,
            "bank": gone["bank"],
            "last4": gone["last4"],
        }
        emit_event(
            tx,
            "account.bank_unbound",
            empi_id=found["account"]["empi_id"],
            resident_id=found["account"]["resident_id"],
            payload=payload,
        )
        record_audit(tx, actor, "unbind_bank_card", "ehc_account", ehc_id, payload)
        return gone
