"""What GDPR export, erasure and merge do with counter sales (C28)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from punkt.core.processing import BASE_MEASURES, activity
from punkt.customers.gdpr import ERASE_KEEP, register_linked
from punkt.sales.models import Sale

register_linked(Sale, erase=ERASE_KEEP, keep_reason=(
    "sales documents kept for the accounting period (Accounting Act art. 74, VAT Act "
    "art. 112): they hold no personal data beyond the link to the customer"))

activity("sales.sales",
         name=_("Counter sales and returns"),
         purpose=_("Selling products at the counter, returns"),
         legal_basis=_("GDPR art. 6(1)(b), (c)"),
         subjects=_("Customers who buy at the counter"),
         data=_("Link to the customer record, items bought"),
         recipients=_("Employees of the branch, HQ; the fiscal register"),
         retention=_("5 years after the end of the year (Accounting Act art. 74)"),
         measures=BASE_MEASURES)
