"""Reading the cashier's desk: finding invoices (by number, or by the buyer's name and
address as printed on them), a customer's balance, tills and payments."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext as _

from punkt.cashdesk import permissions as perms
from punkt.cashdesk.models import (
    CreditRefund,
    CreditUse,
    Invoice,
    InvoiceStatus,
    Payment,
    TillSession,
    TillSessionQuerySet,
)
from punkt.core.errors import ValidationFailed
from punkt.core.money import cents
from punkt.customers.normalize import fold
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor

MAX_FOUND = 50


def invoice_by_number(*, user: Actor, number: str) -> Invoice | None:
    org_perms.ensure(user, perms.INVOICE_VIEW.code)
    number = " ".join(str(number or "").split()).upper()
    if not number:
        return None
    return Invoice.objects.select_related("customer").filter(number=number).first()


def invoices_by_buyer(*, user: Actor, first_name: str, last_name: str, address: str,
                      unpaid_only: bool = True) -> list[Invoice]:
    """A person's invoices found by first name, last name and the registered address
    (postal code, city or street): as printed on the invoice, or as the CRM holds it now
    (the customer moved since, or the invoice was printed before a correction)."""
    org_perms.ensure(user, perms.INVOICE_VIEW.code)
    key = fold(f"{last_name} {first_name}")
    where = " ".join(str(address or "").split())
    if not fold(first_name) or not fold(last_name):
        raise ValidationFailed("required", _("Give the first and the last name."),
                               field="last_name")
    if len(fold(where)) < 2:
        raise ValidationFailed("required", _("Give the registered address: the postal code, "
                                             "the city or the street."), field="address")
    postal = _postal_code(where)
    if postal:
        printed = Q(buyer_postal_code=postal)
    else:
        folded = fold(where)
        printed = Q(buyer_place=folded) | Q(buyer_street_key__contains=folded)
    qs = Invoice.objects.filter(
        (Q(buyer_lookup=key) & printed)
        | Q(customer_id__in=_registered_at(key, postal=postal, where=fold(where))))
    if unpaid_only:
        qs = qs.exclude(status=InvoiceStatus.PAID)
    return list(qs.select_related("customer").order_by("due_on", "pk")[:MAX_FOUND])


#: At most this many customers of one name are compared with the address given.
MAX_NAMESAKES = 500


def _postal_code(text: str) -> str:
    """``"31-042"`` or ``"31042"`` → ``"31-042"``; anything else → ``""``."""
    compact = text.replace(" ", "")
    if len(compact) == 6 and compact[2] == "-" and compact.replace("-", "").isdecimal():
        return compact
    if len(compact) == 5 and compact.isdecimal():
        return f"{compact[:2]}-{compact[2:]}"
    return ""


def _registered_at(key: str, *, postal: str, where: str) -> list[int]:
    """The customers named ``key`` (folded "last first": in the CRM, or printed on one of
    their invoices) whose registered address in the CRM matches the postal code, the city
    or a part of the street."""
    from punkt.customers.models import Customer, CustomerStatus

    named = set(Customer.objects.filter(status=CustomerStatus.ACTIVE, sort_key=key)
                .values_list("pk", flat=True)[:MAX_NAMESAKES])
    named |= set(Invoice.objects.filter(buyer_lookup=key).order_by()
                 .values_list("customer_id", flat=True).distinct()[:MAX_NAMESAKES])
    if not named:
        return []
    found = []
    for pk, street, postal_code, city in (
            Customer.objects.filter(pk__in=named, status=CustomerStatus.ACTIVE)
            .values_list("pk", "street", "postal_code", "city")):
        if postal:
            match = postal_code.replace(" ", "") == postal
        else:
            match = fold(city) == where or where in fold(street)
        if match:
            found.append(pk)
    return found


def invoice_get(*, user: Actor, invoice_id: int) -> Invoice:
    org_perms.ensure(user, perms.INVOICE_VIEW.code)
    return Invoice.objects.select_related("customer").get_or_not_found(
        invoice_id, missing=_("Invoice not found."))


def invoice_payments(*, user: Actor, invoice: Invoice) -> list[Payment]:
    """The invoice's payments, at whichever branch they were taken (its history)."""
    return list(Payment.objects.visible_to(user, perms.INVOICE_VIEW).filter(invoice=invoice)
                .select_related("cashier", "branch").order_by("created_at", "pk"))


def invoice_credit_uses(*, user: Actor, invoice: Invoice) -> list[CreditUse]:
    """The customer's credit settled against the invoice, wherever it was."""
    return list(CreditUse.objects.visible_to(user, perms.INVOICE_VIEW).filter(invoice=invoice)
                .select_related("actor", "branch", "reversed_by"))


def credit_use_get(*, user: Actor, use_id: int) -> CreditUse:
    """One credit settlement, read as part of its invoice's history."""
    return (CreditUse.objects.visible_to(user, perms.INVOICE_VIEW)
            .get_or_not_found(use_id, missing=_("Credit settlement not found.")))


@dataclass
class Balance:
    due: Decimal
    credit: Decimal
    overdue: Decimal
    open_count: int = 0
    late_count: int = 0


def _money(value: Any) -> Decimal:
    # SQLite sums decimals as floats: back to the grosz.
    return cents(Decimal(str(value or 0)))


