"""The contract API: the whole workflow with ``allowed_actions``, errors naming the field."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from punkt.contracts import services
from punkt.contracts.tests import factories as f


@pytest.fixture(autouse=True)
def _files(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path


def post(client: Any, path: str, body: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def test_the_workflow_through_the_api(world: Any, client_as: Any) -> None:
    prices, template = f.hq_materials(world)
    offer = f.accepted_offer(world, prices)
    service = client_as(world.service_a)
    bad = post(service, f"/api/v1/offers/{offer.pk}/contract",
               {"template_version_id": prices.pk, "term_months": 24})
    assert bad.status_code == 422 and bad.json()["field"] == "template"
    unknown = post(service, f"/api/v1/offers/{offer.pk}/contract",
                   {"template_version_id": template.pk, "term_months": 24, "price": 0})
    assert unknown.status_code == 422
    made = post(service, f"/api/v1/offers/{offer.pk}/contract",
                {"template_version_id": template.pk, "term_months": 24})
    assert made.status_code == 201, made.content
    body = made.json()
    cid = body["id"]
    assert body["status"] == "prepared" and body["pdf_ready"] is False
    assert set(body["allowed_actions"]) == {"sign", "cancel"}
    assert body["values"]["klient"] == "Zofia Żółkiewska" and "*" in body["values"][
        "identyfikator"]  # PESEL masked outside the document
    early = post(service, f"/api/v1/contracts/{cid}/actions", {"action": "sign"})
    assert early.status_code == 409 and early.json()["code"] == "pdf_not_ready"
    assert service.get(f"/api/v1/contracts/{cid}/pdf").status_code == 404
    services.store_pdf(contract_id=cid, revision=1)
    assert service.get(f"/api/v1/contracts/{cid}/pdf")["Content-Type"] == "application/pdf"
    assert post(service, f"/api/v1/contracts/{cid}/actions", {"action": "sign"}).status_code == 200
    scan = service.post(f"/api/v1/contracts/{cid}/scan",
                        {"file": SimpleUploadedFile("skan.png", b"\x89PNG\r\n\x1a\n....")})
    assert scan.status_code == 200 and scan.json()["has_scan"] is True, scan.content

    manager = client_as(world.manager_a)
    batch = manager.post(f"/api/v1/branches/{world.a.pk}/contract-batches")
    assert batch.status_code == 201 and batch.json()["contract_ids"] == [cid]
    assert manager.post(f"/api/v1/branches/{world.a.pk}/contract-batches").status_code == 204
    queue = manager.get("/api/v1/contracts?status=in_review").json()["items"]
    assert [c["id"] for c in queue] == [cid] and set(queue[0]["allowed_actions"]) == {
        "approve", "return"}
    none = manager.post(f"/api/v1/contracts/{cid}/scan")
    assert none.status_code == 422 and none.json()["field"] == "file"
    missing = post(manager, f"/api/v1/contracts/{cid}/actions",
                   {"action": "approve", "signatures": ["Klient"]})
    assert missing.status_code == 422 and missing.json()["field"] == "signatures"
    ok = post(manager, f"/api/v1/contracts/{cid}/actions",
              {"action": "approve", "signatures": ["Klient", "Pracownik"]})
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    assert post(manager, f"/api/v1/contracts/{cid}/actions",
                {"action": "finalise"}).status_code == 403

    hq = client_as(world.expert)
    listed = hq.get("/api/v1/contracts?status=approved").json()
    assert [c["id"] for c in listed["items"]] == [cid] and listed["page"]["count"] == 1
    done = post(hq, f"/api/v1/contracts/{cid}/actions", {"action": "finalise"}).json()
    assert done["status"] == "active" and done["allowed_actions"] == []
    assert [e["action"] for e in done["events"]] == ["prepare", "sign", "submit", "approve",
                                                     "finalise"]
    assert hq.get(f"/api/v1/contracts?q=U{cid:08d}").json()["page"]["count"] == 1
    assert hq.get("/api/v1/contracts?q=nonsense").json()["page"]["count"] == 0
    wrong = post(hq, f"/api/v1/contracts/{cid}/actions", {"action": "teleport"})
    assert wrong.status_code == 422
