"""Payments taken at the till (R8.2) and the customer's credit settled against an invoice.

A payment (:func:`payment_register`) is one transaction: it claims the client's
idempotency key (``INSERT … ON CONFLICT DO NOTHING``), locks the till and the invoice,
takes what the invoice still asks and turns the rest into credit (C6), and writes the
payment, one till entry, one timeline entry and one audit row. The same key again gives
the same payment back; with another body it is refused (422). A request with the key of
one still running waits for it at the key's unique index (PostgreSQL) and then answers
with its payment — or posts, when the first one failed and rolled back (C5).
"""

from __future__ import annotations

import hashlib
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from punkt.cashdesk import permissions as perms
from punkt.cashdesk import selectors
from punkt.cashdesk.models import (
    CreditUse,
    EntryKind,
    IdempotencyKey,
    Invoice,
    Payment,
    PaymentMethod,
    TillEntry,
)
from punkt.cashdesk.parsing import amount_value, text_value
from punkt.cashdesk.services.invoices import status_after
from punkt.cashdesk.services.till import cashier_of, expected_cash, till_in_use
from punkt.core.audit import audit_record
from punkt.core.errors import ActionDenied, Conflict, ValidationFailed
from punkt.core.money import format_pln
from punkt.customers.models import Customer
from punkt.customers.timeline import register_kind, timeline_add
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of

register_kind("payment", gettext_lazy("Payment"))


def business_to_business_cash_limit() -> Decimal:
    """Entrepreneurs' Law art. 19: a business transaction above this goes through a
    payment account, not in cash."""
    return Decimal(str(getattr(settings, "PUNKT_B2B_CASH_LIMIT", "15000.00")))


def _fingerprint(invoice_id: Any, amount: Decimal, method: str) -> str:
    return hashlib.sha256(f"{invoice_id}|{amount}|{method}".encode()).hexdigest()


def _replayed(payment: Payment) -> Payment:
    payment.replayed = True  # type: ignore[attr-defined]
    return payment


def _insert_key(key: str, actor_id: int, fingerprint: str, claim: str) -> int | None:
    """``INSERT … ON CONFLICT (key) DO NOTHING``: the new row's id, or None when the key
    is taken. On PostgreSQL a key inserted by a transaction still running makes this wait
    for its end: None if it committed, our row if it rolled back."""
    q = connection.ops.quote_name
    column = {f.name: q(str(f.column)) for f in IdempotencyKey._meta.concrete_fields}
    created = IdempotencyKey._meta.get_field("created_at").get_db_prep_save(timezone.now(),
                                                                            connection)
    names = ", ".join(column[f] for f in ("key", "actor", "fingerprint", "claim", "created_at"))
    sql = (f"INSERT INTO {q(IdempotencyKey._meta.db_table)} ({names}) "  # noqa: S608 - quoted
           f"VALUES (%s, %s, %s, %s, %s) ON CONFLICT ({column['key']}) DO NOTHING "
           f"RETURNING {column['id']}")
    with connection.cursor() as cur:
        cur.execute(sql, [key, actor_id, fingerprint, claim, created])
        row = cur.fetchone()
    return row[0] if row else None


def _claim(key: str, actor: Actor, fingerprint: str) -> tuple[int, Payment | None]:
    """Claim ``key`` inside the payment's transaction: (the key row's id, None) when this
    request is to post, (_, the payment) when the key already posted; 422 when it was
    used for something else."""
    cashier = cashier_of(actor)
    claim = uuid.uuid4().hex
    row_id = _insert_key(key, cashier.pk, fingerprint, claim)
    if row_id is not None:
        return row_id, None
    # Taken by a committed request (ours waited for it, if it was running).
    row = IdempotencyKey.objects.select_related("payment__invoice").filter(key=key).first()
    if row is None:  # cannot happen inside our transaction's view; refuse rather than post
        raise Conflict("in_flight", _(
            "The same payment is being posted right now; wait for its answer."))
    if row.actor_id != cashier.pk or row.fingerprint != fingerprint:
        raise ValidationFailed("key_reused", _(
            "This idempotency key was used for a different payment."),
            field="Idempotency-Key")
    if row.payment is not None:
        return row.pk, _replayed(row.payment)
    # A committed key without its payment: left by a request of the earlier two-step
    # claim that died. Take it over under its row lock; whoever else holds the lock (a
    # request that still runs the old way checks its claim under the same lock) decides.
    if IdempotencyKey.objects.filter(pk=row.pk, payment__isnull=True).update(
            claim=claim, created_at=timezone.now()):
        return row.pk, None
    row = IdempotencyKey.objects.select_related("payment__invoice").get(pk=row.pk)
    if row.payment is None:
        raise Conflict("in_flight", _(
            "The same payment is being posted right now; wait for its answer."))
    return row.pk, _replayed(row.payment)


