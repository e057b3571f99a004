"""What GDPR export, erasure and merge do with counter sales (C28)."""

from __future__ import annotations

from punkt.customers.gdpr import ERASE_KEEP, register_linked
from punkt.sales.models import Sale

register_linked(Sale, erase=ERASE_KEEP, keep_reason=(
    "sales documents kept for the accounting period (Accounting Act art. 74, VAT Act "
    "art. 112): they hold no personal data beyond the link to the customer"))
