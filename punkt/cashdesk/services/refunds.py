"""The customer's credit (an overpayment) paid out in cash at the till: a KW document
``KW/Z/<branch code>/<year>/<n>``, numbered per branch and year without gaps.

Like a payment it is once-only per client key (C5): the same key again gives the same
refund back, with another customer or amount it is refused (422). The customer's row is
locked first, as for every move of their credit (settling it against an invoice, HQ's
undo), so two cashiers cannot pay out one credit twice (C6). The role is checked before
anything else, then the till (open, today's), then the amount."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from punkt.cashdesk import permissions as perms
from punkt.cashdesk import selectors
from punkt.cashdesk.models import CreditRefund, DocumentCounter, EntryKind, TillEntry
from punkt.cashdesk.parsing import amount_value, text_value
from punkt.cashdesk.services.till import expected_cash, till_in_use
from punkt.core.audit import audit_record
from punkt.core.errors import Conflict, ValidationFailed
from punkt.core.idempotency import ensure_same, fingerprint
from punkt.core.money import format_pln
from punkt.customers.models import Customer
from punkt.customers.timeline import timeline_add
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import Branch


def next_number(series: str, branch: Branch, year: int) -> tuple[int, str]:
    """The next serial of ``series`` at ``branch`` in ``year`` and the document's number;
    the counter row stays locked until the caller's transaction ends."""
    DocumentCounter.objects.get_or_create(series=series, branch=branch, year=year)
    counter = DocumentCounter.objects.select_for_update().get(series=series, branch=branch,
                                                              year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, f"{series}/{branch.code}/{year}/{counter.last:05d}"


def _replay(key: str, customer_id: Any, amount: Any) -> CreditRefund | None:
    done = CreditRefund.objects.filter(key=key).first()
    if done is None:
        return None
    ensure_same(fingerprint(done.customer_id, done.amount), fingerprint(customer_id, amount))
    done.replayed = True  # type: ignore[attr-defined]
    return done


def credit_refund(*, actor: Actor, customer_id: Any, amount: Any, reason: Any = "",
                  key: str = "") -> CreditRefund:
    """Pay ``amount`` of the customer's credit out in cash from the actor's open till."""
    org_perms.ensure(actor, perms.PAYMENT_TAKE.code)
    key = str(key or "").strip()
    if len(key) > 100:
        raise ValidationFailed("invalid", _("The idempotency key may have at most 100 "
                                            "characters."), field="Idempotency-Key")
    try:
        with transaction.atomic():
            return _refund(actor, customer_id, amount, reason, key)
    except IntegrityError:
        # The same key committed by a parallel request between our check and our insert.
        done = _replay(key, int(customer_id), amount_value(amount)) if key else None
        if done is None:
            raise
        return done


def _refund(actor: Actor, customer_id: Any, amount: Any, reason: Any,
            key: str) -> CreditRefund:
    session = till_in_use(actor, "refund")
    customer = Customer.objects.locked(customer_id, missing=_("Customer not found."))
    value = amount_value(amount)
    if key:
        # Read after the customer's lock: a request with the same key that finished
        # meanwhile is seen here and answered again.
        done = _replay(key, customer.pk, value)
        if done is not None:
            return done
    text = text_value(reason, field="reason", limit=300, required=False)
    credit = selectors.credit_left(customer.pk)
    if credit <= 0:
        raise Conflict("no_credit", _("The customer has no credit to pay out."))
    if value > credit:
        raise ValidationFailed("too_much", _(
            "The customer's credit is %(credit)s: pay out at most that.")
            % {"credit": format_pln(credit)}, field="amount")
    if expected_cash(session) - value < 0:
        raise Conflict("not_enough_cash", _("There is not that much cash in the till."))
    year = session.business_day.year
    serial, number = next_number(CreditRefund.SERIES, session.branch, year)
    refund = CreditRefund.objects.create(
        number=number, branch_id=session.branch_id, year=year, serial=serial,
        customer=customer, session=session, cashier_id=session.cashier_id, amount=value,
        reason=text, key=key or None)
    TillEntry.objects.create(session=session, kind=EntryKind.REFUND, amount=-value,
                             cash=-value, refund=refund, reason=text, actor=employee_of(actor))
    timeline_add(customer_id=customer.pk, kind="payment", actor=actor,
                 branch_id=session.branch_id, source=refund, body=text,
                 subject=_("%(amount)s of credit paid out in cash at %(branch)s (%(number)s)")
                 % {"amount": format_pln(value), "branch": session.branch.name,
                    "number": number})
    audit_record(action="cashdesk.credit.refund", obj=refund, actor=actor,
                 branch_id=session.branch_id, message=f"{number} {value}")
    return refund
