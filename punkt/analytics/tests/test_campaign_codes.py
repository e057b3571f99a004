"""A campaign's code on a counter sale, an opportunity and a contract (R10.3): accepted for
a campaign running at the branch, refused on ``campaign_code`` otherwise with nothing
saved (form and API); the effectiveness report counts what customers the campaign did
not bring bought with the code — sales less returns, contracts signed, opportunities."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from punkt.analytics import campaign_effect
from punkt.analytics.tests.test_campaign_effect import register, sell
from punkt.campaigns import services as campaigns
from punkt.campaigns.tests import factories as f
from punkt.core.errors import ValidationFailed
from punkt.pipeline.models import Opportunity
from punkt.sales.models import Sale

pytestmark = pytest.mark.django_db


def refused(call: Any) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        call()
    assert caught.value.field == "campaign_code"
    return caught.value


@pytest.fixture
def running(world: Any) -> Any:
    camp = f.campaign(world, code="RUCZAJ", budget="1000,00")
    campaigns.campaign_move(actor=world.manager_a, campaign_id=camp.pk, action="start")
    planned = f.campaign(world, code="PLANY")  # planned, not running
    return {"campaign": camp, "planned": planned}


def test_the_code_on_a_counter_sale(world: Any, running: Any) -> None:
    from punkt.contracts.tests.factories import customer
    from punkt.inventory.tests.factories import shop as make_shop
    from punkt.sales import services as sales

    shop = make_shop(world, stock_a=10)
    old = customer(world)
    line = [{"product_id": shop.router.pk, "quantity": 1}]

    def sale(code: str, branch: Any = None, actor: Any = None) -> Sale:
        return sales.sale_create(actor=actor or world.service_a,
                                 branch_id=(branch or world.a).pk, payment_method="cash",
                                 customer_id=old.pk if branch is None else None, lines=line,
                                 campaign_code=code)

    before = Sale.objects.count()
    for bad in ("NIEMA", "PLANY"):
        refused(lambda bad=bad: sale(bad))
    # Kraków's campaign does not run at Łódź (refused before the basket is looked at)
    refused(lambda: sale("RUCZAJ", branch=world.b, actor=world.service_b))
    assert Sale.objects.count() == before
    done = sale(" ruczaj ")
    assert (done.campaign_code, done.campaign_ref) == ("RUCZAJ", running["campaign"].pk)


def test_the_code_on_an_opportunity_and_a_contract(world: Any, running: Any) -> None:
    from punkt.contracts import services as contracts
    from punkt.contracts.tests.factories import accepted_offer, customer, hq_materials
    from punkt.pipeline import services as pipeline
    from punkt.pipeline.tests.factories import opportunity

    old = customer(world)
    refused(lambda: opportunity(world, cust=old, campaign_code="PLANY"))
    assert not Opportunity.objects.exists()
    o = opportunity(world, cust=old, campaign_code="ruczaj")
    assert (o.campaign_code, o.campaign_ref) == ("RUCZAJ", running["campaign"].pk)
    refused(lambda: pipeline.opportunity_update(actor=world.service_a, opportunity_id=o.pk,
                                                campaign_code="NIEMA"))
    pipeline.opportunity_update(actor=world.service_a, opportunity_id=o.pk, campaign_code="")
    o.refresh_from_db()
    assert (o.campaign_code, o.campaign_ref) == ("", None)
    prices, template = hq_materials(world)
    offer = accepted_offer(world, prices, cust=old)
    refused(lambda: contracts.contract_prepare(actor=world.service_a, offer_id=offer.pk,
                                               template_version_id=template.pk,
                                               term_months=24, campaign_code="NIEMA"))
    c = contracts.contract_prepare(actor=world.service_a, offer_id=offer.pk,
                                   template_version_id=template.pk, term_months=24,
                                   campaign_code="RUCZAJ")
    assert (c.campaign_code, c.campaign_ref) == ("RUCZAJ", running["campaign"].pk)


def test_the_report_counts_other_customers_with_the_code(world: Any, running: Any) -> None:
    """An existing customer buys two routers with the code and returns one, then signs a
    contract with it and has an opportunity with it; a customer the campaign brought buys
    with the code too (counted once, in the revenue since registration); a sale without
    the code counts nowhere."""
    from punkt.contracts.models import Contract
    from punkt.contracts.tests.factories import customer, prepared
    from punkt.inventory.tests.factories import shop as make_shop
    from punkt.pipeline.tests.factories import opportunity
    from punkt.sales import services as sales

    shop = make_shop(world, stock_a=20)
    old = customer(world)
    two = sales.sale_create(actor=world.service_a, branch_id=world.a.pk,
                            payment_method="cash", customer_id=old.pk, campaign_code="RUCZAJ",
                            lines=[{"product_id": shop.router.pk, "quantity": 2}])
    back = sales.sale_return(actor=world.service_a, sale_id=two.pk,
                             quantities={str(two.lines.get().pk): 1}, reason="zwrot")
    sell(world, old, shop)  # without the code
    brought = register(world, "RUCZAJ")
    sales.sale_create(actor=world.service_a, branch_id=world.a.pk, payment_method="cash",
                      customer_id=brought.pk, campaign_code="RUCZAJ",
                      lines=[{"product_id": shop.router.pk, "quantity": 1}])
    contract = prepared(world, cust=old, render=False)
    Contract.objects.filter(pk=contract.pk).update(
        campaign_code="RUCZAJ", campaign_ref=running["campaign"].pk,
        signed_at=timezone.now(), status="active")
    unsigned = prepared(world, cust=old, render=False)
    Contract.objects.filter(pk=unsigned.pk).update(campaign_code="RUCZAJ",
                                                    campaign_ref=running["campaign"].pk)
    opportunity(world, cust=old, campaign_code="RUCZAJ")
    today = timezone.localdate()
    found = campaign_effect.report(world.manager_a, first=today - datetime.timedelta(days=40),
                                   last=today)
    [row] = [r for r in found.rows if r.campaign.pk == running["campaign"].pk]
    assert (row.coded_sales, row.coded_revenue) == (1, two.total_gross - back.total_gross)
    assert (row.coded_contracts, row.coded_contract_value) == (1, contract.total_gross)
    assert (row.coded_offers, row.coded_won) == (1, 0)
    brought_sales = sum(s.total_gross for s in Sale.objects.filter(customer=brought))
    assert row.sales == brought_sales
    assert row.revenue == (brought_sales + two.total_gross - back.total_gross
                           + contract.total_gross + Decimal("0.00"))
    # a manager of another branch sees none of it
    assert campaign_effect.report(world.manager_b, first=today, last=today).rows == []


def test_the_code_through_the_pages_and_the_api(world: Any, running: Any,
                                               client_as: Any) -> None:
    from punkt.contracts.tests.factories import customer
    from punkt.inventory.tests.factories import shop as make_shop

    shop = make_shop(world, stock_a=10)
    old = customer(world)
    service = client_as(world.service_a)
    url = reverse("sales:counter") + f"?branch={world.a.pk}"
    service.post(url, {"op": "add", "product": shop.router.pk})
    service.post(url, {"op": "sell", "payment_method": "cash", "campaign_code": "NIEMA",
                       "card": "", "points": ""})
    page = service.get(url).content.decode()
    assert 'id="id_campaign_code_error"' in page and not Sale.objects.exists()
    sold = service.post(url, {"op": "sell", "payment_method": "cash",
                              "campaign_code": "ruczaj", "card": "", "points": ""})
    assert sold.status_code == 302
    assert Sale.objects.get().campaign_code == "RUCZAJ"
    body = {"payment_method": "cash", "customer_id": old.pk, "campaign_code": "PLANY",
            "lines": [{"product_id": shop.router.pk, "quantity": 1}]}
    api = f"/api/v1/branches/{world.a.pk}/sales"
    bad = service.post(api, json.dumps(body), content_type="application/json")
    assert bad.status_code == 422 and "campaign_code" in bad.content.decode()
    good = service.post(api, json.dumps({**body, "campaign_code": "RUCZAJ"}),
                        content_type="application/json")
    assert good.status_code == 201 and good.json()["campaign_code"] == "RUCZAJ"
    made = service.post("/api/v1/opportunities", json.dumps(
        {"customer_id": old.pk, "title": "Internet", "campaign_code": "NIEMA"}),
        content_type="application/json")
    assert made.status_code == 422 and "campaign_code" in made.content.decode()
    made = service.post("/api/v1/opportunities", json.dumps(
        {"customer_id": old.pk, "title": "Internet", "campaign_code": "RUCZAJ"}),
        content_type="application/json")
    assert made.status_code == 201 and made.json()["campaign_code"] == "RUCZAJ"
    form = service.post(reverse("pipeline:opportunity_new"), {
        "customer_id": old.pk, "title": "Telewizja", "campaign_code": "PLANY"})
    assert Opportunity.objects.filter(title="Telewizja").count() == 0
    assert form.status_code in (200, 302)
