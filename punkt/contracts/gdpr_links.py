"""What GDPR export, erasure and merge do with offers and contracts (C28)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from punkt.contracts.models import Contract, Offer
from punkt.core.processing import BASE_MEASURES, activity
from punkt.customers.gdpr import ERASE_KEEP, register_linked


def _scrub(qs: Any) -> None:
    qs.update(note="", decline_reason="")


register_linked(Offer, erase=_scrub, keep_reason="commercial record of what was offered "
                "(no personal data once the notes are cleared)")
register_linked(Contract, erase=ERASE_KEEP, keep_reason=(
    "signed contract kept with the data it was signed with until claims under it are "
    "time-barred (GDPR art. 17(3)(b) and (e); Civil Code art. 118)"),
    export_exclude=("pdf_stored", "scan_stored"))

activity("contracts.contracts",
         name=_("Offers and contracts"),
         purpose=_("Preparing offers, concluding and performing contracts"),
         legal_basis=_("GDPR art. 6(1)(b); claims: art. 6(1)(f)"),
         subjects=_("Customers"),
         data=_("Identity and address data in the contract, its items, signatures, scans"),
         recipients=_("Employees of the branch, HQ; courier and archive providers"),
         retention=_("6 years after the end of the year the contract ended (Civil Code "
                     "art. 118)"),
         measures=BASE_MEASURES)
