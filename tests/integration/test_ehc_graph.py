"""The health-card graph layer on the real server: the Neo4j nonce store (atomic one-time use across
threads), nonce purging, account constraints, and registration through the service."""

from __future__ import annotations

import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from neo4j.exceptions import ConstraintError

from graph.driver import Graph
from graph.healthcard import Neo4jNonceStore
from graph.trail import Actor
from healthcard.config import HealthCardSettings
from healthcard.errors import QrReplayed
from healthcard.runtime import HealthCardRuntime
from healthcard.tokens import TokenIssuer, verify_token
from resolver.idnumber import check_character
from services.healthcard import HealthCardService
from services.healthcard_models import AccountIn
from services.registry import ResidentService


def _id_number(born: date, seq: int) -> str:
    first17 = f"330102{born:%Y%m%d}{seq:03d}"
    return first17 + check_character(first17)


def test_nonce_is_consumed_exactly_once_under_contention(graph: Graph) -> None:
    store = Neo4jNonceStore(graph)
    exp = int(time.time()) + 60
    for _ in range(3):
        jti = secrets.token_urlsafe(12)
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(lambda _: store.consume(jti, exp), range(8)))
        assert results.count(True) == 1 and results.count(False) == 7
    assert store.consume(secrets.token_urlsafe(12), exp) is True


def test_purge_forgets_only_expired_nonces(graph: Graph) -> None:
    store = Neo4jNonceStore(graph)
    now = int(time.time())
    store.consume("expired-nonce-1", now - 600)
    store.consume("current-nonce-1", now + 60)
    assert store.purge(before=now) == 1
    assert store.consume("current-nonce-1", now + 60) is False, "a live nonce stays used"
    assert store.consume("expired-nonce-1", now - 600) is True, "purged: only codes past expiry are forgotten"


def test_one_account_per_id_document_is_enforced_by_the_schema(graph: Graph) -> None:
    graph.write_query("ehc_claim_account", account_key="EAKEY1", props={"account_id": "A1", "ehc_id": "X" * 64})
    with pytest.raises(ConstraintError):
        graph.write_query("ehc_claim_account", account_key="EAKEY2", props={"account_id": "A2", "ehc_id": "X" * 64})
    again = graph.write_query("ehc_claim_account", account_key="EAKEY1", props={"account_id": "A3", "ehc_id": "Y"})
    assert again[0]["created"] is False and again[0]["account"]["account_id"] == "A1"


def test_service_registration_and_verification_through_the_graph(graph: Graph, tmp_path: Path) -> None:
    runtime = HealthCardRuntime.build(tmp_path / "secrets", HealthCardSettings())
    accounts = HealthCardService(graph, runtime, ResidentService(graph))
    body = AccountIn.model_validate({"name": "周杰", "id_number": _id_number(date(1979, 1, 18), 11),
                                     "verification": {"method": "offline", "terminal_id": "K1", "operator": "op"}})
    actor = Actor("it-test", "his")
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: accounts.register(body, actor), range(4)))
    assert [created for _, created in results].count(True) == 1
    assert len({view["ehc_id"] for view, _ in results}) == 1
    ehc_id = results[0][0]["ehc_id"]
    assert ehc_id == runtime.ehc_ids.derive(results[0][0]["empi_id"])
    token = TokenIssuer(runtime.keys).issue_dynamic(ehc_id, "record").token
    nonces = Neo4jNonceStore(graph)
    assert verify_token(token, runtime.keys, nonce_store=nonces).card_id == ehc_id
    with pytest.raises(QrReplayed):
        verify_token(token, runtime.keys, nonce_store=nonces)
    runtime.close()
