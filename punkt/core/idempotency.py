"""What a once-only key stands for: a request's fingerprint, kept beside the key, so that
the same key sent again with another request is refused (422) rather than answered with
the first request's result (IETF Idempotency-Key draft, section 2.2)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.utils.translation import gettext as _

from punkt.core.errors import ValidationFailed


def fingerprint(*parts: Any) -> str:
    """A stable digest of the request's meaningful, already normalised parts."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def ensure_same(stored: str, current: str) -> None:
    """Refuse a key reused for a different request (rows from before fingerprints were
    kept have none and are let through)."""
    if stored and stored != current:
        raise ValidationFailed("key_reused", _(
            "This idempotency key was used for a different request."),
            field="Idempotency-Key")