@functools.cache
def _balance_sql(with_invoices: bool) -> str:
    """One statement for a customer's settlement with HQ, written by hand: it is read on
    every profile and every payment, and the ORM took longer to build it than the
    database to answer (the ORM's definition: :func:`balance_reference`)."""
    inv, pay = Invoice._meta.db_table, Payment._meta.db_table
    use, ref = CreditUse._meta.db_table, CreditRefund._meta.db_table
    credit = (f'(SELECT SUM(to_credit) FROM "{pay}" WHERE customer_id = %s), '  # noqa: S608
              f'(SELECT SUM(amount) FROM "{use}" WHERE customer_id = %s), '
              f'(SELECT SUM(amount) FROM "{ref}" WHERE customer_id = %s)')
    if not with_invoices:
        return f"SELECT {credit}"
    return (f"SELECT i.due, i.overdue, i.open, i.late, {credit} FROM ("  # noqa: S608
            "SELECT SUM(gross - paid) AS due, "
            "SUM(CASE WHEN due_on < %s THEN gross - paid END) AS overdue, "
            "COUNT(*) AS open, COUNT(CASE WHEN due_on < %s THEN 1 END) AS late "
            f'FROM "{inv}" WHERE customer_id = %s AND status <> %s) i')


def balance(customer_id: int, *, today: datetime.date | None = None) -> Balance:
    """What the customer still owes HQ (and how much of it is overdue, in how many
    invoices) and what they overpaid: derived from their invoices and payments, so it is
    never out of step. The caller has shown the customer; their balance counts every
    branch's payments. One statement."""
    from django.db import connection
    from django.utils import timezone

    today = today or timezone.localdate()
    with connection.cursor() as cursor:
        # the credit's three sums come first in the statement's text, then the invoices'
        cursor.execute(_balance_sql(True), [customer_id, customer_id, customer_id,
                                            today, today, customer_id, InvoiceStatus.PAID])
        due, overdue, open_, late, paid_in, used, refunded = cursor.fetchone()
    return Balance(_money(due), _money(paid_in) - _money(used) - _money(refunded),
                   _money(overdue), int(open_ or 0), int(late or 0))


def credit_left(customer_id: int) -> Decimal:
    """What the customer overpaid and has neither settled against an invoice (settlements
    HQ undid count back) nor been paid out in cash (one statement)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_balance_sql(False), [customer_id] * 3)
        paid_in, used, refunded = cursor.fetchone()
    return _money(paid_in) - _money(used) - _money(refunded)


def balance_reference(customer_id: int, today: datetime.date) -> Balance:
    """The definition of :func:`balance` in the ORM (for the equivalence test)."""
    open_ = Invoice.objects.filter(customer_id=customer_id).exclude(status=InvoiceStatus.PAID)
    owed = F("gross") - F("paid")
    sums = open_.aggregate(due=Sum(owed), overdue=Sum(owed, filter=Q(due_on__lt=today)),
                           open=Count("pk"), late=Count("pk", filter=Q(due_on__lt=today)))
    paid_in = Payment.objects.filter(customer_id=customer_id).aggregate(s=Sum("to_credit"))["s"]
    used = CreditUse.objects.filter(customer_id=customer_id).aggregate(s=Sum("amount"))["s"]
    refunded = CreditRefund.objects.filter(customer_id=customer_id).aggregate(
        s=Sum("amount"))["s"]
    return Balance(_money(sums["due"]), _money(paid_in) - _money(used) - _money(refunded),
                   _money(sums["overdue"]), sums["open"], sums["late"])


def till_list(*, user: Actor, branch_id: int | None = None) -> TillSessionQuerySet:
    """The tills ``user`` sees (cashiers their own, managers their branches'; see
    ``TillSessionQuerySet.visible_to``), the latest day first."""
    org_perms.ensure(user, perms.CASH_REPORT.code)
    return (TillSession.objects.visible_to(user, perms.CASH_REPORT, branch_id=branch_id)
            .select_related("branch", "cashier", "acknowledged_by")
            .order_by("-business_day", "-pk"))


def till_get(*, user: Actor, session_id: int) -> TillSession:
    return till_list(user=user).get_or_not_found(session_id, missing=_("Till not found."))


def payment_get(*, user: Actor, payment_id: int) -> Payment:
    """One payment (its KP receipt, its reversal): see ``CashDocumentQuerySet.visible_to``."""
    return (Payment.objects.visible_to(user, perms.CASH_REPORT)
            .select_related("invoice", "branch", "cashier", "reverses")
            .get_or_not_found(payment_id, missing=_("Payment not found.")))


def refund_get(*, user: Actor, refund_id: int) -> CreditRefund:
    """One credit refund (its KW document): seen as a payment is
    (``CashDocumentQuerySet.visible_to``)."""
    return (CreditRefund.objects.visible_to(user, perms.CASH_REPORT)
            .select_related("branch", "cashier", "customer")
            .get_or_not_found(refund_id, missing=_("Refund not found.")))


@dataclass
class TakingsRow:
    session: TillSession
    payments: int
    cash: Decimal
    card: Decimal


def takings(*, user: Actor, day_from: datetime.date, day_to: datetime.date,
            branch_id: int | None = None) -> list[TakingsRow]:
    """Payments taken per cashier and day (one row per till), over at most 62 days."""
    from django.db.models import Count

    day_to = min(day_to, day_from + datetime.timedelta(days=61))
    sessions: list[Any] = list(  # tills with their annotations n, cash, card
        till_list(user=user, branch_id=branch_id)
        .filter(business_day__gte=day_from, business_day__lte=day_to)
        .annotate(n=Count("payments", filter=Q(payments__reverses__isnull=True)),
                  cash=Sum("payments__amount", filter=Q(payments__method="cash")),
                  card=Sum("payments__amount", filter=Q(payments__method="card")))
        .order_by("-business_day", "branch__name", "cashier__last_name")[:5000])
    return [TakingsRow(s, s.n, cents(Decimal(s.cash or 0)), cents(Decimal(s.card or 0)))
            for s in sessions]
