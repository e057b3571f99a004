"""Messages in GDPR export, erasure and merge."""

from __future__ import annotations

from typing import Any

from punkt.customers.gdpr import register_linked
from punkt.messaging.models import Message


def _scrub(qs: Any) -> None:
    qs.update(to="", subject="", body="")


register_linked(Message, erase=_scrub, keep_reason="record that a notice was sent "
                "(address and text removed)", export_exclude=("attachment_stored",))
