"""HQ's stage settings: a new stage takes its place in the sales process and is required
from then on; a stage with open opportunities cannot be taken out of use; at least one
stays; reasons of refusal added per stage and for any stage; refusals name the field;
only HQ's expert and the administrator may change them."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from punkt.core.errors import ActionDenied, Conflict, ValidationFailed
from punkt.core.models import AuditEvent
from punkt.pipeline import services, stages
from punkt.pipeline.models import LossReason, Stage
from punkt.pipeline.tests.factories import opportunity, stage

pytestmark = pytest.mark.django_db


def test_a_new_stage_joins_the_process_in_its_place(world: Any) -> None:
    made = stages.stage_save(actor=world.expert, code="negotiation", name="Negocjacje",
                             position="25", probability="45", requires=["amount"])
    assert [s.code for s in services.stages()][:4] == [
        "presentation", "offer", "negotiation", "agreement"]
    assert made.requires == ["amount"]
    assert AuditEvent.objects.filter(action="pipeline.stage.create").count() == 1


@pytest.mark.parametrize(("fields", "field"), [
    ({"code": "Zła Nazwa"}, "code"), ({"code": "offer"}, "code"), ({"name": ""}, "name"),
    ({"position": "-1"}, "position"), ({"probability": "101"}, "probability"),
    ({"probability": "½"}, "probability"), ({"requires": ["coffee"]}, "requires")])
def test_bad_input_names_the_field(world: Any, fields: dict[str, Any], field: str) -> None:
    data: dict[str, Any] = {"code": "new", "name": "Nowy", "position": "5", "probability": "5"}
    data.update(fields)
    before = Stage.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        stages.stage_save(actor=world.expert, **data)
    assert caught.value.field == field
    assert Stage.objects.count() == before


def test_a_stage_with_open_sales_stays_in_use_and_one_stage_always_does(world: Any) -> None:
    o = opportunity(world)
    first = stage("presentation")
    with pytest.raises(Conflict):
        stages.stage_save(actor=world.expert, stage_id=first.pk, name=first.name,
                          position=first.position, probability=first.probability,
                          active=False)
    services.opportunity_lose(actor=world.service_a, opportunity_id=o.pk,
                              reason_id=LossReason.objects.filter(stage__isnull=True)[0].pk)
    stages.stage_save(actor=world.expert, stage_id=first.pk, name="Prezentacja oferty",
                      position=first.position, probability=15, active=False,
                      requires=["minutes"])
    assert services.stages()[0].code == "offer"
    others = Stage.objects.filter(active=True)
    for row in others[:len(others) - 1]:
        stages.stage_save(actor=world.expert, stage_id=row.pk, name=row.name,
                          position=row.position, probability=row.probability, active=False)
    last = Stage.objects.get(active=True)
    with pytest.raises(Conflict):
        stages.stage_save(actor=world.expert, stage_id=last.pk, name=last.name,
                          position=last.position, probability=last.probability, active=False)
    assert Stage.objects.filter(active=True).count() == 1


def test_reasons_per_stage_and_for_any_stage(world: Any) -> None:
    offer = stage("offer")
    added = stages.reason_save(actor=world.expert, stage_id=offer.pk, label="Brak budżetu")
    assert added.stage_id == offer.pk
    with pytest.raises(ValidationFailed) as twice:
        stages.reason_save(actor=world.expert, stage_id=offer.pk, label="Brak budżetu")
    assert twice.value.field == "label"
    general = stages.reason_save(actor=world.expert, label="Zmarł")
    assert general.stage_id is None
    stages.reason_save(actor=world.expert, reason_id=general.pk, label="Zmarł", active=False)
    general.refresh_from_db()
    assert not general.active
    with pytest.raises(ActionDenied):
        stages.reason_save(actor=world.manager_a, label="Kierownik")


def test_the_settings_page(world: Any, client_as: Any) -> None:
    url = reverse("pipeline:stage_settings")
    assert client_as(world.manager_a).get(url).status_code == 403
    c = client_as(world.expert)
    assert "Prezentacja" in c.get(url).content.decode()
    refused = c.post(url, {"form": "stage", "code": "x y", "name": "Nowy", "position": "5",
                           "probability": "5", "active": "1"})
    body = refused.content.decode()
    assert refused.status_code == 200 and 'value="Nowy"' in body
    assert 'aria-invalid="true" autofocus' in body
    done = c.post(url, {"form": "stage", "code": "nowy", "name": "Nowy", "position": "5",
                        "probability": "5", "active": "1", "requires": ["amount"]})
    assert done.status_code == 302 and Stage.objects.get(code="nowy").requires == ["amount"]
