"""The cashier's desk (R8): HQ's invoices (:mod:`.invoices`), the till (:mod:`.till`:
open, cash in/out, count and close, the manager's acknowledgement), payments with the
customer's credit (:mod:`.payments`) and that credit paid out in cash (:mod:`.refunds`).

Callers use the package: ``from punkt.cashdesk import services;
services.payment_register(...)``.
"""

from punkt.cashdesk.services.invoices import (
    duplicate_issue,
    invoice_build,
    invoice_create,
    invoice_subject,
    status_after,
)
from punkt.cashdesk.services.payments import (
    _fingerprint,  # the payment tests build an idempotency key's row by hand
    business_to_business_cash_limit,
    credit_apply,
    credit_use_reverse,
    payment_register,
    payment_reverse,
)
from punkt.cashdesk.services.refunds import credit_refund, next_number
from punkt.cashdesk.services.till import (
    DENOMINATIONS,
    cash_move,
    cash_payout,
    count_total,
    expected_cash,
    till_acknowledge,
    till_close,
    till_current,
    till_in_use,
    till_open,
    today,
)

__all__ = [
    "DENOMINATIONS",
    "_fingerprint",
    "business_to_business_cash_limit",
    "cash_move",
    "cash_payout",
    "count_total",
    "credit_apply",
    "credit_refund",
    "credit_use_reverse",
    "duplicate_issue",
    "expected_cash",
    "invoice_build",
    "invoice_create",
    "invoice_subject",
    "next_number",
    "payment_register",
    "payment_reverse",
    "status_after",
    "till_acknowledge",
    "till_close",
    "till_current",
    "till_in_use",
    "till_open",
    "today",
]
