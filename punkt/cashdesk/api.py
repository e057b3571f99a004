"""API of the cashier's desk: invoices (found by number or by the buyer's name and
address; HQ records them), payments with an ``Idempotency-Key`` header (C5), the
cashier's till, a customer's balance and settling their credit against an invoice."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from punkt.cashdesk import selectors, services
from punkt.cashdesk.models import CreditUse, Invoice, Payment, TillSession
from punkt.cashdesk.workflows import allowed_actions
from punkt.core.api import MAX_ID, Amount, Strict, errors, known_id
from punkt.core.errors import NotFound
from punkt.core.routes import scoped
from punkt.customers import selectors as customers
from punkt.organization.actors import Actor

router = Router(tags=["cashier's desk"])

class InvoiceLineIn(Strict):
    name: str = Field(max_length=200)
    vat_rate: Literal["23", "8", "5", "0", "zw", "np"]
    net: Amount = Field(gt=0, le=1_000_000, decimal_places=2)
    quantity: str = Field("1", max_length=20)


class InvoiceIn(Strict):
    number: str = Field(max_length=60)
    customer_id: int = Field(ge=1, le=MAX_ID)
    issued_on: datetime.date
    due_on: datetime.date
    sale_date: datetime.date | None = None
    period: str = Field("", max_length=60)
    lines: list[InvoiceLineIn] = Field(min_length=1, max_length=200)
    gross: Amount | None = Field(None, gt=0, le=100_000_000, decimal_places=2)
    ksef_number: str = Field("", max_length=40)
    ksef_status: Literal["", "pending", "accepted", "rejected"] = ""
    verification_url: str = Field("", max_length=500)
    delivery_channel: str = Field("", max_length=20)


class InvoiceOut(Schema):
    id: int
    number: str
    customer_id: int
    buyer_name: str
    buyer_address: str
    issued_on: datetime.date
    due_on: datetime.date
    net: Decimal
    vat: Decimal
    gross: Decimal
    paid: Decimal
    outstanding: Decimal
    status: str
    ksef_number: str
    ksef_status: str
    verification_url: str


class InvoiceSearch(Schema):
    number: str = Field("", max_length=60)
    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    address: str = Field("", max_length=200)
    unpaid_only: bool = True


class PaymentIn(Strict):
    amount: Amount = Field(gt=0, le=1_000_000, decimal_places=2)
    method: Literal["cash", "card"]


class CreditUseOut(Schema):
    id: int
    invoice_id: int
    customer_id: int
    branch_id: int
    amount: Decimal
    created_at: datetime.datetime
    invoice_status: str
    invoice_outstanding: Decimal
    credit_left: Decimal


class RefundIn(Strict):
    amount: Amount = Field(gt=0, le=1_000_000, decimal_places=2)
    reason: str = Field("", max_length=300)


class RefundOut(Schema):
    id: int
    number: str
    customer_id: int
    branch_id: int
    till_id: int
    amount: Decimal
    reason: str
    created_at: datetime.datetime
    credit_left: Decimal


class CreditUndoIn(Strict):
    reason: str = Field(min_length=1, max_length=300)


class CreditUndoOut(Schema):
    id: int
    reverses_id: int
    invoice_id: int
    customer_id: int
    amount: Decimal
    reason: str
    created_at: datetime.datetime
    invoice_status: str
    invoice_outstanding: Decimal
    credit_left: Decimal


class PaymentOut(Schema):
    id: int
    number: str
    invoice_id: int
    customer_id: int
    branch_id: int
    till_id: int
    method: str
    amount: Decimal
    allocated: Decimal
    to_credit: Decimal
    reverses_id: int | None
    created_at: datetime.datetime
    invoice_status: str
    invoice_outstanding: Decimal


class ReverseIn(Strict):
    reason: str = Field(min_length=1, max_length=300)


class TillOpenIn(Strict):
    branch_id: int = Field(ge=1, le=MAX_ID)
    opening_float: Amount = Field(ge=0, le=1_000_000, decimal_places=2)


class TillCloseIn(Strict):
    counted: dict[str, int] = Field(max_length=20)
    note: str = Field("", max_length=500)


class CashIn(Strict):
    kind: Literal["cash_in", "cash_out"]
    amount: Amount = Field(gt=0, le=1_000_000, decimal_places=2)
    reason: str = Field(min_length=1, max_length=300)


class TillOut(Schema):
    id: int
    branch_id: int
    cashier_id: int
    business_day: datetime.date
    status: str
    opening_float: Decimal
    expected_cash: Decimal
    counted_total: Decimal | None
    difference: Decimal | None
    #: What you may do with the till now (TILL_FLOW): pay, reverse, credit, cash_in,
    #: cash_out, refund, close — or acknowledge, for a manager.
    allowed_actions: list[str]


class BalanceOut(Schema):
    customer_id: int
    due: Decimal
    overdue: Decimal
    credit: Decimal


def _invoice(inv: Invoice) -> dict[str, Any]:
    return {"id": inv.pk, "number": inv.number, "customer_id": inv.customer_id,
            "buyer_name": inv.buyer_name,
            "buyer_address": f"{inv.buyer_street}, {inv.buyer_postal_code} {inv.buyer_city}",
            "issued_on": inv.issued_on, "due_on": inv.due_on, "net": inv.net, "vat": inv.vat,
            "gross": inv.gross, "paid": inv.paid, "outstanding": inv.outstanding,
            "status": inv.status, "ksef_number": inv.ksef_number,
            "ksef_status": inv.ksef_status, "verification_url": inv.verification_url}


def _payment(p: Payment) -> dict[str, Any]:
    # The service hands the invoice back as it left it (locked, updated); read it only
    # when it did not.
    inv = (p.invoice if Payment.invoice.is_cached(p)
           else Invoice.objects.only("status", "gross", "paid").get(pk=p.invoice_id))
    return {"id": p.pk, "number": p.number, "invoice_id": p.invoice_id,
            "customer_id": p.customer_id, "branch_id": p.branch_id, "till_id": p.session_id,
            "method": p.method, "amount": p.amount, "allocated": p.allocated,
            "to_credit": p.to_credit, "reverses_id": p.reverses_id,
            "created_at": p.created_at, "invoice_status": inv.status,
            "invoice_outstanding": inv.outstanding}


def _till(s: TillSession, user: Actor) -> dict[str, Any]:
    return {"id": s.pk, "branch_id": s.branch_id, "cashier_id": s.cashier_id,
            "business_day": s.business_day, "status": s.status,
            "opening_float": s.opening_float,
            "expected_cash": s.expected_cash if s.expected_cash is not None
            else services.expected_cash(s),
            "counted_total": s.counted_total, "difference": s.difference,
            "allowed_actions": allowed_actions(s, user)}


@router.get("/invoices", response={200: list[InvoiceOut], **errors()},
            operation_id="invoice_search")
@scoped("global")
def invoice_search(request: HttpRequest, q: Query[InvoiceSearch]) -> list[dict[str, Any]]:
    """By ``number``, or by ``first_name`` + ``last_name`` + ``address`` (postal code, city
    or street of the registered address, as printed on the invoice or as the CRM holds it)."""
    if q.number.strip():
        inv = selectors.invoice_by_number(user=request.user, number=q.number)
        return [_invoice(inv)] if inv else []
    return [_invoice(i) for i in selectors.invoices_by_buyer(
        user=request.user, first_name=q.first_name, last_name=q.last_name, address=q.address,
        unpaid_only=q.unpaid_only)]


@router.post("/invoices", response={201: InvoiceOut, **errors()}, operation_id="invoice_create")
@scoped("global")
def invoice_create(request: HttpRequest, payload: InvoiceIn) -> Status[Any]:
    """HQ records an invoice it issued (the buyer's data is taken from the customer)."""
    data = payload.dict()
    inv = services.invoice_create(actor=request.user, **data)
    return Status(201, _invoice(inv))


@router.get("/invoices/{invoice_id}", response={200: InvoiceOut, **errors(404)},
            operation_id="invoice_get")
@scoped("global")
def invoice_get(request: HttpRequest, invoice_id: int) -> dict[str, Any]:
    return _invoice(selectors.invoice_get(user=request.user, invoice_id=known_id(invoice_id)))


@router.post("/invoices/{invoice_id}/payments",
             response={201: PaymentOut, **errors(404, 409)}, operation_id="payment_create")
@scoped("self")
def payment_create(request: HttpRequest, invoice_id: int, payload: PaymentIn) -> Status[Any]:
    """Take a payment at your open till. Send an ``Idempotency-Key`` header: the same key
    again returns the same payment; with another amount it is refused (422); sent while
    the first request is still running, it waits for that one and returns its payment."""
    payment = services.payment_register(
        actor=request.user, invoice_id=known_id(invoice_id), amount=payload.amount,
        method=payload.method, key=request.headers.get("Idempotency-Key", ""))
    return Status(201, _payment(payment))


@router.post("/invoices/{invoice_id}/credit",
             response={201: CreditUseOut, **errors(404, 409)}, operation_id="credit_apply")
@scoped("self")
def credit_apply(request: HttpRequest, invoice_id: int) -> Status[Any]:
    """Settle the customer's credit (earlier overpayments) against this invoice, as far as
    it goes; no cash moves. 409 when the invoice is paid or there is no credit."""
    use: CreditUse = services.credit_apply(actor=request.user, invoice_id=known_id(invoice_id))
    inv = Invoice.objects.only("status", "gross", "paid").get(pk=use.invoice_id)
    return Status(201, {"id": use.pk, "invoice_id": use.invoice_id,
                        "customer_id": use.customer_id, "branch_id": use.branch_id,
                        "amount": use.amount, "created_at": use.created_at,
                        "invoice_status": inv.status, "invoice_outstanding": inv.outstanding,
                        "credit_left": selectors.credit_left(use.customer_id)})


@router.post("/customers/{customer_id}/credit/refunds",
             response={201: RefundOut, **errors(404, 409)}, operation_id="credit_refund")
@scoped("self")
def credit_refund(request: HttpRequest, customer_id: int, payload: RefundIn) -> Status[Any]:
    """Pay the customer's credit out in cash from your open till: a KW document
    (``KW/Z/<branch>/<year>/<n>``). Send an ``Idempotency-Key`` header: the same key again
    returns the same refund; with another amount or customer it is refused (422). 409 when
    there is no credit or not enough cash in the till."""
    done = services.credit_refund(
        actor=request.user, customer_id=known_id(customer_id), amount=payload.amount,
        reason=payload.reason, key=request.headers.get("Idempotency-Key", ""))
    return Status(201, {"id": done.pk, "number": done.number,
                        "customer_id": done.customer_id, "branch_id": done.branch_id,
                        "till_id": done.session_id, "amount": done.amount,
                        "reason": done.reason, "created_at": done.created_at,
                        "credit_left": selectors.credit_left(done.customer_id)})


@router.post("/credit-uses/{use_id}/reversal",
             response={201: CreditUndoOut, **errors(404, 409)}, operation_id="credit_use_reverse")
@scoped("global")
def credit_use_reverse(request: HttpRequest, use_id: int, payload: CreditUndoIn) -> Status[Any]:
    """HQ undoes a credit settlement made by mistake: a reversing row, the invoice reopened,
    the credit given back. 409 when it was already undone."""
    rev = services.credit_use_reverse(actor=request.user, use_id=known_id(use_id),
                                      reason=payload.reason)
    inv = Invoice.objects.only("status", "gross", "paid").get(pk=rev.invoice_id)
    return Status(201, {"id": rev.pk, "reverses_id": rev.reverses_id, "invoice_id": rev.invoice_id,
                        "customer_id": rev.customer_id, "amount": rev.amount,
                        "reason": rev.reason, "created_at": rev.created_at,
                        "invoice_status": inv.status, "invoice_outstanding": inv.outstanding,
                        "credit_left": selectors.credit_left(rev.customer_id)})


@router.post("/payments/{payment_id}/reversal",
             response={201: PaymentOut, **errors(404, 409)}, operation_id="payment_reverse")
@scoped("branch")
def payment_reverse(request: HttpRequest, payment_id: int, payload: ReverseIn) -> Status[Any]:
    """Cancel a payment taken by mistake: a reversing payment in your open till today."""
    reversal = services.payment_reverse(actor=request.user, payment_id=known_id(payment_id),
                                        reason=payload.reason)
    return Status(201, _payment(reversal))


@router.get("/till", response={200: TillOut, **errors(404)}, operation_id="till_current")
@scoped("self")
def till_current(request: HttpRequest) -> dict[str, Any]:
    """Your open till."""
    session = services.till_current(request.user)
    if session is None:
        raise NotFound("Your till is not open.")
    return _till(session, request.user)


@router.post("/till", response={201: TillOut, **errors(404, 409)}, operation_id="till_open")
@scoped("self")
def till_open(request: HttpRequest, payload: TillOpenIn) -> Status[Any]:
    session = services.till_open(actor=request.user, branch_id=payload.branch_id,
                                 opening_float=payload.opening_float)
    return Status(201, _till(session, request.user))


@router.post("/till/cash", response={201: TillOut, **errors(409)}, operation_id="till_cash")
@scoped("self")
def till_cash(request: HttpRequest, payload: CashIn) -> Status[Any]:
    """Cash put into the drawer or taken out, with the reason."""
    entry = services.cash_move(actor=request.user, kind=payload.kind, amount=payload.amount,
                               reason=payload.reason)
    return Status(201, _till(entry.session, request.user))


@router.post("/till/close", response={200: TillOut, **errors(404, 409)},
             operation_id="till_close")
@scoped("self")
def till_close(request: HttpRequest, payload: TillCloseIn) -> dict[str, Any]:
    """Count by denomination (``{"200": 3, "0.50": 4}``) and close. Closing again changes
    nothing: 404 once your till is closed, 409 (already closed) when two requests race."""
    session = services.till_current(request.user)
    if session is None:
        raise NotFound("Your till is not open.")
    closed = services.till_close(actor=request.user, session_id=session.pk,
                                 counted=payload.counted, note=payload.note)
    return _till(closed, request.user)


@router.get("/customers/{customer_id}/balance", response={200: BalanceOut, **errors(404)},
            operation_id="customer_balance")
@scoped("branch")
def customer_balance(request: HttpRequest, customer_id: int) -> dict[str, Any]:
    """What the customer owes HQ, overdue included, and their credit."""
    customer = customers.customer_get(user=request.user, customer_id=known_id(customer_id))
    b = selectors.balance(customer.pk)
    return {"customer_id": customer.pk, "due": b.due, "overdue": b.overdue,
            "credit": b.credit}
