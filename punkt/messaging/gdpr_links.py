"""Messages in GDPR export, erasure and merge."""

from __future__ import annotations

import datetime
from functools import partial
from typing import Any

from django.utils.translation import gettext_lazy as _

from punkt.core.processing import BASE_MEASURES, Period, activity, midnight, retention_category
from punkt.customers.gdpr import AddressEraser, register_address_eraser, register_linked
from punkt.messaging.models import Message, Suppression


def _scrub(qs: Any) -> None:
    """Address, text and attachment go (and the address from the suppression list); a
    printed letter also leaves its print run's PDF, which is printed again from the
    letters still in it."""
    from django.db import transaction

    # a hard-bounced address goes with its message (the address is the person's)
    Suppression.objects.filter(message__in=qs.values("pk")).delete()
    stored = [n for n in qs.values_list("attachment_stored", flat=True) if n]
    batches = sorted({b for b in qs.values_list("letter_batch_id", flat=True) if b})
    qs.update(to="", subject="", body="", attachment_stored="", attachment_name="",
              error="")
    for name in stored:
        transaction.on_commit(partial(_unlink, name))
    for batch_id in batches:
        reprint_without_erased(batch_id)


def reprint_without_erased(batch_id: int) -> None:
    """Print the run's PDF again with only the letters that still have an address and a
    text (the run's number and count stay: it is the record of what was sent). A run
    left with no letter keeps no PDF."""
    from django.db import transaction
    from django.utils import timezone

    from punkt.core import files
    from punkt.messaging.letters import letters_pdf
    from punkt.messaging.models import LetterBatch
    from punkt.messaging.services import AREA

    batch = LetterBatch.objects.select_for_update().select_related("branch").get(pk=batch_id)
    kept = list(Message.objects.filter(letter_batch_id=batch_id).exclude(to="", body="")
                .select_related("customer").order_by("pk"))
    old, new = batch.pdf_stored, ""
    if kept:
        pdf = letters_pdf(kept, branch=batch.branch,
                          printed_on=timezone.localdate(batch.created_at))
        new = files.write(pdf, area=AREA, ext="pdf")
    LetterBatch.objects.filter(pk=batch_id).update(pdf_stored=new)
    if old:
        transaction.on_commit(partial(_unlink, old))


def _unlink(name: str) -> None:
    from punkt.core import files
    from punkt.messaging.services import AREA

    files.path_of(name, area=AREA).unlink(missing_ok=True)


register_linked(Message, erase=_scrub, keep_reason="record that a notice was sent "
                "(address and text removed)", export_exclude=("attachment_stored",))

activity("messaging.messages",
         name=_("E-mail and SMS messages"),
         purpose=_("Service notices and, with consent, marketing messages"),
         legal_basis=_("GDPR art. 6(1)(b), (c); marketing: art. 6(1)(a)"),
         subjects=_("Customers"),
         data=_("E-mail address or phone number, message text, delivery status"),
         recipients=_("E-mail and SMS providers (processors)"),
         retention=_("Text and address: 3 years after sending (Civil Code art. 118)"),
         measures=BASE_MEASURES)


def _old_messages(cutoff: datetime.date) -> Any:
    return Message.objects.filter(created_at__lt=midnight(cutoff)).exclude(
        to="", subject="", body="")


def _purge_messages(ids: list[Any]) -> int:
    _scrub(Message.objects.filter(pk__in=ids))
    return len(ids)


retention_category(
    "messaging.messages", label=_("Sent messages: address and text"),
    rule=_("3 years from sending: claims connected with running a business (Civil Code "
           "art. 118)"),
    default=Period(years=3), expired=_old_messages, date_field="created_at",
    purge=_purge_messages, action=_("address, text and attachment removed; the record "
                                    "that a message was sent kept"))


def _suppressed(address: str) -> Any:
    return Suppression.objects.filter(address__iexact=address.strip())


# A hard-bounced address kept so that mailings skip it (docs/workflows/mailing.md): the
# person's erasure removes it with the rest of what their address left.
register_address_eraser("messaging.suppression", AddressEraser(
    label=_("Mass mailings: the address that bounced"),
    count=lambda address: _suppressed(address).count(),
    erase=lambda address: _suppressed(address).delete()[0]))
