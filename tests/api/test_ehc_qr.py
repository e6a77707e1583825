"""QR codes of the virtual health card through the API, on the real Neo4j and the sandbox providers:
issue, render (decoded with zxing-cpp), print, verify at every care step, and every refusal."""

from __future__ import annotations

import base64
import io
import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from graph.driver import Graph
from healthcard.keys import JwksKeys, QrKeyStore
from healthcard.label import LabelSpec, card_hint, label_lines
from healthcard.label_font import require_cjk_font
from healthcard.national import BEIJING
from healthcard.qr import Ecc, qr_info
from healthcard.tokens import TokenIssuer, verify_signature_and_expiry
from tests.api import ehc_support
from tests.api.ehc_support import (
    account_body,
    bank_card,
    decode_png,
    decode_svg,
    flush_audit,
    id_number,
    register,
    verify_body,
)
from tests.label_text import text_score

ehc_client, sandboxes = ehc_support.ehc_client, ehc_support.sandboxes  # fixtures shared by the EHC tests

ID_M = id_number(date(1990, 5, 17), 123)
ID_F = id_number(date(1985, 2, 3), 246)
STATIC_SCENES = [
    "outpatient_registration",
    "consultation",
    "pharmacy_dispensing",
    "inpatient_admission",
    "nurse_station",
    "inpatient_doctor_station",
    "0101011",
    "010101",
]


