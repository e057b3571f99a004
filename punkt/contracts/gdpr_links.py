"""What GDPR export, erasure and merge do with offers and contracts (C28)."""

from __future__ import annotations

from typing import Any

from punkt.contracts.models import Contract, Offer
from punkt.customers.gdpr import ERASE_KEEP, register_linked


def _scrub(qs: Any) -> None:
    qs.update(note="", decline_reason="")


register_linked(Offer, erase=_scrub, keep_reason="commercial record of what was offered "
                "(no personal data once the notes are cleared)")
register_linked(Contract, erase=ERASE_KEEP, keep_reason=(
    "signed contract kept with the data it was signed with until claims under it are "
    "time-barred (GDPR art. 17(3)(b) and (e); Civil Code art. 118)"),
    export_exclude=("pdf_stored", "scan_stored"))
