"""Remedies carried out through the real areas: a replacement leaves the branch's stock as
a movement naming the complaint (refused on the product field when none is left), a
refund is ordered by the handler and paid out by a cashier from her open till (a till
entry naming the complaint; a second click pays nothing more)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from punkt.complaints import services
from punkt.complaints.models import Complaint
from punkt.complaints.tests.factories import complaint
from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed

pytestmark = pytest.mark.django_db


def stock(world: Any, product_id: int, n: int, *, branch: Any = None) -> None:
    from punkt.inventory.models import MovementKind
    from punkt.inventory.services import stock_move

    stock_move(branch_id=(branch or world.a).pk, product_id=product_id, delta=n,
               kind=MovementKind.RECEIPT, reason="dostawa")


def product_of(c: Complaint) -> int:
    assert c.sale_line is not None
    return c.sale_line.product_id


def decided(world: Any, **fields: Any) -> Complaint:
    """A complaint of branch A upheld by its manager."""
    c = complaint(world, **fields)
    services.complaint_move(actor=world.service_a, complaint_id=c.pk, action="acknowledge")
    return services.complaint_move(actor=world.manager_a, complaint_id=c.pk,
                                   action="decide_in_branch", outcome="upheld")


def open_till(world: Any, amount: str = "500.00") -> Any:
    from punkt.cashdesk import services as cash

    return cash.till_open(actor=world.cashier_a, branch_id=world.a.pk, opening_float=amount)


def test_a_replacement_leaves_the_branch_stock_as_a_movement(world: Any) -> None:
    from punkt.inventory.models import StockLevel

    c = decided(world, demand="replacement")
    product = product_of(c)
    stock(world, product, 2)
    done = services.complaint_move(actor=world.service_a, complaint_id=c.pk, action="remedy",
                                   remedy_kind="replacement")
    movement = done.stock_movement
    assert movement is not None
    assert done.status == "remedied" and done.remedy_kind == "replacement"
    assert (movement.kind, movement.quantity, movement.balance_after) == ("complaint", -1, 1)
    assert (movement.source_type, movement.source_id) == ("complaints.complaint", str(c.pk))
    assert c.number in movement.reason
    assert StockLevel.objects.get(branch=world.a, product_id=product).quantity == 1
    assert done.events.filter(action="remedy").exists()


def test_a_replacement_out_of_stock_is_refused_on_the_product(world: Any) -> None:
    from punkt.inventory.models import StockMovement

    c = decided(world, demand="replacement")
    stock(world, product_of(c), 1, branch=world.b)  # another branch's unit
    with pytest.raises(ValidationFailed) as refused:
        services.complaint_move(actor=world.service_a, complaint_id=c.pk, action="remedy",
                                remedy_kind="replacement")
    assert (refused.value.field, refused.value.code) == ("product_id", "out_of_stock")
    c.refresh_from_db()
    assert c.status == "decided" and c.stock_movement_id is None
    assert not StockMovement.objects.filter(branch=world.a, kind="complaint").exists()


def test_a_repair_is_described_and_needs_its_note(world: Any) -> None:
    c = decided(world)
    with pytest.raises(ValidationFailed) as refused:
        services.complaint_move(actor=world.service_a, complaint_id=c.pk, action="remedy",
                                remedy_kind="repair")
    assert refused.value.field == "remedy_note"
    with pytest.raises(ValidationFailed) as refused:
        services.complaint_move(actor=world.service_a, complaint_id=c.pk, action="remedy",
                                remedy_kind="refund", remedy_note="x")
    assert refused.value.field == "remedy_kind"
    done = services.complaint_move(actor=world.service_a, complaint_id=c.pk, action="remedy",
                                   remedy_kind="repair", remedy_note="Wymieniono zasilacz.")
    assert done.status == "remedied" and done.stock_movement_id is None


@pytest.mark.parametrize(("amount", "code"), [("", "required"), ("0", "required"),
                                              ("abc", "invalid"), ("120,01", "too_much")])
def test_the_refund_ordered_is_checked(world: Any, amount: str, code: str) -> None:
    c = decided(world, demand="withdrawal", amount="120,00")
    with pytest.raises(ValidationFailed) as refused:
        services.complaint_move(actor=world.service_a, complaint_id=c.pk,
                                action="order_refund", refund_amount=amount)
    assert (refused.value.field, refused.value.code) == ("refund_amount", code)


def test_the_refund_is_at_most_the_price_paid_when_nothing_was_claimed(world: Any) -> None:
    c = decided(world, demand="withdrawal")  # the purchase: 399.00
    with pytest.raises(ValidationFailed):
        services.complaint_move(actor=world.service_a, complaint_id=c.pk,
                                action="order_refund", refund_amount="399,01")
    done = services.complaint_move(actor=world.service_a, complaint_id=c.pk,
                                   action="order_refund", refund_amount="399,00")
    assert done.status == "refund_due" and done.refund_amount == Decimal("399.00")


def test_the_cashier_pays_the_refund_out_once_from_her_till(world: Any) -> None:
    from punkt.cashdesk import services as cash
    from punkt.cashdesk.models import TillEntry
    from punkt.core.models import AuditEvent

    c = decided(world, demand="withdrawal", amount="120,00")
    services.complaint_move(actor=world.service_a, complaint_id=c.pk, action="order_refund",
                            refund_amount="120,00", remedy_note="Zwrot za router")
    assert [r.pk for r in services.refunds_due(world.cashier_a)] == [c.pk]
    from punkt.core.roles import Role
    from tests.world import make_user

    cashier_b = make_user("kasjer.b@test.pl", Role.CASHIER, world.b)
    assert not list(services.refunds_due(cashier_b))
    with pytest.raises(Conflict):  # no open till
        services.refund_pay(actor=world.cashier_a, complaint_id=c.pk)
    session = open_till(world)
    with pytest.raises(ActionDenied):  # the service employee runs no till
        services.refund_pay(actor=world.service_a, complaint_id=c.pk)
    with pytest.raises(NotFound):  # another branch's cashier does not see it
        services.refund_pay(actor=cashier_b, complaint_id=c.pk)
    paid = services.refund_pay(actor=world.cashier_a, complaint_id=c.pk)
    entry = paid.refund_entry
    assert entry is not None
    assert paid.status == "remedied" and paid.remedied_at is not None
    assert (entry.kind, entry.amount, entry.cash) == ("complaint", Decimal("-120.00"),
                                                      Decimal("-120.00"))
    assert (entry.session_id, entry.source_id) == (session.pk, str(c.pk))
    assert cash.expected_cash(session) == Decimal("380.00")
    again = services.refund_pay(actor=world.cashier_a, complaint_id=c.pk)  # a second click
    assert again.refund_entry_id == entry.pk and getattr(again, "replayed", False)
    assert TillEntry.objects.filter(kind="complaint").count() == 1
    assert AuditEvent.objects.filter(action="complaints.complaint.pay_refund").count() == 1
    assert not list(services.refunds_due(world.cashier_a))


def test_a_refund_larger_than_the_drawer_is_refused(world: Any) -> None:
    c = decided(world, demand="withdrawal", amount="120,00")
    services.complaint_move(actor=world.service_a, complaint_id=c.pk, action="order_refund",
                            refund_amount="120,00")
    open_till(world, "50.00")
    with pytest.raises(Conflict) as refused:
        services.refund_pay(actor=world.cashier_a, complaint_id=c.pk)
    assert refused.value.code == "not_enough_cash"
    assert Complaint.objects.get(pk=c.pk).status == "refund_due"


def test_the_moves_step_does_not_pay_a_refund_out(world: Any) -> None:
    c = decided(world, demand="withdrawal", amount="120,00")
    services.complaint_move(actor=world.service_a, complaint_id=c.pk, action="order_refund",
                            refund_amount="120,00")
    with pytest.raises(ActionDenied):
        services.complaint_move(actor=world.manager_a, complaint_id=c.pk, action="pay_refund")


def test_an_appeal_starts_the_remedy_afresh(world: Any) -> None:
    c = decided(world, demand="withdrawal", amount="120,00")
    services.complaint_move(actor=world.service_a, complaint_id=c.pk, action="order_refund",
                            refund_amount="100,00")
    open_till(world)
    services.refund_pay(actor=world.cashier_a, complaint_id=c.pk)
    again = services.complaint_move(actor=world.service_a, complaint_id=c.pk, action="appeal",
                                    note="Chcę całą kwotę")
    assert (again.refund_entry_id, again.refund_amount, again.remedy_kind) == (None, None, "")


def test_the_page_the_panel_and_the_links_both_ways(world: Any, client_as: Any) -> None:
    c = decided(world, demand="replacement")
    stock(world, product_of(c), 3)
    service = client_as(world.service_a)
    page = service.get(reverse("complaints:complaint_detail", args=[c.pk])).content.decode()
    assert 'data-testid="remedy-stock"' in page and "3" in page
    service.post(reverse("complaints:complaint_act", args=[c.pk, "remedy"]),
                 {"remedy_kind": "replacement", "product_id": product_of(c)})
    manager = client_as(world.manager_a)
    page = manager.get(reverse("complaints:complaint_detail", args=[c.pk])).content.decode()
    assert 'data-testid="complaint-movement"' in page
    movements = reverse("inventory:movements") + f"?branch={world.a.pk}"
    assert reverse("inventory:movements") in page
    ledger = manager.get(movements).content.decode()
    assert reverse("complaints:complaint_detail", args=[c.pk]) in ledger
    # a refund, through the cashier's dashboard panel
    r = decided(world, demand="withdrawal", amount="80,00")
    service.post(reverse("complaints:complaint_act", args=[r.pk, "order_refund"]),
                 {"refund_amount": "80,00"})
    assert Complaint.objects.get(pk=r.pk).status == "refund_due"
    open_till(world)
    cashier = client_as(world.cashier_a)
    dashboard = cashier.get(reverse("core:dashboard")).content.decode()
    assert 'data-testid="panel-complaint-refunds"' in dashboard and r.number in dashboard
    pay = reverse("complaints:refund_pay", args=[r.pk])
    assert manager.post(pay).status_code == 403
    assert cashier.post(pay).status_code == 302
    assert cashier.post(pay).status_code == 302  # the second click: nothing more
    paid = Complaint.objects.get(pk=r.pk)
    assert paid.status == "remedied" and paid.refund_entry_id
    page = manager.get(reverse("complaints:complaint_detail", args=[r.pk])).content.decode()
    assert paid.refund_entry is not None
    till = reverse("cashdesk:till_detail", args=[paid.refund_entry.session_id])
    assert till in page
    assert reverse("complaints:complaint_detail", args=[r.pk]) in manager.get(till).content.decode()


def test_the_api_orders_and_pays_a_refund(world: Any, client_as: Any) -> None:
    import json

    c = decided(world, demand="withdrawal", amount="80,00")
    api = client_as(world.service_a)
    bad = api.post(f"/api/v1/complaints/{c.pk}/moves", json.dumps(
        {"action": "order_refund", "refund_amount": "90.00"}), content_type="application/json")
    assert bad.status_code == 422 and bad.json()["field"] == "refund_amount"
    ok = api.post(f"/api/v1/complaints/{c.pk}/moves", json.dumps(
        {"action": "order_refund", "refund_amount": "80.00"}), content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "refund_due"
    pay = f"/api/v1/complaints/{c.pk}/refund-payout"
    assert api.post(pay, "", content_type="application/json").status_code == 403
    cashier = client_as(world.cashier_a)
    assert cashier.post(pay, "", content_type="application/json").status_code == 409
    open_till(world)
    first = cashier.post(pay, "", content_type="application/json").json()
    second = cashier.post(pay, "", content_type="application/json").json()
    assert first["status"] == "remedied" and first["refund_entry_id"] == second["refund_entry_id"]
