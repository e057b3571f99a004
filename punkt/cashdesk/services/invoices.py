"""HQ's invoices: recording one (the API, an invoice file through :func:`invoice_build`)
and handing out its duplicate."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from punkt.cashdesk import permissions as perms
from punkt.cashdesk.documents import seller_now
from punkt.cashdesk.models import DuplicateIssue, Invoice, InvoiceStatus, KsefStatus
from punkt.cashdesk.parsing import amount_value, date_value, text_value
from punkt.cashdesk.services.till import till_current
from punkt.core.audit import audit_record
from punkt.core.errors import ValidationFailed
from punkt.core.money import cents, format_pln, parse_amount, rate_percent
from punkt.customers.models import Customer, CustomerKind
from punkt.customers.normalize import fold
from punkt.customers.timeline import register_kind, timeline_add
from punkt.materials.models import VatRate
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of

register_kind("invoice", gettext_lazy("Invoice"))


_PLAIN_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def _quantity(value: Any, line: int) -> str:
    text = str(value if value not in (None, "") else "1").strip().replace(",", ".")
    try:  # digits and a dot only: Decimal also reads "1_000", "١٢", "1e3"
        quantity = Decimal(text) if _PLAIN_NUMBER.fullmatch(text) else Decimal(0)
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
        name = text_value(row.get("name"), field=f"lines[{i}].name", limit=200, required=True,
                          message=_("Line %(n)d: give the name.") % {"n": i})
        rate = str(row.get("vat_rate", "")).strip().removesuffix("%")
        if rate not in VatRate.values:
            raise ValidationFailed("invalid", _("Line %(n)d: VAT rate 23, 8, 5, 0, zw or np.")
                                   % {"n": i}, field=f"lines[{i}].vat_rate")
        net = amount_value(row.get("net"), field=f"lines[{i}].net")
        lines.append({"name": name, "quantity": _quantity(row.get("quantity"), i),
                      "vat_rate": rate, "net": str(net)})
        per_rate[rate] = per_rate.get(rate, Decimal(0)) + net
    vat = sum((cents(n * rate_percent(r) / 100) for r, n in per_rate.items()), Decimal(0))
    return lines, sum(per_rate.values(), Decimal(0)), vat


def _gross_given(gross: Any, total: Decimal) -> None:
    """``gross``, when the source gives it, must match the lines."""
    try:
        given = parse_amount(gross) if gross not in (None, "") else None
    except ValueError:
        raise ValidationFailed("invalid", _("Give the amount in złoty, e.g. 120,50."),
                               field="gross") from None
    if given is not None and given != total:
        raise ValidationFailed("invalid", _(
            "The gross amount %(given)s does not match the lines (%(total)s).")
            % {"given": format_pln(given), "total": format_pln(total)}, field="gross")


def _ksef(ksef_number: Any, ksef_status: Any, verification_url: Any) -> tuple[str, str, str]:
    number = text_value(ksef_number, field="ksef_number", limit=40, required=False)
    status = str(ksef_status or (KsefStatus.ACCEPTED if number else KsefStatus.NONE))
    if status not in KsefStatus.values:
        raise ValidationFailed("invalid", _("Unknown KSeF status."), field="ksef_status")
    url = text_value(verification_url, field="verification_url", limit=500, required=False)
    if url and not url.startswith("https://"):
        raise ValidationFailed("invalid", _("The verification link must start with "
                                            "https://."), field="verification_url")
    return number, status, url


def invoice_build(*, customer: Customer, number: Any, issued_on: Any, due_on: Any,
                  lines: list[dict[str, Any]], sale_date: Any = None, period: Any = "",
                  ksef_number: Any = "", ksef_status: Any = "", verification_url: Any = "",
                  delivery_channel: Any = "", gross: Any = None,
                  actor: Actor | None = None) -> Invoice:
    """The checked, unsaved invoice (the buyer's data taken from the customer now).
    ``gross``, when the source gives it, must match the lines (a typo in an import is
    refused, not booked). Raises ValidationFailed naming the field."""
    number = text_value(number, field="number", limit=60, required=True,
                        message=_("Give the invoice number.")).upper()
    issued = date_value(issued_on, field="issued_on", label=_("Issued"))
    due = date_value(due_on, field="due_on", label=_("Due"))
    if due < issued:
        raise ValidationFailed("invalid", _("The due date cannot be before the issue date."),
                               field="due_on")
    supply = date_value(sale_date, field="sale_date", label=_("Date of supply")) \
        if sale_date else None
    items, net, vat = _lines(lines)
    total = net + vat
    _gross_given(gross, total)
    ksef, status, url = _ksef(ksef_number, ksef_status, verification_url)
    person = customer.kind == CustomerKind.PERSON
    return Invoice(
        number=number, customer=customer, buyer_name=customer.display_name,
        buyer_nip=customer.nip, buyer_street=customer.street,
        buyer_postal_code=customer.postal_code[:6], buyer_city=customer.city,
        buyer_lookup=fold(f"{customer.last_name} {customer.first_name}") if person else "",
        buyer_place=fold(customer.city)[:100], buyer_street_key=fold(customer.street)[:200],
        is_business=not person and not customer.consumer_like, issued_on=issued,
        sale_date=supply, due_on=due, period=text_value(period, field="period", limit=60,
                                                         required=False),
        lines=items, net=net, vat=vat, gross=total, ksef_number=ksef, ksef_status=status,
        verification_url=url,
        delivery_channel=text_value(delivery_channel, field="delivery_channel", limit=20,
                                    required=False),
        created_by=employee_of(actor))


def invoice_subject(invoice: Invoice) -> str:
    """The invoice's line on the customer's timeline."""
    return _("Invoice %(number)s: %(gross)s to pay by %(due)s") % {
        "number": invoice.number, "gross": format_pln(invoice.gross),
        "due": invoice.due_on.strftime("%d.%m.%Y")}


@transaction.atomic
def invoice_create(*, actor: Actor, customer_id: Any, **data: Any) -> Invoice:
    """Record an invoice HQ issued (see :func:`invoice_build` for ``data``)."""
    org_perms.ensure(actor, perms.INVOICE_MANAGE.code)
    try:
        customer = Customer.objects.filter(pk=int(customer_id)).first()
    except (TypeError, ValueError):
        customer = None
    if customer is None:
        raise ValidationFailed("invalid", _("No such customer."), field="customer")
    invoice = invoice_build(customer=customer, actor=actor, **data)
    invoice.seller = seller_now()
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


def status_after(paid: Decimal, gross: Decimal) -> str:
    """The invoice's status once ``paid`` of its ``gross`` is paid."""
    if paid <= 0:
        return InvoiceStatus.OPEN
    return InvoiceStatus.PAID if paid >= gross else InvoiceStatus.PARTIAL


@transaction.atomic
def duplicate_issue(*, actor: Actor, invoice_id: int) -> DuplicateIssue:
    """Record that a duplicate (or, for a KSeF invoice, its visualisation) was handed out."""
    org_perms.ensure(actor, perms.INVOICE_VIEW.code)
    invoice = Invoice.objects.get_or_not_found(invoice_id, missing=_("Invoice not found."))
    session = till_current(actor)
    issue = DuplicateIssue.objects.create(invoice=invoice, issued_by=employee_of(actor),
                                          branch_id=session.branch_id if session else None)
    audit_record(action="cashdesk.invoice.duplicate", obj=invoice, actor=actor,
                 branch_id=session.branch_id if session else None,
                 message="ksef" if invoice.in_ksef else "duplikat")
    return issue