@transaction.atomic
def payment_register(*, actor: Actor, invoice_id: Any, amount: Any, method: str,
                     key: str = "") -> Payment:
    """Take a payment for an invoice at the actor's open till (see the module's note)."""
    # The role first: a retention employee is told her role does not take payments, not
    # that her (non-existent) till is closed or her amount is wrong.
    org_perms.ensure(actor, perms.PAYMENT_TAKE.code)
    value = amount_value(amount)
    if method not in PaymentMethod.values:
        raise ValidationFailed("invalid", _("Choose cash or card."), field="method")
    key = str(key or "").strip()
    if len(key) > 100:
        raise ValidationFailed("invalid", _("The idempotency key may have at most 100 "
                                            "characters."), field="Idempotency-Key")
    if not key:
        return _register(actor, invoice_id, value, method)
    # The key first, then the till, then the invoice: one order for every payment, and a
    # replay answers even after the till closed.
    row_id, done = _claim(key, actor, _fingerprint(invoice_id, value, method))
    if done is not None:
        return done
    payment = _register(actor, invoice_id, value, method)
    IdempotencyKey.objects.filter(pk=row_id).update(payment=payment)
    return payment


def _register(actor: Actor, invoice_id: Any, value: Decimal, method: str) -> Payment:
    session = till_in_use(actor, "pay", with_branch=True)
    invoice = Invoice.objects.locked(invoice_id, missing=_("Invoice not found."))
    limit = business_to_business_cash_limit()
    if method == PaymentMethod.CASH and invoice.is_business and invoice.gross > limit:
        raise ValidationFailed("cash_limit", _(
            "A business may not pay an invoice above %(limit)s in cash (Entrepreneurs' Law "
            "art. 19): take a card payment or a bank transfer.")
            % {"limit": format_pln(limit)}, field="method")
    outstanding = invoice.gross - invoice.paid
    if outstanding <= 0:
        raise Conflict("paid", _("Invoice %(number)s is already paid.")
                       % {"number": invoice.number})
    allocated = min(value, outstanding)
    invoice.paid += allocated
    invoice.status = status_after(invoice.paid, invoice.gross)
    Invoice.objects.filter(pk=invoice.pk).update(paid=invoice.paid, status=invoice.status)
    # ``payment.invoice`` is this row, as it now stands: the caller's answer needs no
    # second read.
    payment = Payment.objects.create(
        invoice=invoice, customer_id=invoice.customer_id, session=session,
        branch_id=session.branch_id, cashier_id=session.cashier_id, method=method, amount=value,
        allocated=allocated, to_credit=value - allocated)
    TillEntry.objects.create(session=session, kind=EntryKind.PAYMENT, amount=value,
                             cash=value if method == PaymentMethod.CASH else Decimal(0),
                             payment=payment, actor=employee_of(actor))
    subject = _("Paid %(amount)s for invoice %(number)s at %(branch)s (%(method)s)") % {
        "amount": format_pln(value), "number": invoice.number,
        "branch": session.branch.name, "method": payment.get_method_display()}
    if value > allocated:
        subject += " — " + _("%(credit)s overpaid, kept as credit") % {
            "credit": format_pln(value - allocated)}
    timeline_add(customer_id=invoice.customer_id, kind="payment", actor=actor,
                 branch_id=session.branch_id, source=payment, subject=subject)
    audit_record(action="cashdesk.payment.register", obj=payment, actor=actor,
                 branch_id=session.branch_id, message=f"{invoice.number} {value} {method}")
    return payment


@transaction.atomic
def payment_reverse(*, actor: Actor, payment_id: int, reason: Any) -> Payment:
    """Cancel a payment taken by mistake: a reversing payment in the actor's open till
    today (a closed day never changes), the invoice restored."""
    original = (Payment.objects.select_related("invoice").filter(reverses__isnull=True)
                .locked(payment_id, missing=_("Payment not found.")))
    org_perms.ensure(actor, perms.PAYMENT_TAKE.code, original.branch_id)
    session = till_in_use(actor, "reverse")
    if original.branch_id != session.branch_id:
        raise ActionDenied(_("A payment is reversed at the branch that took it."),
                           action=perms.PAYMENT_TAKE.code)
    if Payment.objects.filter(reverses=original).exists():
        raise Conflict("reversed", _("This payment was already reversed."))
    text = text_value(reason, field="reason", limit=300, required=True)
    if original.to_credit > 0:
        # The credit this payment made may have been settled against another invoice since.
        Customer.objects.select_for_update().filter(pk=original.customer_id).first()
        if selectors.credit_left(original.customer_id) < original.to_credit:
            raise Conflict("credit_used", _(
                "The %(credit)s this payment overpaid has already been settled against "
                "another invoice: it cannot be reversed.")
                % {"credit": format_pln(original.to_credit)})
    invoice = Invoice.objects.locked(original.invoice_id)
    cash = -original.amount if original.method == PaymentMethod.CASH else Decimal(0)
    if cash and expected_cash(session) + cash < 0:
        raise Conflict("not_enough_cash", _("There is not that much cash in the till."))
    invoice.paid -= original.allocated
    invoice.status = status_after(invoice.paid, invoice.gross)
    Invoice.objects.filter(pk=invoice.pk).update(paid=invoice.paid, status=invoice.status)
    reversal = Payment.objects.create(
        invoice=invoice, customer_id=original.customer_id, session=session,
        branch_id=session.branch_id, cashier_id=session.cashier_id, method=original.method,
        amount=-original.amount, allocated=-original.allocated,
        to_credit=-original.to_credit, reverses=original, reason=text)
    TillEntry.objects.create(session=session, kind=EntryKind.REVERSAL, amount=-original.amount,
                             cash=cash, payment=reversal, reason=text, actor=employee_of(actor))
    timeline_add(customer_id=original.customer_id, kind="payment", actor=actor,
                 branch_id=session.branch_id, source=reversal, body=text,
                 subject=_("Payment %(number)s of %(amount)s reversed")
                 % {"number": original.number, "amount": format_pln(original.amount)})
    audit_record(action="cashdesk.payment.reverse", obj=reversal, actor=actor,
                 branch_id=session.branch_id, message=f"{original.number}: {text}")
    return reversal


