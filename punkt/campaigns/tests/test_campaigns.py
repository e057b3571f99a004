"""Campaigns' rules: the code, the budget, the two transition tables, leaflets, print
orders checked in to stock once, and the code at customer registration."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from punkt.campaigns import services
from punkt.campaigns.models import (
    Campaign,
    CampaignCustomer,
    CampaignStatus,
    PrintOrder,
    PrintOrderStatus,
)
from punkt.campaigns.tests import factories as f
from punkt.campaigns.workflows import CAMPAIGN_FLOW, PRINT_ORDER_FLOW
from punkt.core.errors import ActionDenied as PermissionDenied
from punkt.core.errors import Conflict, NotFound, ValidationFailed
from punkt.inventory.models import StockLevel, StockMovement

pytestmark = pytest.mark.django_db


def refused(call: Any, field: str) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as exc:
        call()
    assert exc.value.field == field, exc.value.message
    return exc.value


# -- the code -------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, code", [("jesien-24", "JESIEN-24"), (" ab 12 ", "AB12"),
                                       ("ZIMA2026XYZ1", "ZIMA2026XYZ1")])
def test_code_is_normalised(world: Any, raw: str, code: str) -> None:
    assert services.clean_code(raw) == code


@pytest.mark.parametrize("raw", ["", "ab", "-ABC", "ABC-", "ŻÓŁW1", "A" * 13, "AB_12"])
def test_bad_codes_are_refused_on_the_code_field(world: Any, raw: str) -> None:
    refused(lambda: services.clean_code(raw), "code")


def test_code_is_unique_in_the_company_and_generated_when_empty(world: Any) -> None:
    first = f.campaign(world)
    assert services.CODE_RE.match(first.code) and first.code.startswith("JESI-")
    e = refused(lambda: f.campaign(world, actor=world.manager_b, code=first.code.lower()),
                "code")
    assert first.code in e.message
    assert not Campaign.objects.filter(branch=world.b).exists()


def test_code_cannot_change_once_a_leaflet_prints_it(world: Any) -> None:
    lf = f.leaflet(world)
    refused(lambda: services.campaign_update(actor=world.manager_a, campaign_id=lf.campaign_id,
                                             data={"code": "INNY-KOD"}), "code")
    services.campaign_update(actor=world.manager_a, campaign_id=lf.campaign_id,
                             data={"name": "Jesień z routerem i TV"})
    assert Campaign.objects.get(pk=lf.campaign_id).name == "Jesień z routerem i TV"


# -- planning -------------------------------------------------------------------------------

def test_a_branch_manager_plans_for_their_branch_only(world: Any) -> None:
    c = f.campaign(world, branch_ids=[world.b.pk], all_branches=True)
    assert c.branch == world.a and not c.all_branches
    assert list(c.branches.all()) == [world.a]
    assert c.status == CampaignStatus.PLANNED


def test_hq_plans_for_chosen_branches_or_all(world: Any) -> None:
    chosen = f.campaign(world, actor=world.expert, all_branches=False, branch_ids=[world.b.pk])
    assert chosen.branch == world.hq and list(chosen.branches.all()) == [world.b]
    everywhere = f.campaign(world, actor=world.expert)
    assert everywhere.all_branches
    refused(lambda: f.campaign(world, actor=world.expert, all_branches=False, branch_ids=[]),
            "branch_ids")


@pytest.mark.parametrize("data, field", [
    ({"name": ""}, "name"),
    ({"ends_on": "2020-01-01"}, "ends_on"),
    ({"starts_on": "1.10.2026"}, "starts_on"),
    ({"budget": "-5"}, "budget"),
    ({"budget": "dużo"}, "budget"),
    ({"product_ids": [999999]}, "product_ids"),
])
def test_bad_campaign_values_name_their_field(world: Any, data: dict[str, Any],
                                              field: str) -> None:
    refused(lambda: f.campaign(world, **data), field)
    assert not Campaign.objects.exists()


def test_service_staff_and_cashiers_may_not_plan(world: Any) -> None:
    for who in (world.service_a, world.cashier_a):
        with pytest.raises(PermissionDenied):
            f.campaign(world, actor=who)


def test_a_branch_sees_its_own_and_hqs_campaigns_for_it_not_another_branchs(world: Any
                                                                             ) -> None:
    from punkt.campaigns import permissions as perms

    own = f.campaign(world)
    for_a = f.campaign(world, actor=world.expert, name="Dla A", all_branches=False,
                       branch_ids=[world.a.pk])
    for_all = f.campaign(world, actor=world.expert, name="Dla wszystkich")
    only_b = f.campaign(world, actor=world.expert, name="Dla B", all_branches=False,
                        branch_ids=[world.b.pk])
    of_b = f.campaign(world, actor=world.manager_b, name="Własna B")
    seen = set(Campaign.objects.visible_to(world.service_a, perms.CAMPAIGN_VIEW)
               .values_list("pk", flat=True))
    assert seen == {own.pk, for_a.pk, for_all.pk}
    assert set(Campaign.objects.visible_to(world.expert, perms.CAMPAIGN_VIEW)
               .values_list("pk", flat=True)) == {own.pk, for_a.pk, for_all.pk, only_b.pk,
                                                  of_b.pk}
    # a branch manager cannot edit HQ's campaign run at their branch
    with pytest.raises(PermissionDenied):
        services.campaign_update(actor=world.manager_a, campaign_id=for_a.pk,
                                 data={"name": "x"})
    with pytest.raises(NotFound):
        services.campaign_update(actor=world.manager_a, campaign_id=of_b.pk,
                                 data={"name": "x"})


# -- the campaign's transition table --------------------------------------------------------

CAMPAIGN_TABLE = {
    "start": ({"planned"}, "running"),
    "end": ({"running"}, "ended"),
    "cancel": ({"planned", "running"}, "cancelled"),
}


@pytest.mark.parametrize("action", sorted(CAMPAIGN_TABLE))
@pytest.mark.parametrize("state", CampaignStatus.values)
def test_every_campaign_step_from_every_state(world: Any, action: str, state: str) -> None:
    c = f.campaign(world)
    Campaign.objects.filter(pk=c.pk).update(status=state)
    sources, target = CAMPAIGN_TABLE[action]
    if state in sources:
        moved = services.campaign_move(actor=world.manager_a, campaign_id=c.pk, action=action,
                                       reason="Zmiana planów")
        assert moved.status == target
    else:
        with pytest.raises(Conflict):
            services.campaign_move(actor=world.manager_a, campaign_id=c.pk, action=action,
                                   reason="Zmiana planów")
        assert Campaign.objects.get(pk=c.pk).status == state


def test_the_table_is_what_the_tests_check() -> None:
    for action, (sources, target) in CAMPAIGN_TABLE.items():
        t = CAMPAIGN_FLOW.transition(action)
        assert (set(t.sources), t.target) == (sources, target)
    assert {t.action: (set(t.sources), t.target)
            for t in PRINT_ORDER_FLOW.transitions.values()} == {
        "confirm": ({"ordered"}, "confirmed"),
        "deliver": ({"ordered", "confirmed"}, "delivered"),
        "cancel": ({"ordered", "confirmed"}, "cancelled")}


def test_cancelling_needs_a_reason(world: Any) -> None:
    c = f.campaign(world)
    refused(lambda: services.campaign_move(actor=world.manager_a, campaign_id=c.pk,
                                           action="cancel"), "reason")


# -- budget ---------------------------------------------------------------------------------

def test_budget_spent_left_and_cost_per_new_customer(world: Any) -> None:
    lf = f.leaflet(world)
    shop = f.shop(world)
    f.print_order(world, lf, the_shop=shop, quantity=1000)        # 190.00
    cancelled = f.print_order(world, lf, the_shop=shop, quantity=500)  # 120.00
    services.print_order_move(actor=world.service_a, order_id=cancelled.pk, action="cancel",
                              reason="Pomyłka w nakładzie")
    f.print_order(world, lf, the_shop=shop, quantity=500)         # 120.00
    campaign = Campaign.objects.get(pk=lf.campaign_id)
    budget = services.budget_of(campaign)
    assert (budget.budget, budget.spent, budget.left) == (
        Decimal("500.00"), Decimal("310.00"), Decimal("190.00"))
    assert budget.cost_per_customer is None
    for _ in range(3):
        CampaignCustomer.objects.create(campaign=campaign, branch=world.a,
                                        customer=_customer(world))
    budget = services.budget_of(campaign)
    assert budget.customers == 3 and budget.cost_per_customer == Decimal("103.33")


def _customer(world: Any) -> Any:
    from punkt.contracts.tests.factories import customer

    return customer(world)


def test_an_order_over_the_remaining_budget_is_refused_on_quantity(world: Any) -> None:
    lf = f.leaflet(world, f.campaign(world, budget="300,00"))
    shop = f.shop(world)
    f.print_order(world, lf, the_shop=shop, quantity=1000)  # 190.00 of 300.00
    e = refused(lambda: f.print_order(world, lf, the_shop=shop, quantity=500), "quantity")
    assert "120,00" in e.message and "110,00" in e.message
    assert PrintOrder.objects.count() == 1
    # the manager raises the budget; not below what was spent
    refused(lambda: services.campaign_update(actor=world.manager_a, campaign_id=lf.campaign_id,
                                             data={"budget": "100"}), "budget")
    services.campaign_update(actor=world.manager_a, campaign_id=lf.campaign_id,
                             data={"budget": "310,00"})
    assert f.print_order(world, lf, the_shop=shop, quantity=500).price == Decimal("120.00")


def test_the_run_size_must_be_on_the_shops_list(world: Any) -> None:
    lf = f.leaflet(world)
    e = refused(lambda: f.print_order(world, lf, quantity=750), "quantity")
    assert "500, 1000, 2500" in e.message


@pytest.mark.parametrize("prices, needle", [
    ("", "at least"), ("1000", "Line 1"), ("0; 10", "Line 1"), ("500; 0", "Line 1"),
    ("500; 10\n500; 20", "Line 2"), ("abc; 10", "Line 1")])
def test_bad_price_lists_name_the_prices_field_and_line(world: Any, prices: str,
                                                        needle: str) -> None:
    from django.utils.translation import override

    with override("en"):
        e = refused(lambda: f.shop(world, prices=prices), "prices")
    assert needle in e.message


def test_print_shops_are_hqs(world: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.shop_save(
            actor=world.manager_a, data={"name": "X", "email": "x@example.pl",
                                         "prices": "500; 1"})
    refused(lambda: f.shop(world, email="nie-mail"), "email")


# -- leaflets -------------------------------------------------------------------------------

def test_a_leaflet_needs_a_template_in_force_at_its_branch(world: Any) -> None:
    c = f.campaign(world)
    only_b = f.leaflet_template(world, branch=world.b)
    refused(lambda: services.leaflet_create(actor=world.service_a, campaign_id=c.pk,
                                            branch_id=world.a.pk, template_id=only_b.pk),
            "template")
    refused(lambda: services.leaflet_create(actor=world.service_a, campaign_id=c.pk,
                                            branch_id=world.b.pk, template_id=only_b.pk),
            "branch")


def test_a_leaflet_is_a_stock_item_never_sold(world: Any) -> None:
    lf = f.leaflet(world)
    assert lf.product.kind == "leaflet" and not lf.product.is_active
    assert lf.title == "Ulotka jesienna"
    assert lf.text == "Zapraszamy do salonu po jesienne nowości!"


# -- print orders ---------------------------------------------------------------------------

def test_check_in_adds_the_run_to_stock_once(world: Any) -> None:
    order = f.print_order(world)
    services.print_order_move(actor=world.service_a, order_id=order.pk, action="confirm")
    done = services.print_order_move(actor=world.service_a, order_id=order.pk,
                                     action="deliver")
    assert done.status == PrintOrderStatus.DELIVERED and done.stock_movement is not None
    level = StockLevel.objects.get(branch=world.a, product=order.leaflet.product)
    assert level.quantity == 1000
    movement = StockMovement.objects.get(product=order.leaflet.product)
    assert (movement.kind, movement.quantity, movement.source_type, movement.source_id) == (
        "receipt", 1000, "campaigns.printorder", str(order.pk))
    with pytest.raises(Conflict):
        services.print_order_move(actor=world.service_a, order_id=order.pk,
                                  action="deliver")
    assert StockLevel.objects.get(pk=level.pk).quantity == 1000
    assert StockMovement.objects.filter(product=order.leaflet.product).count() == 1


def test_another_branch_cannot_touch_the_order(world: Any) -> None:
    order = f.print_order(world)
    with pytest.raises(NotFound):
        services.print_order_move(actor=world.service_b, order_id=order.pk, action="deliver")
    with pytest.raises(PermissionDenied):
        services.print_order_move(actor=world.retention_a, order_id=order.pk, action="deliver")


def test_no_orders_for_an_ended_campaign(world: Any) -> None:
    lf = f.leaflet(world)
    services.campaign_move(actor=world.manager_a, campaign_id=lf.campaign_id, action="start")
    services.campaign_move(actor=world.manager_a, campaign_id=lf.campaign_id, action="end")
    with pytest.raises(Conflict):
        f.print_order(world, lf)


# -- the code at registration ---------------------------------------------------------------

def _register(world: Any, code: str, *, branch: Any = None, actor: Any = None) -> Any:
    from punkt.contracts.tests.factories import next_pesel
    from punkt.customers import services as customers

    return customers.customer_create(
        actor=actor or world.service_a, branch_id=(branch or world.a).pk,
        data={"kind": "person", "first_name": "Jan", "last_name": "Ulotkowy",
              "pesel": next_pesel(), "city": "Kraków"},
        consents=[{"purpose": "contract", "granted": True}], confirm_duplicate=True,
        campaign_code=code)


def test_a_running_campaigns_code_counts_the_new_customer(world: Any) -> None:
    from punkt.customers.models import Customer

    c = f.campaign(world, code="JESIEN-24")
    before = Customer.objects.count()
    refused(lambda: _register(world, "jesien-24"), "campaign_code")  # planned, not running
    assert Customer.objects.count() == before
    services.campaign_move(actor=world.manager_a, campaign_id=c.pk, action="start")
    customer = _register(world, " jesien-24 ")
    assert CampaignCustomer.objects.get(customer=customer).campaign == c
    refused(lambda: _register(world, "JESIEN-24", branch=world.b, actor=world.service_b),
            "campaign_code")
    refused(lambda: _register(world, "NIEMA-KODU"), "campaign_code")
    assert _register(world, "") and CampaignCustomer.objects.count() == 1
    assert services.budget_of(c).customers == 1


def test_hq_campaign_code_works_at_every_branch_it_runs_at(world: Any) -> None:
    c = f.campaign(world, actor=world.expert, code="WSZYSCY")
    services.campaign_move(actor=world.expert, campaign_id=c.pk, action="start")
    _register(world, "WSZYSCY")
    _register(world, "WSZYSCY", branch=world.b, actor=world.service_b)
    assert CampaignCustomer.objects.filter(campaign=c).count() == 2


def test_dates_in_the_period(world: Any) -> None:
    today = timezone.localdate()
    c = f.campaign(world, starts_on=today, ends_on=today + datetime.timedelta(days=1))
    assert c.ends_on > c.starts_on
