"""The counter, sales pages, stock and catalogue pages through HTTP (Polish UI)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.urls import reverse

from punkt.contracts.tests.factories import customer
from punkt.customers.models import TimelineEntry
from punkt.inventory.models import OrderStatus, StockLevel, StockOrder
from punkt.inventory.tests.factories import shop
from punkt.sales.models import Sale

pytestmark = pytest.mark.django_db


def qty(branch: Any, product: Any) -> int:
    return StockLevel.objects.get(branch=branch, product=product).quantity


def test_counter_sells_the_basket_once(world: Any, client_as: Any) -> None:
    s = shop(world, stock_a=2)
    c = client_as(world.service_a)
    page = c.get(reverse("sales:counter"), {"q": "router"})
    assert page.status_code == 200 and "Router Wi-Fi 6" in page.content.decode()
    url = reverse("sales:counter") + f"?branch={world.a.pk}"
    c.post(url, {"op": "add", "product": s.router.pk})
    c.post(url, {"op": "add", "product": s.cable.pk})
    page = c.get(url).content.decode()
    assert "268,99 zł" in page  # 249 + 19.99, Polish format
    done = c.post(url, {"op": "sell", "payment_method": "cash", f"qty-{s.router.pk}": "1",
                        f"qty-{s.cable.pk}": "1", f"discount-{s.router.pk}": "0",
                        f"discount-{s.cable.pk}": "0"})
    sale = Sale.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("sales:sale_detail",
                                                                   args=[sale.pk])
    assert qty(world.a, s.router) == 1
    detail = c.get(done["Location"]).content.decode()
    assert "Sprzedaż" in detail and "268,99 zł" in detail
    # The basket is gone: posting "sell" again sells nothing.
    c.post(url, {"op": "sell", "payment_method": "cash"})
    assert Sale.objects.count() == 1


def test_counter_shows_why_it_cannot_sell(world: Any, client_as: Any) -> None:
    s = shop(world, stock_a=1)
    c = client_as(world.service_a)
    url = reverse("sales:counter") + f"?branch={world.a.pk}"
    c.post(url, {"op": "add", "product": s.router.pk, "quantity": "3"})
    c.post(url, {"op": "sell", "payment_method": "card"})
    page = c.get(url).content.decode()
    assert "Za mało" in page and "zostało 1" in page
    c.post(url, {"op": "sell", "payment_method": "card", f"qty-{s.router.pk}": "1",
                 f"discount-{s.router.pk}": "25"})
    page = c.get(url).content.decode()
    assert "kierownik" in page.lower()  # the discount needs the manager
    assert not Sale.objects.exists() and qty(world.a, s.router) == 1


def test_sale_from_the_customer_goes_on_the_timeline_and_returns(world: Any,
                                                                 client_as: Any) -> None:
    s = shop(world, stock_a=2)
    cust = customer(world)
    c = client_as(world.service_a)
    profile = c.get(reverse("customers:customer_detail", args=[cust.pk])).content.decode()
    assert "Sprzedaj" in profile and "Pomoc produktowa" in profile
    c.get(reverse("sales:counter"), {"branch": world.a.pk, "customer": cust.pk})
    url = reverse("sales:counter") + f"?branch={world.a.pk}"
    c.post(url, {"op": "add", "product": s.router.pk})
    c.post(url, {"op": "sell", "payment_method": "card"})
    sale = Sale.objects.get()
    assert sale.customer_id == cust.pk
    line = sale.lines.get()
    refused = c.post(reverse("sales:sale_return", args=[sale.pk]), {f"ret-{line.pk}": "1"})
    assert refused.status_code == 302 and Sale.objects.count() == 1
    c.post(reverse("sales:sale_return", args=[sale.pk]),
           {f"ret-{line.pk}": "1", "reason": "nie pasuje", "token": "return:t1"})
    c.post(reverse("sales:sale_return", args=[sale.pk]),
           {f"ret-{line.pk}": "1", "reason": "nie pasuje", "token": "return:t1"})
    assert Sale.objects.filter(kind="return").count() == 1
    assert qty(world.a, s.router) == 2
    assert TimelineEntry.objects.filter(customer=cust, kind="sale").count() == 2


def test_sales_report_exports_neutralised_cells(world: Any, client_as: Any) -> None:
    from punkt.catalog import services as catalog
    from punkt.contracts.tests.factories import publish
    from punkt.inventory import services as inventory
    from punkt.sales import services as sales

    shop(world, stock_a=1)
    publish(world, "price_list", b"kod;nazwa;cena brutto;VAT\nEVIL;=HYPERLINK(1);10;23\n",
            "evil.csv", title="Cennik 2")
    evil = catalog.product_create(actor=world.expert, code="EVIL", name="=HYPERLINK(1)",
                                  vat_rate="23")
    inventory.adjustment_record(actor=world.manager_a, branch_id=world.a.pk,
                                product_id=evil.pk, quantity=1, reason="start")
    sales.sale_create(actor=world.service_a, branch_id=world.a.pk, payment_method="cash",
                      lines=[{"product_id": evil.pk, "quantity": 1}])
    c = client_as(world.manager_a)
    page = c.get(reverse("sales:report"), {"by": "product"})
    assert page.status_code == 200 and "10,00 zł" in page.content.decode()
    export = c.get(reverse("sales:report"), {"by": "product", "format": "csv"})
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "Produkt" and ["'=HYPERLINK(1)", "1", "1", "10,00", "0,00",
                                        "10,00"] in rows
    assert client_as(world.service_a).get(reverse("sales:report")).status_code == 403


def test_stock_order_through_the_pages(world: Any, client_as: Any) -> None:
    s = shop(world, stock_a=0, stock_hq=10)
    manager, expert = client_as(world.manager_a), client_as(world.expert)
    manager.post(reverse("inventory:norm", args=[world.a.pk]),
                 {"product": s.router.pk, "min_norm": "4"})
    stock = manager.get(reverse("inventory:stock")).content.decode()
    assert "poniżej" in stock
    proposal = manager.get(reverse("inventory:order_new", args=[world.a.pk])).content.decode()
    assert f'name="qty-{s.router.pk}" value="4"' in proposal
    sent = manager.post(reverse("inventory:order_new", args=[world.a.pk]),
                        {f"qty-{s.router.pk}": "4"})
    order = StockOrder.objects.get()
    assert sent["Location"] == reverse("inventory:order_detail", args=[order.pk])
    assert order.number in expert.get(reverse("inventory:order_list")).content.decode()
    expert.post(reverse("inventory:order_action", args=[order.pk, "ship"]),
                {f"qty-{s.router.pk}": "4"})
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    page = manager.post(reverse("inventory:order_action", args=[order.pk, "receive"]),
                        {f"qty-{s.router.pk}": "3"}, follow=True).content.decode()
    assert "podaj powód" in page.lower()
    manager.post(reverse("inventory:order_action", args=[order.pk, "receive"]),
                 {f"qty-{s.router.pk}": "3", f"reason-{s.router.pk}": "brak w paczce"})
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED and qty(world.a, s.router) == 3
    assert "brak w paczce" in manager.get(
        reverse("inventory:movements")).content.decode()


def test_adjustment_errors_and_goods_receipt(world: Any, client_as: Any) -> None:
    s = shop(world, stock_a=1)
    manager = client_as(world.manager_a)
    page = manager.post(reverse("inventory:adjust", args=[world.a.pk]),
                        {"product": s.router.pk, "quantity": "-1"}, follow=True)
    assert "Podaj powód" in page.content.decode() and qty(world.a, s.router) == 1
    assert client_as(world.service_a).post(reverse("inventory:adjust", args=[world.a.pk]), {
        "product": s.router.pk, "quantity": "-1", "reason": "x"}).status_code == 403
    expert = client_as(world.expert)
    bad = expert.post(reverse("inventory:goods_receipt"), {"product": s.router.pk,
                                                           "quantity": "abc"})
    assert bad.status_code == 422 and "liczbę całkowitą" in bad.content.decode()
    expert.post(reverse("inventory:goods_receipt"), {"product": s.router.pk, "quantity": "5",
                                                     "reason": "PZ 7/2026"})
    assert qty(world.hq, s.router) == 55


def test_catalogue_pages(world: Any, client_as: Any) -> None:
    s = shop(world, stock_a=4)
    cust = customer(world)
    c = client_as(world.service_a)
    page = c.get(reverse("catalog:product_list")).content.decode()
    assert "249,00 zł" in page and "Kabel sieciowy 5 m" in page
    detail = c.get(reverse("catalog:product_detail", args=[s.router.pk]),
                   {"customer": cust.pk}).content.decode()
    assert 'data-testid="help-form"' in detail
    c.post(reverse("catalog:help_record", args=[cust.pk]),
           {"product": s.router.pk, "note": "ustawiono Wi-Fi"})
    assert TimelineEntry.objects.filter(customer=cust, kind="help").exists()
    assert c.get(reverse("catalog:product_create")).status_code == 403
    expert = client_as(world.expert)
    bad = expert.post(reverse("catalog:product_create"), {
        "code": "RTR-AX", "name": "Duplikat", "vat_rate": "23", "kind": "product"})
    assert bad.status_code == 422 and "RTR-AX" in bad.content.decode()
    ok = expert.post(reverse("catalog:product_create"), {
        "code": "NEW-1", "name": "Nowy", "vat_rate": "8", "kind": "accessory", "unit": "szt.",
        "is_active": "1"})
    assert ok.status_code == 302


def test_stock_report(world: Any, client_as: Any) -> None:
    shop(world, stock_a=2)  # 2 × (249 + 19.99 + 39.90)
    page = client_as(world.manager_a).get(reverse("inventory:report")).content.decode()
    assert "617,78" in page and world.a.name in page
    export = client_as(world.manager_a).get(reverse("inventory:report"), {"format": "csv"})
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert ";3;6;617,78;0;0" in text


def test_a_cashier_at_the_counter_is_told_her_role(world: Any, client_as: Any) -> None:
    """Issue 15: not "choose a branch" — no branch would let her sell."""
    for query in ({}, {"branch": world.a.pk}):
        page = client_as(world.cashier_a).get(reverse("sales:counter"), query)
        text = page.content.decode()
        assert page.status_code == 403 and "Twoja rola nie uprawnia" in text, query
        assert "wybierz oddział" not in text
