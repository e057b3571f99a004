"""Pages and API of the pipeline: roles refused with 403, another branch's opportunity a
404, the form keeping the input and naming the field, the board and its moves, the
profile's tab, the API's create → steps → control dates."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from punkt.pipeline.models import Opportunity
from punkt.pipeline.tests.factories import fill, opportunity, reason, stage

pytestmark = pytest.mark.django_db


def test_new_form_keeps_the_input_and_names_the_field(world: Any, client_as: Any) -> None:
    from punkt.contracts.tests.factories import customer

    cust = customer(world)
    c = client_as(world.service_a)
    form = c.get(reverse("pipeline:opportunity_new") + f"?customer_id={cust.pk}")
    assert form.status_code == 200 and str(cust) in form.content.decode()
    refused = c.post(reverse("pipeline:opportunity_new"), {
        "customer_id": cust.pk, "title": "Telewizja", "amount": "12,345"})
    body = refused.content.decode()
    assert refused.status_code == 200 and 'value="Telewizja"' in body
    assert 'id="f-amount"' in body and 'aria-invalid="true" autofocus' in body
    assert not Opportunity.objects.exists()
    done = c.post(reverse("pipeline:opportunity_new"), {
        "customer_id": cust.pk, "title": "Telewizja", "amount": "123,45",
        "expected_close": "2027-02"})
    o = Opportunity.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse(
        "pipeline:opportunity_detail", args=[o.pk])
    page = c.get(done["Location"]).content.decode()
    assert o.number in page and "123,45" in page and "Prezentacja" in page


def test_board_list_and_moves_from_the_board(world: Any, client_as: Any) -> None:
    o = opportunity(world)
    fill(world, o, "minutes")
    c = client_as(world.service_a)
    board = c.get(reverse("pipeline:board")).content.decode()
    assert o.number in board and 'data-testid="next-control"' in board
    moved = c.post(reverse("pipeline:opportunity_act", args=[o.pk, "move"]),
                   {"stage_id": stage("offer").pk, "back": "board"})
    assert moved.status_code == 302 and moved["Location"] == reverse("pipeline:board")
    o.refresh_from_db()
    assert o.stage.code == "offer"
    # a stage left without what it requires: the reason as a message, nothing moved
    refused = c.post(reverse("pipeline:opportunity_act", args=[o.pk, "move"]),
                     {"stage_id": stage("payment").pk}, follow=True)
    assert "daty ważności oferty" in refused.content.decode()
    o.refresh_from_db()
    assert o.stage.code == "offer"
    listing = c.get(reverse("pipeline:opportunity_list") + f"?stage={stage('offer').pk}")
    assert o.number in listing.content.decode()
    lost = c.post(reverse("pipeline:opportunity_act", args=[o.pk, "lose"]),
                  {"reason_id": reason("offer").pk})
    assert lost.status_code == 302
    assert Opportunity.objects.get(pk=o.pk).status == "lost"
    assert c.post(reverse("pipeline:opportunity_act", args=[o.pk, "fly"])).status_code == 404


def test_roles_and_branches(world: Any, client_as: Any) -> None:
    o = opportunity(world)
    assert client_as(world.cashier_a).get(reverse("pipeline:board")).status_code == 403
    assert client_as(world.cashier_a).get(
        reverse("pipeline:opportunity_new")).status_code == 403
    assert client_as(world.manager_b).get(
        reverse("pipeline:opportunity_detail", args=[o.pk])).status_code == 404
    assert o.number not in client_as(world.manager_b).get(
        reverse("pipeline:opportunity_list")).content.decode()
    expert = client_as(world.expert).get(reverse("pipeline:opportunity_detail", args=[o.pk]))
    assert expert.status_code == 200 and "Oznacz jako utraconą" not in expert.content.decode()
    # a colleague sees the sale but may not work on it
    colleague = client_as(world.retention_a)
    colleague.post(reverse("pipeline:opportunity_act", args=[o.pk, "control"]),
                   {"kind": "minutes", "on": "2027-01-10"})
    assert not o.control_dates.exists()


def test_profile_tab_and_matter(world: Any, client_as: Any) -> None:
    o = opportunity(world)
    c = client_as(world.service_a)
    tab = c.get(reverse("customers:customer_tab", args=[o.customer_id, "opportunities"]),
                HTTP_HX_REQUEST="true")
    assert tab.status_code == 200 and o.number in tab.content.decode()
    profile = c.get(reverse("customers:customer_detail", args=[o.customer_id])).content.decode()
    assert reverse("pipeline:opportunity_detail", args=[o.pk]) in profile
    assert reverse("pipeline:opportunity_new") + f"?customer_id={o.customer_id}" in profile


def test_api_create_steps_and_control_dates(world: Any, client_as: Any) -> None:
    from punkt.contracts.tests.factories import customer

    cust = customer(world)
    c = client_as(world.service_a)
    stages = c.get("/api/v1/pipeline/stages").json()
    assert [s["code"] for s in stages][:2] == ["presentation", "offer"]
    assert "minutes" in stages[0]["requires"] and stages[0]["reasons"]
    bad = c.post("/api/v1/opportunities", json.dumps({"customer_id": cust.pk, "title": "X",
                                                      "amount": "1_000"}),
                 content_type="application/json")
    assert bad.status_code == 422
    made = c.post("/api/v1/opportunities", json.dumps({
        "customer_id": cust.pk, "title": "Internet", "amount": "1500.00"}),
        content_type="application/json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["stage"] == "Prezentacja" and body["missing"] and "move" in body["actions"]
    oid = body["id"]
    refused = c.post(f"/api/v1/opportunities/{oid}/steps", json.dumps({
        "action": "move", "stage_id": stages[1]["id"]}), content_type="application/json")
    assert refused.status_code == 422 and refused.json()["field"] == "stage"
    dated = c.put(f"/api/v1/opportunities/{oid}/control-dates", json.dumps({
        "kind": "minutes", "on": "2027-01-08"}), content_type="application/json")
    assert dated.status_code == 200 and dated.json()["control_dates"][0]["task_id"]
    moved = c.post(f"/api/v1/opportunities/{oid}/steps", json.dumps({
        "action": "move", "stage_id": stages[1]["id"]}), content_type="application/json")
    assert moved.status_code == 200 and moved.json()["stage_id"] == stages[1]["id"]
    listed = c.get("/api/v1/opportunities?status=open").json()
    assert [i["id"] for i in listed["items"]] == [oid]
    assert client_as(world.manager_b).get(f"/api/v1/opportunities/{oid}").status_code == 404
    assert client_as(world.cashier_a).get("/api/v1/opportunities").status_code == 403


def test_pages_read_a_fixed_number_of_queries(world: Any, client_as: Any) -> None:
    """The board, the list, an opportunity's page and "my work" do not read more as the
    branch's sales grow (no query per card, row or control date)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counts() -> dict[str, int]:
        first = Opportunity.objects.order_by("id").first()
        assert first is not None
        out = {}
        c = client_as(world.manager_a)
        for name, url in (("board", reverse("pipeline:board")),
                          ("list", reverse("pipeline:opportunity_list")),
                          ("page", reverse("pipeline:opportunity_detail", args=[first.pk])),
                          ("between", reverse("pipeline:between_sales")),
                          ("work", reverse("work:my_work"))):
            with CaptureQueriesContext(connection) as ctx:
                assert c.get(url).status_code == 200
            out[name] = len(ctx.captured_queries)
        return out

    first = opportunity(world)
    fill(world, first, "minutes")
    before = counts()
    for n in range(6):
        o = opportunity(world, title=f"Sprzedaż {n}")
        fill(world, o, "minutes", "offer_valid", "offer_sent")
        services_move(world, o, "offer" if n % 2 else "agreement")
        services_control(world, first, "survey" if n == 0 else "event")
    assert counts() == before



def services_move(world: Any, o: Any, code: str) -> None:
    from punkt.pipeline import services

    services.opportunity_move(actor=world.service_a, opportunity_id=o.pk,
                              stage_id=stage(code).pk)


def services_control(world: Any, o: Any, kind: str) -> None:
    from punkt.pipeline import services

    services.control_set(actor=world.service_a, opportunity_id=o.pk, kind=kind,
                         on="2027-03-01")
