"""The loyalty index and sources (R12.7) on a world built by hand, every figure computed on
paper in the comments; the branch scope (C1); the fixed statement count; pages, CSV, API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from punkt.analytics import kpis, loyalty
from punkt.analytics.tests.factories import at, sale
from punkt.analytics.tests.test_goals import registered
from punkt.analytics.tests.test_kpis import signed
from punkt.core.models import AuditEvent
from punkt.customers.models import Recommendation
from punkt.sales.models import Sale, SaleLine

pytestmark = pytest.mark.django_db

D = dt.date
Q2 = kpis.Period(D(2026, 4, 1), D(2026, 6, 1))


def line(s: Any, product: Any) -> None:
    SaleLine.objects.create(sale=s, product=product, name=product.name, quantity=1,
                            unit_price_gross=s.total_gross, total_gross=s.total_gross,
                            vat_rate="23")


@pytest.fixture
def q2(world: Any, settings: Any, tmp_path: Any) -> dict[str, Any]:
    """April–June 2026.

    A: p registered in 2025, bought 30 zł in January, buys 200 zł in May (a router and a
    cable). r1 registered in May recommended by p, buys 100 zł (router) in May, 50 zł
    (router) in June and returns the first 100 zł in June. r2 registered in June with the
    campaign code and recommended by p, signs a contract in June. c3 registered in May with
    the code, never buys. c4 registered in June, buys only in July. An anonymous sale of
    40 zł in April.
    B: c5 registered in April, buys 70 zł (a book) in April.
    """
    from punkt.campaigns.models import Campaign, CampaignCustomer
    from punkt.catalog import services as catalog

    settings.VAR_DIR = tmp_path
    router = catalog.product_create(actor=world.expert, code="RTR-AX", name="Router",
                                    vat_rate="23")
    cable = catalog.product_create(actor=world.expert, code="CBL-5", kind="accessory",
                                   name="Kabel", vat_rate="23")
    book = catalog.product_create(actor=world.expert, code="BOOK-1", kind="accessory",
                                  name="Poradnik", vat_rate="5")
    c = {"p": registered(world, world.a, at(D(2025, 3, 1))),
         "r1": registered(world, world.a, at(D(2026, 5, 5))),
         "r2": registered(world, world.a, at(D(2026, 6, 1))),
         "c3": registered(world, world.a, at(D(2026, 5, 6))),
         "c4": registered(world, world.a, at(D(2026, 6, 20))),
         "c5": registered(world, world.b, at(D(2026, 4, 2)))}
    for who in ("r1", "r2"):
        Recommendation.objects.create(customer=c[who], recommender=c["p"])
    campaign = Campaign.objects.create(branch=world.a, name="Jesień", code="JESIEN-26",
                                       starts_on=D(2026, 5, 1), ends_on=D(2026, 6, 30))
    for who in ("r2", "c3"):
        CampaignCustomer.objects.create(campaign=campaign, customer=c[who],
                                        branch_id=world.a.pk)
    sale(world, c["p"], D(2026, 1, 15), "30.00")
    may = sale(world, c["p"], D(2026, 5, 15), "200.00")
    line(may, router)
    line(may, cable)
    first = sale(world, c["r1"], D(2026, 5, 10), "100.00")
    line(first, router)
    line(sale(world, c["r1"], D(2026, 6, 10), "50.00"), router)
    sale(world, c["r1"], D(2026, 6, 11), "100.00", kind="return", original=first)
    signed(world, c["r2"], D(2026, 6, 3), world.manager_a)
    sale(world, c["c4"], D(2026, 7, 2), "10.00")
    Sale.objects.create(kind="sale", branch=world.a, seller=world.service_a,
                        payment_method="cash", total_gross=Decimal("40.00"),
                        receipt_status="printed", created_at=at(D(2026, 4, 8)))
    line(sale(world, c["c5"], D(2026, 4, 20), "70.00"), book)
    return c


def test_hq_figures_on_paper(world: Any, q2: Any, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(7):
        r = loyalty.report(world.expert, Q2)
    # buyers: p, r1, r2 (contract), c5; buying again: p (January + May), r1 (two sales)
    assert (r.buyers, r.repeat, r.index) == (4, 2, Decimal("50.0"))
    # revenue: existing p 200; new r1 100 + 50 − 100 = 50 and c5 70; anonymous 40 → 360
    assert (r.revenue_existing, r.revenue_new, r.revenue_anonymous) == (
        Decimal("200.00"), Decimal("120.00"), Decimal("40.00"))
    assert (r.existing_share, r.new_share, r.anonymous_share) == (
        Decimal("55.6"), Decimal("33.3"), Decimal("11.1"))
    # recommended buyers r1 and r2: 2 sales + 1 contract, revenue 50
    assert (r.recommended_buyers, r.recommended_purchases, r.recommended_revenue) == (
        2, 3, Decimal("50.00"))
    # products: p router + cable, r1 router, c5 book = 4 pairs over 3 counter buyers
    assert (r.products, r.counter_buyers, r.products_per_customer) == (4, 3, Decimal("1.33"))
    # April: anonymous 40 + c5 70 (one known buyer); May: 200 + 100; June: 50 − 100, 1 contract
    assert [(m.sales, m.revenue, m.buyers, m.contracts) for m in r.months] == [
        (2, Decimal("110.00"), 1, 0), (2, Decimal("300.00"), 2, 0),
        (1, Decimal("-50.00"), 1, 1)]
    # registered in the period: code c3; recommendation r1; both r2; none c4, c5
    assert [(s.key, s.customers, s.buyers, s.revenue) for s in r.sources] == [
        ("code", 1, 0, Decimal("0.00")), ("recommendation", 1, 1, Decimal("50.00")),
        ("both", 1, 1, Decimal("0.00")), ("none", 2, 1, Decimal("70.00"))]
    assert r.new_customers == 5


def test_a_manager_sees_his_branch_and_hq_one_branch(world: Any, q2: Any) -> None:
    mine = loyalty.report(world.manager_a, Q2)
    chosen = loyalty.report(world.expert, Q2, branch_id=world.a.pk)
    for r in (mine, chosen):
        assert (r.buyers, r.repeat, r.counter_buyers, r.products) == (3, 2, 2, 3)
        assert (r.revenue_existing, r.revenue_new, r.revenue_anonymous) == (
            Decimal("200.00"), Decimal("50.00"), Decimal("40.00"))
        assert [(s.key, s.customers) for s in r.sources][-1] == ("none", 1)
    assert loyalty.report(world.manager_a, Q2, branch_id=world.b.pk).buyers == 0


def test_an_empty_period_has_no_shares(world: Any) -> None:
    r = loyalty.report(world.expert, Q2)
    assert (r.buyers, r.index, r.existing_share, r.products_per_customer) == (0, None, None,
                                                                              None)


def test_pages_csv_and_api_by_role(world: Any, q2: Any, client_as: Any) -> None:
    url = reverse("analytics:loyalty") + "?from=2026-04&to=2026-06"
    page = client_as(world.expert).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="loyalty-index"' in text and "50,0" in text
    assert 'data-testid="chart-months"' in text
    assert client_as(world.service_a).get(url).status_code == 403
    assert client_as(world.manager_a).get(url).status_code == 200
    export = client_as(world.expert).get(reverse("analytics:loyalty_export")
                                         + "?from=2026-04&to=2026-06")
    assert export.status_code == 200
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "2026-05" in body and "300" in body
    assert AuditEvent.objects.filter(action="analytics.loyalty.export").exists()
    assert client_as(world.manager_a, reauthenticated=False).get(
        reverse("analytics:loyalty_export")).status_code == 302
    api = client_as(world.manager_a).get("/api/v1/analytics/loyalty?from=2026-04&to=2026-06")
    assert api.status_code == 200
    data = api.json()
    assert data["buyers"] == 3 and data["repeat"] == 2 and len(data["months"]) == 3
    assert data["sources"][-1] == {"key": "none", "label": "nie podano", "customers": 1,
                                   "buyers": 0, "revenue": "0.00"}
    assert client_as(world.service_a).get("/api/v1/analytics/loyalty").status_code == 403
    assert client_as(world.expert).get("/api/v1/analytics/loyalty?from=2026-13"
                                       ).status_code == 422
