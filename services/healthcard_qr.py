"""QR codes of the virtual health card (二维码管理): issue static / dynamic / combined payment codes,
print labels at institution terminals, and verify codes at care steps (医疗机构实现).

Verification order: signature and key id -> expiry -> the scene accepts the code (type, purpose,
combined at payment scenes) -> card active (account and EHC card) -> static code not revoked ->
one-time nonce consumed atomically in Neo4j -> payment part checked by the provider. Each refusal
raises its own ``QrError`` code; every verification, accepted or refused, leaves an audit entry.

The national plain form has no signature; what makes one genuine is the service's record of issuing
it. A dynamic one (``<ehc id>:0:<time>``) is recorded at issue as a ``NationalQr`` node and consumed
once at verify; a static one (``<ehc id>:1``) is the account's current static code like a signed one
(``static_jti`` = ``nat-...``), so any later static issue revokes it and it revokes the one before.
"""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypedDict

from core.errors import Conflict, EhcError, NotFound, Unavailable
from core.freejson import FreeJson
from graph import healthcard as store
from graph.audit_buffer import AuditBuffer
from graph.driver import Graph, Transaction
from graph.national_qr import consume_national, record_national
from graph.rows import AccountRow
from graph.trail import Actor, emit_event, record_audit
from healthcard.accounts import AccountStatus, ResidentSummary, parse_function, resident_summary
from healthcard.combined import is_combined, issue_combined, split, verify_combined
from healthcard.errors import (
    AccountInactive,
    IdDocumentMismatch,
    QrCardInactive,
    QrForged,
    QrReplayed,
    QrRevoked,
    QrTypeNotAllowed,
    QrWrongScene,
)
from healthcard.label import LabelSpec, card_hint, render_label
from healthcard.national import BEIJING, national_dynamic, national_static, parse_national
from healthcard.qr import qr_info, render_png, render_svg
from healthcard.runtime import HealthCardRuntime
from healthcard.scenes import BusinessFunction, QrRule, Scene
from healthcard.supervision import verification_tally
from healthcard.tokens import IssuedToken, QrClaims, QrType, check_ttl, verify_token
from services.healthcard import HealthCardService
from services.healthcard_models import PrintRequest, QrRequest, VerifyRequest

__all__ = ["IssuedQr", "IssuedQrView", "PrintedQr", "QrAnswer", "QrService", "QrVerified"]

_NATIONAL = re.compile(r"^[0-9A-F]{64}:")
_NATIONAL_STATIC = "nat-"  # static_jti prefix of a national plain-form static code
_SAME_SECOND_TRIES = 10  # dynamic national codes of one card issued within one second get earlier stamps
_TYPE_NAMES = {QrType.STATIC: "static", QrType.DYNAMIC: "dynamic"}


class QrImage(TypedDict):
    media_type: str | None
    base64: str


class IssuedQrView(TypedDict):
    """An issued code as the API shows it (``IssuedQr.public``)."""

    payload: str
    type: str
    function: str
    form: str
    expires_at: int | None
    token_id: str | None
    kid: str | None
    qr: dict[str, object]
    payment: dict[str, object] | None
    image: QrImage | None


class StaticCode(TypedDict, total=False):
    """The account's current static code, as an issue writes it on the account."""

    static_jti: str
    static_kid: str | None
    static_issued_at: int
    national_static_issued_at: int  # a national-form issue only


class QrTokenFacts(TypedDict):
    """What the verified code itself says (None for the unsigned national form)."""

    token_id: str | None
    kid: str | None
    purpose: str | None
    expires_at: int | None
    payment: dict[str, str] | None


class QrAnswer(QrTokenFacts):
    """A code that verified: whose card it is and what the scene may know of the holder."""

    valid: bool
    ehc_id: str
    empi_id: str | None
    type: str
    form: str
    resident: ResidentSummary


class SceneView(TypedDict):
    code: str
    name: str
    function: str
    rule: str


