"""Payments taken at the till (R8.2) and the customer's credit settled against an invoice.

A payment (:func:`payment_register`) locks the invoice, takes
what the invoice still asks and turns the rest into credit (C6), writes the payment, one
till entry and one timeline entry in one transaction. A client's idempotency key is
claimed (committed) before the work: the same key again gives the same payment back, with
another amount it is refused (422), while the first is still running it answers 409 (C5).
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
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

#: A key claimed this long ago whose request never finished (a crashed worker) may be
#: claimed again.
STALE_KEY = datetime.timedelta(minutes=2)


def business_to_business_cash_limit() -> Decimal:
    """Entrepreneurs' Law art. 19: a business transaction above this goes through a
    payment account, not in cash."""
    return Decimal(str(getattr(settings, "PUNKT_B2B_CASH_LIMIT", "15000.00")))


def _fingerprint(invoice_id: Any, amount: Decimal, method: str) -> str:
    return hashlib.sha256(f"{invoice_id}|{amount}|{method}".encode()).hexdigest()


class _Replay(Exception):
    def __init__(self, payment: Payment) -> None:
        self.payment = payment


def _replayed(payment_id: int) -> Payment:
    payment = Payment.objects.get(pk=payment_id)
    payment.replayed = True  # type: ignore[attr-defined]
    return payment


def _claim(key: str, actor: Actor, fingerprint: str) -> tuple[str, Payment | None]:
    """Claim ``key`` for this request (committed at once, so others see it): (our claim
    id, None), or (_, the payment) when the key already finished; errors otherwise."""
    cashier = cashier_of(actor)
    mine = uuid.uuid4().hex
    in_flight = Conflict("in_flight", _(
        "The same payment is being posted right now; wait for its answer."))
    for _attempt in range(3):
        try:
            with transaction.atomic():
                IdempotencyKey.objects.create(key=key, actor=cashier, fingerprint=fingerprint,
                                              claim=mine)
            return mine, None
        except IntegrityError:
            row = IdempotencyKey.objects.filter(key=key).first()
            if row is None:  # released between our insert and our read: try again
                continue
            if row.actor_id != cashier.pk or row.fingerprint != fingerprint:
                raise ValidationFailed("key_reused", _(
                    "This idempotency key was used for a different payment."),
                    field="Idempotency-Key") from None
            if row.payment_id:
                return "", _replayed(row.payment_id)
            stale = timezone.now() - STALE_KEY
            if IdempotencyKey.objects.filter(pk=row.pk, payment__isnull=True, claim=row.claim,
                                             created_at__lt=stale).update(
                    created_at=timezone.now(), claim=mine):
                return mine, None  # the first request seems dead: this one takes over
            row.refresh_from_db()
            if row.payment_id:
                return "", _replayed(row.payment_id)
            raise in_flight from None
    raise in_flight


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
    mine = ""
    if key:
        mine, done = _claim(key, actor, _fingerprint(invoice_id, value, method))
        if done is not None:
            return done
    try:
        with transaction.atomic():
            if key:
                # The key's row, locked: if another request took the claim over (we were
                # thought dead) or already posted, this one posts nothing.
                row = IdempotencyKey.objects.select_for_update().filter(key=key).first()
                if row is not None and row.payment_id:
                    raise _Replay(_replayed(row.payment_id))
                if row is None or row.claim != mine:
                    raise Conflict("in_flight", _(
                        "The same payment is being posted right now; wait for its answer."))
            payment = _register(actor, invoice_id, value, method)
            if key:
                IdempotencyKey.objects.filter(key=key, claim=mine).update(payment=payment)
    except _Replay as replay:
        return replay.payment
    except BaseException:
        if key:  # release our claim: the client may retry the same request
            IdempotencyKey.objects.filter(key=key, claim=mine, payment__isnull=True).delete()
        raise
    return payment


def _register(actor: Actor, invoice_id: Any, value: Decimal, method: str) -> Payment:
    session = till_in_use(actor, "pay")
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
    paid = invoice.paid + allocated
    Invoice.objects.filter(pk=invoice.pk).update(paid=paid,
                                                 status=status_after(paid, invoice.gross))
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
    paid = invoice.paid - original.allocated
    Invoice.objects.filter(pk=invoice.pk).update(paid=paid,
                                                 status=status_after(paid, invoice.gross))
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
