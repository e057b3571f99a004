"""The cashier's printed documents: an invoice duplicate (DUPLIKAT, VAT Act art. 106l) or,
for a KSeF invoice, its visualisation with the KSeF number and verification QR code; the
KP cash receipt; the KW of a credit paid out in cash; the till's daily cash report."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from punkt.cashdesk.models import CreditRefund, Invoice, Payment, SellerRecord, TillSession
from punkt.core.money import amount_in_words, rate_percent
from punkt.core.pdf import qr_svg, render_pdf
from punkt.organization.models import Branch


@dataclass(frozen=True)
class Seller:
    """The seller block of a printed invoice (VAT Act art. 106e ust. 1 pkt 3 and 5)."""

    name: str
    street: str
    postal_code: str
    city: str
    nip: str


def _company() -> Seller:
    """The company as the seller now: its legal name and NIP from the settings
    (``PUNKT_SELLER_NAME``, ``PUNKT_SELLER_NIP``), its address from the HQ branch."""
    hq = Branch.objects.filter(kind="hq").first()
    return Seller(name=settings.PUNKT_SELLER_NAME or (hq.name if hq else ""),
                  street=hq.street if hq else "", postal_code=hq.postal_code if hq else "",
                  city=hq.city if hq else "", nip=settings.PUNKT_SELLER_NIP)


def seller_now() -> SellerRecord:
    """The stored record of the seller as it is now (made the first time it is seen)."""
    c = _company()
    row, _created = SellerRecord.objects.get_or_create(
        name=c.name[:250], nip=c.nip, street=c.street[:200], postal_code=c.postal_code[:6],
        city=c.city[:100])
    return row


def seller_of(invoice: Invoice) -> Seller:
    """The seller the invoice was recorded with (the company now for older invoices)."""
    r = invoice.seller
    if r is None:
        return _company()
    return Seller(name=r.name, street=r.street, postal_code=r.postal_code, city=r.city,
                  nip=r.nip)


def vat_summary(invoice: Invoice) -> list[dict[str, Any]]:
    """Net, VAT and gross per rate, as the invoice was computed."""
    from punkt.core.money import cents

    per_rate: dict[str, Decimal] = {}
    for line in invoice.lines:
        per_rate[line["vat_rate"]] = per_rate.get(line["vat_rate"], Decimal(0)) + Decimal(
            line["net"])
    rows = []
    for rate, net in sorted(per_rate.items(), key=lambda kv: -rate_percent(kv[0])):
        vat = cents(net * rate_percent(rate) / 100)
        rows.append({"rate": rate, "net": net, "vat": vat, "gross": net + vat})
    return rows


def invoice_pdf(invoice: Invoice, *, reissued_on: datetime.date) -> bytes:
    """The duplicate of a non-KSeF invoice, or a KSeF invoice's visualisation."""
    with translation.override("pl"):
        html = render_to_string("cashdesk/pdf/invoice.html", {
            "invoice": invoice, "company": seller_of(invoice), "reissued_on": reissued_on,
            "vat": vat_summary(invoice),
            "qr": qr_svg(invoice.verification_url) if invoice.in_ksef
            and invoice.verification_url else ""})
    return render_pdf(html)


def kp_pdf(payment: Payment) -> bytes:
    with translation.override("pl"):
        html = render_to_string("cashdesk/pdf/kp.html", {
            "payment": payment, "company": _company(), "branch": payment.branch,
            "words": amount_in_words(abs(payment.amount)),
            "at": timezone.localtime(payment.created_at)})
    return render_pdf(html)


def kw_refund_pdf(refund: CreditRefund) -> bytes:
    """KW — the cash paid out of the till: the customer's credit refunded."""
    with translation.override("pl"):
        html = render_to_string("cashdesk/pdf/kw_refund.html", {
            "refund": refund, "company": _company(), "branch": refund.branch,
            "customer": refund.customer, "words": amount_in_words(refund.amount),
            "at": timezone.localtime(refund.created_at)})
    return render_pdf(html)


def cash_report_pdf(session: TillSession, entries: list[Any]) -> bytes:
    with translation.override("pl"):
        html = render_to_string("cashdesk/pdf/cash_report.html", {
            "session": session, "company": _company(), "entries": entries,
            "cash_in": sum((e.cash for e in entries if e.cash > 0 and e.kind != "float"),
                           Decimal(0)),
            "cash_out": sum((e.cash for e in entries if e.cash < 0), Decimal(0)),
            "card": sum((e.amount for e in entries if e.cash == 0 and e.payment_id),
                        Decimal(0)),
            "printed": timezone.localtime()})
    return render_pdf(html)