@transaction.atomic
def credit_apply(*, actor: Actor, invoice_id: Any) -> CreditUse:
    """Settle the customer's credit (their earlier overpayments) against this invoice, as
    far as it goes: no cash moves, so no till entry, but the cashier's open till names the
    branch. The customer's row is locked first, so two cashiers cannot spend one credit."""
    session = till_in_use(actor, "credit", lock=False)
    found = Invoice.objects.only("customer_id").get_or_not_found(
        invoice_id, missing=_("Invoice not found."))
    Customer.objects.select_for_update().filter(pk=found.customer_id).first()
    invoice = Invoice.objects.locked(invoice_id, missing=_("Invoice not found."))
    outstanding = invoice.gross - invoice.paid
    if outstanding <= 0:
        raise Conflict("paid", _("Invoice %(number)s is already paid.")
                       % {"number": invoice.number})
    credit = selectors.credit_left(invoice.customer_id)
    if credit <= 0:
        raise Conflict("no_credit", _("The customer has no credit to settle."))
    amount = min(credit, outstanding)
    paid = invoice.paid + amount
    Invoice.objects.filter(pk=invoice.pk).update(paid=paid,
                                                 status=status_after(paid, invoice.gross))
    use = CreditUse.objects.create(invoice=invoice, customer_id=invoice.customer_id,
                                   amount=amount, branch_id=session.branch_id,
                                   actor=employee_of(actor))
    timeline_add(customer_id=invoice.customer_id, kind="payment", actor=actor,
                 branch_id=session.branch_id, source=use,
                 subject=_("%(amount)s of credit settled against invoice %(number)s") % {
                     "amount": format_pln(amount), "number": invoice.number})
    audit_record(action="cashdesk.credit.apply", obj=invoice, actor=actor,
                 branch_id=session.branch_id, message=f"{invoice.number} {amount}")
    return use


@transaction.atomic
def credit_use_reverse(*, actor: Actor, use_id: Any, reason: Any) -> CreditUse:
    """HQ undoes a credit settlement made by mistake: a reversing row (the table is
    append-only), the invoice reopened by the settled amount, the customer's credit given
    back. No cash moves and no till is needed; a settlement is undone once."""
    org_perms.ensure(actor, perms.CREDIT_CORRECT.code)
    found = (CreditUse.objects.only("customer_id").filter(reverses__isnull=True)
             .get_or_not_found(use_id, missing=_("Credit settlement not found.")))
    text = text_value(reason, field="reason", limit=300, required=True)
    # The customer first, as every credit move locks it (credit_apply, refunds).
    Customer.objects.select_for_update().filter(pk=found.customer_id).first()
    use = CreditUse.objects.locked(found.pk)
    if CreditUse.objects.filter(reverses=use).exists():
        raise Conflict("reversed", _("This credit settlement was already undone."))
    invoice = Invoice.objects.locked(use.invoice_id)
    paid = invoice.paid - use.amount
    if paid < 0:  # cannot happen while the ledgers add up; refuse rather than break them
        raise Conflict("inconsistent", _("The invoice's payments do not cover this settlement: "
                                         "check the invoice's history."))
    Invoice.objects.filter(pk=invoice.pk).update(paid=paid,
                                                 status=status_after(paid, invoice.gross))
    reversal = CreditUse.objects.create(
        invoice=invoice, customer_id=use.customer_id, amount=-use.amount,
        branch_id=use.branch_id, actor=employee_of(actor), reverses=use, reason=text)
    timeline_add(customer_id=use.customer_id, kind="payment", actor=actor,
                 branch_id=use.branch_id, source=reversal, body=text,
                 subject=_("HQ correction: %(amount)s of credit settled against invoice "
                           "%(number)s given back as credit") % {
                     "amount": format_pln(use.amount), "number": invoice.number})
    audit_record(action="cashdesk.credit.reverse", obj=invoice, actor=actor,
                 branch_id=use.branch_id,
                 message=f"{invoice.number} {use.amount} (settlement {use.pk}): {text}")
    return reversal