class ChannelView(TypedDict):
    code: str
    name: str


class QrVerified(QrAnswer):
    """``QrAnswer`` with the care step, channel, terminal and institution it was scanned at."""

    scene: SceneView
    channel: ChannelView
    terminal_id: str | None
    institution: str


@dataclass(frozen=True, slots=True)
class IssuedQr:
    payload: str
    qr_type: str
    function: str
    form: str  # signed | combined | national
    expires_at: int | None
    token_id: str | None
    kid: str | None
    qr: dict[str, object]
    image: bytes | None = None
    media_type: str | None = None
    payment: dict[str, object] | None = None

    def public(self) -> IssuedQrView:
        out: IssuedQrView = {
            "payload": self.payload,
            "type": self.qr_type,
            "function": self.function,
            "form": self.form,
            "expires_at": self.expires_at,
            "token_id": self.token_id,
            "kid": self.kid,
            "qr": self.qr,
            "payment": self.payment,
            "image": None,
        }
        if self.image is not None:
            out["image"] = {
                "media_type": self.media_type,
                "base64": base64.b64encode(self.image).decode("ascii"),
            }
        return out


@dataclass(frozen=True, slots=True)
class PrintedQr:
    image: bytes
    media_type: str
    ehc_id: str
    qr: dict[str, object]


def _require_active(found: AccountRow | None) -> None:
    """Refuse the scan unless the code's card has an account that may verify: not cancelled, its card
    active (cypher/ehc_verify_consume.cypher spends a dynamic code on the same condition)."""
    if found is None:
        raise QrCardInactive(
            "no e-health card account holds this card", field="token", code="qr_card_unknown"
        )
    status = found["account"]["status"]
    card_status = (found["card"] or {}).get("status", "active")
    if status == AccountStatus.CANCELLED.value or card_status == "cancelled":
        reason = found["account"].get("cancel_reason")
        raise QrCardInactive(
            "the e-health card is cancelled; its QR codes no longer verify",
            field="token",
            code="qr_card_cancelled",
            details={"reason": reason} if reason else None,
        )
    if card_status != "active":
        raise QrCardInactive(
            f"the e-health card is {card_status}; its QR codes do not verify now",
            field="token",
            code=f"qr_card_{card_status}",
        )


@dataclass(slots=True)
class _Seen:
    """What the checks learnt about the code's card, for the audit entry and the answer."""

    found: AccountRow | None = None
    card_id: str | None = None


class _SpendWithAccount:
    """The ``NonceStore`` of one scan of a dynamic code: spends it as the graph's store does, and reads its
    card's account in the same transaction (one statement, ``Neo4jNonceStore.consume_for_account``),
    so a scan is one round trip instead of a read and then a write. A card whose account may not verify
    is refused there and its code stays unspent, as when the account was checked before spending it."""

    def __init__(self, nonces: store.Neo4jNonceStore, seen: _Seen) -> None:
        self.nonces = nonces
        self.seen = seen

    def consume(self, jti: str, exp: int) -> bool:
        if self.seen.card_id is None:  # the checks before spending name the card
            raise QrCardInactive("the code names no e-health card", field="token", code="qr_card_unknown")
        found = self.nonces.consume_for_account(self.seen.card_id, jti, exp)
        self.seen.found = found
        _require_active(found)
        return bool(found and found["fresh"])


