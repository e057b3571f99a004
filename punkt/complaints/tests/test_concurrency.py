"""Races on PostgreSQL (C10): two managers deciding one complaint at once decide it once;
complaints registered at once get distinct numbers without gaps."""

from __future__ import annotations

import pytest
from django.db import connection

from punkt.complaints import services
from punkt.complaints.models import Complaint
from punkt.complaints.tests.factories import complaint
from punkt.complaints.tests.test_remedies import product_of
from punkt.core.errors import DomainError
from punkt.core.models import AuditEvent
from punkt.organization.tests.test_concurrency import _race
from tests.world import make_user, make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite serialises writers; row locks need PostgreSQL"),
]


def test_two_managers_deciding_at_once_decide_once() -> None:
    """(C10)"""
    from punkt.core.roles import Role

    w = make_world()
    second = make_user("kierownik2.a@test.pl", Role.MANAGER, w.a)
    c = complaint(w)
    services.complaint_move(actor=w.service_a, complaint_id=c.pk, action="acknowledge")
    managers = iter([w.manager_a, second])
    outcomes = iter(["upheld", "partly_upheld"])
    results = _race(2, lambda: services.complaint_move(
        actor=next(managers), complaint_id=c.pk, action="decide_in_branch",
        outcome=next(outcomes), decision_reason="Decyzja"))
    assert len([r for r in results if isinstance(r, DomainError)]) == 1
    assert Complaint.objects.get(pk=c.pk).status == "decided"
    assert AuditEvent.objects.filter(action="complaints.complaint.decide_in_branch").count() == 1
    assert c.events.filter(action="decide_in_branch").count() == 1


def test_complaints_registered_at_once_are_numbered_without_repeats_or_gaps() -> None:
    w = make_world()
    actors = iter([w.service_a, w.manager_a, w.retention_a, w.service_a])
    results = _race(4, lambda: complaint(w, actor=next(actors)))
    assert not [r for r in results if isinstance(r, DomainError)]
    numbers = sorted(Complaint.objects.values_list("number", flat=True))
    assert [int(n.rsplit("/", 1)[1]) for n in numbers] == [1, 2, 3, 4]


def _decided(w: object, **fields: object) -> Complaint:
    c = complaint(w, **fields)
    services.complaint_move(actor=w.service_a, complaint_id=c.pk,  # type: ignore[attr-defined]
                            action="acknowledge")
    return services.complaint_move(actor=w.manager_a,  # type: ignore[attr-defined]
                                   complaint_id=c.pk, action="decide_in_branch",
                                   outcome="upheld")


def test_two_clicks_paying_a_refund_at_once_pay_it_once() -> None:
    """(C10) the complaint's row lock and its state: one till entry, one audit row."""
    from decimal import Decimal

    from punkt.cashdesk import services as cash
    from punkt.cashdesk.models import TillEntry

    w = make_world()
    c = _decided(w, demand="withdrawal", amount="150,00")
    services.complaint_move(actor=w.service_a, complaint_id=c.pk, action="order_refund",
                            refund_amount="150,00")
    session = cash.till_open(actor=w.cashier_a, branch_id=w.a.pk, opening_float="1000")
    results = _race(3, lambda: services.refund_pay(actor=w.cashier_a, complaint_id=c.pk))
    assert not [r for r in results if isinstance(r, DomainError)]
    assert TillEntry.objects.filter(kind="complaint").count() == 1
    assert cash.expected_cash(session) == Decimal("850.00")
    assert AuditEvent.objects.filter(action="complaints.complaint.pay_refund").count() == 1
    assert c.events.filter(action="pay_refund").count() == 1


def test_two_complaints_replacing_the_last_unit_take_it_once() -> None:
    """(C8) the last unit leaves the stock for one complaint; the other is refused on the
    product field and stays decided."""
    from punkt.inventory.models import MovementKind, StockLevel, StockMovement
    from punkt.inventory.services import stock_move

    w = make_world()
    first = _decided(w, demand="replacement")
    second = _decided(w, demand="replacement", cust=first.customer,
                      sale_line_id=first.sale_line_id)
    product = product_of(first)
    stock_move(branch_id=w.a.pk, product_id=product, delta=1, kind=MovementKind.RECEIPT)
    ids = iter([first.pk, second.pk])
    results = _race(2, lambda: services.complaint_move(
        actor=w.service_a, complaint_id=next(ids), action="remedy",
        remedy_kind="replacement"))
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1 and refused[0].field == "product_id"
    assert StockMovement.objects.filter(kind="complaint").count() == 1
    assert StockLevel.objects.get(branch=w.a, product_id=product).quantity == 0
    assert sorted(Complaint.objects.values_list("status", flat=True)) == ["decided",
                                                                          "remedied"]
