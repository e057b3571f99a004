"""What GDPR export, erasure and merge do with invoices, payments, credit uses and credit
refunds (C28)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from punkt.cashdesk.models import CreditRefund, CreditUse, Invoice, InvoiceImport, Payment
from punkt.core.processing import (
    BASE_MEASURES,
    FROM_TAX_YEAR_END,
    Period,
    activity,
    retention_category,
)
from punkt.customers.gdpr import ERASE_KEEP, register_linked, register_payload

_KEEP = ("accounting records kept for five years after the year they concern (Accounting "
         "Act art. 74; Tax Ordinance art. 86)")
#: Columns only the cashier's search reads (folded name, place, street).
LOOKUP = {"buyer_lookup": "", "buyer_place": "", "buyer_street_key": ""}
#: The buyer as printed on the invoice: kept while the tax period runs (VAT Act art. 112).
BUYER = {"buyer_name": "", "buyer_nip": "", "buyer_street": "", "buyer_postal_code": "",
         "buyer_city": ""}


def tax_cutoff() -> datetime.date:
    """Invoices issued before this day are past their tax period (the retention
    category ``cashdesk.invoices``, configurable)."""
    from punkt.core.processing import RETENTION, period_of

    return period_of(RETENTION["cashdesk.invoices"]).cutoff(timezone.localdate())


def _scrub_invoices(qs: Any) -> None:
    """Erasure: the search columns go at once; the buyer snapshot only from invoices past
    the tax period (the retention purge clears the others when their period ends)."""
    qs.update(**LOOKUP)
    qs.filter(issued_on__lt=tax_cutoff()).update(**BUYER)


def purge_invoices(ids: list[Any]) -> int:
    return Invoice.objects.filter(pk__in=ids).update(**BUYER, **LOOKUP)


register_linked(Invoice, erase=_scrub_invoices, keep_reason=_KEEP + (
    "; the buyer's name, NIP and address stay on invoices within that period, the "
    "search columns are cleared"))
register_payload(InvoiceImport, "errors")
retention_category(
    "cashdesk.invoices", label=_("Invoices: buyer's name, NIP and address"),
    rule=_("5 years from the end of the year the tax fell due (Tax Ordinance art. 70 "
           "§ 1, art. 86 § 1; VAT Act art. 112): counted from the end of the year after "
           "the issue date, as December's VAT falls due in January"),
    default=Period(years=5, counted_from=FROM_TAX_YEAR_END),
    expired=lambda cutoff: Invoice.objects.filter(issued_on__lt=cutoff).exclude(
        buyer_name="", buyer_nip="", buyer_street="", buyer_lookup=""),
    date_field="issued_on", purge=purge_invoices,
    action=_("buyer data cleared; amounts and numbers kept"))
register_linked(Payment, erase=ERASE_KEEP, keep_reason=_KEEP)
register_linked(CreditUse, erase=ERASE_KEEP, keep_reason=_KEEP)
register_linked(CreditRefund, erase=ERASE_KEEP, keep_reason=_KEEP)

activity("cashdesk.invoices",
         name=_("Invoices and payments"),
         purpose=_("Issuing invoices, taking payments at the till, settling credit"),
         legal_basis=_("GDPR art. 6(1)(c): VAT Act art. 106e, 112; Accounting Act art. 74"),
         subjects=_("Customers (buyers)"),
         data=_("Buyer's name, NIP and address; amounts, payments"),
         recipients=_("Cashiers and managers of the branch, HQ; the tax office, KSeF"),
         retention=_("5 years after the end of the year the tax fell due (Tax Ordinance "
                     "art. 70, 86)"),
         measures=BASE_MEASURES)
