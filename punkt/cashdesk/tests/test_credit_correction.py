"""HQ undoes a credit settlement made by mistake (issue 15): a reversing row in the
append-only table, the invoice reopened, the credit back, audited; HQ experts only."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from punkt.cashdesk import selectors, services
from punkt.cashdesk.models import CreditUse, InvoiceStatus
from punkt.cashdesk.tests.factories import invoice
from punkt.cashdesk.tests.test_credit import overpaid
from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed
from punkt.core.models import AuditEvent
from punkt.customers.models import TimelineEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


def settled(world: Any) -> tuple[Any, Any, CreditUse]:
    """A customer with 50 zł of credit settled against a 123 zł invoice by mistake."""
    cust = overpaid(world, "50.00")
    wrong = invoice(world, cust)
    return cust, wrong, services.credit_apply(actor=world.cashier_a, invoice_id=wrong.pk)


def test_hq_undoes_a_settlement_the_invoice_reopens_and_the_credit_comes_back(
        world: Any) -> None:
    cust, wrong, use = settled(world)
    wrong.refresh_from_db()
    assert (wrong.paid, wrong.status) == (Decimal("50.00"), InvoiceStatus.PARTIAL)
    assert selectors.credit_left(cust.pk) == Decimal(0)
    reversal = services.credit_use_reverse(actor=world.expert, use_id=use.pk,
                                           reason="settled against the wrong invoice")
    assert (reversal.amount, reversal.reverses_id) == (Decimal("-50.00"), use.pk)
    wrong.refresh_from_db()
    assert (wrong.paid, wrong.status) == (Decimal(0), InvoiceStatus.OPEN)
    assert selectors.credit_left(cust.pk) == Decimal("50.00")
    use.refresh_from_db()
    assert use.amount == Decimal("50.00")  # the original row is never changed
    assert CreditUse.objects.filter(customer=cust).count() == 2
    event = AuditEvent.objects.get(action="cashdesk.credit.reverse")
    assert event.actor_id == world.expert.pk and "wrong invoice" in event.message
    assert TimelineEntry.objects.filter(customer=cust, subject__startswith="HQ correction").exists()
    # The credit can be settled again, this time against the right invoice.
    right = invoice(world, cust, net="20.00")
    assert services.credit_apply(actor=world.cashier_a, invoice_id=right.pk).amount == \
        Decimal("24.60")
    assert selectors.credit_left(cust.pk) == Decimal("25.40")


def test_a_settlement_is_undone_once_and_a_reversal_is_not_undone(world: Any) -> None:
    _cust, _wrong, use = settled(world)
    reversal = services.credit_use_reverse(actor=world.expert, use_id=use.pk, reason="mistake")
    with pytest.raises(Conflict) as twice:
        services.credit_use_reverse(actor=world.expert, use_id=use.pk, reason="again")
    assert twice.value.code == "reversed"
    with pytest.raises(NotFound):
        services.credit_use_reverse(actor=world.expert, use_id=reversal.pk, reason="undo undo")
    assert CreditUse.objects.count() == 2


def test_only_hq_experts_undo_and_a_reason_is_required(world: Any) -> None:
    _cust, wrong, use = settled(world)
    for user in (world.cashier_a, world.manager_a, world.retention_a, world.admin):
        with pytest.raises(ActionDenied):
            services.credit_use_reverse(actor=user, use_id=use.pk, reason="mistake")
    with pytest.raises(ValidationFailed) as no_reason:
        services.credit_use_reverse(actor=world.expert, use_id=use.pk, reason="  ")
    assert no_reason.value.field == "reason"
    wrong.refresh_from_db()
    assert wrong.paid == Decimal("50.00") and CreditUse.objects.count() == 1


def test_undo_through_the_page_and_the_api(world: Any, client_as: Any) -> None:
    cust, wrong, use = settled(world)
    page = client_as(world.cashier_a).get(reverse("cashdesk:invoice", args=[wrong.pk]))
    assert 'data-testid="credit-undo"' not in page.content.decode()
    expert = client_as(world.expert)
    page = expert.get(reverse("cashdesk:invoice", args=[wrong.pk])).content.decode()
    assert 'data-testid="credit-undo"' in page
    url = reverse("cashdesk:credit_undo", args=[use.pk])
    assert expert.get(url).status_code == 405  # no GET writes
    no_reason = expert.post(url, {"reason": ""}, follow=True)
    assert "Podaj powód." in no_reason.content.decode()  # the pages speak Polish
    assert CreditUse.objects.count() == 1
    done = expert.post(url, {"reason": "wrong invoice"}, follow=True).content.decode()
    assert "cofnięte rozliczenie nadpłaty (korekta centrali)" in done
    assert 'data-testid="credit-undo"' not in done
    assert selectors.credit_left(cust.pk) == Decimal("50.00")
    # The API: a second settlement, undone; again → 409; a cashier → 403.
    again = services.credit_apply(actor=world.cashier_a, invoice_id=wrong.pk)
    refused = client_as(world.cashier_a).post(
        f"/api/v1/credit-uses/{again.pk}/reversal", {"reason": "x"},
        content_type="application/json")
    assert refused.status_code == 403
    api = expert.post(f"/api/v1/credit-uses/{again.pk}/reversal", {"reason": "mistake"},
                      content_type="application/json")
    assert api.status_code == 201, api.content
    body = api.json()
    assert (body["amount"], body["reverses_id"], body["credit_left"],
            body["invoice_status"]) == ("-50.00", again.pk, "50.00", "open")
    twice = expert.post(f"/api/v1/credit-uses/{again.pk}/reversal", {"reason": "mistake"},
                        content_type="application/json")
    assert twice.status_code == 409 and twice.json()["code"] == "reversed"
    missing = expert.post("/api/v1/credit-uses/999999/reversal", {"reason": "mistake"},
                          content_type="application/json")
    assert missing.status_code == 404


def test_the_database_keeps_settlements_append_only(world: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the triggers are PostgreSQL's")
    from django.db import transaction
    from django.db.utils import DatabaseError

    _cust, _wrong, use = settled(world)
    services.credit_use_reverse(actor=world.expert, use_id=use.pk, reason="mistake")
    with pytest.raises(DatabaseError), transaction.atomic():
        CreditUse.objects.filter(pk=use.pk).update(reason="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        CreditUse.objects.filter(reverses=use).delete()