class QrService:
    def __init__(
        self,
        graph: Graph,
        runtime: HealthCardRuntime,
        accounts: HealthCardService,
        nonces: store.Neo4jNonceStore,
        audit: AuditBuffer | None = None,
    ) -> None:
        self.graph = graph
        self.rt = runtime
        self.accounts = accounts
        self.nonces = nonces
        self.audit = audit

    # -- issue --------------------------------------------------------------------------------
    def issue(self, ehc_id: str, req: QrRequest, actor: Actor) -> IssuedQr:
        """A code for a business function; static only where the function allows it."""
        function = parse_function(req.function)
        required = self.rt.rules.qr_type_for(function)
        qr_type = QrType.DYNAMIC if req.type == "dynamic" else required
        if req.type == "static" and required is QrType.DYNAMIC:
            raise QrTypeNotAllowed(
                f"{function.name.lower()} needs a dynamic code; a static code is not allowed", field="type"
            )
        found = self._active(ehc_id)
        if req.format == "national":
            return self._national(ehc_id, function, qr_type, req.ttl, actor)
        if qr_type is QrType.STATIC:
            issued = self._issue_static(ehc_id, "issue", actor)
            return self._rendered(issued.token, issued, function, "signed", req.format)
        if function is BusinessFunction.PAYMENT:
            account_ref = self._payment_account(found, req.bank_card_id)
            combined = issue_combined(
                self.rt.issuer, self.rt.payment, card_id=ehc_id, account_ref=account_ref, ttl=req.ttl
            )
            self._audit(
                actor, "qr_issue", ehc_id, {"type": "dynamic", "function": function.value, "combined": True}
            )
            return self._rendered(
                combined.payload,
                combined.token,
                function,
                "combined",
                req.format,
                payment={
                    "provider": combined.payment.provider,
                    "expires_at": combined.payment.expires_at,
                    "account_ref": account_ref,
                },
            )
        dynamic = self.rt.issuer.issue_dynamic(ehc_id, function.value, ttl=req.ttl)
        self._audit(actor, "qr_issue", ehc_id, {"type": "dynamic", "function": function.value})
        return self._rendered(dynamic.token, dynamic, function, "signed", req.format)

    def _active(self, ehc_id: str) -> AccountRow:
        found = self.accounts.raw(ehc_id)
        if found is None:
            raise NotFound(f"no e-health card account {ehc_id!r}", field="ehc_id")
        if found["account"]["status"] != AccountStatus.ACTIVE.value:
            raise AccountInactive("the account is cancelled; it gets no QR codes", field="ehc_id")
        if found["card"] and found["card"]["status"] != "active":
            raise AccountInactive(
                f"the e-health card is {found['card']['status']}; it gets no QR codes",
                field="ehc_id",
                code="card_inactive",
            )
        return found

    @staticmethod
    def _payment_account(found: AccountRow, bank_card_id: str | None) -> str:
        cards = found["bank_cards"]
        if bank_card_id is not None:
            if not any(c["bank_card_id"] == bank_card_id for c in cards):
                raise NotFound(f"no bank card {bank_card_id!r} bound to this account", field="bank_card_id")
            return bank_card_id
        return str(cards[0]["bank_card_id"]) if cards else str(found["account"]["account_id"])

    def _national(
        self, ehc_id: str, function: BusinessFunction, qr_type: QrType, ttl: int | None, actor: Actor
    ) -> IssuedQr:
        if self.rt.rules.config.functions[function] is QrRule.DYNAMIC_REQUIRED:
            raise QrTypeNotAllowed(
                "the national plain form is unsigned: it serves identity steps only; "
                f"{function.name.lower()} needs a signed dynamic code",
                field="format",
            )
        expires = None
        if qr_type is QrType.STATIC:
            payload = national_static(ehc_id)
            now = int(self.rt.clock())
            self.graph.write(
                self._static_tx,
                ehc_id,
                _NATIONAL_STATIC + secrets.token_hex(12),
                None,
                now,
                "issue",
                actor,
                "national",
            )
        else:
            expires, payload = self._record_national_dynamic(ehc_id, ttl)
        self._audit(actor, "qr_issue", ehc_id, {"type": _TYPE_NAMES[qr_type], "form": "national"})
        image = render_png(payload)
        return IssuedQr(
            payload,
            _TYPE_NAMES[qr_type],
            function.value,
            "national",
            expires,
            None,
            None,
            qr_info(payload).as_dict(),
            image,
            "image/png",
        )

    def _record_national_dynamic(self, ehc_id: str, ttl: int | None) -> tuple[int, str]:
        """Record a new national dynamic code (valid 30-300 s); returns (valid until, text)."""
        now = int(self.rt.clock())
        expires = now + check_ttl(ttl or self.rt.issuer.default_ttl)
        for earlier in range(_SAME_SECOND_TRIES):
            payload = national_dynamic(ehc_id, expires - earlier)
            if self.graph.write(
                record_national,
                code=payload,
                ehc_id=ehc_id,
                jti="natd-" + secrets.token_hex(16),
                exp=expires - earlier,
                issued_at=now,
            ):
                return expires - earlier, payload
        raise Conflict(
            "too many national dynamic codes for this card this second; try again",
            field="format",
            code="qr_issue_busy",
        )

    def _issue_static(self, ehc_id: str, why: str, actor: Actor) -> IssuedToken:
        issued = self.rt.issuer.issue_static(ehc_id)
        c = issued.claims
        self.graph.write(self._static_tx, ehc_id, c.token_id, c.kid, c.issued_at, why, actor, "signed")
        return issued

    @staticmethod
    def _static_tx(
        tx: Transaction,
        ehc_id: str,
        token_id: str,
        kid: str | None,
        issued_at: int,
        why: str,
        actor: Actor,
        form: str,
    ) -> None:
        """Make this the account's one static code (revoking the previous one, whatever its form)."""
        found = store.lock_account(tx, ehc_id)
        if found is None:
            raise NotFound(f"no e-health card account {ehc_id!r}", field="ehc_id")
        account = found["account"]
        if account["status"] != AccountStatus.ACTIVE.value:
            raise AccountInactive("the account is cancelled; it gets no QR codes", field="ehc_id")
        changes: StaticCode = {"static_jti": token_id, "static_kid": kid, "static_issued_at": issued_at}
        if form == "national":
            changes["national_static_issued_at"] = issued_at
        store.update_account(tx, ehc_id, dict(changes))
        payload = {
            "ehc_id": ehc_id,
            "kid": kid,
            "via": why,
            "form": form,
            "previous_revoked": account.get("static_jti") is not None,
        }
        emit_event(
            tx,
            "qr.static_issued",
            empi_id=account["empi_id"],
            resident_id=account["resident_id"],
            payload=payload,
        )
        record_audit(tx, actor, "qr_static_issue", "ehc_account", ehc_id, payload)

    @staticmethod
    def _rendered(
        payload: str,
        issued: IssuedToken,
        function: BusinessFunction,
        form: str,
        fmt: str,
        payment: dict[str, object] | None = None,
    ) -> IssuedQr:
        image: bytes | None = None
        media_type = None
        if fmt == "png":
            image, media_type = render_png(payload), "image/png"
        elif fmt == "svg":
            image, media_type = render_svg(payload).encode("utf-8"), "image/svg+xml"
        c = issued.claims
        return IssuedQr(
            payload,
            _TYPE_NAMES[c.qr_type],
            function.value,
            form,
            c.expires_at,
            c.token_id,
            c.kid,
            qr_info(payload).as_dict(),
            image,
            media_type,
            payment,
        )

    # -- print --------------------------------------------------------------------------------
    def print_code(self, req: PrintRequest, actor: Actor) -> PrintedQr:
        """A new static code (the previous one is revoked) as a print-ready label (``size``, ``dpi``), PNG or SVG."""
        ehc_id = self.accounts.find_by_document(req.id_type, req.id_number)
        if ehc_id is None:
            raise NotFound("no e-health card account for this ID document; register first", field="id_number")
        found = self._active(ehc_id)
        name = "".join(str((found["resident"] or {}).get("name") or "").split())
        if "".join(req.name.split()) != name:
            raise IdDocumentMismatch("the name does not match the ID document's holder", field="name")
        token = self._issue_static(ehc_id, "print", actor).token
        info = qr_info(token).as_dict()
        if req.format == "svg":
            return PrintedQr(render_svg(token).encode("utf-8"), "image/svg+xml", ehc_id, info)
        if req.format == "png":
            return PrintedQr(render_png(token), "image/png", ehc_id, info)
        label = render_label(
            token,
            name=name,
            hint=card_hint(ehc_id),
            spec=LabelSpec.named(req.size, req.dpi),
            font_path=self.rt.label_font,
        )
        return PrintedQr(label, "image/png", ehc_id, info)

    # -- verify -------------------------------------------------------------------------------
    def verify(self, req: VerifyRequest, actor: Actor) -> QrVerified:
        """Verify a scanned code at a care step; refusals raise their ``QrError`` after being audited."""
        detail: FreeJson = {
            "scene": req.scene,
            "care_step": req.scene,
            "channel": req.channel,
            "terminal_id": req.terminal_id,
            "institution": req.institution,
        }
        seen = _Seen()
        function: str | None = None
        try:
            scene = self.rt.rules.scene(req.scene)
            function = scene.function.value
            channel = self.rt.rules.channel(req.channel)
            detail["scene"] = scene.code
            result = self._verify(req.payload.strip(), scene, req.scene, seen)
        except Unavailable:
            raise  # the database is down: no audit entry can be written either (nor is one owed: nothing was checked)
        except EhcError as exc:
            self._audit(
                actor,
                "qr_verify",
                seen.card_id,
                {**detail, "result": "refused", "code": exc.code},
                tally=self._tally(req.institution, detail["scene"], function, exc.code),
            )
            raise
        self._audit(
            actor,
            "qr_verify",
            result["ehc_id"],
            {**detail, "result": "accepted", "type": result["type"], "form": result["form"]},
            tally=self._tally(req.institution, scene.code, function, None),
        )
        return {
            **result,
            "scene": {
                "code": scene.code,
                "name": scene.name,
                "function": scene.function.value,
                "rule": self.rt.rules.rule_of(scene).value,
            },
            "channel": {"code": channel.code, "name": channel.name},
            "terminal_id": req.terminal_id,
            "institution": req.institution,
        }

    def _verify(self, payload: str, scene: Scene, scene_code: str, seen: _Seen) -> QrAnswer:
        now = self.rt.clock()
        leeway = self.rt.settings.verify_leeway_seconds
        if _NATIONAL.match(payload):
            return self._verify_national(payload, scene, seen)
        paying = scene.function is BusinessFunction.PAYMENT

        def check(claims: QrClaims) -> None:
            seen.card_id = claims.card_id
            self.rt.rules.check(scene_code, claims)
            if paying and not is_combined(payload):
                raise QrWrongScene(
                    f"{scene.name} needs the combined payment code (二码合一)",
                    field="token",
                    details={"reason": "combined_required", "scene": scene.code},
                )
            if claims.qr_type is QrType.DYNAMIC:
                return  # its account is read, and checked, as the code is spent (_SpendWithAccount)
            self._card_active(claims.card_id, seen)
            account = seen.found["account"] if seen.found else {}
            if account.get("static_jti") != claims.token_id:
                raise QrRevoked(
                    "this static QR code was replaced by a newer one (or revoked); use the new code",
                    field="token",
                )

        nonces = _SpendWithAccount(self.nonces, seen)

        payment = None
        if paying and is_combined(payload):
            verified = verify_combined(
                payload,
                self.rt.keys,
                nonce_store=nonces,
                provider=self.rt.payment,
                before_consume=check,
                now=now,
                leeway=leeway,
            )
            claims = verified.claims
            payment = {
                "payment_ref": verified.payment.payment_ref,
                "account_ref": verified.payment.account_ref,
            }
        else:
            token = split(payload).token if is_combined(payload) else payload
            claims = verify_token(
                token, self.rt.keys, nonce_store=nonces, before_consume=check, now=now, leeway=leeway
            )
        return self._answer(
            claims.card_id,
            scene,
            seen,
            qr_type=claims.qr_type,
            form="combined" if is_combined(payload) else "signed",
            extra={
                "token_id": claims.token_id,
                "kid": claims.kid,
                "purpose": claims.purpose,
                "expires_at": claims.expires_at,
                "payment": payment,
            },
        )

    def _verify_national(self, payload: str, scene: Scene, seen: _Seen) -> QrAnswer:
        code = parse_national(payload)
        seen.card_id = code.card_id
        code.check_valid(
            datetime.fromtimestamp(self.rt.clock(), UTC), leeway=self.rt.settings.verify_leeway_seconds
        )
        if self.rt.rules.rule_of(scene) is QrRule.DYNAMIC_REQUIRED:
            raise QrWrongScene(
                f"{scene.name} needs a signed dynamic code; the unsigned national plain form "
                "serves identity steps only",
                field="token",
                details={"reason": "signed_required", "scene": scene.code},
            )
        self._card_active(code.card_id, seen)
        expires = int(code.valid_until.timestamp()) if code.valid_until else None
        if code.qr_type is QrType.STATIC:
            self._national_static_current(seen.found)
        else:
            used = consume_national(self.graph, payload)
            if used is None:
                raise QrForged(
                    "the service never issued this national dynamic code",
                    field="token",
                    details={"reason": "not_issued"},
                )
            if not used.fresh:
                raise QrReplayed("this dynamic QR code was already used", field="token")
        return self._answer(
            code.card_id,
            scene,
            seen,
            qr_type=code.qr_type,
            form="national",
            extra={"token_id": None, "kid": None, "purpose": None, "expires_at": expires, "payment": None},
        )

    @staticmethod
    def _national_static_current(found: AccountRow | None) -> None:
        """``<ehc id>:1`` verifies only while a national static issue is the account's current static code."""
        account = found["account"] if found else None
        if account is not None and str(account.get("static_jti") or "").startswith(_NATIONAL_STATIC):
            return
        if account is None or account.get("national_static_issued_at") is None:
            raise QrForged(
                "the service never issued a national static code for this card",
                field="token",
                details={"reason": "not_issued"},
            )
        raise QrRevoked(
            "this static QR code was replaced by a newer one (or revoked); use the new code", field="token"
        )

    def _card_active(self, card_id: str, seen: _Seen) -> None:
        seen.found = self.accounts.raw(card_id)
        _require_active(seen.found)

    @staticmethod
    def _answer(
        card_id: str, scene: Scene, seen: _Seen, *, qr_type: QrType, form: str, extra: QrTokenFacts
    ) -> QrAnswer:
        found = seen.found
        empi_id = (found["current_empi_id"] or found["account"].get("empi_id")) if found else None
        resident = (found["resident"] if found else None) or {}
        return {
            "valid": True,
            "ehc_id": card_id,
            "empi_id": empi_id,
            "type": _TYPE_NAMES[qr_type],
            "form": form,
            "resident": resident_summary(resident, scene.function),
            "token_id": extra["token_id"],
            "kid": extra["kid"],
            "purpose": extra["purpose"],
            "expires_at": extra["expires_at"],
            "payment": extra["payment"],
        }

    def _tally(
        self, institution: str, step: str, function: str | None, refusal: str | None
    ) -> list[dict[str, Any]]:
        """Supervision counters of this verification, on the Beijing calendar day."""
        day = datetime.fromtimestamp(self.rt.clock(), BEIJING).date().isoformat()
        return verification_tally(
            institution=institution, step=step, day=day, function=function, refusal=refusal
        )

    def _audit(
        self,
        actor: Actor,
        action: str,
        resource_id: str | None,
        detail: FreeJson,
        tally: list[dict[str, Any]] | None = None,
    ) -> None:
        if self.audit is not None:
            self.audit.record(actor, action, "ehc_card", resource_id, detail, tally=tally)
