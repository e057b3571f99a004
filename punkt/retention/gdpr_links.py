"""Retention records in GDPR export, erasure and merge."""

from __future__ import annotations

from typing import Any

from punkt.customers.gdpr import register_linked
from punkt.retention.models import ContactAttempt, RenewalConfirmation, RetentionCase


def _scrub(qs: Any) -> None:
    qs.update(reason="")


register_linked(RetentionCase, erase=_scrub, keep_reason="what happened to a contract at "
                "its end (reasons removed)")


def _scrub_attempts(qs: Any) -> None:
    qs.update(reason="", note="")


register_linked(ContactAttempt, field="case__customer", erase=_scrub_attempts,
                keep_reason="contact log of retention (notes removed)", move_on_merge=False)


def _scrub_confirmations(qs: Any) -> None:
    qs.update(accepted_ip=None, accepted_agent="")


register_linked(RenewalConfirmation, field="offer__customer", erase=_scrub_confirmations,
                keep_reason="record that the customer accepted a renewal on a durable medium "
                "(address and browser removed)", move_on_merge=False,
                export_exclude=("token_hash", "pdf_stored"))
