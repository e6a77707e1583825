"""Virtual health-card accounts through the API, on the real Neo4j and the sandbox verifier:
registration (offline / online, idempotent, concurrent), update, cancellation, bank cards."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from core.settings import Settings
from graph.driver import Graph
from healthcard.config import HealthCardSettings
from healthcard.ehc_id import is_ehc_id
from services.stats import statistics
from tests.api import ehc_support
from tests.api.ehc_support import account_body, bank_card, id_number, register
from tests.api.helpers import ID_A, resident
from tests.sandbox.services import free_port

ehc_client, sandboxes = ehc_support.ehc_client, ehc_support.sandboxes  # fixtures shared by the EHC tests

ID_M = id_number(date(1990, 5, 17), 123)  # a man born 1990-05-17


def _events(graph: Graph) -> list[dict[str, Any]]:
    return [r["event"] for r in graph.read_query("list_events_after", after=0, limit=1000)]


def _audits(graph: Graph, resource_id: str) -> list[dict[str, Any]]:
    rows = graph.read_query(
        "list_audit",
        sub=None,
        resource_id=resource_id,
        action=None,
        since=None,
        until=None,
        offset=0,
        limit=1000,
    )
    return [r["entry"] for r in rows]


def test_offline_registration_is_idempotent_and_links_a_virtual_card(  # type: ignore[no-untyped-def]
    ehc_client: TestClient,
    token_for,
    graph: Graph,
) -> None:
    his = token_for("his", sub="his-window")
    first = ehc_client.post("/ehc/accounts", json=account_body("李雷", ID_M), headers=his)
    assert first.status_code == 201, first.text
    body = first.json()
    ehc_id = body["ehc_id"]
    assert is_ehc_id(ehc_id) and body["created"] is True and body["empi_id"].startswith("E")
    account = body["account"]
    assert account["status"] == "active" and account["verified_by"] == "offline"
    assert account["verification"]["terminal_id"] == "T-0100-01"
    assert account["card"] == {
        "card_id": account["card"]["card_id"],
        "domain": "EHC",
        "number": ehc_id,
        "card_type": "EHC",
        "status": "active",
    }
    assert account["resident"]["id_number"] == ID_M[:6] + "*" * 8 + ID_M[-4:]
    again = ehc_client.post("/ehc/accounts", json=account_body("李雷", ID_M), headers=his)
    assert again.status_code == 200 and again.json()["created"] is False and again.json()["ehc_id"] == ehc_id
    # the master index knows the EHC card: a PIX lookup from the ID number finds it
    pix = ehc_client.get("/pix/lookup", params={"domain": "ID", "value": ID_M}, headers=his).json()
    assert ("EHC", ehc_id) in {(i["domain"], i["value"]) for i in pix["identifiers"]}
    assert pix["empi_id"] == body["empi_id"]
    events = [e for e in _events(graph) if e["type"].startswith("account.")]
    assert [e["type"] for e in events] == ["account.registered"]
    assert json.loads(events[0]["payload"])["ehc_id"] == ehc_id
    assert [a["action"] for a in _audits(graph, ehc_id)] == ["register"]


def test_a_person_known_to_the_master_index_keeps_the_identity(ehc_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    admin, his = token_for("admin"), token_for("his")
    ehc_client.post(
        "/domains",
        json={"code": "H001", "oid": "2.16.156.10011.99.1.1", "name": "医院", "kind": "institution"},
        headers=admin,
    )
    known = ehc_client.post("/residents", json=resident("H001", "P1"), headers=his).json()
    r = ehc_client.post(
        "/ehc/accounts", json=account_body("王芳", ID_A, gender="2"), headers=token_for("app")
    )
    assert r.status_code == 201, r.text
    assert r.json()["empi_id"] == known["empi_id"]
    assert r.json()["account"]["resident"]["resident_id"] == known["resident"]["resident_id"]


def test_online_registration_checks_four_elements_with_the_sandbox(ehc_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    app = token_for("app", sub="ehc-mini-program")
    card = bank_card(42)
    r = ehc_client.post("/ehc/accounts", json=account_body("韩梅梅", ID_A, online_card=card), headers=app)
    assert r.status_code == 201, r.text
    verification = r.json()["account"]["verification"]
    assert verification["method"] == "online" and verification["provider"] == "sandbox"
    assert verification["reference"].startswith("sbx-")
    assert card not in r.text, "the full bank card number is never echoed"
    mismatch = account_body("韩梅梅", ID_M, online_card=card)
    mismatch["phone"] = "13800009999"
    refused = ehc_client.post("/ehc/accounts", json=mismatch, headers=app)
    assert refused.status_code == 403 and refused.json()["code"] == "identity_not_verified"
    assert refused.json()["reason"] == "elements_mismatch"


def test_an_unreachable_verifier_is_a_503(graph: Graph, neo4j_settings: Settings, token_for) -> None:  # type: ignore[no-untyped-def]
    hc = HealthCardSettings(verifier_url=f"http://127.0.0.1:{free_port()}", provider_timeout_seconds=2)
    with TestClient(create_app(neo4j_settings, graph, hc)) as client:
        r = client.post(
            "/ehc/accounts",
            json=account_body("韩梅梅", ID_A, online_card=bank_card(42)),
            headers=token_for("app"),
        )
    assert r.status_code == 503 and r.json()["code"] == "provider_unavailable"


def test_concurrent_registrations_of_one_person_make_one_account(  # type: ignore[no-untyped-def]
    ehc_client: TestClient,
    token_for,
    graph: Graph,
) -> None:
    his = token_for("his")

    def attempt(_: int) -> tuple[int, str]:
        r = ehc_client.post("/ehc/accounts", json=account_body("李雷", ID_M), headers=his)
        return r.status_code, r.json().get("ehc_id", r.text)

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(attempt, range(6)))
    assert sorted(code for code, _ in results) == [200] * 5 + [201], results
    assert len({ehc_id for _, ehc_id in results}) == 1
    assert [e["type"] for e in _events(graph)].count("account.registered") == 1
    assert [e["type"] for e in _events(graph)].count("resident.created") == 1


def test_update_sends_demographics_to_the_master_index_and_keeps_account_fields(  # type: ignore[no-untyped-def]
    ehc_client: TestClient,
    token_for,
    graph: Graph,
) -> None:
    app = token_for("app", sub="ehc-app")
    ehc_id = register(ehc_client, app, account_body("李雷", ID_M))["ehc_id"]
    r = ehc_client.patch(
        f"/ehc/accounts/{ehc_id}",
        headers=app,
        json={
            "phone": "13700001111",
            "address": "北京市海淀区中关村大街2号",
            "nickname": "雷雷",
            "contact_preferences": {"sms": False, "app_push": True, "language": "zh"},
        },
    )
    assert r.status_code == 200, r.text
    account = r.json()
    assert account["nickname"] == "雷雷" and account["contact_preferences"]["sms"] is False
    assert account["resident"]["phone"] == "137****1111" and account["resident"]["version"] == 2
    changes = ehc_client.get(
        f"/residents/{account['resident']['resident_id']}/changes", headers=token_for("admin")
    ).json()
    assert {f["field"] for f in changes[0]["fields"]} == {"phone", "address"}, "nickname stays on the account"
    account_only = ehc_client.patch(f"/ehc/accounts/{ehc_id}", json={"nickname": "小雷"}, headers=app)
    assert account_only.json()["resident"]["version"] == 2
    stale = ehc_client.patch(
        f"/ehc/accounts/{ehc_id}", json={"phone": "13700002222", "resident_version": 1}, headers=app
    )
    assert stale.status_code == 409 and stale.json()["field"] == "version"
    no_id = ehc_client.patch(f"/ehc/accounts/{ehc_id}", json={"id_number": ID_A}, headers=app)
    assert no_id.status_code == 422 and no_id.json()["field"] == "id_number"
    types = [e["type"] for e in _events(graph)]
    assert types.count("account.updated") == 2 and types.count("resident.updated") == 1


def test_cancel_only_for_emigrated_or_deceased_with_evidence(  # type: ignore[no-untyped-def]
    ehc_client: TestClient,
    token_for,
    graph: Graph,
) -> None:
    app = token_for("app")
    ehc_id = register(ehc_client, app, account_body("李雷", ID_M))["ehc_id"]
    evidence = {
        "document_type": "死亡医学证明",
        "document_number": "SW-2026-0001",
        "issuing_authority": "北京市朝阳医院",
        "issued_on": "2026-11-01",
    }
    wrong = ehc_client.post(
        f"/ehc/accounts/{ehc_id}/cancel", json={"reason": "user_request", "evidence": evidence}, headers=app
    )
    assert wrong.status_code == 422 and wrong.json()["code"] == "cancel_reason_not_allowed"
    assert wrong.json()["field"] == "reason" and "emigrated" in wrong.json()["message"]
    no_evidence = ehc_client.post(f"/ehc/accounts/{ehc_id}/cancel", json={"reason": "deceased"}, headers=app)
    assert no_evidence.status_code == 422 and no_evidence.json()["field"] == "evidence"
    r = ehc_client.post(
        f"/ehc/accounts/{ehc_id}/cancel", json={"reason": "deceased", "evidence": evidence}, headers=app
    )
    assert r.status_code == 200, r.text
    account = r.json()
    assert account["status"] == "cancelled" and account["card"]["status"] == "cancelled"
    assert account["cancellation"]["evidence"]["document_number"] == "SW-2026-0001"
    assert account["resident"]["status"] == "deceased", "the record stays, its status changed"
    changes = ehc_client.get(
        f"/residents/{account['resident']['resident_id']}/changes", headers=token_for("admin")
    ).json()
    assert changes[0]["kind"] == "ehc_cancel"
    twice = ehc_client.post(
        f"/ehc/accounts/{ehc_id}/cancel", json={"reason": "deceased", "evidence": evidence}, headers=app
    )
    assert twice.status_code == 409 and twice.json()["code"] == "account_cancelled"
    assert ehc_client.get(f"/ehc/accounts/{ehc_id}", headers=app).json()["status"] == "cancelled"
    again = ehc_client.post("/ehc/accounts", json=account_body("李雷", ID_M), headers=app)
    assert again.status_code == 200 and again.json()["ehc_id"] == ehc_id, "the same card, still cancelled"
    assert again.json()["account"]["status"] == "cancelled"
    assert "account.cancelled" in [e["type"] for e in _events(graph)]


def test_bank_cards_bind_limit_luhn_and_unbind_with_the_id_document(  # type: ignore[no-untyped-def]
    ehc_client: TestClient,
    token_for,
    graph: Graph,
) -> None:
    app = token_for("app")
    ehc_id = register(ehc_client, app, account_body("李雷", ID_M))["ehc_id"]
    url = f"/ehc/accounts/{ehc_id}/bank-cards"
    not_luhn = bank_card(1)[:-1] + str((int(bank_card(1)[-1]) + 1) % 10)
    bad = ehc_client.post(url, json={"bank_card_number": not_luhn}, headers=app)
    assert bad.status_code == 422 and bad.json()["code"] == "bank_card_invalid"
    first = ehc_client.post(url, json={"bank_card_number": bank_card(1)}, headers=app)
    assert first.status_code == 201, first.text
    card = first.json()
    assert card["bank"] == "中国工商银行" and card["last4"] == bank_card(1)[-4:]
    assert card["masked"] == "*" * 15 + card["last4"]
    assert ehc_client.post(url, json={"bank_card_number": bank_card(1)}, headers=app).status_code == 200
    for serial in range(2, 6):
        assert (
            ehc_client.post(url, json={"bank_card_number": bank_card(serial)}, headers=app).status_code == 201
        )
    over = ehc_client.post(url, json={"bank_card_number": bank_card(6)}, headers=app)
    assert over.status_code == 409 and over.json()["code"] == "bank_card_limit"
    stored = graph.read_query("ehc_get_account", ehc_id=ehc_id)[0]["bank_cards"]
    assert len(stored) == 5 and all(set(b) >= {"token", "bank", "last4"} for b in stored)
    assert not any(bank_card(s) in json.dumps(stored, default=str) for s in range(1, 6)), (
        "never the full number"
    )
    target = f"{url}/{card['bank_card_id']}"
    other_doc = ehc_client.request("DELETE", target, json={"id_type": "01", "id_number": ID_A}, headers=app)
    assert other_doc.status_code == 403 and other_doc.json()["code"] == "id_document_mismatch"
    missing = ehc_client.request("DELETE", target, headers=app)
    assert missing.status_code == 422
    gone = ehc_client.request("DELETE", target, json={"id_type": "01", "id_number": ID_M}, headers=app)
    assert gone.status_code == 200 and gone.json()["bank_card_id"] == card["bank_card_id"]
    assert ehc_client.request("DELETE", target, json={"id_number": ID_M}, headers=app).status_code == 404
    assert len(ehc_client.get(f"/ehc/accounts/{ehc_id}", headers=app).json()["bank_cards"]) == 4
    types = [e["type"] for e in _events(graph)]
    assert types.count("account.bank_bound") == 5 and types.count("account.bank_unbound") == 1


def test_account_endpoints_need_their_scopes(ehc_client: TestClient, token_for) -> None:  # type: ignore[no-untyped-def]
    ehc_id = register(ehc_client, token_for("app"), account_body("李雷", ID_M))["ehc_id"]
    assert ehc_client.post("/ehc/accounts", json=account_body("李雷", ID_M)).status_code == 401
    steward = token_for("steward")
    assert ehc_client.get(f"/ehc/accounts/{ehc_id}", headers=steward).status_code == 403
    his = token_for("his")
    assert ehc_client.patch(f"/ehc/accounts/{ehc_id}", json={"nickname": "x"}, headers=his).status_code == 403
    assert ehc_client.get(f"/ehc/accounts/{'0' * 64}", headers=his).status_code == 404


def test_real_name_accounts_still_refuse_an_invalid_id_document(  # type: ignore[no-untyped-def]
    ehc_client: TestClient,
    token_for,
    graph: Graph,
) -> None:
    """The master index accepts and flags these defects from feeds; e-health card accounts do not."""
    app = token_for("app", sub="ehc-app")
    mistyped = ID_M[:-1] + ("0" if ID_M[-1] != "0" else "1")
    for body, field, fragment in [
        (account_body("李雷", mistyped), "id_number", "check digit"),
        (account_body("李雷", "990105" + ID_M[6:17] + "0"), "id_number", "province"),
        (account_body("李雷", ID_M[:10] + "0230" + ID_M[14:]), "id_number", "calendar date"),
        (account_body("李雷", ID_M, birth_date="1990-05-18"), "birth_date", "differs from the date"),
        (account_body("李雷", ID_M, gender="2"), "gender", "differs from the ID number"),
    ]:
        r = ehc_client.post("/ehc/accounts", json=body, headers=app)
        assert r.status_code == 422, r.text
        assert r.json()["field"] == field and fragment in r.json()["errors"][0]["reason"], r.text
    assert statistics(graph)["totals"]["records"] == 0, "nothing reached the master index"
    ehc_id = register(ehc_client, app, account_body("阿依江・肉孜", ID_M))["ehc_id"]
    assert ehc_client.get(f"/ehc/accounts/{ehc_id}", headers=app).json()["resident"]["name"] == "阿依江·肉孜"
    drift = ehc_client.patch(f"/ehc/accounts/{ehc_id}", json={"birth_date": "1990-05-18"}, headers=app)
    assert drift.status_code == 422 and drift.json()["field"] == "birth_date", drift.text
    drift = ehc_client.patch(f"/ehc/accounts/{ehc_id}", json={"gender": "2"}, headers=app)
    assert drift.status_code == 422 and drift.json()["field"] == "gender", drift.text
