from __future__ import annotations

from fastapi.testclient import TestClient

from support.api import auth, customer_with_offer


def test_offer_changes_are_audited_and_change_decisions(client: TestClient, tokens) -> None:
    admin = auth(tokens["admin"])
    offer = client.get("/v1/offers/limit_increase", headers=admin).json()
    changed = {**offer, "value": 999.0}
    assert client.put("/v1/offers/limit_increase", json=changed, headers=admin).status_code == 200
    entry = client.get("/v1/audit", headers=admin).json()[0]
    assert (entry["actor"], entry["entity_id"], entry["action"]) == (
        "admin1",
        "limit_increase",
        "update",
    )
    assert (entry["before"]["value"], entry["after"]["value"]) == (90.0, 999.0)


def test_bad_rule_is_rejected_with_its_position_and_catalog_unchanged(
    client: TestClient, tokens
) -> None:
    admin = auth(tokens["admin"])
    offer = client.get("/v1/offers/limit_increase", headers=admin).json()
    bad = {**offer, "rule": "credit_limt > 5"}
    response = client.put("/v1/offers/limit_increase", json=bad, headers=admin)
    assert response.status_code == 422
    assert "credit_limt" in response.json()["detail"]
    assert client.get("/v1/offers/limit_increase", headers=admin).json()["rule"] == offer["rule"]


def test_rule_validation_previews_eligible_customers(client: TestClient, tokens) -> None:
    response = client.post(
        "/v1/rules/validate",
        json={"rule": "credit_limit >= 20000", "preview": True},
        headers=auth(tokens["agent"]),
    )
    body = response.json()
    assert body["valid"] is True
    assert body["customers_scanned"] == 300
    assert 0 < body["eligible_customers"] < 300


def test_policy_update_is_partial_validated_and_audited(client: TestClient, tokens) -> None:
    admin = auth(tokens["admin"])
    bad = client.put("/v1/policy", json={"top_k": 9}, headers=admin)
    assert bad.status_code == 422
    assert "top_k" in bad.json()["detail"]
    good = client.put("/v1/policy", json={"top_k": 2}, headers=admin)
    assert good.json()["top_k"] == 2
    assert good.json()["cool_down_days_offer"] == 30


def test_bulk_import_reports_rows_and_keeps_the_good_ones(client: TestClient, tokens) -> None:
    rows = [
        {"id": "N1", "attributes": {"age": 30, "segment": "mass"}},
        {"id": "N2", "attributes": {"age": "thirty"}},
        {"id": "N3", "attributes": {"agee": 1}},
        {"id": "N1", "attributes": {"age": 31}},
    ]
    body = client.post(
        "/v1/customers/import", json={"customers": rows}, headers=auth(tokens["admin"])
    ).json()
    assert (body["accepted"], body["rejected"]) == (1, 3)
    reasons = [(e["where"], e["column"]) for e in body["errors"]]
    assert reasons == [("item 2", "age"), ("item 3", "agee"), ("item 4", "id")]
    read = client.get("/v1/customers/N1", headers=auth(tokens["supervisor"])).json()
    assert read["attributes"]["age"] == 30


def test_kpis_count_decisions_and_sales(client: TestClient, tokens) -> None:
    _, body = customer_with_offer(client, tokens["agent"])
    client.post(
        f"/v1/decisions/{body['decision_id']}/outcomes",
        json={"offer_id": body["offers"][0]["offer_id"], "result": "accepted"},
        headers=auth(tokens["agent"]),
    )
    kpis = client.get("/v1/kpis", headers=auth(tokens["supervisor"])).json()
    total = kpis["rows"][0]
    assert total["accepted"] == 1
    assert total["calls"] >= 1
    assert kpis["currency"] == "CNY"
    by_hour = client.get("/v1/kpis?group_by=hour", headers=auth(tokens["supervisor"])).json()
    assert [r["group"] for r in by_hour["rows"]] == ["10"]
