"""What GDPR export, erasure and merge do with offers (C28)."""

from __future__ import annotations

from typing import Any

from punkt.contracts.models import Offer
from punkt.customers.gdpr import register_linked


def _scrub(qs: Any) -> None:
    qs.update(note="", decline_reason="")


register_linked(Offer, erase=_scrub, keep_reason="commercial record of what was offered "
                "(no personal data once the notes are cleared)")
