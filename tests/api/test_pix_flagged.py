"""PIX and a flagged (invalid) ID number: an invalid number is no identifier, so a cross-index lookup by
it answers 404 `unknown_identifier` (as for any number the index does not hold); the record is found by
its own source identifier, whose answer lists the valid identifiers only."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.helpers import ID_A, make_domains, resident

MISTYPED = ID_A[:-1] + ("0" if ID_A[-1] != "0" else "1")  # check character fails


def test_pix_by_an_invalid_id_number_is_unknown_and_the_record_is_found_by_its_own_id(  # type: ignore[no-untyped-def]
    app_client: TestClient, token_for
) -> None:
    make_domains(app_client, token_for("admin"))
    his = token_for("his")
    created = app_client.post("/residents", json=resident("H001", "M1", id_number=MISTYPED), headers=his)
    assert created.status_code == 201 and "id_check_digit" in created.json()["resident"]["dq_flags"]
    by_id = app_client.get("/pix/lookup", params={"domain": "ID", "value": MISTYPED}, headers=his)
    assert by_id.status_code == 404 and by_id.json()["code"] == "unknown_identifier"
    assert MISTYPED not in by_id.text, "ID numbers are masked in errors"
    by_source = app_client.get("/pix/lookup", params={"domain": "H001", "value": "M1"}, headers=his)
    assert by_source.status_code == 200, by_source.text
    assert by_source.json()["empi_id"] == created.json()["empi_id"]
    assert all(i["domain"] != "ID" for i in by_source.json()["identifiers"])
