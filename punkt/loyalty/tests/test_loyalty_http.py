"""Loyalty pages and API through HTTP: roles, issuing a card at the counter with a
customer search, the counter sale with a scanned card and points, the card PDF, the
profile tab, errors naming their field."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from punkt.contracts.tests.factories import customer
from punkt.inventory.tests.factories import shop
from punkt.loyalty.models import Card, EntryKind, PointsEntry, Programme
from punkt.loyalty.tests import factories as f
from punkt.sales.models import Sale

pytestmark = pytest.mark.django_db


def test_roles_on_the_pages(world: Any, client_as: Any) -> None:
    card = f.card(world)
    detail = reverse("loyalty:card_detail", args=[card.pk])
    assert client_as(world.cashier_a).get(reverse("loyalty:card_list")).status_code == 403
    assert client_as(world.retention_a).get(detail).status_code == 200
    assert client_as(world.retention_a).get(reverse("loyalty:card_new")).status_code == 403
    assert client_as(world.manager_a).get(reverse("loyalty:programme_list")).status_code == 403
    assert client_as(world.expert).get(reverse("loyalty:programme_list")).status_code == 200
    assert client_as(world.manager_b).get(detail).status_code == 404
    assert 'data-testid="block"' not in client_as(world.service_a).get(detail).content.decode()
    assert 'data-testid="block"' in client_as(world.manager_a).get(detail).content.decode()


def test_hq_defines_a_programme_and_the_form_names_the_bad_field(world: Any,
                                                                 client_as: Any) -> None:
    client = client_as(world.expert)
    form = {"name": "Skala", "kind": "progressive", "scale": "200 2",
            "points_valid_months": "24"}
    page = client.post(reverse("loyalty:programme_new"), form)
    assert page.status_code == 200 and not Programme.objects.exists()
    assert 'id="id_scale_error"' in page.content.decode()
    form["scale"] = "200: 2; 500: 4"
    assert client.post(reverse("loyalty:programme_new"), form).status_code == 302
    programme = Programme.objects.get()
    assert programme.scale == [["200.00", "2.00"], ["500.00", "4.00"]]
    page = client.get(reverse("loyalty:programme_edit", args=[programme.pk])).content.decode()
    assert "200.00: 2.00; 500.00: 4.00" in page


def test_a_card_is_issued_at_the_counter_after_a_customer_search(world: Any,
                                                                 client_as: Any) -> None:
    programme = f.programme(world)
    c = customer(world, last_name="Kartowska")
    client = client_as(world.service_a)
    page = client.get(reverse("loyalty:card_new"), {"q": "Kartowska"}).content.decode()
    assert f'data-testid="choose-{c.pk}"' in page
    url = reverse("loyalty:card_new") + f"?customer={c.pk}"
    assert 'data-testid="card-customer"' in client.get(url).content.decode()
    response = client.post(url, {"programme": programme.pk, "customer": c.pk})
    card = Card.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/loyalty/{card.pk}/")
    assert card.customer == c and card.branch == world.a
    again = client.post(url, {"programme": programme.pk, "customer": c.pk})
    assert again.status_code == 200 and 'id="id_programme_error"' not in again.content.decode()
    assert Card.objects.count() == 1
    pdf = client.get(reverse("loyalty:card_pdf", args=[card.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    tab = client.get(reverse("customers:customer_tab", args=[c.pk, "loyalty"]),
                     headers={"HX-Request": "true"}).content.decode()
    assert card.number in tab


def test_the_counter_takes_a_scanned_card_and_points(world: Any, client_as: Any) -> None:
    s = shop(world)
    card = f.card(world)
    f.sell(world, (s.router, 1), card=card)  # 249 points
    client = client_as(world.service_a)
    counter = reverse("sales:counter") + f"?branch={world.a.pk}"
    client.post(counter, {"op": "add", "product": s.router.pk})
    response = client.post(counter, {"op": "sell", "payment_method": "cash",
                                     f"qty-{s.router.pk}": "1", "card": "290000 0000999",
                                     "points": ""})
    assert response.status_code == 302 and Sale.objects.count() == 1
    page = client.get(counter).content.decode()
    assert 'data-testid="sale-error"' in page and 'value="2900000000999"' in page
    response = client.post(counter, {"op": "sell", "payment_method": "cash",
                                     f"qty-{s.router.pk}": "1", "card": card.number,
                                     "points": "200"})
    assert response.status_code == 302 and Sale.objects.count() == 2
    assert list(PointsEntry.objects.filter(card=card).order_by("pk")
                .values_list("kind", "points"))[1:] == [(EntryKind.REDEEMED, -200),
                                                        (EntryKind.EARNED, 229)]


def test_the_api_issues_lists_and_shows_a_cards_entries(world: Any, client_as: Any) -> None:
    s = shop(world)
    programme = f.programme(world)
    c = customer(world)
    client = client_as(world.service_a)
    bad = client.post("/api/v1/loyalty/cards", json.dumps({
        "programme_id": programme.pk, "branch_id": world.a.pk}),
        content_type="application/json")
    assert bad.status_code == 422 and bad.json()["field"] == "customer"
    made = client.post("/api/v1/loyalty/cards", json.dumps({
        "programme_id": programme.pk, "branch_id": world.a.pk, "customer_id": c.pk}),
        content_type="application/json")
    assert made.status_code == 201
    card = made.json()
    sale = client.post(f"/api/v1/branches/{world.a.pk}/sales", json.dumps({
        "lines": [{"product_id": s.router.pk}], "payment_method": "card",
        "card": card["number"]}), content_type="application/json")
    assert sale.status_code == 201
    redeem = client.post(f"/api/v1/branches/{world.a.pk}/sales", json.dumps({
        "lines": [{"product_id": s.cable.pk}], "payment_method": "card",
        "card": card["number"], "points": 500}), content_type="application/json")
    assert redeem.status_code == 422 and redeem.json()["field"] == "points"
    got = client.get(f"/api/v1/loyalty/cards/{card['id']}").json()
    assert got["points"] == 249 and got["points_value"] == "24.90"
    entries = client.get(f"/api/v1/loyalty/cards/{card['id']}/entries").json()
    assert [(e["kind"], e["points"], e["sale_id"]) for e in entries["items"]] == [
        ("earned", 249, sale.json()["id"])]
    listed = client.get("/api/v1/loyalty/cards", {"q": card["number"][:6]}).json()
    assert [x["id"] for x in listed["items"]] == [card["id"]]
    moved = client_as(world.manager_a).post(
        f"/api/v1/loyalty/cards/{card['id']}/moves", json.dumps({"action": "block"}),
        content_type="application/json")
    assert moved.status_code == 422 and moved.json()["field"] == "reason"
