"""The health-card graph layer on the real server: the Neo4j nonce store (atomic one-time use across
threads), nonce purging, account constraints, and registration through the service."""

from __future__ import annotations

import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest

from graph.driver import DuplicateKey, Graph
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
            results = list(pool.map(lambda _, j=jti: store.consume(j, exp), range(8)))
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
    graph.write_query(
        "ehc_claim_account", account_key="EAKEY1", props={"account_id": "A1", "ehc_id": "X" * 64}
    )
    with pytest.raises(DuplicateKey):
        graph.write_query(
            "ehc_claim_account", account_key="EAKEY2", props={"account_id": "A2", "ehc_id": "X" * 64}
        )
    again = graph.write_query(
        "ehc_claim_account", account_key="EAKEY1", props={"account_id": "A3", "ehc_id": "Y"}
    )
    assert again[0]["created"] is False and again[0]["account"]["account_id"] == "A1"


def test_service_registration_and_verification_through_the_graph(graph: Graph, tmp_path: Path) -> None:
    runtime = HealthCardRuntime.build(tmp_path / "secrets", HealthCardSettings())
    accounts = HealthCardService(graph, runtime, ResidentService(graph))
    body = AccountIn.model_validate(
        {
            "name": "周杰",
            "id_number": _id_number(date(1979, 1, 18), 11),
            "verification": {"method": "offline", "terminal_id": "K1", "operator": "op"},
        }
    )
    actor = Actor("it-test", "his")
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: accounts.register(body, actor), range(4)))
    assert [created for _, created in results].count(True) == 1
    assert len({view.ehc_id for view, _ in results}) == 1
    ehc_id = results[0][0].ehc_id
    assert ehc_id == runtime.ehc_ids.derive(results[0][0].empi_id)
    token = TokenIssuer(runtime.keys).issue_dynamic(ehc_id, "record").token
    nonces = Neo4jNonceStore(graph)
    assert verify_token(token, runtime.keys, nonce_store=nonces).card_id == ehc_id
    with pytest.raises(QrReplayed):
        verify_token(token, runtime.keys, nonce_store=nonces)
    runtime.close()


def test_demo_writes_a_scannable_static_code_that_verifies(graph: Graph, tmp_path: Path) -> None:
    from services.demo import load_demo, load_ehc_demo
    from tests.api.ehc_support import decode_png

    runtime = HealthCardRuntime.build(tmp_path / "secrets", HealthCardSettings())
    try:
        load_demo(ResidentService(graph), persons=4, seed=3)
        demo = load_ehc_demo(graph, runtime, tmp_path / "demo", accounts=2)
    finally:
        runtime.close()
    assert len(demo.accounts) == 2 and demo.qr_png.exists() and demo.label_png.exists()
    read = decode_png(demo.qr_png.read_bytes())
    assert len(read) == 1 and decode_png(demo.label_png.read_bytes()) == read
    claims = verify_token(read[0], runtime.keys, nonce_store=Neo4jNonceStore(graph))
    assert claims.card_id == demo.ehc_id


def test_sandbox_launcher_starts_and_stops_both_services(tmp_path: Path) -> None:
    from core.settings import Settings
    from healthcard.sandbox.launcher import sandbox_processes, start_all, stop_all
    from tests.sandbox.services import free_port

    hc = HealthCardSettings(
        payment_url=f"http://127.0.0.1:{free_port()}", verifier_url=f"http://127.0.0.1:{free_port()}"
    )
    settings = Settings(home=tmp_path / "home", healthcard=hc)
    try:
        started = start_all(settings)
        assert all("running on" in line for line in started)
        assert all("already running" in line for line in start_all(settings))
        assert all(p.answering() for p in sandbox_processes(settings))
    finally:
        stopped = stop_all(settings)
    assert all("stopped" in line for line in stopped)
    deadline = time.monotonic() + 10
    while any(p.answering() for p in sandbox_processes(settings)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(p.answering() for p in sandbox_processes(settings))
