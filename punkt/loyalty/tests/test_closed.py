"""Resources closed to other customers (R13.1): HQ lists a programme's closed products
(``code | tier | note``; a bad line refused on ``closed`` with its number, nothing saved);
the counter sale of such a product needs an active card of the programme reaching the
tier — otherwise refused on the line's ``product_id`` with nothing saved, through the
service, the counter form and the API; the card page, the profile's tab, the programme
list and the card API show what the card opens."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from punkt.core.errors import ValidationFailed
from punkt.inventory.tests.factories import shop
from punkt.loyalty import closed, services
from punkt.loyalty.models import Card, CardSale, ClosedProduct, Tier
from punkt.loyalty.tests import factories as f
from punkt.sales.models import Sale

pytestmark = pytest.mark.django_db


def tiered(world: Any, text: str) -> Any:
    return f.programme(world, "tiered", name="Srebro i złoto", closed=text)


def silver_card(world: Any, prog: Any, s: Any) -> Any:
    card = f.card(world, prog)
    f.sell(world, (s.router, 3), card=card)  # 3 × 249 zł: silver from 500, gold from 1000
    card.refresh_from_db()
    assert card.tier == Tier.SILVER
    return card


# -- rules ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("card", "minimum", "ok"), [
    ("", "", True), ("", "silver", False), ("silver", "silver", True),
    ("silver", "gold", False), ("platinum", "gold", True), ("gold", "platinum", False)])
def test_a_tier_reaches_its_own_minimum_and_the_lower_ones(card: str, minimum: str,
                                                           ok: bool) -> None:
    assert closed.reaches(card, minimum) is ok


@pytest.mark.parametrize(("text", "tier"), [
    ("gold", "gold"), ("Złoty", "gold"), ("złota", "gold"), ("SREBRNY", "silver"),
    ("platinum", "platinum"), ("", ""), ("brąz", None)])
def test_a_tier_is_named_by_its_code_or_its_polish_or_english_name(text: str,
                                                                   tier: str | None) -> None:
    assert closed.tier_named(text) == tier


def test_hq_lists_closed_products_and_a_product_left_out_is_switched_off(world: Any) -> None:
    s = shop(world)
    prog = tiered(world, f"{s.router.code} | złoty | Cena klubowa\n{s.book.code}")
    assert [(r.product_id, r.min_tier, r.note) for r in prog.closed_products.all()] == [
        (s.router.pk, "gold", "Cena klubowa"), (s.book.pk, "", "")]
    assert closed.closed_text(prog) == f"{s.router.code} | gold | Cena klubowa\n{s.book.code}"
    services.programme_save(actor=world.expert, programme_id=prog.pk, data={
        "name": prog.name, "kind": "tiered", "silver_from": "500", "silver_percent": "3",
        "gold_from": "1000", "gold_percent": "5", "platinum_from": "3000",
        "platinum_percent": "10", "closed": s.book.code})
    assert list(ClosedProduct.objects.filter(is_active=True).values_list("product_id",
                                                                         flat=True)) == [
        s.book.pk]
    assert ClosedProduct.objects.get(product=s.router).is_active is False


@pytest.mark.parametrize(("text", "line"), [
    ("NO-SUCH", 1), ("{r}\n{r} | gold", 2), ("{r} | bronze", 1), ("{r} | gold | a | b", 1),
    ("{b}\n | gold", 2)])
def test_a_bad_closed_line_is_refused_with_its_number_and_nothing_is_saved(
        world: Any, text: str, line: int) -> None:
    s = shop(world)
    with pytest.raises(ValidationFailed) as err:
        tiered(world, text.format(r=s.router.code, b=s.book.code))
    assert err.value.field == "closed" and f" {line}:" in str(err.value)
    assert not ClosedProduct.objects.exists()


def test_a_tier_is_refused_for_a_programme_without_tiers(world: Any) -> None:
    s = shop(world)
    with pytest.raises(ValidationFailed) as err:
        f.programme(world, closed=f"{s.book.code} | gold")
    assert err.value.field == "closed" and " 1:" in str(err.value)
    prog = f.programme(world, closed=s.book.code)
    assert prog.closed_products.get().min_tier == ""


# -- the counter sale ----------------------------------------------------------------------

def test_a_closed_product_is_refused_without_a_qualifying_card_and_nothing_is_saved(
        world: Any) -> None:
    s = shop(world)
    prog = tiered(world, f"{s.book.code} | gold")
    card = silver_card(world, prog, s)
    sales_before, uses = Sale.objects.count(), CardSale.objects.count()
    for with_card in (None, card):
        with pytest.raises(ValidationFailed) as err:
            f.sell(world, (s.cable, 1), (s.book, 1), card=with_card)
        assert err.value.code == "closed" and err.value.field == "lines[2].product_id"
        assert str(err.value) == ("«Poradnik światłowodu» jest dostępny tylko dla "
                                  "posiadaczy karty «Srebro i złoto» (od poziomu złotego).")
    assert (Sale.objects.count(), CardSale.objects.count()) == (sales_before, uses)
    Card.objects.filter(pk=card.pk).update(tier=Tier.PLATINUM)
    sale = f.sell(world, (s.book, 1), card=card)
    assert sale.lines.get().product_id == s.book.pk


def test_a_blocked_card_opens_nothing_and_any_one_programme_suffices(world: Any) -> None:
    s = shop(world)
    tiers = tiered(world, f"{s.book.code} | silver")
    points = f.programme(world, closed=s.book.code)
    holder = f.card(world, points)
    with pytest.raises(ValidationFailed) as err:
        f.sell(world, (s.book, 1))
    assert "jednej z kart: «Program points», «Srebro i złoto» (od poziomu srebrnego)" in str(
        err.value)
    assert f.sell(world, (s.book, 1), card=holder).pk  # the points card opens it
    other = f.card(world, tiers)  # no tier yet
    with pytest.raises(ValidationFailed):
        f.sell(world, (s.book, 1), card=other)
    services.card_move(actor=world.manager_a, card_id=holder.pk, action="block",
                       reason="zgubiona")
    with pytest.raises(ValidationFailed) as blocked:
        f.sell(world, (s.book, 1), card=holder)
    assert blocked.value.field == "card"


def test_a_switched_off_programme_or_row_closes_nothing(world: Any) -> None:
    s = shop(world)
    prog = f.programme(world, closed=s.book.code)
    ClosedProduct.objects.filter(programme=prog).update(is_active=False)
    assert f.sell(world, (s.book, 1)).pk
    ClosedProduct.objects.filter(programme=prog).update(is_active=True)
    prog.__class__.objects.filter(pk=prog.pk).update(is_active=False)
    assert f.sell(world, (s.book, 1)).pk


def test_a_basket_without_closed_products_asks_one_query_more(world: Any) -> None:
    s = shop(world)
    f.programme(world, closed=s.book.code)
    with CaptureQueriesContext(connection) as queries:
        f.sell(world, (s.router, 1))
    asked = [q["sql"] for q in queries.captured_queries if "loyalty_closedproduct" in q["sql"]]
    assert len(asked) == 1


def test_the_counter_form_and_the_api_refuse_a_closed_product(world: Any,
                                                              client_as: Any) -> None:
    s = shop(world)
    prog = tiered(world, f"{s.book.code} | gold")
    card = silver_card(world, prog, s)
    before = Sale.objects.count()
    client = client_as(world.service_a)
    counter = reverse("sales:counter") + f"?branch={world.a.pk}"
    client.post(counter, {"op": "add", "product": s.book.pk})
    response = client.post(counter, {"op": "sell", "payment_method": "cash",
                                     f"qty-{s.book.pk}": "1", "card": card.number,
                                     "points": ""})
    assert response.status_code == 302 and Sale.objects.count() == before
    page = client.get(counter).content.decode()
    assert 'data-testid="sale-error"' in page and "Poradnik światłowodu" in page
    api = client.post(f"/api/v1/branches/{world.a.pk}/sales", json.dumps({
        "lines": [{"product_id": s.book.pk}], "payment_method": "card",
        "card": card.number}), content_type="application/json")
    assert api.status_code == 422 and api.json()["field"] == "lines[1].product_id"
    assert Sale.objects.count() == before
    Card.objects.filter(pk=card.pk).update(tier=Tier.GOLD)
    ok = client.post(f"/api/v1/branches/{world.a.pk}/sales", json.dumps({
        "lines": [{"product_id": s.book.pk}], "payment_method": "card",
        "card": card.number}), content_type="application/json")
    assert ok.status_code == 201


# -- where members see it ------------------------------------------------------------------

def test_the_card_page_the_profile_and_the_programme_list_show_the_closed_products(
        world: Any, client_as: Any) -> None:
    s = shop(world)
    prog = tiered(world, f"{s.cable.code} | silver | Cena klubowa\n{s.book.code} | gold")
    card = silver_card(world, prog, s)
    client = client_as(world.service_a)
    page = client.get(reverse("loyalty:card_detail", args=[card.pk])).content.decode()
    assert 'data-testid="card-closed"' in page and "Cena klubowa" in page
    assert f'href="/catalog/{s.cable.pk}/"' in page or reverse(
        "catalog:product_detail", args=[s.cable.pk]) in page
    assert "jeszcze niedostępny: od poziomu złotego" in page
    assert "Zasoby zamknięte dostępne z tą kartą" in page
    tab = client.get(reverse("customers:customer_tab", args=[card.customer_id, "loyalty"]),
                     headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="tab-loyalty-closed"' in tab and s.book.name in tab
    hq = client_as(world.expert)
    listing = hq.get(reverse("loyalty:programme_list")).content.decode()
    assert f'data-testid="programme-closed-{prog.pk}"' in listing
    assert reverse("catalog:product_detail", args=[s.book.pk]) in listing
    form = hq.get(reverse("loyalty:programme_edit", args=[prog.pk])).content.decode()
    assert f"{s.book.code} | gold" in form and 'data-testid="programme-closed"' in form
    assert client.get(reverse("loyalty:programme_list")).status_code == 403


def test_the_programme_form_refuses_a_bad_line_naming_the_field(world: Any,
                                                                client_as: Any) -> None:
    shop(world)
    hq = client_as(world.expert)
    response = hq.post(reverse("loyalty:programme_new"), {
        "name": "Karta", "kind": "personal", "discount_percent": "5",
        "points_valid_months": "24", "closed": "NO-SUCH | | x"})
    assert response.status_code == 200 and 'id="id_closed_error"' in response.content.decode()
    assert not prog_exists()


def prog_exists() -> bool:
    from punkt.loyalty.models import Programme

    return Programme.objects.exists()


def test_the_card_api_shows_what_the_card_opens(world: Any, client_as: Any) -> None:
    s = shop(world)
    prog = tiered(world, f"{s.cable.code} | silver\n{s.book.code} | gold | Klub")
    card = silver_card(world, prog, s)
    got = client_as(world.service_a).get(
        f"/api/v1/loyalty/cards/{card.pk}/closed-products")
    assert got.status_code == 200
    assert [(x["product_code"], x["min_tier"], x["open"], x["state"]) for x in got.json()] == [
        (s.cable.code, "silver", True, "open"), (s.book.code, "gold", False, "tier")]
    assert got.json()[1]["note"] == "Klub"
