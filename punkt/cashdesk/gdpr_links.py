"""What GDPR export, erasure and merge do with invoices, payments and credit uses (C28)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from punkt.cashdesk.models import CreditUse, Invoice, Payment
from punkt.core.processing import BASE_MEASURES, activity
from punkt.customers.gdpr import ERASE_KEEP, register_linked

_KEEP = ("accounting records kept for five years after the year they concern (Accounting "
         "Act art. 74; Tax Ordinance art. 86)")
register_linked(Invoice, erase=ERASE_KEEP, keep_reason=_KEEP)
register_linked(Payment, erase=ERASE_KEEP, keep_reason=_KEEP)
register_linked(CreditUse, erase=ERASE_KEEP, keep_reason=_KEEP)

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
