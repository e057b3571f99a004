"""Campaign effectiveness (R10.3): cost, new customers, buying customers and revenue per
campaign and branch from real sales, returns and payments; a manager sees his branch's
share; six queries whatever the size; the page, the CSV and the roles."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from punkt.analytics import campaign_effect
from punkt.campaigns import services as campaigns
from punkt.campaigns.services import distribution
from punkt.campaigns.tests import factories as f

pytestmark = pytest.mark.django_db


def register(world: Any, code: str, *, branch: Any = None, actor: Any = None) -> Any:
    from punkt.contracts.tests.factories import next_pesel
    from punkt.customers import services as customers

    return customers.customer_create(
        actor=actor or world.service_a, branch_id=(branch or world.a).pk,
        data={"kind": "person", "first_name": "Jan", "last_name": "Ulotkowy",
              "pesel": next_pesel(), "city": "Kraków"},
        consents=[{"purpose": "contract", "granted": True}], confirm_duplicate=True,
        campaign_code=code)


def sell(world: Any, customer: Any, shop: Any, quantity: int = 1) -> Any:
    from punkt.sales import services as sales

    return sales.sale_create(actor=world.service_a, branch_id=world.a.pk,
                             payment_method="cash", customer_id=customer.pk,
                             lines=[{"product_id": shop.router.pk, "quantity": quantity}])


@pytest.fixture
def ran(world: Any) -> Any:
    """Kraków's running campaign: a 190 zł run delivered, 300 leaflets by a distributor
    paid 80 zł; three customers with the code — one buys twice and returns one router,
    one pays an HQ invoice, one buys nothing; a sale before the campaign does not count."""
    from punkt.cashdesk import services as cashdesk
    from punkt.cashdesk.tests.factories import invoice
    from punkt.inventory.tests.factories import shop as make_shop
    from punkt.sales import services as sales

    shop = make_shop(world, stock_a=10)
    camp = f.campaign(world, code="RUCZAJ", budget="1000,00")
    campaigns.campaign_move(actor=world.manager_a, campaign_id=camp.pk, action="start")
    lf = f.leaflet(world, camp)
    order = f.print_order(world, lf)
    campaigns.print_order_move(actor=world.service_a, order_id=order.pk, action="deliver")
    distribution.distribution_record(actor=world.service_a, leaflet_id=lf.pk, kind="mandate",
                                     quantity=300, distributor="Jan", area="Rynek", pay="80")
    buyer, payer, idle = (register(world, "RUCZAJ") for _ in range(3))
    first = sell(world, buyer, shop, quantity=2)
    sales.sale_return(actor=world.service_a, sale_id=first.pk,
                      quantities={str(first.lines.get().pk): 1}, reason="zwrot")
    sell(world, buyer, shop)
    if cashdesk.till_current(world.cashier_a) is None:
        cashdesk.till_open(actor=world.cashier_a, branch_id=world.a.pk, opening_float="100")
    inv = invoice(world, payer)
    cashdesk.payment_register(actor=world.cashier_a, invoice_id=inv.pk,
                              amount=Decimal("50.00"), method="cash")
    return {"campaign": camp, "shop": shop, "buyer": buyer, "idle": idle,
            "router": shop.router}


def month_span() -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    return today.replace(day=1) - datetime.timedelta(days=40), today


def test_the_figures_of_one_campaign(world: Any, ran: Any) -> None:
    from punkt.sales.models import Sale

    first, last = month_span()
    found = campaign_effect.report(world.manager_a, first=first, last=last)
    [row] = [r for r in found.rows if r.campaign.pk == ran["campaign"].pk]
    router_sales = sum(s.total_gross if s.kind == "sale" else -s.total_gross
                       for s in Sale.objects.filter(customer=ran["buyer"]))
    assert row.spent == Decimal("270.00")  # 190 print + 80 pay
    assert (row.customers, row.buying) == (3, 2)
    assert row.sales == router_sales and row.sales > 0
    assert row.payments == Decimal("50.00")
    assert row.revenue == router_sales + Decimal("50.00")
    assert row.per_customer == Decimal("90.00")
    assert row.per_zloty == (row.revenue / Decimal("270")).quantize(Decimal("0.01"))
    assert [b.branch_name for b in row.branches] == [world.a.name]


def test_a_cancelled_run_and_a_reversed_payment_do_not_count(world: Any, ran: Any) -> None:
    from punkt.cashdesk import services as cashdesk
    from punkt.cashdesk.models import Payment

    pending = f.print_order(world, ran["campaign"].leaflets.get(), quantity=500)
    campaigns.print_order_move(actor=world.service_a, order_id=pending.pk, action="cancel",
                               reason="pomyłka")
    payment = Payment.objects.filter(allocated__gt=0).latest("pk")
    cashdesk.payment_reverse(actor=world.cashier_a, payment_id=payment.pk, reason="pomyłka")
    first, last = month_span()
    [row] = campaign_effect.report(world.manager_a, first=first, last=last).rows
    assert row.spent == Decimal("270.00")
    assert row.payments == Decimal("0.00") and row.buying == 1


def test_a_manager_sees_his_branchs_share_of_an_hq_campaign(world: Any) -> None:
    camp = f.campaign(world, actor=world.expert, code="ZIMA")
    campaigns.campaign_move(actor=world.expert, campaign_id=camp.pk, action="start")
    register(world, "ZIMA")
    register(world, "ZIMA", branch=world.b, actor=world.service_b)
    register(world, "ZIMA", branch=world.b, actor=world.service_b)
    first, last = month_span()
    [mine] = campaign_effect.report(world.manager_a, first=first, last=last).rows
    [theirs] = campaign_effect.report(world.manager_b, first=first, last=last).rows
    [everyone] = campaign_effect.report(world.expert, first=first, last=last).rows
    assert (mine.customers, theirs.customers, everyone.customers) == (1, 2, 3)
    assert [b.branch_name for b in mine.branches] == [world.a.name]
    assert len(everyone.branches) == 2
    [only_b] = campaign_effect.report(world.expert, first=first, last=last,
                                      branch_id=world.b.pk).rows
    assert only_b.customers == 2


def test_the_period_and_cancelled_campaigns(world: Any, ran: Any) -> None:
    today = timezone.localdate()
    later = today + datetime.timedelta(days=400)
    assert campaign_effect.report(world.manager_a, first=later, last=later).rows == []
    other = f.campaign(world, code="ODWOLANA")
    campaigns.campaign_move(actor=world.manager_a, campaign_id=other.pk, action="cancel",
                            reason="brak budżetu")
    first, last = month_span()
    codes = [r.campaign.code for r in campaign_effect.report(world.manager_a, first=first,
                                                             last=last).rows]
    assert codes == ["RUCZAJ"]


def test_a_fixed_number_of_queries(world: Any, ran: Any) -> None:
    first, last = month_span()
    with CaptureQueriesContext(connection) as one:
        campaign_effect.report(world.expert, first=first, last=last)
    for code in ("DRUGA", "TRZECIA"):
        c = f.campaign(world, code=code)
        campaigns.campaign_move(actor=world.manager_a, campaign_id=c.pk, action="start")
        register(world, code)
    with CaptureQueriesContext(connection) as three:
        campaign_effect.report(world.expert, first=first, last=last)
    assert len(one) == len(three) <= 11


def test_the_page_the_csv_and_the_roles(world: Any, ran: Any, client_as: Any) -> None:
    url = reverse("analytics:campaigns")
    assert client_as(world.service_a).get(url).status_code == 403
    page = client_as(world.manager_a).get(url)
    body = page.content.decode()
    assert page.status_code == 200 and "RUCZAJ" in body and "chart-campaign-revenue" in body
    assert reverse("campaigns:campaign_detail", args=[ran["campaign"].pk]) in body
    bad = client_as(world.manager_a).get(url + "?from=2026-13")
    assert bad.status_code == 200 and "period-error" in bad.content.decode()
    export = client_as(world.manager_a).get(reverse("analytics:campaigns_export"))
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert export.status_code == 200 and "RUCZAJ" in text and "270,00" in text
    from punkt.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="analytics.campaigns.export").count() == 1
    assert 'data-testid="campaigns-export-xlsx"' in body
    xlsx = client_as(world.manager_a).get(reverse("analytics:campaigns_export") + "?format=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].endswith("spreadsheetml.sheet")
    assert 'filename="skutecznosc_kampanii_' in xlsx["Content-Disposition"]
    assert xlsx["Content-Disposition"].endswith('.xlsx"')
    from io import BytesIO

    from openpyxl import load_workbook

    rows = list(load_workbook(BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert any("RUCZAJ" in str(v) for row in rows for v in row)
    assert any(v == 270 for row in rows[1:] for v in row)  # money as a number, not a text
    assert AuditEvent.objects.filter(action="analytics.campaigns.export").count() == 2


def test_the_api_gives_the_same_figures(world: Any, ran: Any, client_as: Any) -> None:
    got = client_as(world.manager_a).get("/api/v1/analytics/campaigns")
    assert got.status_code == 200, got.content
    body = got.json()
    [row] = [r for r in body["rows"] if r["code"] == "RUCZAJ"]
    assert (row["spent"], row["customers"], row["buying"], row["payments"]) == (
        "270.00", 3, 2, "50.00")
    assert [b["branch_name"] for b in row["branches"]] == [world.a.name]
    assert client_as(world.service_a).get("/api/v1/analytics/campaigns").status_code == 403
    bad = client_as(world.manager_a).get("/api/v1/analytics/campaigns?from=2026-13")
    assert bad.status_code == 422 and "from" in bad.content.decode()


def test_a_campaign_at_many_branches_shows_its_ten_largest() -> None:
    from punkt.analytics.campaign_effect import BRANCHES_SHOWN, BranchFigures, CampaignFigures

    row = CampaignFigures(branches=[BranchFigures(branch_name=f"O{i:02d}", sales=Decimal(i))
                                    for i in range(BRANCHES_SHOWN + 3)])
    assert [b.branch_name for b in row.top_branches][:2] == ["O12", "O11"]
    assert len(row.top_branches) == BRANCHES_SHOWN and row.more_branches == 3
