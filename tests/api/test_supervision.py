"""Supervision statistics on known data: QR verifications at four institutions (accepted, and refused
for each reason), identity checks by other media, the per-step daily counters, outliers and the card
share, through `GET /stats/supervision`, `GET /stats` and `ehc stats`."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from core.settings import Settings
from healthcard.keys import QrKeyStore
from healthcard.tokens import TokenIssuer
from services.supervision import today
from tests.api import ehc_support
from tests.api.ehc_support import account_body, flush_audit, id_number, register
from tests.api.helpers import make_domains, resident

ehc_client, sandboxes = ehc_support.ehc_client, ehc_support.sandboxes  # fixtures shared by the EHC tests
ID_M = id_number(date(1990, 5, 17), 123)
ID_GONE = id_number(date(1970, 3, 1), 357)


def _verify(client: TestClient, his: dict[str, str], payload: str, scene: str, institution: str) -> int:
    body = {
        "payload": payload,
        "scene": scene,
        "channel": "0100",
        "terminal_id": "T-9",
        "institution": institution,
    }
    return client.post("/ehc/qr/verify", json=body, headers=his).status_code


def _code(client: TestClient, app: dict[str, str], ehc_id: str, **body: Any) -> str:
    r = client.post(f"/ehc/accounts/{ehc_id}/qr", json=body, headers=app)
    assert r.status_code == 200, r.text
    return str(r.json()["payload"])


@pytest.fixture()
def known_day(ehc_client: TestClient, token_for) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """One day of known activity at H-A, H-B, H-C, H-D (institution codes are the HIS token subjects)."""
    app = token_for("app")
    make_domains(ehc_client, token_for("admin"))
    card = register(ehc_client, app, account_body("李雷", ID_M))["ehc_id"]
    gone = register(ehc_client, app, account_body("王五", ID_GONE))["ehc_id"]
    static = _code(ehc_client, app, card, function="registration")
    gone_static = _code(ehc_client, app, gone, function="registration")
    cancel = ehc_client.post(
        f"/ehc/accounts/{gone}/cancel",
        headers=app,
        json={
            "reason": "emigrated",
            "evidence": {
                "document_type": "出境定居证明",
                "document_number": "E1",
                "issuing_authority": "公安局出入境管理处",
                "issued_on": "2026-01-02",
            },
        },
    )
    assert cancel.status_code == 200, cancel.text
    keys: QrKeyStore = ehc_client.app.state.healthcard.keys  # type: ignore[attr-defined]
    his = {code: token_for("his", sub=code) for code in ("H-A", "H-B", "H-C", "H-D")}
    a = his["H-A"]
    statuses = [_verify(ehc_client, a, static, "outpatient_registration", "H-A") for _ in range(3)]
    statuses.append(_verify(ehc_client, a, static, "consultation", "H-A"))
    old = TokenIssuer(keys, clock=lambda: time.time() - 120).issue_dynamic(card, "record", ttl=60).token
    statuses.append(_verify(ehc_client, a, old, "record_query", "H-A"))  # expired
    record = _code(ehc_client, app, card, function="record_query")
    statuses += [
        _verify(ehc_client, a, record, "record_query", "H-A") for _ in range(2)
    ]  # accepted, replayed
    head, body, sig = _code(ehc_client, app, card, function="visit", type="dynamic").split(".")
    statuses.append(
        _verify(
            ehc_client,
            a,
            f"{head}.{body}.{sig[:10]}{'A' if sig[10] != 'A' else 'B'}{sig[11:]}",
            "consultation",
            "H-A",
        )
    )  # forged
    assert statuses == [200, 200, 200, 200, 403, 200, 409, 403]
    b = his["H-B"]
    assert [
        _verify(ehc_client, b, static, "record_query", "H-B"),  # wrong scene: static where dynamic needed
        _verify(ehc_client, b, gone_static, "consultation", "H-B"),  # card cancelled
        _verify(ehc_client, b, static, "inpatient_admission", "H-B"),
    ] == [403, 403, 200]
    for code in ("H-C", "H-D"):
        assert [_verify(ehc_client, his[code], static, "consultation", code) for _ in range(2)] == [200, 200]
    # identity checks by other media: a PIX lookup by H-A's system, a record fed by H-B's system
    assert ehc_client.get("/pix/lookup", params={"domain": "ID", "value": ID_M}, headers=a).status_code == 200
    assert ehc_client.post("/residents", json=resident("H002", "B1"), headers=b).status_code == 201
    flush_audit(ehc_client)()
    return {"steward": token_for("steward"), "day": today().isoformat()}


def test_supervision_counts_rates_outliers_and_card_share(
    ehc_client: TestClient, known_day: dict[str, Any]
) -> None:
    r = ehc_client.get("/stats/supervision", params={"min_count": 1, "k": 2}, headers=known_day["steward"])
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["totals"] == {
        "verifications": 15,
        "accepted": 10,
        "refused": 5,
        "expired": 1,
        "replayed": 1,
        "forged": 1,
        "wrong_scene": 1,
        "card_cancelled": 1,
        "other": 0,
        "ehc_visits": 4,
        "other_checks": 2,
        "acceptance_rate": 0.6667,
        "refusal_rate": 0.3333,
        "ehc_share": 0.6667,
    }
    assert s["refusals_by_reason"] == {
        reason: {"count": 1, "rate": 0.0667}
        for reason in ("expired", "replayed", "forged", "wrong_scene", "card_cancelled")
    } | {"other": {"count": 0, "rate": 0.0}}
    rows = {row["institution"]: row for row in s["institutions"]}
    assert {
        k: rows["H-A"][k]
        for k in (
            "verifications",
            "accepted",
            "refused",
            "ehc_visits",
            "other_checks",
            "refusal_rate",
            "replay_rate",
            "ehc_share",
        )
    } == {
        "verifications": 8,
        "accepted": 5,
        "refused": 3,
        "ehc_visits": 3,
        "other_checks": 1,
        "refusal_rate": 0.375,
        "replay_rate": 0.125,
        "ehc_share": 0.75,
    }
    assert (rows["H-B"]["refusal_rate"], rows["H-B"]["ehc_share"]) == (0.6667, 0.5)
    assert (rows["H-C"]["verifications"], rows["H-C"]["ehc_share"]) == (2, None)  # no registration step there
    # refusal rates 0.375, 0.667, 0, 0: median 0.1875, so only H-B is above 2x; replay: median 0, H-A above
    assert s["outliers"] == [
        {
            "institution": "H-A",
            "rates": ["replay_rate"],
            "refusal_rate": 0.375,
            "replay_rate": 0.125,
            "verifications": 8,
        },
        {
            "institution": "H-B",
            "rates": ["refusal_rate"],
            "refusal_rate": 0.6667,
            "replay_rate": 0.0,
            "verifications": 3,
        },
    ]
    assert s["outlier_rule"] == {
        "k": 2.0,
        "min_count": 1,
        "floor": 0.02,
        "medians": {"refusal_rate": 0.1875, "replay_rate": 0.0},
    }
    daily = {(d["institution"], d["step"]): d for d in s["daily"]}
    assert all(d["day"] == known_day["day"] for d in s["daily"])
    assert sorted(daily) == [
        ("H-A", "consultation"),
        ("H-A", "outpatient_registration"),
        ("H-A", "record_query"),
        ("H-B", "consultation"),
        ("H-B", "inpatient_admission"),
        ("H-B", "record_query"),
        ("H-C", "consultation"),
        ("H-D", "consultation"),
    ]
    assert (
        daily["H-A", "outpatient_registration"]["accepted"],
        daily["H-A", "outpatient_registration"]["ehc_visits"],
        daily["H-A", "record_query"]["expired"],
        daily["H-A", "record_query"]["replayed"],
        daily["H-A", "consultation"]["forged"],
        daily["H-B", "consultation"]["card_cancelled"],
    ) == (3, 3, 1, 1, 1, 1)
    # the default rule (at least 30 verifications) flags nobody in so little data
    assert ehc_client.get("/stats/supervision", headers=known_day["steward"]).json()["outliers"] == []


def test_supervision_filters_and_windows(  # type: ignore[no-untyped-def]
    ehc_client: TestClient,
    token_for,
    known_day: dict[str, Any],
) -> None:
    steward, day = known_day["steward"], date.fromisoformat(known_day["day"])
    one = ehc_client.get("/stats/supervision", params={"institution": "H-B"}, headers=steward).json()
    assert [r["institution"] for r in one["institutions"]] == ["H-B"] and one["totals"]["verifications"] == 3
    assert {d["institution"] for d in one["daily"]} == {"H-B"}
    before = {"from": (day - timedelta(days=10)).isoformat(), "to": (day - timedelta(days=1)).isoformat()}
    empty = ehc_client.get("/stats/supervision", params=before, headers=steward).json()
    assert empty["totals"]["verifications"] == 0 and empty["institutions"] == [] and empty["daily"] == []
    bad = ehc_client.get(
        "/stats/supervision", params={"from": "2026-02-01", "to": "2026-01-01"}, headers=steward
    )
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_input" and bad.json()["field"] == "from"
    assert ehc_client.get("/stats/supervision", headers=token_for("his")).status_code == 403
    whole = ehc_client.get("/stats", headers=steward).json()["supervision"]
    assert whole["totals"]["verifications"] == 15 and "daily" not in whole


def test_ehc_stats_prints_the_supervision_section(
    known_day: dict[str, Any], neo4j_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.cli import app

    monkeypatch.setattr("api.cli.get_settings", lambda: neo4j_settings)
    result = CliRunner().invoke(app, ["stats", "--institution", "H-A"])
    assert result.exit_code == 0, result.output
    assert "supervision" in result.output and "8 verifications" in result.output
    assert "refused replayed" in result.output and "H-A" in result.output and "H-B" not in result.output
    assert "card share   75.0%" in result.output