def _qr(client: TestClient, headers: dict[str, str], ehc_id: str, **body: Any) -> dict[str, Any]:
    r = client.post(f"/ehc/accounts/{ehc_id}/qr", json=body, headers=headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


def _verify(client: TestClient, headers: dict[str, str], payload: str, scene: str, **kw: Any) -> Any:
    return client.post("/ehc/qr/verify", json=verify_body(payload, scene, **kw), headers=headers)


def _refused(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.json()["code"] == code, response.text
    assert response.json()["message"], "every refusal says why"
    return dict(response.json())


@pytest.fixture()
def people(ehc_client: TestClient, token_for) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Two accounts: one registered offline, one online (four elements)."""
    app = token_for("app")
    offline = register(ehc_client, app, account_body("李雷", ID_M))
    online = register(ehc_client, app, account_body("韩梅梅", ID_F, online_card=bank_card(7)))
    return {"offline": offline["ehc_id"], "online": online["ehc_id"], "empi": offline["empi_id"]}


def test_whole_lifecycle_register_codes_scenes_bank_cancel(  # type: ignore[no-untyped-def]
    ehc_client: TestClient,
    token_for,
    people: dict[str, str],
    graph: Graph,
) -> None:
    app, his = token_for("app"), token_for("his", sub="his-h001")
    ehc_id = people["offline"]
    # static code: the system picks static for registration and visits; the PNG decodes to it
    static = _qr(ehc_client, app, ehc_id, function="registration", format="png")
    assert static["type"] == "static" and static["expires_at"] is None and static["form"] == "signed"
    assert decode_png(base64.b64decode(static["image"]["base64"])) == [static["payload"]]
    assert static["qr"]["version"] <= 13 and static["qr"]["ecc"] == "M"
    for scene in STATIC_SCENES:
        r = _verify(ehc_client, his, static["payload"], scene)
        assert r.status_code == 200, (scene, r.text)
        assert r.json()["ehc_id"] == ehc_id and r.json()["empi_id"] == people["empi"]
    registration = _verify(ehc_client, his, static["payload"], "0101012").json()
    assert registration["scene"]["code"] == "outpatient_registration"
    assert registration["resident"]["name"] == "李雷" and registration["resident"]["id_number"] == (
        ID_M[:6] + "*" * 8 + ID_M[-4:]
    )
    visit = _verify(ehc_client, his, static["payload"], "consultation").json()
    assert set(visit["resident"]) == {"name", "gender", "age"}
    # a static code verifies again and again; a dynamic one once
    assert _verify(ehc_client, his, static["payload"], "consultation").status_code == 200
    record = _qr(ehc_client, app, ehc_id, function="record_query")
    assert record["type"] == "dynamic" and record["expires_at"] - time.time() <= 60
    ok = _verify(ehc_client, his, record["payload"], "record_query")
    assert ok.status_code == 200 and ok.json()["purpose"] == "record"
    _refused(_verify(ehc_client, his, record["payload"], "record_query"), 409, "qr_replayed")
    # payment: a bank card bound, a combined code (二码合一) checked by the payment sandbox
    card = ehc_client.post(
        f"/ehc/accounts/{ehc_id}/bank-cards", json={"bank_card_number": bank_card(9)}, headers=app
    ).json()
    for scene in ("outpatient_payment", "inpatient_billing"):
        pay = _qr(ehc_client, app, ehc_id, function="payment", ttl=120)
        assert pay["form"] == "combined" and "~" in pay["payload"]
        assert pay["payment"]["account_ref"] == card["bank_card_id"]
        paid = _verify(ehc_client, his, pay["payload"], scene)
        assert paid.status_code == 200, paid.text
        assert paid.json()["payment"]["payment_ref"].startswith("sbx-")
        assert paid.json()["resident"]["name"] == "李*"
    unbound = ehc_client.request(
        "DELETE",
        f"/ehc/accounts/{ehc_id}/bank-cards/{card['bank_card_id']}",
        json={"id_type": "01", "id_number": ID_M},
        headers=app,
    )
    assert unbound.status_code == 200
    # cancelled: the record stays, every code of the card stops verifying
    live_dynamic = _qr(ehc_client, app, ehc_id, function="visit", type="dynamic")
    cancel = ehc_client.post(
        f"/ehc/accounts/{ehc_id}/cancel",
        headers=app,
        json={
            "reason": "emigrated",
            "evidence": {
                "document_type": "出境定居证明",
                "document_number": "CJ-1",
                "issuing_authority": "北京市公安局出入境管理局",
                "issued_on": "2026-10-01",
            },
        },
    )
    assert cancel.status_code == 200 and cancel.json()["resident"]["status"] == "emigrated"
    for payload in (static["payload"], live_dynamic["payload"]):
        refused = _refused(_verify(ehc_client, his, payload, "consultation"), 403, "qr_card_cancelled")
        assert refused["reason"] == "emigrated"
    again = ehc_client.post(f"/ehc/accounts/{ehc_id}/qr", json={"function": "visit"}, headers=app)
    _refused(again, 409, "account_cancelled")
    # the other account is untouched
    other = _qr(ehc_client, app, people["online"], function="visit")
    assert _verify(ehc_client, his, other["payload"], "nurse_station").status_code == 200


def test_every_kind_renders_to_png_and_svg_that_decode_and_verify(  # type: ignore[no-untyped-def]
    ehc_client: TestClient,
    token_for,
    people: dict[str, str],
) -> None:
    app, his = token_for("app"), token_for("his")
    ehc_id = people["online"]
    kinds = {
        "static": {"function": "visit"},
        "dynamic": {"function": "visit", "type": "dynamic"},
        "combined": {"function": "payment"},
        "national": {"function": "registration", "format": "national"},
    }
    for kind, body in kinds.items():
        png = ehc_client.post(f"/ehc/accounts/{ehc_id}/qr/image", json={"format": "png", **body}, headers=app)
        assert png.status_code == 200 and png.headers["content-type"] == "image/png", png.text
        read_png = decode_png(png.content)
        assert len(read_png) == 1 and int(png.headers["x-qr-version"]) >= 1
        scene = "outpatient_payment" if kind == "combined" else "outpatient_registration"
        r = _verify(ehc_client, his, read_png[0], scene)
        assert r.status_code == 200, (kind, r.text)
        assert r.json()["ehc_id"] == ehc_id
        if kind != "national":
            svg = _qr(ehc_client, app, ehc_id, format="svg", **body)
            svg_text = base64.b64decode(svg["image"]["base64"]).decode()
            assert svg["image"]["media_type"] == "image/svg+xml" and decode_svg(svg_text) == [svg["payload"]]
            assert _verify(ehc_client, his, svg["payload"], scene).status_code == 200
    national = _qr(ehc_client, app, ehc_id, function="visit", format="national")
    assert national["payload"] == f"{ehc_id}:1" and national["form"] == "national"
    assert decode_png(base64.b64decode(national["image"]["base64"])) == [national["payload"]]


def test_print_at_a_terminal_gives_a_label_and_revokes_the_previous_static_code(  # type: ignore[no-untyped-def]
    ehc_client: TestClient, token_for, people: dict[str, str]
) -> None:
    app, his = token_for("app"), token_for("his", sub="his-terminal")
    before = _qr(ehc_client, app, people["offline"], function="registration")["payload"]
    label = ehc_client.post(
        "/ehc/qr/print", json={"id_type": "01", "id_number": ID_M, "name": "李雷"}, headers=his
    )
    assert label.status_code == 200 and label.headers["content-type"] == "image/png"
    assert label.headers["x-ehc-id"] == people["offline"]
    read = decode_png(label.content)
    assert len(read) == 1
    assert _verify(ehc_client, his, read[0], "outpatient_registration").status_code == 200
    _refused(_verify(ehc_client, his, before, "outpatient_registration"), 403, "qr_revoked")
    svg = ehc_client.post(
        "/ehc/qr/print",
        headers=his,
        json={"id_type": "01", "id_number": ID_M, "name": "李雷", "format": "svg"},
    )
    assert svg.headers["content-type"].startswith("image/svg+xml") and len(decode_svg(svg.text)) == 1
    _refused(
        ehc_client.post(
            "/ehc/qr/print", json={"id_type": "01", "id_number": ID_M, "name": "张三"}, headers=his
        ),
        403,
        "id_document_mismatch",
    )
    _refused(
        ehc_client.post(
            "/ehc/qr/print",
            json={"id_type": "01", "id_number": id_number(date(2000, 1, 1), 1), "name": "李雷"},
            headers=his,
        ),
        404,
        "not_found",
    )


@pytest.mark.parametrize(("size", "dpi", "pixels"), [("50x30", 203, (400, 240)), ("80x50", 300, (945, 591))])
def test_printed_label_is_in_chinese_at_the_printer_size(  # type: ignore[no-untyped-def]
    ehc_client: TestClient, token_for, people: dict[str, str], size: str, dpi: int, pixels: tuple[int, int]
) -> None:
    his = token_for("his", sub="his-terminal")
    label = ehc_client.post(
        "/ehc/qr/print",
        headers=his,
        json={"id_type": "01", "id_number": ID_M, "name": "李雷", "size": size, "dpi": dpi},
    )
    assert label.status_code == 200, label.text
    image = Image.open(io.BytesIO(label.content))
    assert image.size == pixels and image.info["dpi"] == pytest.approx((dpi, dpi), abs=0.1)
    read = decode_png(label.content)
    assert len(read) == 1 and _verify(ehc_client, his, read[0], "outpatient_registration").status_code == 200
    font = require_cjk_font()
    texts = ("电子健康卡", "李*", card_hint(people["offline"]))
    lines = label_lines(LabelSpec.named(size, dpi), qr_info(read[0], Ecc.Q).modules, texts, font)
    for line in lines:
        assert text_score(label.content, line.text, font, line.size) > 0.95, line
    assert text_score(label.content, "Li *", font, lines[1].size) < 0.85  # no pinyin
    _refused(
        ehc_client.post(
            "/ehc/qr/print",
            headers=his,
            json={"id_type": "01", "id_number": ID_M, "name": "李雷", "size": "100x70"},
        ),
        422,
        "validation_error",
    )


def test_type_follows_the_business_function(  # type: ignore[no-untyped-def]
    ehc_client: TestClient,
    token_for,
    people: dict[str, str],
) -> None:
    app = token_for("app")
    ehc_id = people["offline"]
    assert _qr(ehc_client, app, ehc_id, function="visit")["type"] == "static"
    assert _qr(ehc_client, app, ehc_id, function="record_query")["type"] == "dynamic"
    short = _qr(ehc_client, app, ehc_id, function="visit", type="dynamic", ttl=30)
    assert short["expires_at"] - int(time.time()) in range(28, 31)
    _refused(
        ehc_client.post(
            f"/ehc/accounts/{ehc_id}/qr", json={"function": "payment", "type": "static"}, headers=app
        ),
        422,
        "qr_type_not_allowed",
    )
    _refused(
        ehc_client.post(
            f"/ehc/accounts/{ehc_id}/qr", json={"function": "record_query", "format": "national"}, headers=app
        ),
        422,
        "qr_type_not_allowed",
    )
    _refused(
        ehc_client.post(f"/ehc/accounts/{ehc_id}/qr", json={"function": "surgery"}, headers=app),
        422,
        "business_function_unknown",
    )
    too_long = ehc_client.post(
        f"/ehc/accounts/{ehc_id}/qr", json={"function": "visit", "ttl": 600}, headers=app
    )
    assert too_long.status_code == 422 and too_long.json()["field"] == "ttl"
    assert (
        ehc_client.post(
            f"/ehc/accounts/{ehc_id}/qr", json={"function": "visit"}, headers=token_for("his")
        ).status_code
        == 403
    ), "his cannot issue codes"


def test_refusals_each_have_their_own_code(  # type: ignore[no-untyped-def]
    ehc_client: TestClient,
    token_for,
    people: dict[str, str],
    tmp_path: Path,
    graph: Graph,
) -> None:
    app, his = token_for("app"), token_for("his", sub="his-refusals")
    ehc_id = people["offline"]
    keys: QrKeyStore = ehc_client.app.state.healthcard.keys  # type: ignore[attr-defined]
    # forged: a changed signature, and a token signed by a key the platform never published
    token = _qr(ehc_client, app, ehc_id, function="visit", type="dynamic")["payload"]
    head, body, sig = token.split(".")
    tampered = f"{head}.{body}.{sig[:10]}{'A' if sig[10] != 'A' else 'B'}{sig[11:]}"
    assert _refused(_verify(ehc_client, his, tampered, "consultation"), 403, "qr_forged")["reason"] in (
        "bad_signature",
    )
    foreign = TokenIssuer(QrKeyStore(tmp_path / "foreign-keys")).issue_dynamic(ehc_id, "visit").token
    assert (
        _refused(_verify(ehc_client, his, foreign, "consultation"), 403, "qr_forged")["reason"]
        == "unknown_kid"
    )
    # expired: issued two minutes ago with a one-minute lifetime
    old = TokenIssuer(keys, clock=lambda: time.time() - 120).issue_dynamic(ehc_id, "record", ttl=60).token
    _refused(_verify(ehc_client, his, old, "record_query"), 403, "qr_expired")
    # wrong scene: static where dynamic is required; a record code at payment; a plain pay code at payment
    static = _qr(ehc_client, app, ehc_id, function="visit")["payload"]
    assert (
        _refused(_verify(ehc_client, his, static, "record_query"), 403, "qr_wrong_scene")["reason"]
        == "dynamic_required"
    )
    record = _qr(ehc_client, app, ehc_id, function="record_query")["payload"]
    assert (
        _refused(_verify(ehc_client, his, record, "outpatient_payment"), 403, "qr_wrong_scene")["reason"]
        == "purpose_mismatch"
    )
    plain_pay = TokenIssuer(keys).issue_dynamic(ehc_id, "pay").token
    assert (
        _refused(_verify(ehc_client, his, plain_pay, "inpatient_billing"), 403, "qr_wrong_scene")["reason"]
        == "combined_required"
    )
    # a code refused at the wrong scene was not spent: it still works where it belongs
    assert _verify(ehc_client, his, record, "record_query").status_code == 200
    _refused(_verify(ehc_client, his, record, "record_query"), 409, "qr_replayed")
    # malformed payloads and unknown scene/channel codes
    for garbage in ("hello", "a.b.c", "x" * 3000, f"{ehc_id}:7"):
        r = _verify(ehc_client, his, garbage, "consultation")
        assert r.status_code == 422 and r.json()["code"] in ("qr_malformed", "validation_error"), r.text
    _refused(_verify(ehc_client, his, "hello", "consultation"), 422, "qr_malformed")
    _refused(_verify(ehc_client, his, static, "surgery"), 422, "scene_unknown")
    _refused(_verify(ehc_client, his, static, "consultation", channel="0999"), 422, "channel_unknown")
    # a combined code whose payment part was swapped for another one
    pay = _qr(ehc_client, app, ehc_id, function="payment")["payload"]
    other_part = _qr(ehc_client, app, ehc_id, function="payment")["payload"].split("~")[1]
    swapped = pay.split("~")[0] + "~" + other_part
    assert (
        _refused(_verify(ehc_client, his, swapped, "outpatient_payment"), 403, "qr_forged")["reason"]
        == "payment_mismatch"
    )
    # every verification, accepted or refused, left an audit entry with scene and terminal
    flush_audit(ehc_client)()
    rows = graph.read_query(
        "list_audit",
        sub="his-refusals",
        resource_id=None,
        action="qr_verify",
        since=None,
        until=None,
        offset=0,
        limit=100,
    )
    details = [json.loads(r["entry"]["detail"]) for r in rows]
    assert len(details) == 15, (
        "one per verification that reached the service (the 3000-character body did not)"
    )
    assert {d["result"] for d in details} == {"accepted", "refused"}
    assert all(d["terminal_id"] == "T-1" and d["institution"] for d in details)
    assert {"qr_forged", "qr_expired", "qr_wrong_scene", "qr_replayed", "qr_malformed", "scene_unknown"} <= {
        d.get("code") for d in details
    }


def test_two_terminals_scanning_one_dynamic_code_at_once_one_succeeds(  # type: ignore[no-untyped-def]
    ehc_client: TestClient,
    token_for,
    people: dict[str, str],
) -> None:
    app, his = token_for("app"), token_for("his")
    for _ in range(2):
        payload = _qr(ehc_client, app, people["offline"], function="record_query")["payload"]

        def scan(i: int, code: str = payload) -> int:
            return int(_verify(ehc_client, his, code, "record_query", terminal=f"T-{i}").status_code)

        with ThreadPoolExecutor(max_workers=6) as pool:
            codes = sorted(pool.map(scan, range(6)))
        assert codes == [200] + [409] * 5


def test_national_plain_form_serves_identity_steps_once_per_dynamic_code(  # type: ignore[no-untyped-def]
    ehc_client: TestClient,
    token_for,
    people: dict[str, str],
) -> None:
    app, his = token_for("app"), token_for("his")
    ehc_id = people["offline"]
    static = _qr(ehc_client, app, ehc_id, function="visit", format="national")["payload"]
    assert static == f"{ehc_id}:1"
    assert _verify(ehc_client, his, static, "outpatient_registration").json()["form"] == "national"
    assert (
        _refused(_verify(ehc_client, his, static, "record_query"), 403, "qr_wrong_scene")["reason"]
        == "signed_required"
    )
    dynamic = _qr(ehc_client, app, ehc_id, function="visit", type="dynamic", format="national")["payload"]
    assert dynamic.startswith(f"{ehc_id}:0:")
    assert _verify(ehc_client, his, dynamic, "nurse_station").status_code == 200
    _refused(_verify(ehc_client, his, dynamic, "nurse_station"), 409, "qr_replayed")
    _refused(_verify(ehc_client, his, f"{ehc_id}:0:20200101000000", "nurse_station"), 403, "qr_expired")
    _refused(_verify(ehc_client, his, f"{'A' * 64}:1", "nurse_station"), 403, "qr_card_unknown")


def _stamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, BEIJING).strftime("%Y%m%d%H%M%S")


def test_national_dynamic_codes_never_issued_are_refused(  # type: ignore[no-untyped-def]
    ehc_client: TestClient,
    token_for,
    people: dict[str, str],
) -> None:
    app, his = token_for("app"), token_for("his")
    ehc_id = people["offline"]
    issued = _qr(ehc_client, app, ehc_id, function="visit", type="dynamic", format="national", ttl=120)
    now = time.time()
    for ahead in (60, 119, 299):  # forged stamps within the lifetime a genuine code could have
        forged = f"{ehc_id}:0:{_stamp(now + ahead)}"
        if forged != issued["payload"]:
            assert (
                _refused(_verify(ehc_client, his, forged, "outpatient_registration"), 403, "qr_forged")[
                    "reason"
                ]
                == "not_issued"
            )
    for ahead in (301 + 5, 3600, 86400 * 365):  # never valid for longer than a dynamic code may live (300 s)
        far = f"{ehc_id}:0:{_stamp(now + ahead)}"
        assert (
            _refused(_verify(ehc_client, his, far, "outpatient_registration"), 403, "qr_forged")["reason"]
            == "validity_too_long"
        )
    assert issued["expires_at"] - int(now) in range(118, 121)
    assert _verify(ehc_client, his, issued["payload"], "outpatient_registration").status_code == 200
    other = people["online"]
    _refused(
        _verify(ehc_client, his, issued["payload"].replace(ehc_id, other), "outpatient_registration"),
        403,
        "qr_forged",
    )


def test_national_dynamic_code_expires_and_is_used_once_under_contention(  # type: ignore[no-untyped-def]
    ehc_client: TestClient, token_for, people: dict[str, str]
) -> None:
    app, his = token_for("app"), token_for("his")
    ehc_id = people["offline"]
    runtime = ehc_client.app.state.healthcard  # type: ignore[attr-defined]
    # same card, same second: every code gets its own text and record
    codes = [
        _qr(ehc_client, app, ehc_id, function="visit", type="dynamic", format="national", ttl=30)["payload"]
        for _ in range(3)
    ]
    assert len(set(codes)) == 3
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(
            pool.map(lambda _: _verify(ehc_client, his, codes[0], "consultation").status_code, range(8))
        )
    assert statuses.count(200) == 1 and statuses.count(409) == 7, statuses
    runtime.clock = lambda: time.time() + 60  # the verifier's clock past the 30 s lifetime
    try:
        _refused(_verify(ehc_client, his, codes[1], "consultation"), 403, "qr_expired")
    finally:
        runtime.clock = time.time
    assert _verify(ehc_client, his, codes[1], "consultation").status_code == 200


def test_a_static_issue_revokes_the_national_static_code_and_back(  # type: ignore[no-untyped-def]
    ehc_client: TestClient,
    token_for,
    people: dict[str, str],
) -> None:
    app, his = token_for("app"), token_for("his")
    ehc_id = people["offline"]
    plain = f"{ehc_id}:1"
    assert (
        _refused(_verify(ehc_client, his, plain, "outpatient_registration"), 403, "qr_forged")["reason"]
        == "not_issued"
    )
    signed = _qr(ehc_client, app, ehc_id, function="registration")["payload"]
    assert _qr(ehc_client, app, ehc_id, function="registration", format="national")["payload"] == plain
    assert _verify(ehc_client, his, plain, "outpatient_registration").status_code == 200
    assert _verify(ehc_client, his, plain, "consultation").status_code == 200, "static: not one-time"
    _refused(_verify(ehc_client, his, signed, "outpatient_registration"), 403, "qr_revoked")
    # re-issued as a signed static code (API or printed label): the plain form stops verifying
    again = _qr(ehc_client, app, ehc_id, function="registration")["payload"]
    _refused(_verify(ehc_client, his, plain, "outpatient_registration"), 403, "qr_revoked")
    assert _verify(ehc_client, his, again, "outpatient_registration").status_code == 200
    ehc_client.post("/ehc/qr/print", json={"id_type": "01", "id_number": ID_M, "name": "李雷"}, headers=his)
    _refused(_verify(ehc_client, his, again, "outpatient_registration"), 403, "qr_revoked")
    _refused(_verify(ehc_client, his, plain, "outpatient_registration"), 403, "qr_revoked")


def test_a_suspended_card_does_not_verify_until_reactivated(  # type: ignore[no-untyped-def]
    ehc_client: TestClient,
    token_for,
    people: dict[str, str],
) -> None:
    app, his = token_for("app"), token_for("his")
    ehc_id = people["offline"]
    static = _qr(ehc_client, app, ehc_id, function="visit")["payload"]
    card_id = ehc_client.get(f"/ehc/accounts/{ehc_id}", headers=app).json()["card"]["card_id"]
    # The generic card route refuses e-health cards for everyone: the account flows suspend and reactivate.
    _refused(
        ehc_client.patch(f"/cards/{card_id}", json={"status": "suspended"}, headers=token_for("admin")),
        409,
        "ehc_card_account_flow",
    )
    suspended = ehc_client.post(f"/ehc/accounts/{ehc_id}/suspend", json={"reason": "lost"}, headers=app)
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["status"] == "active" and suspended.json()["card"]["status"] == "suspended"
    _refused(
        ehc_client.post(f"/ehc/accounts/{ehc_id}/suspend", json={"reason": "lost"}, headers=app),
        409,
        "card_status_unchanged",
    )
    _refused(_verify(ehc_client, his, static, "consultation"), 403, "qr_card_suspended")
    _refused(
        ehc_client.post(f"/ehc/accounts/{ehc_id}/qr", json={"function": "visit"}, headers=app),
        409,
        "card_inactive",
    )
    holder, wrong = {"id_type": "01", "id_number": ID_M}, {"id_type": "01", "id_number": ID_F}
    _refused(
        ehc_client.post(f"/ehc/accounts/{ehc_id}/reactivate", json=wrong, headers=app),
        403,
        "id_document_mismatch",
    )
    _refused(
        ehc_client.post(f"/ehc/accounts/{ehc_id}/reactivate", json=holder, headers=his),
        403,
        "insufficient_scope",
    )
    back = ehc_client.post(f"/ehc/accounts/{ehc_id}/reactivate", json=holder, headers=app)
    assert back.status_code == 200, back.text
    assert back.json()["card"]["status"] == "active"
    assert _verify(ehc_client, his, static, "consultation").status_code == 200
    assert _verify(ehc_client, app, static, "consultation").status_code == 403, "apps cannot verify codes"
    trail = ehc_client.get("/audit", params={"resource_id": ehc_id}, headers=token_for("admin")).json()
    assert [e["action"] for e in trail if e["action"] in {"suspend", "reactivate"}] == [
        "reactivate",
        "suspend",
    ]


def test_jwks_is_public_and_lets_a_terminal_verify_offline_across_rotation(  # type: ignore[no-untyped-def]
    ehc_client: TestClient,
    token_for,
    people: dict[str, str],
) -> None:
    app, his = token_for("app"), token_for("his")
    before = _qr(ehc_client, app, people["offline"], function="visit", type="dynamic")["payload"]
    spare = _qr(ehc_client, app, people["offline"], function="visit", type="dynamic")["payload"]
    jwks = ehc_client.get("/ehc/.well-known/jwks.json")
    assert jwks.status_code == 200 and all("d" not in k for k in jwks.json()["keys"])
    assert jwks.headers["cache-control"] == "public, max-age=300"
    claims = verify_signature_and_expiry(before, JwksKeys(jwks.json()))
    assert claims.card_id == people["offline"] and claims.purpose == "visit"
    keys: QrKeyStore = ehc_client.app.state.healthcard.keys  # type: ignore[attr-defined]
    old_kid = keys.active_kid
    keys.rotate()
    after = _qr(ehc_client, app, people["offline"], function="visit", type="dynamic")["payload"]
    published = ehc_client.get("/ehc/.well-known/jwks.json").json()
    assert [k["kid"] for k in published["keys"]][1] == old_kid
    assert verify_signature_and_expiry(after, JwksKeys(published)).kid != old_kid
    assert _verify(ehc_client, his, before, "consultation").status_code == 200, (
        "a previous key still verifies"
    )
    keys.retire(old_kid)
    assert old_kid not in {k["kid"] for k in ehc_client.get("/ehc/.well-known/jwks.json").json()["keys"]}
    assert (
        _refused(_verify(ehc_client, his, spare, "consultation"), 403, "qr_forged")["reason"] == "unknown_kid"
    )
    assert _verify(ehc_client, his, after, "consultation").status_code == 200


def test_a_dynamic_code_refused_for_a_suspended_card_stays_unspent(  # type: ignore[no-untyped-def]
    ehc_client: TestClient,
    token_for,
    people: dict[str, str],
) -> None:
    """A dynamic scan reads the account and spends the code in one statement, and spends it only when the
    account may verify: refused while the card is suspended, the same code verifies once reactivated,
    and only once."""
    app, his = token_for("app"), token_for("his")
    ehc_id = people["offline"]
    dynamic = _qr(ehc_client, app, ehc_id, function="record_query")["payload"]
    assert ehc_client.post(f"/ehc/accounts/{ehc_id}/suspend", json={"reason": "lost"}, headers=app).is_success
    for _ in range(2):
        _refused(_verify(ehc_client, his, dynamic, "record_query"), 403, "qr_card_suspended")
    holder = {"id_type": "01", "id_number": ID_M}
    assert ehc_client.post(f"/ehc/accounts/{ehc_id}/reactivate", json=holder, headers=app).is_success
    accepted = _verify(ehc_client, his, dynamic, "record_query")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["ehc_id"] == ehc_id and accepted.json()["empi_id"] == people["empi"]
    _refused(_verify(ehc_client, his, dynamic, "record_query"), 409, "qr_replayed")
