"""The sandbox services as real local HTTP processes, called through the HTTP clients."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from healthcard.bank import luhn_check_digit
from healthcard.combined import issue_combined, split, verify_combined
from healthcard.errors import IdentityNotVerified, PaymentRejected, ProviderUnavailable, QrForged, QrReplayed
from healthcard.keys import QrKeyStore
from healthcard.ports import FourElements
from healthcard.providers import HttpIdentityVerifier, HttpPaymentProvider
from healthcard.sandbox import payment as sandbox_payment
from healthcard.sandbox import verifier as sandbox_verifier
from healthcard.scenes import SceneRules, default_scene_config
from healthcard.tokens import InMemoryNonceStore, TokenIssuer
from tests.sandbox.services import Service, free_port

OTHER_CARD = "A" * 64
CARD = "6222020200112345" + "67"
CARD += luhn_check_digit(CARD)  # 19 digits, ICBC BIN, Luhn-valid
PHONE = "1380013" + CARD[-4:]  # the sandbox rule: same last four digits


@pytest.fixture()
def payments(payment_service: Service) -> Iterator[HttpPaymentProvider]:
    with HttpPaymentProvider(payment_service.url) as client:
        yield client


@pytest.fixture()
def verifier(verifier_service: Service) -> Iterator[HttpIdentityVerifier]:
    with HttpIdentityVerifier(verifier_service.url) as client:
        yield client


def _reason(exc: pytest.ExceptionInfo[PaymentRejected] | pytest.ExceptionInfo[IdentityNotVerified]) -> str:
    return str(exc.value.details["reason"])


def test_services_run_as_separate_processes(payment_service: Service, verifier_service: Service) -> None:
    assert payment_service.process.poll() is None and verifier_service.process.poll() is None
    assert payment_service.process.pid != verifier_service.process.pid


def test_payment_code_verifies_once(payments: HttpPaymentProvider, card_id: str) -> None:
    code = payments.request_payment_code(card_id=card_id, account_ref="bc_token")
    assert code.provider == "sandbox" and len(code.data) == 18 and code.data.startswith("28")
    check = payments.verify_payment_code(code.data, card_id=card_id)
    assert (check.card_id, check.account_ref) == (card_id, "bc_token")
    assert check.payment_ref == f"sbx-{code.data[2:12]}"
    with pytest.raises(PaymentRejected) as used:
        payments.verify_payment_code(code.data, card_id=card_id)
    assert used.value.code == "payment_rejected" and _reason(used) == "payment_code_used"


def test_payment_refusals_have_their_reasons(payments: HttpPaymentProvider, card_id: str) -> None:
    code = payments.request_payment_code(card_id=card_id, account_ref="bc_token")
    forged = code.data[:12] + f"{(int(code.data[12:]) + 1) % 10**6:06d}"
    cases = {
        "payment_code_forged": (forged, card_id),
        "card_mismatch": (code.data, OTHER_CARD),
        "payment_code_malformed": ("12345", card_id),
        "payment_code_unknown": (
            "28" + "9" * 16 if not code.data.startswith("289999999999") else "28" + "8" * 16,
            card_id,
        ),
    }
    for reason, (data, card) in cases.items():
        with pytest.raises(PaymentRejected) as caught:
            payments.verify_payment_code(data, card_id=card)
        assert _reason(caught) == reason
    with pytest.raises(PaymentRejected) as declined:
        payments.request_payment_code(card_id=card_id, account_ref=sandbox_payment.DECLINED_ACCOUNT)
    assert _reason(declined) == "account_declined"
    assert payments.verify_payment_code(code.data, card_id=card_id).card_id == card_id  # still unused


def test_combined_code_end_to_end(
    payments: HttpPaymentProvider, keystore: QrKeyStore, issuer: TokenIssuer, card_id: str
) -> None:
    rules = SceneRules(default_scene_config())
    nonces = InMemoryNonceStore()
    combined = issue_combined(issuer, payments, card_id=card_id, account_ref="bc_token")
    parts = split(combined.payload)
    assert parts.token == combined.token.token and parts.payment_data == combined.payment.data
    assert combined.token.claims.purpose == "pay" and combined.token.claims.payment_hash
    result = verify_combined(
        combined.payload,
        keystore,
        nonce_store=nonces,
        provider=payments,
        before_consume=rules.checker("outpatient_payment"),
    )
    assert result.claims.card_id == card_id and result.payment.card_id == card_id
    with pytest.raises(QrReplayed):
        verify_combined(combined.payload, keystore, nonce_store=nonces, provider=payments)


def test_payment_part_cannot_be_moved_to_another_token(
    payments: HttpPaymentProvider, keystore: QrKeyStore, issuer: TokenIssuer, card_id: str
) -> None:
    nonces = InMemoryNonceStore()
    mine = issue_combined(issuer, payments, card_id=card_id, account_ref="bc_token")
    theirs = issue_combined(issuer, payments, card_id=card_id, account_ref="bc_other")
    spliced = f"{split(mine.payload).token}~{split(theirs.payload).payment_data}"
    with pytest.raises(QrForged) as caught:
        verify_combined(spliced, keystore, nonce_store=nonces, provider=payments)
    assert caught.value.details["reason"] == "payment_mismatch"
    plain = issuer.issue_dynamic(card_id, "pay").token  # a token with no payment binding at all
    with pytest.raises(QrForged):
        verify_combined(f"{plain}~{mine.payment.data}", keystore, nonce_store=nonces, provider=payments)
    # Neither refusal spent the genuine code.
    assert verify_combined(
        mine.payload, keystore, nonce_store=nonces, provider=payments
    ).payment.account_ref == ("bc_token")


def test_four_elements_consistent_by_the_sandbox_rule(verifier: HttpIdentityVerifier) -> None:
    check = verifier.verify(FourElements("张三", "11010519491231002X", CARD, PHONE))
    assert check.provider == "sandbox" and check.reference.startswith("sbx-")


@pytest.mark.parametrize(
    ("elements", "reason"),
    [
        (FourElements("张三", "11010519491231002X", CARD, "13800130000"), "elements_mismatch"),
        (FourElements("张三", "110105194912310021", CARD, PHONE), "id_number_invalid"),
        (
            FourElements("张三", "11010519491231002X", CARD[:-1] + str((int(CARD[-1]) + 1) % 10), PHONE),
            "bank_card_invalid",
        ),
        (FourElements("张三", "11010519491231002X", CARD, "02012345678"), "phone_invalid"),
        (FourElements("3", "11010519491231002X", CARD, PHONE), "name_invalid"),
    ],
)
def test_four_elements_refusals(verifier: HttpIdentityVerifier, elements: FourElements, reason: str) -> None:
    with pytest.raises(IdentityNotVerified) as caught:
        verifier.verify(elements)
    assert caught.value.code == "identity_not_verified" and _reason(caught) == reason


def test_four_elements_repr_masks_personal_data() -> None:
    shown = repr(FourElements("张三", "11010519491231002X", CARD, PHONE))
    assert CARD not in shown and "11010519491231002X" not in shown and PHONE not in shown
    assert CARD[-4:] in shown


def test_unreachable_provider_is_unavailable(card_id: str) -> None:
    with (
        HttpPaymentProvider(f"http://127.0.0.1:{free_port()}", timeout=2) as client,
        pytest.raises(ProviderUnavailable) as caught,
    ):
        client.request_payment_code(card_id=card_id, account_ref="x")
    assert caught.value.code == "provider_unavailable"
    with (
        HttpIdentityVerifier(f"http://127.0.0.1:{free_port()}", timeout=2) as client,
        pytest.raises(ProviderUnavailable),
    ):
        client.verify(FourElements("张三", "11010519491231002X", CARD, PHONE))


def test_expired_payment_code_and_api_key_in_process(card_id: str) -> None:
    now = [1_800_000_000.0]
    app = sandbox_payment.create_app(b"s" * 32, ttl=60, api_key="k3y", clock=lambda: now[0])
    with TestClient(app, headers={"Authorization": "Bearer k3y"}) as http:
        client = HttpPaymentProvider("http://testserver", client=http)
        code = client.request_payment_code(card_id=card_id, account_ref="bc")
        now[0] += 61
        with pytest.raises(PaymentRejected) as caught:
            client.verify_payment_code(code.data, card_id=card_id)
        assert _reason(caught) == "payment_code_expired"
    with TestClient(app) as anonymous:
        with pytest.raises(PaymentRejected) as refused:
            HttpPaymentProvider("http://testserver", client=anonymous).request_payment_code(
                card_id=card_id, account_ref="bc"
            )
        assert _reason(refused) == "unauthorized"
        assert anonymous.get("/health").json() == {"status": "ok"}
    with TestClient(sandbox_verifier.create_app()) as http:
        assert http.post("/v1/four-elements", json={"name": "x"}).status_code == 422


def test_provider_answering_garbage_is_unavailable(card_id: str) -> None:
    from fastapi import FastAPI
    from fastapi.responses import PlainTextResponse

    broken = FastAPI()

    @broken.post("/v1/payment-codes")
    def text() -> PlainTextResponse:
        return PlainTextResponse("oops", status_code=200)

    @broken.post("/v1/four-elements")
    def boom() -> PlainTextResponse:
        return PlainTextResponse("down", status_code=503)

    with TestClient(broken) as http:
        with pytest.raises(ProviderUnavailable):
            HttpPaymentProvider("http://testserver", client=http).request_payment_code(
                card_id=card_id, account_ref="x"
            )
        with pytest.raises(ProviderUnavailable):
            HttpIdentityVerifier("http://testserver", client=http).verify(
                FourElements("张三", "11010519491231002X", CARD, PHONE)
            )
