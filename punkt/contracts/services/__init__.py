"""Offer and contract services, one module per entity: :mod:`.offers` (R4.1, and the
renewal proposals retention makes), :mod:`.contracts` (R4.2–R4.4: the contract's life, its
PDF and scan), :mod:`.batches` (the manager's daily batches), :mod:`.ending` (the end of
term, early termination, and who left); :mod:`.steps` takes a workflow step by name for
the page and the API. Callers import the package:
``services.contract_sign(...)``.
"""

from punkt.contracts.services.batches import batch_collect, collect_day
from punkt.contracts.services.contracts import (
    MAX_START_AHEAD,
    MAX_TERM_MONTHS,
    SCAN_KINDS,
    SCAN_STATES,
    contract_attach_scan,
    contract_cancel,
    contract_finalise,
    contract_fix,
    contract_prepare,
    contract_review,
    contract_sign,
    default_start,
    four_eyes_threshold,
    store_pdf,
)
from punkt.contracts.services.ending import contract_terminate, contracts_end_due
from punkt.contracts.services.offers import (
    MAX_LINES,
    discount_limit,
    line_total,
    offer_approve,
    offer_create,
    offer_decide,
    offer_supersede,
    renewal_accept,
    renewal_offer_create,
    renewal_withdraw,
)
from punkt.contracts.services.steps import CONTRACT_ACTIONS, StepInput, contract_step

__all__ = [
    "CONTRACT_ACTIONS", "StepInput", "contract_step",
    "MAX_LINES", "MAX_START_AHEAD", "MAX_TERM_MONTHS", "SCAN_KINDS", "SCAN_STATES",
    "batch_collect", "collect_day", "contract_attach_scan", "contract_cancel",
    "contract_finalise", "contract_fix", "contract_prepare", "contract_review",
    "contract_sign", "contract_terminate", "contracts_end_due", "default_start",
    "discount_limit", "four_eyes_threshold", "line_total", "offer_approve", "offer_create",
    "offer_decide", "offer_supersede",
    "renewal_accept", "renewal_offer_create", "renewal_withdraw", "store_pdf",
]
