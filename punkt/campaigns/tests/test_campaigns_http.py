"""Campaign pages and API through HTTP: roles, a branch's walk from planning to stock,
errors next to the field they name, the code on the new-customer form."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from punkt.campaigns.models import Campaign, CampaignCustomer, Leaflet, PrintOrder
from punkt.campaigns.tests import factories as f
from punkt.inventory.models import StockLevel

pytestmark = pytest.mark.django_db


def test_roles_on_the_pages(world: Any, client_as: Any) -> None:
    c = f.campaign(world)
    detail = reverse("campaigns:campaign_detail", args=[c.pk])
    assert client_as(world.cashier_a).get(reverse("campaigns:campaign_list")).status_code == 403
    assert client_as(world.service_a).get(detail).status_code == 200
    assert client_as(world.service_a).get(reverse("campaigns:campaign_new")).status_code == 403
    assert client_as(world.manager_a).get(reverse("campaigns:shop_list")).status_code == 403
    assert client_as(world.expert).get(reverse("campaigns:shop_list")).status_code == 200
    assert client_as(world.manager_b).get(detail).status_code == 404
    page = client_as(world.service_a).get(detail).content.decode()
    assert "Budżet i efekt" in page and c.code in page
    assert 'data-testid="campaign-start"' not in page  # the manager's step
    assert 'data-testid="campaign-start"' in client_as(world.manager_a).get(detail).content.decode()


def test_a_manager_plans_and_the_form_names_the_bad_field(world: Any, client_as: Any) -> None:
    products = f.products(world)
    client = client_as(world.manager_a)
    form = {"name": "Wiosna", "starts_on": "2026-03-01", "ends_on": "2026-03-31",
            "budget": "1 200,50", "code": "x!", "product_ids": [products[0].pk]}
    page = client.post(reverse("campaigns:campaign_new"), form)
    assert page.status_code == 200 and not Campaign.objects.exists()
    html = page.content.decode()
    assert 'id="id_code_error"' in html and "4–12 znaków" in html
    response = client.post(reverse("campaigns:campaign_new"), {**form, "code": "wiosna-26"})
    c = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{c.pk}/")
    assert (c.code, c.budget, c.branch_id) == ("WIOSNA-26", Decimal("1200.50"), world.a.pk)
    assert list(c.products.all()) == [products[0]]


def test_the_branch_walk_from_leaflet_to_stock(world: Any, client_as: Any) -> None:
    c = f.campaign(world, budget="300,00")
    version = f.leaflet_template(world)
    shop = f.shop(world)
    client = client_as(world.service_a)
    response = client.post(reverse("campaigns:leaflet_new", args=[c.pk]),
                           {"branch": world.a.pk, "template": version.pk,
                            "title": "Router za pół ceny"})
    leaflet = Leaflet.objects.get()
    assert response["Location"] == reverse("campaigns:order_new", args=[leaflet.pk])
    pdf = client.get(reverse("campaigns:leaflet_pdf", args=[leaflet.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    order_url = reverse("campaigns:order_new", args=[leaflet.pk])
    over = client.post(order_url, {"shop": shop.pk, "quantity": "2500"})
    assert over.status_code == 200 and 'id="id_quantity_error"' in over.content.decode()
    assert not PrintOrder.objects.exists()
    response = client.post(order_url, {"shop": shop.pk, "quantity": "1000"})
    order = PrintOrder.objects.get()
    assert response["Location"] == reverse("campaigns:order_detail", args=[order.pk])
    assert order.price == Decimal("190.00") and order.created_by == world.service_a
    act = reverse("campaigns:order_act", args=[order.pk, "deliver"])
    client.post(act)
    second = client.post(act, follow=True)
    assert "Tego nie można teraz zrobić" in second.content.decode()
    level = StockLevel.objects.get(branch=world.a, product=leaflet.product)
    assert level.quantity == 1000
    page = client.get(reverse("campaigns:campaign_detail", args=[c.pk])).content.decode()
    assert "190,00" in page and "110,00" in page  # spent, left
    stock = client.get(reverse("inventory:stock")).content.decode()
    assert "Router za pół ceny" in stock


def test_the_code_on_the_new_customer_form(world: Any, client_as: Any) -> None:
    from punkt.campaigns import services

    c = f.campaign(world, code="LATO-26")
    services.campaign_move(actor=world.manager_a, campaign_id=c.pk, action="start")
    client = client_as(world.service_a)
    form = {"kind": "person", "first_name": "Ewa", "last_name": "Ulotkowa",
            "phone": "601 222 333", "consent_contract": "on", "source": "counter",
            "branch": world.a.pk}
    wrong = client.post(reverse("customers:customer_create"), {**form,
                                                              "campaign_code": "ZIMA-26"})
    assert wrong.status_code == 200
    assert 'id="id_campaign_code_error"' in wrong.content.decode()
    assert not CampaignCustomer.objects.exists()
    right = client.post(reverse("customers:customer_create"), {**form,
                                                              "campaign_code": "lato-26"})
    assert right.status_code == 302, [line for line in right.content.decode().splitlines()
                                      if "error" in line]
    assert CampaignCustomer.objects.get().campaign == c
    page = client.get(reverse("campaigns:campaign_detail", args=[c.pk])).content.decode()
    assert "Ulotkowa" in page


def _api(client: Any, method: str, path: str, body: Any = None) -> Any:
    return client.generic(method, path, data=json.dumps(body) if body is not None else "",
                          content_type="application/json")


def test_the_api_plans_moves_orders_and_checks_in(world: Any, client_as: Any) -> None:
    products = f.products(world)
    manager = client_as(world.manager_a)
    bad = _api(manager, "POST", "/api/v1/campaigns", {
        "name": "API", "starts_on": "2026-05-10", "ends_on": "2026-05-01", "budget": "100.00"})
    assert bad.status_code == 422 and bad.json()["field"] == "ends_on"
    made = _api(manager, "POST", "/api/v1/campaigns", {
        "name": "API", "starts_on": "2026-05-01", "ends_on": "2026-05-31",
        "budget": "300.00", "code": "api-26", "product_ids": [products[1].pk]})
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["code"] == "API-26" and body["status"] == "planned"
    assert body["left"] == "300.00" and "start" in body["actions"]
    moved = _api(manager, "POST", f"/api/v1/campaigns/{body['id']}/moves", {"action": "start"})
    assert moved.status_code == 200 and moved.json()["status"] == "running"
    again = _api(manager, "POST", f"/api/v1/campaigns/{body['id']}/moves", {"action": "start"})
    assert again.status_code == 409
    version = f.leaflet_template(world)
    shop = f.shop(world)
    service = client_as(world.service_a)
    leaflet = _api(service, "POST", f"/api/v1/campaigns/{body['id']}/leaflets",
                   {"branch_id": world.a.pk, "template_id": version.pk})
    assert leaflet.status_code == 201, leaflet.content
    order = _api(service, "POST", "/api/v1/print-orders", {
        "leaflet_id": leaflet.json()["id"], "shop_id": shop.pk, "quantity": 2500})
    assert order.status_code == 422 and order.json()["field"] == "quantity"
    order = _api(service, "POST", "/api/v1/print-orders", {
        "leaflet_id": leaflet.json()["id"], "shop_id": shop.pk, "quantity": 1000})
    assert order.status_code == 201 and order.json()["price"] == "190.00"
    oid = order.json()["id"]
    assert order.json()["mail_status"] == "queued"
    listed = _api(service, "GET", "/api/v1/print-orders").json()
    assert [o["id"] for o in listed["items"]] == [oid]
    done = _api(service, "POST", f"/api/v1/print-orders/{oid}/moves", {"action": "deliver"})
    assert done.status_code == 200 and done.json()["stock_movement_id"]
    twice = _api(service, "POST", f"/api/v1/print-orders/{oid}/moves", {"action": "deliver"})
    assert twice.status_code == 409
    got = _api(service, "GET", f"/api/v1/campaigns/{body['id']}").json()
    assert (got["spent"], got["left"]) == ("190.00", "110.00")
    assert _api(client_as(world.service_b), "GET",
                f"/api/v1/print-orders/{oid}").status_code == 404
    assert _api(client_as(world.cashier_a), "GET", "/api/v1/campaigns").status_code == 403


def test_the_customer_api_takes_the_code(world: Any, client_as: Any) -> None:
    from punkt.campaigns import services

    c = f.campaign(world, code="API-KOD")
    services.campaign_move(actor=world.manager_a, campaign_id=c.pk, action="start")
    client = client_as(world.service_a)
    body = {"branch_id": world.a.pk, "kind": "person", "first_name": "Jan",
            "last_name": "Apiński", "phone": "601 444 555",
            "consents": [{"purpose": "contract", "granted": True}]}
    bad = _api(client, "POST", "/api/v1/customers", {**body, "campaign_code": "NIE-MA"})
    assert bad.status_code == 422 and bad.json()["field"] == "campaign_code"
    ok = _api(client, "POST", "/api/v1/customers", {**body, "campaign_code": "api-kod"})
    assert ok.status_code == 201
    assert CampaignCustomer.objects.get().customer_id == ok.json()["id"]


def test_the_dashboard_shows_the_campaigns_running_at_my_branch(world: Any,
                                                                client_as: Any) -> None:
    from punkt.campaigns import services

    mine = f.campaign(world)
    assert 'data-testid="panel-campaigns"' not in client_as(world.service_a).get(
        reverse("core:dashboard")).content.decode()  # planned, not running yet
    services.campaign_move(actor=world.manager_a, campaign_id=mine.pk, action="start")
    theirs = f.campaign(world, actor=world.manager_b, name="Zima w Gdańsku")
    services.campaign_move(actor=world.manager_b, campaign_id=theirs.pk, action="start")
    page = client_as(world.service_a).get(reverse("core:dashboard")).content.decode()
    assert 'data-testid="panel-campaigns"' in page
    mine.refresh_from_db()
    assert mine.code in page and reverse("campaigns:campaign_detail", args=[mine.pk]) in page
    assert "Zima w Gdańsku" not in page
    assert 'data-testid="panel-campaigns"' not in client_as(world.cashier_a).get(
        reverse("core:dashboard")).content.decode()
