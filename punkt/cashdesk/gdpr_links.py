"""What GDPR export, erasure and merge do with invoices, payments, credit uses and credit
refunds (C28)."""

from __future__ import annotations

from punkt.cashdesk.models import CreditRefund, CreditUse, Invoice, Payment
from punkt.customers.gdpr import ERASE_KEEP, register_linked

_KEEP = ("accounting records kept for five years after the year they concern (Accounting "
         "Act art. 74; Tax Ordinance art. 86)")
register_linked(Invoice, erase=ERASE_KEEP, keep_reason=_KEEP)
register_linked(Payment, erase=ERASE_KEEP, keep_reason=_KEEP)
register_linked(CreditUse, erase=ERASE_KEEP, keep_reason=_KEEP)
register_linked(CreditRefund, erase=ERASE_KEEP, keep_reason=_KEEP)
