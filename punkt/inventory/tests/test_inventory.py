from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import translation

from punkt.core.errors import ActionDenied, Conflict, ValidationFailed
from punkt.inventory import services
from punkt.inventory.models import MovementKind, OrderStatus, StockLevel, StockMovement
from punkt.inventory.tests.factories import shop
from punkt.inventory.workflows import ORDER_FLOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


def qty(branch: Any, product: Any) -> int:
    return StockLevel.objects.get(branch=branch, product=product).quantity


def test_stock_never_goes_negative(world: Any) -> None:
    s = shop(world, stock_a=2)
    with pytest.raises(Conflict) as e:
        services.stock_move(branch_id=world.a.pk, product_id=s.router.pk, delta=-3,
                            kind=MovementKind.SALE)
    assert "2 left, 3 needed" in e.value.message
    assert qty(world.a, s.router) == 2
    m = services.stock_move(branch_id=world.a.pk, product_id=s.router.pk, delta=-2,
                            kind=MovementKind.SALE)
    assert m.balance_after == 0 and qty(world.a, s.router) == 0


def test_adjustment_needs_a_reason_and_the_manager(world: Any) -> None:
    s = shop(world, stock_a=4)
    with pytest.raises(ValidationFailed) as e:
        services.adjustment_record(actor=world.manager_a, branch_id=world.a.pk,
                                   product_id=s.cable.pk, quantity=-1, reason=" ")
    assert e.value.field == "reason"
    with pytest.raises(ValidationFailed) as e:
        services.adjustment_record(actor=world.manager_a, branch_id=world.a.pk,
                                   product_id=s.cable.pk, quantity="1.5", reason="x")
    assert e.value.field == "quantity"
    with pytest.raises(ActionDenied):
        services.adjustment_record(actor=world.service_a, branch_id=world.a.pk,
                                   product_id=s.cable.pk, quantity=-1, reason="broken")
    with pytest.raises(ActionDenied):
        services.adjustment_record(actor=world.manager_b, branch_id=world.a.pk,
                                   product_id=s.cable.pk, quantity=-1, reason="broken")
    m = services.adjustment_record(actor=world.manager_a, branch_id=world.a.pk,
                                   product_id=s.cable.pk, quantity=-1, reason="broken plug")
    assert (m.kind, m.quantity, m.balance_after, m.reason) == ("adjustment", -1, 3,
                                                               "broken plug")


def test_norms_and_the_proposal(world: Any) -> None:
    s = shop(world, stock_a=2)
    services.norm_set(actor=world.manager_a, branch_id=world.a.pk, product_id=s.router.pk,
                      min_norm=5)
    services.norm_set(actor=world.manager_a, branch_id=world.a.pk, product_id=s.cable.pk,
                      min_norm=2)
    with pytest.raises(ValidationFailed) as e:
        services.norm_set(actor=world.manager_a, branch_id=world.a.pk, product_id=s.cable.pk,
                          min_norm=-1)
    assert e.value.field == "min_norm"
    lines = services.order_proposal(user=world.manager_a, branch_id=world.a.pk)
    assert [(x.product.code, x.proposed) for x in lines] == [("RTR-AX", 3)]
    services.order_create(actor=world.manager_a, branch_id=world.a.pk,
                          lines={s.router.pk: 3})
    # What is on order counts: a second click proposes nothing.
    assert services.order_proposal(user=world.manager_a, branch_id=world.a.pk) == []


def test_order_ship_receive_with_a_difference(world: Any) -> None:
    s = shop(world, stock_a=0, stock_hq=10)
    order = services.order_create(actor=world.manager_a, branch_id=world.a.pk,
                                  lines={s.router.pk: 4, s.cable.pk: 2}, note="for Friday")
    assert order.status == OrderStatus.SUBMITTED
    assert ORDER_FLOW.allowed_actions(order, world.manager_a) == ["cancel"]
    assert ORDER_FLOW.allowed_actions(order, world.expert) == ["ship", "refuse"]
    with pytest.raises(ActionDenied):
        services.order_ship(actor=world.manager_a, order_id=order.pk)
    with pytest.raises(ValidationFailed) as e:
        services.order_ship(actor=world.expert, order_id=order.pk,
                            shipped={str(s.router.pk): 5})
    assert e.value.field == f"line-{s.router.pk}"
    order = services.order_ship(actor=world.expert, order_id=order.pk,
                                shipped={str(s.router.pk): 4, str(s.cable.pk): 1})
    assert order.status == OrderStatus.SHIPPED
    assert qty(world.hq, s.router) == 6 and qty(world.hq, s.cable) == 9
    level = StockLevel.objects.get(branch=world.a, product=s.router)
    assert (level.quantity, level.in_transit) == (0, 4)
    with pytest.raises(Conflict):  # shipped twice? no
        services.order_ship(actor=world.expert, order_id=order.pk)
    with pytest.raises(ValidationFailed) as e:
        services.order_receive(actor=world.manager_a, order_id=order.pk,
                               received={str(s.router.pk): 3, str(s.cable.pk): 1})
    assert e.value.field == f"reason-{s.router.pk}"
    assert qty(world.a, s.router) == 0  # nothing half-done
    order = services.order_receive(actor=world.manager_a, order_id=order.pk,
                                   received={str(s.router.pk): 3, str(s.cable.pk): 1},
                                   reasons={str(s.router.pk): "one box damaged"})
    assert order.status == OrderStatus.RECEIVED
    level = StockLevel.objects.get(branch=world.a, product=s.router)
    assert (level.quantity, level.in_transit) == (3, 0)
    line = order.lines.get(product=s.router)
    assert (line.shipped, line.received, line.difference, line.difference_reason) == (
        4, 3, -1, "one box damaged")
    kinds = list(StockMovement.objects.filter(source_id=str(order.pk))
                 .values_list("branch_id", "kind", "quantity").order_by("pk"))
    assert (world.hq.pk, "transfer_out", -4) in kinds and (world.a.pk, "transfer_in", 3) in kinds


