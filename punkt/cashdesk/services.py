"""The cashier's desk (R8): recording HQ invoices, the till (open, cash in/out, count and
close, the manager's acknowledgement) and payments.

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
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from punkt.cashdesk import permissions as perms
from punkt.cashdesk import selectors
from punkt.cashdesk.models import (
    CreditUse,
    DuplicateIssue,
    EntryKind,
    IdempotencyKey,
    Invoice,
    InvoiceStatus,
    KsefStatus,
    Payment,
    PaymentMethod,
    TillEntry,
    TillSession,
    TillStatus,
)
from punkt.core.audit import audit_record
from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed
from punkt.core.money import cents, format_pln, parse_amount, rate_percent
from punkt.customers.models import Customer, CustomerKind
from punkt.customers.normalize import fold
from punkt.customers.timeline import register_kind, timeline_add
from punkt.materials.models import VatRate
from punkt.organization import permissions as org_perms
from punkt.organization.models import Branch

register_kind("payment", gettext_lazy("Payment"))
register_kind("invoice", gettext_lazy("Invoice"))

MAX_AMOUNT = Decimal("1000000.00")
#: Notes and coins of the złoty, in grosz-exact strings (the till count's keys).
DENOMINATIONS = ("500", "200", "100", "50", "20", "10", "5", "2", "1", "0.50", "0.20", "0.10",
                 "0.05", "0.02", "0.01")
#: A key claimed this long ago whose request never finished (a crashed worker) may be
#: claimed again.
STALE_KEY = datetime.timedelta(minutes=2)


def business_to_business_cash_limit() -> Decimal:
    """Entrepreneurs' Law art. 19: a business transaction above this goes through a
    payment account, not in cash."""
    return Decimal(str(getattr(settings, "PUNKT_B2B_CASH_LIMIT", "15000.00")))


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _amount(value: Any, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    try:
        amount = parse_amount(value)
    except ValueError:
        raise ValidationFailed("invalid", _("Give the amount in złoty, e.g. 120,50."),
                               field=field) from None
    if (amount <= 0 and not allow_zero) or amount > MAX_AMOUNT:
        raise ValidationFailed("invalid", _("The amount must be more than 0 and at most "
                                            "1 000 000 zł."), field=field)
    return amount


def _text(value: Any, *, field: str, limit: int, required: bool, message: str = "") -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise ValidationFailed("required", message or _("Give the reason."), field=field)
    if len(text) > limit:
        raise ValidationFailed("too_long", _("At most %(n)d characters.") % {"n": limit},
                               field=field)
    return text


def _date(value: Any, *, field: str, label: str) -> datetime.date:
    if isinstance(value, datetime.datetime):  # a spreadsheet's date cell
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip()
    try:
        if len(text) == 10 and text[2] == "." and text[5] == ".":  # 05.12.2026
            return datetime.date(int(text[6:]), int(text[3:5]), int(text[:2]))
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed("invalid", _("%(label)s: give the date as YYYY-MM-DD or "
                                            "DD.MM.YYYY.") % {"label": label},
                               field=field) from None


# --- Invoices -------------------------------------------------------------------------

def _quantity(value: Any, line: int) -> str:
    text = str(value if value not in (None, "") else "1").strip().replace(",", ".")
    try:
        quantity = Decimal(text)
    except ArithmeticError:
        quantity = Decimal(0)
    if not quantity.is_finite() or quantity <= 0 or quantity > 1_000_000 \
            or quantity != quantity.quantize(Decimal("0.001")):
        raise ValidationFailed("invalid", _("Line %(n)d: the quantity must be a number above "
                                            "0 (at most 3 decimals).") % {"n": line},
                               field=f"lines[{line}].quantity")
    return format(quantity.normalize(), "f")


def _lines(raw: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], Decimal, Decimal]:
    """Lines with net amounts; VAT per rate from the net sum of that rate (VAT Act art.
    106e(1)(14)), rounded half up. Returns (lines, net, vat)."""
    if not raw:
        raise ValidationFailed("required", _("An invoice needs at least one line."),
                               field="lines")
    lines: list[dict[str, Any]] = []
    per_rate: dict[str, Decimal] = {}
    for i, row in enumerate(raw, start=1):
        name = _text(row.get("name"), field=f"lines[{i}].name", limit=200, required=True,
                     message=_("Line %(n)d: give the name.") % {"n": i})
        rate = str(row.get("vat_rate", "")).strip().removesuffix("%")
        if rate not in VatRate.values:
            raise ValidationFailed("invalid", _("Line %(n)d: VAT rate 23, 8, 5, 0, zw or np.")
                                   % {"n": i}, field=f"lines[{i}].vat_rate")
        net = _amount(row.get("net"), field=f"lines[{i}].net")
        lines.append({"name": name, "quantity": _quantity(row.get("quantity"), i),
                      "vat_rate": rate, "net": str(net)})
        per_rate[rate] = per_rate.get(rate, Decimal(0)) + net
    vat = sum((cents(n * rate_percent(r) / 100) for r, n in per_rate.items()), Decimal(0))
    return lines, sum(per_rate.values(), Decimal(0)), vat


def invoice_build(*, customer: Customer, number: Any, issued_on: Any, due_on: Any,
                  lines: list[dict[str, Any]], sale_date: Any = None, period: Any = "",
                  ksef_number: Any = "", ksef_status: Any = "", verification_url: Any = "",
                  delivery_channel: Any = "", gross: Any = None, actor: Any = None) -> Invoice:
    """The checked, unsaved invoice (the buyer's data taken from the customer now).
    ``gross``, when the source gives it, must match the lines (a typo in an import is
    refused, not booked). Raises ValidationFailed naming the field."""
    number = _text(number, field="number", limit=60, required=True,
                   message=_("Give the invoice number.")).upper()
    issued = _date(issued_on, field="issued_on", label=_("Issued"))
    due = _date(due_on, field="due_on", label=_("Due"))
    if due < issued:
        raise ValidationFailed("invalid", _("The due date cannot be before the issue date."),
                               field="due_on")
    supply = _date(sale_date, field="sale_date", label=_("Date of supply")) \
        if sale_date else None
    items, net, vat = _lines(lines)
    total = net + vat
    try:
        given = parse_amount(gross) if gross not in (None, "") else None
    except ValueError:
        raise ValidationFailed("invalid", _("Give the amount in złoty, e.g. 120,50."),
                               field="gross") from None
    if given is not None and given != total:
        raise ValidationFailed("invalid", _(
            "The gross amount %(given)s does not match the lines (%(total)s).")
            % {"given": format_pln(given), "total": format_pln(total)}, field="gross")
    ksef_number = _text(ksef_number, field="ksef_number", limit=40, required=False)
    status = str(ksef_status or (KsefStatus.ACCEPTED if ksef_number else KsefStatus.NONE))
    if status not in KsefStatus.values:
        raise ValidationFailed("invalid", _("Unknown KSeF status."), field="ksef_status")
    url = _text(verification_url, field="verification_url", limit=500, required=False)
    if url and not url.startswith("https://"):
        raise ValidationFailed("invalid", _("The verification link must start with "
                                            "https://."), field="verification_url")
    person = customer.kind == CustomerKind.PERSON
    return Invoice(
        number=number, customer=customer, buyer_name=customer.display_name,
        buyer_nip=customer.nip, buyer_street=customer.street,
        buyer_postal_code=customer.postal_code[:6], buyer_city=customer.city,
        buyer_lookup=fold(f"{customer.last_name} {customer.first_name}") if person else "",
        buyer_place=fold(customer.city)[:100], buyer_street_key=fold(customer.street)[:200],
        is_business=not person and not customer.consumer_like, issued_on=issued,
        sale_date=supply, due_on=due, period=_text(period, field="period", limit=60,
                                                    required=False),
        lines=items, net=net, vat=vat, gross=total, ksef_number=ksef_number,
        ksef_status=status, verification_url=url,
        delivery_channel=_text(delivery_channel, field="delivery_channel", limit=20,
                               required=False),
        created_by=_user(actor))


def invoice_subject(invoice: Invoice) -> str:
    """The invoice's line on the customer's timeline."""
    return _("Invoice %(number)s: %(gross)s to pay by %(due)s") % {
        "number": invoice.number, "gross": format_pln(invoice.gross),
        "due": invoice.due_on.strftime("%d.%m.%Y")}


@transaction.atomic
def invoice_create(*, actor: Any, customer_id: Any, **data: Any) -> Invoice:
    """Record an invoice HQ issued (see :func:`invoice_build` for ``data``)."""
    org_perms.ensure(actor, perms.INVOICE_MANAGE.code)
    try:
        customer = Customer.objects.filter(pk=int(customer_id)).first()
    except (TypeError, ValueError):
        customer = None
    if customer is None:
        raise ValidationFailed("invalid", _("No such customer."), field="customer")
    invoice = invoice_build(customer=customer, actor=actor, **data)
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError:
        raise ValidationFailed("duplicate", _("Invoice %(number)s is already recorded.")
                               % {"number": invoice.number}, field="number") from None
    timeline_add(customer_id=customer.pk, kind="invoice", branch_id=customer.branch_id,
                 source=invoice, subject=invoice_subject(invoice))
    audit_record(action="cashdesk.invoice.create", obj=invoice, actor=actor,
                 branch_id=customer.branch_id, message=f"{invoice.number} {invoice.gross}")
    return invoice


def _status(paid: Decimal, gross: Decimal) -> str:
    if paid <= 0:
        return InvoiceStatus.OPEN
    return InvoiceStatus.PAID if paid >= gross else InvoiceStatus.PARTIAL


# --- The till --------------------------------------------------------------------------

def today() -> datetime.date:
    """The business day: the date in Europe/Warsaw (DST days included)."""
    return timezone.localdate()


def till_current(actor: Any) -> TillSession | None:
    return (TillSession.objects.filter(cashier_id=getattr(actor, "pk", None),
                                       status=TillStatus.OPEN)
            .select_related("branch").first())


@transaction.atomic
def till_open(*, actor: Any, branch_id: int, opening_float: Any) -> TillSession:
    branch = Branch.objects.filter(pk=branch_id, is_active=True).first()
    if branch is None:
        raise NotFound(_("Branch not found."))
    org_perms.ensure(actor, perms.PAYMENT_TAKE.code, branch.pk)
    amount = _amount(opening_float, field="opening_float", allow_zero=True)
    if till_current(actor) is not None:
        raise Conflict("till_open", _("Your till is already open: close it first."))
    try:
        with transaction.atomic():
            session = TillSession.objects.create(branch=branch, cashier=actor,
                                                 business_day=today(), opening_float=amount)
    except IntegrityError:  # the same cashier opening twice at once
        raise Conflict("till_open", _("Your till is already open: close it first.")) from None
    TillEntry.objects.create(session=session, kind=EntryKind.FLOAT, amount=amount, cash=amount,
                             actor=_user(actor))
    audit_record(action="cashdesk.till.open", obj=session, actor=actor, branch_id=branch.pk,
                 message=str(amount))
    return session


def _open_session(actor: Any, *, lock: bool = True) -> TillSession:
    qs = TillSession.objects.select_for_update() if lock else TillSession.objects
    session = qs.filter(cashier_id=getattr(actor, "pk", None), status=TillStatus.OPEN).first()
    if session is None:
        raise Conflict("till_closed", _("Open your till first."))
    org_perms.ensure(actor, perms.PAYMENT_TAKE.code, session.branch_id)
    if session.business_day != today():
        raise Conflict("till_stale", _(
            "Your till is still open for %(day)s: count and close it before taking payments "
            "today.") % {"day": session.business_day.strftime("%d.%m.%Y")})
    return session


def expected_cash(session: TillSession) -> Decimal:
    """Float + cash in − cash out + cash payments − cash refunds."""
    total = session.entries.aggregate(s=Sum("cash"))["s"] or Decimal(0)
    return cents(Decimal(total))  # SQLite sums decimals as floats: back to the grosz


@transaction.atomic
def cash_move(*, actor: Any, kind: str, amount: Any, reason: Any) -> TillEntry:
    """Cash put into the drawer or taken out of it (to the safe, the bank), with a reason."""
    if kind not in (EntryKind.CASH_IN, EntryKind.CASH_OUT):
        raise ValidationFailed("invalid", _("Choose cash in or cash out."), field="kind")
    session = _open_session(actor)
    value = _amount(amount)
    text = _text(reason, field="reason", limit=300, required=True)
    cash = value if kind == EntryKind.CASH_IN else -value
    if cash < 0 and expected_cash(session) + cash < 0:
        raise Conflict("not_enough_cash", _("There is not that much cash in the till."))
    entry = TillEntry.objects.create(session=session, kind=kind, amount=cash, cash=cash,
                                     reason=text, actor=_user(actor))
    audit_record(action=f"cashdesk.till.{kind}", obj=session, actor=actor,
                 branch_id=session.branch_id, message=f"{cash}: {text}")
    return entry


def count_total(counted: dict[str, Any]) -> tuple[dict[str, int], Decimal]:
    """The count by denomination: {"200": 3, "0.50": 4} → ({…}, 601.00)."""
    clean: dict[str, int] = {}
    for key in counted:
        if key not in DENOMINATIONS:
            raise ValidationFailed("invalid", _("%(d)s is not a note or coin of the złoty "
                                                "(use 500 … 1, 0.50 … 0.01).")
                                   % {"d": key}, field=f"count-{key}")
    for denomination in DENOMINATIONS:
        raw = str(counted.get(denomination, "") or "0").strip()
        if not raw.isdecimal() or not raw.isascii() or int(raw) > 100_000:
            raise ValidationFailed("invalid", _("%(d)s zł: give how many, a whole number.")
                                   % {"d": denomination.replace(".", ",")},
                                   field=f"count-{denomination}")
        if int(raw):
            clean[denomination] = int(raw)
    total = sum((Decimal(d) * n for d, n in clean.items()), Decimal(0))
    return clean, total


@transaction.atomic
def till_close(*, actor: Any, session_id: int, counted: dict[str, Any],
               note: Any = "") -> TillSession:
    """Count the drawer and close. Closing an already closed till changes nothing."""
    session = TillSession.objects.select_for_update().filter(pk=session_id).first()
    if session is None or session.cashier_id != getattr(actor, "pk", None):
        raise NotFound(_("Till not found."))
    org_perms.ensure(actor, perms.PAYMENT_TAKE.code, session.branch_id)
    if session.status != TillStatus.OPEN:
        return session
    clean, total = count_total(counted)
    expected = expected_cash(session)
    text = _text(note, field="note", limit=500, required=False)
    if total != expected and not text:  # the count stays blind: no amounts here
        raise ValidationFailed("required", _(
            "The count differs from the till's records: count again, or describe the "
            "difference in the note."), field="note")
    TillSession.objects.filter(pk=session.pk).update(
        status=TillStatus.CLOSED, closed_at=timezone.now(), counted=clean, counted_total=total,
        expected_cash=expected, difference=total - expected, close_note=text)
    session.refresh_from_db()
    audit_record(action="cashdesk.till.close", obj=session, actor=actor,
                 branch_id=session.branch_id,
                 message=f"expected {expected}, counted {total}, difference {total - expected}")
    return session


@transaction.atomic
def till_acknowledge(*, actor: Any, session_id: int, note: Any = "") -> TillSession:
    """The manager checks a closed till; a difference needs their note."""
    session = TillSession.objects.select_for_update().filter(pk=session_id).first()
    if session is None:
        raise NotFound(_("Till not found."))
    org_perms.ensure(actor, perms.TILL_ACKNOWLEDGE.code, session.branch_id)
    if session.status == TillStatus.ACKNOWLEDGED:
        raise Conflict("invalid_state", _("This till was already checked."))
    if session.status != TillStatus.CLOSED:
        raise Conflict("invalid_state", _("The till is still open."))
    if session.cashier_id == getattr(actor, "pk", None):
        raise ActionDenied(_("Someone else must check your own till."),
                           action=perms.TILL_ACKNOWLEDGE.code)
    text = _text(note, field="note", limit=500, required=bool(session.difference),
                 message=_("The till has a difference: write what you decided."))
    TillSession.objects.filter(pk=session.pk).update(
        status=TillStatus.ACKNOWLEDGED, acknowledged_by=actor, acknowledged_at=timezone.now(),
        acknowledge_note=text)
    session.refresh_from_db()
    audit_record(action="cashdesk.till.acknowledge", obj=session, actor=actor,
                 branch_id=session.branch_id, message=f"difference {session.difference}: "
                 f"{text}")
    return session


# --- Payments ---------------------------------------------------------------------------

def _fingerprint(invoice_id: Any, amount: Decimal, method: str) -> str:
    return hashlib.sha256(f"{invoice_id}|{amount}|{method}".encode()).hexdigest()


class _Replay(Exception):
    def __init__(self, payment: Payment) -> None:
        self.payment = payment


def _replayed(payment_id: int) -> Payment:
    payment = Payment.objects.get(pk=payment_id)
    payment.replayed = True  # type: ignore[attr-defined]
    return payment


def _claim(key: str, actor: Any, fingerprint: str) -> tuple[str, Payment | None]:
    """Claim ``key`` for this request (committed at once, so others see it): (our claim
    id, None), or (_, the payment) when the key already finished; errors otherwise."""
    mine = uuid.uuid4().hex
    in_flight = Conflict("in_flight", _(
        "The same payment is being posted right now; wait for its answer."))
    for _attempt in range(3):
        try:
            with transaction.atomic():
                IdempotencyKey.objects.create(key=key, actor=actor, fingerprint=fingerprint,
                                              claim=mine)
            return mine, None
        except IntegrityError:
            row = IdempotencyKey.objects.filter(key=key).first()
            if row is None:  # released between our insert and our read: try again
                continue
            if row.actor_id != actor.pk or row.fingerprint != fingerprint:
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


def payment_register(*, actor: Any, invoice_id: Any, amount: Any, method: str,
                     key: str = "") -> Payment:
    """Take a payment for an invoice at the actor's open till (see the module's note)."""
    value = _amount(amount)
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


def _register(actor: Any, invoice_id: Any, value: Decimal, method: str) -> Payment:
    session = _open_session(actor)
    try:
        invoice = Invoice.objects.select_for_update().filter(pk=int(invoice_id)).first()
    except (TypeError, ValueError):
        invoice = None
    if invoice is None:
        raise NotFound(_("Invoice not found."))
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
    Invoice.objects.filter(pk=invoice.pk).update(paid=paid, status=_status(paid, invoice.gross))
    payment = Payment.objects.create(
        invoice=invoice, customer_id=invoice.customer_id, session=session,
        branch_id=session.branch_id, cashier=actor, method=method, amount=value,
        allocated=allocated, to_credit=value - allocated)
    TillEntry.objects.create(session=session, kind=EntryKind.PAYMENT, amount=value,
                             cash=value if method == PaymentMethod.CASH else Decimal(0),
                             payment=payment, actor=_user(actor))
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
def payment_reverse(*, actor: Any, payment_id: int, reason: Any) -> Payment:
    """Cancel a payment taken by mistake: a reversing payment in the actor's open till
    today (a closed day never changes), the invoice restored."""
    original = (Payment.objects.select_for_update().select_related("invoice")
                .filter(pk=payment_id, reverses__isnull=True).first())
    if original is None:
        raise NotFound(_("Payment not found."))
    org_perms.ensure(actor, perms.PAYMENT_TAKE.code, original.branch_id)
    session = _open_session(actor)
    if original.branch_id != session.branch_id:
        raise ActionDenied(_("A payment is reversed at the branch that took it."),
                           action=perms.PAYMENT_TAKE.code)
    if Payment.objects.filter(reverses=original).exists():
        raise Conflict("reversed", _("This payment was already reversed."))
    text = _text(reason, field="reason", limit=300, required=True)
    if original.to_credit > 0:
        # The credit this payment made may have been settled against another invoice since.
        Customer.objects.select_for_update().filter(pk=original.customer_id).first()
        if selectors.credit_left(original.customer_id) < original.to_credit:
            raise Conflict("credit_used", _(
                "The %(credit)s this payment overpaid has already been settled against "
                "another invoice: it cannot be reversed.")
                % {"credit": format_pln(original.to_credit)})
    invoice = Invoice.objects.select_for_update().get(pk=original.invoice_id)
    cash = -original.amount if original.method == PaymentMethod.CASH else Decimal(0)
    if cash and expected_cash(session) + cash < 0:
        raise Conflict("not_enough_cash", _("There is not that much cash in the till."))
    paid = invoice.paid - original.allocated
    Invoice.objects.filter(pk=invoice.pk).update(paid=paid, status=_status(paid, invoice.gross))
    reversal = Payment.objects.create(
        invoice=invoice, customer_id=original.customer_id, session=session,
        branch_id=session.branch_id, cashier=actor, method=original.method,
        amount=-original.amount, allocated=-original.allocated,
        to_credit=-original.to_credit, reverses=original, reason=text)
    TillEntry.objects.create(session=session, kind=EntryKind.REVERSAL, amount=-original.amount,
                             cash=cash, payment=reversal, reason=text, actor=_user(actor))
    timeline_add(customer_id=original.customer_id, kind="payment", actor=actor,
                 branch_id=session.branch_id, source=reversal, body=text,
                 subject=_("Payment %(number)s of %(amount)s reversed")
                 % {"number": original.number, "amount": format_pln(original.amount)})
    audit_record(action="cashdesk.payment.reverse", obj=reversal, actor=actor,
                 branch_id=session.branch_id, message=f"{original.number}: {text}")
    return reversal


@transaction.atomic
def credit_apply(*, actor: Any, invoice_id: Any) -> CreditUse:
    """Settle the customer's credit (their earlier overpayments) against this invoice, as
    far as it goes: no cash moves, so no till entry, but the cashier's open till names the
    branch. The customer's row is locked first, so two cashiers cannot spend one credit."""
    session = _open_session(actor, lock=False)
    try:
        found = Invoice.objects.filter(pk=int(invoice_id)).values_list("customer_id",
                                                                       flat=True).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise NotFound(_("Invoice not found."))
    Customer.objects.select_for_update().filter(pk=found).first()
    invoice = Invoice.objects.select_for_update().get(pk=int(invoice_id))
    outstanding = invoice.gross - invoice.paid
    if outstanding <= 0:
        raise Conflict("paid", _("Invoice %(number)s is already paid.")
                       % {"number": invoice.number})
    credit = selectors.credit_left(invoice.customer_id)
    if credit <= 0:
        raise Conflict("no_credit", _("The customer has no credit to settle."))
    amount = min(credit, outstanding)
    paid = invoice.paid + amount
    Invoice.objects.filter(pk=invoice.pk).update(paid=paid, status=_status(paid, invoice.gross))
    use = CreditUse.objects.create(invoice=invoice, customer_id=invoice.customer_id,
                                   amount=amount, branch_id=session.branch_id,
                                   actor=_user(actor))
    timeline_add(customer_id=invoice.customer_id, kind="payment", actor=actor,
                 branch_id=session.branch_id, source=use,
                 subject=_("%(amount)s of credit settled against invoice %(number)s") % {
                     "amount": format_pln(amount), "number": invoice.number})
    audit_record(action="cashdesk.credit.apply", obj=invoice, actor=actor,
                 branch_id=session.branch_id, message=f"{invoice.number} {amount}")
    return use


# --- Duplicates ----------------------------------------------------------------------

@transaction.atomic
def duplicate_issue(*, actor: Any, invoice_id: int) -> DuplicateIssue:
    """Record that a duplicate (or, for a KSeF invoice, its visualisation) was handed out."""
    org_perms.ensure(actor, perms.INVOICE_VIEW.code)
    invoice = Invoice.objects.filter(pk=invoice_id).first()
    if invoice is None:
        raise NotFound(_("Invoice not found."))
    session = till_current(actor)
    issue = DuplicateIssue.objects.create(invoice=invoice, issued_by=_user(actor),
                                          branch_id=session.branch_id if session else None)
    audit_record(action="cashdesk.invoice.duplicate", obj=invoice, actor=actor,
                 branch_id=session.branch_id if session else None,
                 message="ksef" if invoice.in_ksef else "duplikat")
    return issue
