"""Retention records in GDPR export, erasure and merge."""

from __future__ import annotations

from typing import Any

from punkt.customers.gdpr import register_linked
from punkt.retention.models import ContactAttempt, RetentionCase


def _scrub(qs: Any) -> None:
    qs.update(reason="")


register_linked(RetentionCase, erase=_scrub, keep_reason="what happened to a contract at "
                "its end (reasons removed)")


def _scrub_attempts(qs: Any) -> None:
    qs.update(reason="", note="")


register_linked(ContactAttempt, field="case__customer", erase=_scrub_attempts,
                keep_reason="contact log of retention (notes removed)", move_on_merge=False)
