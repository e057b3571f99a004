"""Who brought whom (R12.7): the recommender at registration (form and API), the manager's
correction, visibility, both profiles, the timeline, GDPR merge and erasure."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from punkt.core.access import SystemActor
from punkt.core.errors import ActionDenied, ValidationFailed
from punkt.core.models import AuditEvent
from punkt.customers import gdpr, recommendations, services
from punkt.customers.models import Customer, Recommendation, TimelineEntry

pytestmark = pytest.mark.django_db

BASIS = [{"purpose": "contract", "granted": True}]


def register(world: Any, last: str, *, branch: Any = None, actor: Any = None,
             recommended_by: Any = None) -> Customer:
    return services.customer_create(
        actor=actor or world.service_a, branch_id=(branch or world.a).pk,
        data={"kind": "person", "first_name": "Anna", "last_name": last, "city": "Kraków"},
        consents=BASIS, confirm_duplicate=True, recommended_by=recommended_by)


def refused(call: Any, field: str, code: str = "") -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        call()
    assert caught.value.field == field
    if code:
        assert caught.value.code == code
    return caught.value


def test_registration_records_who_recommended_with_date_author_and_timeline(world: Any
                                                                           ) -> None:
    old = register(world, "Polecająca")
    new = register(world, "Polecona", recommended_by=old.pk)
    link = Recommendation.objects.get(customer=new)
    assert link.recommender == old and link.recorded_by == world.service_a
    assert link.recorded_at is not None
    assert TimelineEntry.objects.filter(customer=new, subject__contains="Polecająca").exists()
    mine = TimelineEntry.objects.get(customer=old, source_type="customers.customer",
                                     source_id=str(new.pk))
    assert "Polecona" in mine.subject
    assert [r.customer for r in recommendations.brought_by(world.service_a, old)] == [new]


def test_the_recommender_must_be_visible_active_and_not_the_customer(world: Any) -> None:
    other_branch = register(world, "Gdzieindziej", branch=world.b, actor=world.service_b)
    before = Customer.objects.count()
    refused(lambda: register(world, "X", recommended_by=other_branch.pk), "recommended_by")
    refused(lambda: register(world, "X", recommended_by=999999), "recommended_by")
    refused(lambda: register(world, "X", recommended_by="abc"), "recommended_by")
    assert Customer.objects.count() == before  # nothing saved
    # HQ sees every branch: a recommender elsewhere is fine for HQ.
    assert register(world, "Centrala", actor=world.expert, recommended_by=other_branch.pk)
    a = register(world, "Sama")
    refused(lambda: recommendations.recommendation_set(
        actor=world.manager_a, customer_id=a.pk, recommender_id=a.pk), "recommended_by", "self")
    closed = register(world, "Zamknięta")
    gdpr.customer_anonymise(actor=SystemActor("t"), customer_id=closed.pk, reason="żądanie")
    refused(lambda: register(world, "Y", recommended_by=closed.pk), "recommended_by",
            "not_active")


def test_the_manager_changes_or_removes_it_audited_service_may_not(world: Any) -> None:
    first, second = register(world, "Pierwsza"), register(world, "Druga")
    new = register(world, "Nowa", recommended_by=first.pk)
    with pytest.raises(ActionDenied):
        recommendations.recommendation_set(actor=world.service_a, customer_id=new.pk,
                                           recommender_id=second.pk)
    with pytest.raises(ActionDenied):
        recommendations.recommendation_set(actor=world.manager_b, customer_id=new.pk,
                                           recommender_id=second.pk)
    recommendations.recommendation_set(actor=world.manager_a, customer_id=new.pk,
                                       recommender_id=second.pk)
    assert Recommendation.objects.get(customer=new).recommender == second
    event = AuditEvent.objects.filter(action="customers.recommendation.change").get()
    assert event.changes == {"recommended_by": [first.number, second.number]}
    recommendations.recommendation_set(actor=world.manager_a, customer_id=new.pk,
                                       recommender_id=None)
    assert not Recommendation.objects.filter(customer=new).exists()
    assert AuditEvent.objects.filter(action="customers.recommendation.change").count() == 2
    # Without a link before: the manager adds one.
    recommendations.recommendation_set(actor=world.manager_a, customer_id=new.pk,
                                       recommender_id=first.pk)
    assert Recommendation.objects.get(customer=new).recommender == first


def test_merge_moves_both_sides_and_undo_moves_them_back(world: Any) -> None:
    rec = register(world, "Polecająca")
    survivor, duplicate = register(world, "Kowalska"), register(world, "Kowalska",
                                                                recommended_by=rec.pk)
    brought = register(world, "Przyprowadzona", recommended_by=duplicate.pk)
    by_survivor = register(world, "Odwrotnie", recommended_by=survivor.pk)
    # the duplicate was recommended by the survivor too? no: survivor recommends nobody of
    # the pair, so both moves apply
    record = gdpr.customer_merge(actor=world.expert, survivor_id=survivor.pk,
                                 merged_id=duplicate.pk)
    assert Recommendation.objects.get(customer=survivor).recommender == rec
    assert Recommendation.objects.get(customer=brought).recommender == survivor
    assert Recommendation.objects.get(customer=by_survivor).recommender == survivor
    gdpr.customer_unmerge(actor=world.expert, record_id=record.pk)
    assert Recommendation.objects.get(customer=duplicate).recommender == rec
    assert not Recommendation.objects.filter(customer=survivor).exists()
    assert Recommendation.objects.get(customer=brought).recommender == duplicate


def test_merge_never_makes_a_customer_recommend_himself(world: Any) -> None:
    survivor = register(world, "Nowak")
    duplicate = register(world, "Nowak", recommended_by=survivor.pk)
    gdpr.customer_merge(actor=world.expert, survivor_id=survivor.pk, merged_id=duplicate.pk)
    assert not Recommendation.objects.filter(customer=survivor).exists()
    assert Recommendation.objects.filter(customer=duplicate, recommender=survivor).exists()


def test_erasure_keeps_the_link_to_the_anonymised_record(world: Any) -> None:
    rec = register(world, "Polecająca")
    new = register(world, "Polecona", recommended_by=rec.pk)
    gdpr.customer_anonymise(actor=SystemActor("t"), customer_id=rec.pk, reason="żądanie")
    assert Recommendation.objects.get(customer=new).recommender_id == rec.pk
    exported = gdpr.customer_export_data(actor=world.expert, customer_id=new.pk)
    assert exported["customers.recommendation"][0]["recommender_id"] == rec.pk


def test_pages_registration_form_profiles_and_the_managers_page(world: Any,
                                                              client_as: Any) -> None:
    rec = register(world, "Polecajska")
    service = client_as(world.service_a)
    url = reverse("customers:customer_create")
    form = {"kind": "person", "first_name": "Ola", "last_name": "Nowa", "city": "Kraków",
            "consent_contract": "on", "source": "counter", "branch": world.a.pk}
    found = service.post(url, {**form, "recommender_q": "Polecajska",
                               "op": "find_recommender"}).content.decode()
    assert f'value="{rec.pk}"' in found and "Polecajska" in found
    assert not Customer.objects.filter(last_name="Nowa").exists()
    done = service.post(url, {**form, "recommender_q": "Polecajska",
                              "recommended_by": rec.pk})
    assert done.status_code == 302
    new = Customer.objects.get(last_name="Nowa")
    assert Recommendation.objects.get(customer=new).recommender == rec
    page = service.get(reverse("customers:customer_detail", args=[new.pk])).content.decode()
    assert "Polecajska" in page and 'data-testid="recommended-by"' in page
    assert 'data-testid="recommendation-edit"' not in page  # service staff: no change
    theirs = service.get(reverse("customers:customer_detail", args=[rec.pk])).content.decode()
    assert 'data-testid="recommended-count"' in theirs
    tab = service.get(reverse("customers:customer_tab", args=[rec.pk, "recommended"]),
                      HTTP_HX_REQUEST="true").content.decode()
    assert "Nowa" in tab
    assert service.get(reverse("customers:recommendation_edit", args=[new.pk])
                       ).status_code == 403
    manager = client_as(world.manager_a)
    edit = reverse("customers:recommendation_edit", args=[new.pk])
    assert manager.get(edit + "?q=Polecajska").status_code == 200
    assert manager.post(edit, {"recommended_by": ""}).status_code == 302
    assert not Recommendation.objects.filter(customer=new).exists()
    assert client_as(world.manager_b).get(edit).status_code == 404


def test_the_api_takes_the_recommender_and_the_manager_changes_it(world: Any,
                                                                 client_as: Any) -> None:
    rec = register(world, "Polecajska")
    service = client_as(world.service_a)
    body = {"branch_id": world.a.pk, "kind": "person", "first_name": "Ela",
            "last_name": "Apijna", "consents": BASIS, "recommended_by_id": rec.pk}
    made = service.post("/api/v1/customers", json.dumps(body), content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["recommended_by_id"] == rec.pk
    new_id = made.json()["id"]
    own = service.post("/api/v1/customers", json.dumps({**body, "last_name": "Zła",
                                                         "recommended_by_id": 999999}),
                       content_type="application/json")
    assert own.status_code == 422 and "recommended_by" in own.content.decode()
    listed = service.get(f"/api/v1/customers/{rec.pk}/recommended").json()
    assert [r["customer_id"] for r in listed] == [new_id]
    url = f"/api/v1/customers/{new_id}/recommendation"
    assert service.put(url, json.dumps({"recommended_by_id": None}),
                       content_type="application/json").status_code == 403
    cleared = client_as(world.manager_a).put(url, json.dumps({"recommended_by_id": None}),
                                             content_type="application/json")
    assert cleared.status_code == 200 and cleared.json()["recommended_by_id"] is None
    selfish = client_as(world.manager_a).put(url, json.dumps({"recommended_by_id": new_id}),
                                             content_type="application/json")
    assert selfish.status_code == 422