def test_hq_cannot_ship_what_it_does_not_have(world: Any) -> None:
    s = shop(world, stock_a=0, stock_hq=2)
    order = services.order_create(actor=world.manager_a, branch_id=world.a.pk,
                                  lines={s.router.pk: 1, s.book.pk: 5})
    with pytest.raises(Conflict) as e:
        services.order_ship(actor=world.expert, order_id=order.pk)
    assert "Poradnik" in e.value.message
    assert qty(world.hq, s.router) == 2  # the router line did not leave either
    order.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED


def test_cancel_and_refuse(world: Any) -> None:
    s = shop(world, stock_a=0)
    order = services.order_create(actor=world.manager_a, branch_id=world.a.pk,
                                  lines={s.router.pk: 1})
    with pytest.raises(ValidationFailed):
        services.order_cancel(actor=world.expert, order_id=order.pk)
    order = services.order_cancel(actor=world.expert, order_id=order.pk, reason="discontinued")
    assert order.status == OrderStatus.CANCELLED and order.cancelled_reason == "discontinued"
    with pytest.raises(Conflict):
        services.order_cancel(actor=world.manager_a, order_id=order.pk)
    with pytest.raises(ActionDenied):
        services.order_create(actor=world.manager_b, branch_id=world.a.pk,
                              lines={s.router.pk: 1})
    with pytest.raises(ValidationFailed) as e:
        services.order_create(actor=world.manager_a, branch_id=world.a.pk, lines={})
    assert e.value.field == "lines"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_movements_are_append_only(world: Any) -> None:
    s = shop(world, stock_a=1)
    m = StockMovement.objects.filter(product=s.router).first()
    assert m is not None
    with pytest.raises(DatabaseError), transaction.atomic():
        StockMovement.objects.filter(pk=m.pk).update(quantity=99)
    with pytest.raises(DatabaseError), transaction.atomic():
        StockMovement.objects.filter(pk=m.pk).delete()


def test_the_same_order_form_twice_orders_once(world: Any) -> None:
    s = shop(world, stock_a=0)
    first = services.order_create(actor=world.manager_a, branch_id=world.a.pk,
                                  lines={s.router.pk: 2}, key="form:abc")
    again = services.order_create(actor=world.manager_a, branch_id=world.a.pk,
                                  lines={s.router.pk: 2}, key="form:abc")
    assert again.pk == first.pk
    with pytest.raises(ValidationFailed) as e:  # the same key with other quantities
        services.order_create(actor=world.manager_a, branch_id=world.a.pk,
                              lines={s.router.pk: 5}, key="form:abc")
    assert e.value.code == "key_reused"
    assert services.on_order(world.a.pk) == {s.router.pk: 2}


def _audit_since(last: int) -> list[tuple[Any, ...]]:
    from punkt.core.models import AuditEvent

    return [(r.action, r.actor_id, r.branch_id, r.object_type, r.object_id)
            for r in AuditEvent.objects.filter(pk__gt=last).order_by("pk")]


def _last_audit() -> int:
    from punkt.core.models import AuditEvent

    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_adjustment_and_receipt_each_write_one_audit_row(world: Any) -> None:
    """C26: one append-only audit row per stock movement, naming actor, branch, object."""
    s = shop(world, stock_a=4, stock_hq=0)
    last = _last_audit()
    m = services.adjustment_record(actor=world.manager_a, branch_id=world.a.pk,
                                   product_id=s.cable.pk, quantity=-1, reason="broken plug")
    assert _audit_since(last) == [("inventory.stock.adjust", world.manager_a.pk, world.a.pk,
                                   "inventory.stockmovement", str(m.pk))]
    last = _last_audit()
    r = services.receipt_record(actor=world.expert, product_id=s.router.pk, quantity=3,
                                reason="PZ 7/2026")
    assert r.branch_id == services.hq_branch().pk
    assert _audit_since(last) == [("inventory.stock.receipt", world.expert.pk, r.branch_id,
                                   "inventory.stockmovement", str(r.pk))]
