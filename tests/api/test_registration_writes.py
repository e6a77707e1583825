"""What one registration (`POST /residents`) costs the database, and what the cheaper path must still
refuse: a new record is one write transaction of three statements (its identifiers locked in one, the
blocking keys locked with the candidate read in one, the record written with its audit, link history and
event in one), with no read transaction before it (domains come from the process's table) and no
hospital-wide counter locked inside it (the supervision tally rides on the buffered read audit). The
statements are observed by a pass-through spy on the driver's transaction; the database is real."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import ManagedTransaction

from graph.driver import Graph
from graph.queries import query, query_names
from services.supervision import today
from tests.api.ehc_support import flush_audit
from tests.api.helpers import make_domains, resident

ID_B = "110105198001010016"


@pytest.fixture()
def statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[int, str]]]:
    """(transaction, query name) of every named statement run in a managed transaction, in order."""
    names = {query(name): name for name in query_names()}
    seen: list[tuple[int, str]] = []
    original = ManagedTransaction.run

    def run(self: ManagedTransaction, text: Any, parameters: Any = None, **kw: Any) -> Any:
        seen.append((id(self), names.get(text, "?")))
        return original(self, text, parameters, **kw)

    monkeypatch.setattr(ManagedTransaction, "run", run)
    yield seen


def _transaction_of(seen: list[tuple[int, str]], first: str) -> list[str]:
    """The statements of the last transaction that ran ``first`` (the committed try, should the driver
    have retried one on a transient error)."""
    tx = [t for t, name in seen if name == first][-1]
    return [name for t, name in seen if t == tx]


def test_a_new_record_is_one_transaction_of_three_statements(
    app_client: TestClient, token_for: Any, statements: list[tuple[int, str]]
) -> None:
    make_domains(app_client, token_for("admin"))
    his = token_for("his", sub="H001")
    warm = app_client.post("/residents", json=resident("H001", "W1"), headers=his)
    assert warm.status_code == 201, warm.text
    statements.clear()
    r = app_client.post(
        "/residents",
        json=resident(
            "H002", "N1", name="李雷", id_number=ID_B, phone="13900001111", birth_date="1980-01-01"
        ),
        headers=his,
    )
    assert r.status_code == 201, r.text
    assert r.json()["decision"]["outcome"] == "new"
    assert _transaction_of(statements, "register_lock_cards") == [
        "register_lock_cards",
        "lock_keys_find_candidates",
        "register_resident",
    ]
    assert "get_domain" not in {name for _, name in statements}  # no read transaction before the write


def test_the_tally_of_registrations_rides_on_the_read_audit(
    app_client: TestClient, token_for: Any, statements: list[tuple[int, str]]
) -> None:
    """Each record a hospital system feeds counts once as an identity check (a replay does not), added
    with the buffered read audits, never inside the registration's transaction."""
    make_domains(app_client, token_for("admin"))
    his = token_for("his", sub="H-T")
    bodies = [
        resident("H001", "T1"),
        resident("H002", "T2"),
        resident("H003", "T3", name="李雷", id_number=ID_B, phone="13900001111", birth_date="1980-01-01"),
    ]
    assert [app_client.post("/residents", json=b, headers=his).status_code for b in bodies] == [201] * 3
    assert app_client.post("/residents", json=bodies[0], headers=his).status_code == 200  # a replay
    registrations = {t for t, name in statements if name == "register_lock_cards"}
    assert len(registrations) == 4
    assert not [name for t, name in statements if t in registrations and name == "supervision_tally"]
    flush_audit(app_client)()
    day = today().isoformat()
    s = app_client.get(
        "/stats/supervision", params={"from": day, "to": day}, headers=token_for("steward")
    ).json()
    rows = {row["institution"]: row for row in s["institutions"]}
    assert rows["H-T"]["other_checks"] == 3


def test_a_domain_deactivated_behind_the_cached_table_is_refused(
    app_client: TestClient, token_for: Any, graph: Graph
) -> None:
    """Another API process deactivates a domain: this process's domain table still says active, and the
    registration's transaction refuses it anyway (as source domain and as a carried card's domain)."""
    make_domains(app_client, token_for("admin"))
    his = token_for("his")
    card = {"domain": "SSC", "number": "SSC-900", "card_type": "SSC"}
    ok = app_client.post("/residents", json=resident("H003", "C1", cards=[card]), headers=his)
    assert ok.status_code == 201, ok.text  # H003 and SSC are now in this process's table, active
    graph.write_query("update_domain", code="H003", props={"status": "inactive"})
    fed_before = resident("H003", "C1", cards=[card])
    for body in (resident("H003", "C2", id_number=None), fed_before):
        r = app_client.post("/residents", json=body, headers=his)
        assert r.status_code == 422, r.text
        assert r.json()["field"] == "source_domain" and "inactive" in r.json()["message"]
    graph.write_query("update_domain", code="SSC", props={"status": "inactive"})
    other = {"domain": "SSC", "number": "SSC-901", "card_type": "SSC"}
    r = app_client.post("/residents", json=resident("H001", "C3", id_number=None, cards=[other]), headers=his)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "cards[0].domain" and "inactive" in r.json()["message"]
    for local_id in ("C2", "C3"):  # nothing of the refused registrations was written
        found = app_client.get(
            "/residents",
            params={"source_domain": "H001" if local_id == "C3" else "H003", "local_id": local_id},
            headers=his,
        )
        assert found.status_code == 404
