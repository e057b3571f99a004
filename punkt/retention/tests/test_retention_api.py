"""The retention API: worklist, calls with outcomes, messages from templates."""

from __future__ import annotations

import json
from typing import Any

import pytest

from punkt.retention.tests.test_retention import active


@pytest.fixture(autouse=True)
def _files(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path


def post(client: Any, path: str, body: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def test_worklist_call_and_message(world: Any, client_as: Any) -> None:
    c = active(world, 14)
    api = client_as(world.retention_a)
    items = api.get("/api/v1/retention/worklist").json()["items"]
    assert [(i["contract_id"], i["case_status"]) for i in items] == [(c.pk, None)]
    bad = post(api, f"/api/v1/contracts/{c.pk}/retention/calls", {"outcome": "callback"})
    assert bad.status_code == 422 and bad.json()["field"] == "callback_on"
    wrong = post(api, f"/api/v1/contracts/{c.pk}/retention/calls", {"outcome": "maybe"})
    assert wrong.status_code == 422
    ok = post(api, f"/api/v1/contracts/{c.pk}/retention/calls",
              {"outcome": "unreachable", "note": "nie odbiera"})
    assert ok.status_code == 201 and ok.json()["case_status"] == "open"
    refused = post(api, f"/api/v1/contracts/{c.pk}/retention/messages",
                   {"template": "retention-email"})
    assert refused.status_code == 409 and refused.json()["code"] == "no_consent"
    by_hand = post(api, f"/api/v1/contracts/{c.pk}/retention/messages",
                   {"template": "end-of-term-email"})
    assert by_hand.status_code == 422 and by_hand.json()["field"] == "template"
    from punkt.customers import services as customers

    customers.consent_record(actor=world.retention_a, customer_id=c.customer_id,
                             purpose="marketing_email", granted=True)
    sent = post(api, f"/api/v1/contracts/{c.pk}/retention/messages",
                {"template": "retention-email"})
    assert sent.status_code == 201 and sent.json()["message_id"]
    renewed = post(api, f"/api/v1/contracts/{c.pk}/retention/calls", {"outcome": "renewed"})
    assert renewed.json()["case_status"] == "offer_sent" and renewed.json()["renewal_offer_id"]
    items = api.get("/api/v1/retention/worklist").json()["items"]
    assert items[0]["case_status"] == "offer_sent" and items[0]["last_outcome"] == "renewed"
    assert client_as(world.service_a).get("/api/v1/retention/worklist").status_code == 403
