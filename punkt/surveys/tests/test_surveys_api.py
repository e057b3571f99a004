"""API of surveys: questionnaires read, invitations with answers, follow-ups listed and
moved through the same service as the page."""

from __future__ import annotations

import json
from typing import Any

import pytest

from punkt.surveys import services
from punkt.surveys.models import FollowUp
from punkt.surveys.tests.factories import invitation, scores

pytestmark = pytest.mark.django_db


def test_questionnaires_invitations_and_followups(world: Any, client_as: Any) -> None:
    inv, token = invitation(world)
    services.answer_submit(token=token, scores=scores(inv.questionnaire, 5, 2),
                           comment="Za długo.")
    manager = client_as(world.manager_a)
    listed = manager.get("/api/v1/surveys").json()
    assert [q["name"] for q in listed] == ["Zadowolenie z obsługi"]
    assert len(listed[0]["questions"]) == 2
    one = manager.get(f"/api/v1/surveys/{inv.questionnaire_id}").json()
    assert one["rules"] == ["ticket", "complaint", "first_sale"]
    invitations = manager.get("/api/v1/survey-invitations").json()
    assert invitations["page"]["count"] == 1
    item = invitations["items"][0]
    assert (item["state"], item["lowest"], item["comment"]) == ("answered", 2, "Za długo.")
    assert [s["value"] for s in item["scores"]] == [5, 2]
    assert manager.get(f"/api/v1/survey-invitations/{inv.pk}").json()["id"] == inv.pk
    assert client_as(world.manager_b).get(
        f"/api/v1/survey-invitations/{inv.pk}").status_code == 404
    assert client_as(world.manager_b).get("/api/v1/survey-invitations").json()["items"] == []

    retention = client_as(world.retention_a)
    followups = retention.get("/api/v1/survey-followups").json()["items"]
    assert [(f["lowest"], f["allowed_actions"]) for f in followups] == [(2, ["close"])]
    f = FollowUp.objects.get()
    bad = retention.post(f"/api/v1/survey-followups/{f.pk}/moves",
                         json.dumps({"action": "close"}), content_type="application/json")
    assert bad.status_code == 422 and bad.json()["field"] == "outcome"
    closed = retention.post(f"/api/v1/survey-followups/{f.pk}/moves",
                            json.dumps({"action": "close", "outcome": "resolved",
                                        "note": "Wyjaśnione."}),
                            content_type="application/json")
    assert closed.status_code == 200
    assert (closed.json()["status"], closed.json()["outcome"]) == ("closed", "resolved")
    again = retention.post(f"/api/v1/survey-followups/{f.pk}/moves",
                           json.dumps({"action": "close", "outcome": "resolved"}),
                           content_type="application/json")
    assert again.status_code == 409
    assert client_as(world.service_a).get("/api/v1/survey-followups").status_code == 403
    assert retention.get("/api/v1/survey-followups?status=closed").json()["page"]["count"] == 1
