"""Messages in GDPR export, erasure and merge."""

from __future__ import annotations

from functools import partial
from typing import Any

from punkt.customers.gdpr import register_linked
from punkt.messaging.models import Message


def _scrub(qs: Any) -> None:
    from django.db import transaction

    stored = [n for n in qs.values_list("attachment_stored", flat=True) if n]
    qs.update(to="", subject="", body="", attachment_stored="", attachment_name="")
    for name in stored:
        transaction.on_commit(partial(_unlink, name))


def _unlink(name: str) -> None:
    from punkt.core import files
    from punkt.messaging.services import AREA

    files.path_of(name, area=AREA).unlink(missing_ok=True)


register_linked(Message, erase=_scrub, keep_reason="record that a notice was sent "
                "(address and text removed)", export_exclude=("attachment_stored",))
