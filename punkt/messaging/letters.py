"""Printed letters: queued like any message, printed by the branch as the day's batch (one
PDF, A4, the address placed for a DL envelope's window) and then marked sent.

A letter needs no marketing consent: the consents of ``CHANNEL_PURPOSE`` are for
electronic channels (Electronic Communications Law art. 398); a letter about the
customer's own contract rests on the company's legitimate interest (GDPR art. 6(1)(f),
recital 47). The address is copied into the message when the letter is queued, so the
archive shows where it went.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from punkt.core.errors import ValidationFailed
from punkt.core.pdf import render_pdf
from punkt.customers.models import Customer
from punkt.messaging.models import Channel, Message, MessageKind, MessageStatus
from punkt.organization.actors import Actor, employee_of

#: A4, tri-folded into a DL envelope (110 × 220 mm) with its window on the right (90 × 45
#: mm, 20 mm from the right and 15 mm from the bottom edge): folded at 99 and 198 mm, the
#: top third sits in the envelope with the window over x 105–195 mm, y 50–95 mm of the
#: sheet. The address block is printed at x 110–190 mm, y 52–88 mm: inside the window
#: whichever way the sheet slides by a few millimetres.
LETTER_CSS = """
@page { size: A4; margin: 12mm 18mm 18mm 20mm;
        @bottom-right { content: none; } }
body { font-size: 10.5pt; line-height: 1.45; }
.letter { page-break-after: always; position: relative; }
.letter:last-child { page-break-after: auto; }
.sender { height: 40mm; font-size: 8.5pt; color: #333; }
.sender strong { font-size: 10pt; color: #000; }
.window { margin-left: 90mm; width: 80mm; height: 36mm; overflow: hidden;
          font-size: 10.5pt; line-height: 1.35; }
.return { font-size: 6.5pt; color: #555; border-bottom: 0.3pt solid #999;
          margin-bottom: 1.5mm; white-space: nowrap; overflow: hidden; }
.place { text-align: right; margin-top: 10mm; }
.subject { font-weight: bold; margin: 6mm 0 4mm; }
.fold { position: absolute; left: -14mm; width: 5mm; border-top: 0.4pt solid #888; }
.ref { font-size: 8pt; color: #555; margin-top: 8mm; }
"""


def postal_address(customer: Customer) -> list[str]:
    """The lines of the envelope: the name, then the correspondence address if the
    customer gave one, else the registered one."""
    if customer.has_correspondence_address:
        street, postal, city, country = (customer.corr_street, customer.corr_postal_code,
                                         customer.corr_city, customer.corr_country)
    else:
        street, postal, city, country = (customer.street, customer.postal_code,
                                         customer.city, customer.country)
    lines = [customer.display_name, street, " ".join(p for p in (postal, city) if p)]
    if country and country != "PL":  # abroad: the country's code on the last line
        lines.append(country.upper())
    return [line for line in lines if line]


def letter_queue(*, customer: Customer, kind: str, subject: str, body: str,
                 actor: Actor | None = None, key: str | None = None,
                 source: models.Model | None = None) -> Message:
    """Queue a letter for the branch's next print run; refused (naming the field) without
    a postal address. ``key`` makes it once-only, as for other messages (C9)."""
    if kind not in MessageKind.values:
        raise ValidationFailed("invalid", _("Choose a letter template."), field="template")
    address = postal_address(customer)
    if len(address) < 3:  # the name, a street and a town at least
        raise ValidationFailed("no_address", _(
            "The customer has no postal address: add it to the customer's record so the "
            "letter can be posted."), field="street")
    body = body.strip()
    if not body:
        raise ValidationFailed("required", _("Write the message."), field="body")
    if key:
        found = Message.objects.filter(key=key).first()
        if found is not None:
            found.already_queued = True  # type: ignore[attr-defined]
            return found
    return Message.objects.create(
        customer=customer, branch_id=customer.branch_id, channel=Channel.LETTER, kind=kind,
        to="\n".join(address)[:254], subject=subject[:200], body=body, key=key or None,
        created_by=employee_of(actor),
        source_type=source._meta.label_lower if source is not None else "",
        source_id=str(source.pk) if source is not None else "")


def waiting(branch_id: int) -> models.QuerySet[Message]:
    """The branch's letters queued and not yet printed, oldest first."""
    return (Message.objects.filter(channel=Channel.LETTER, status=MessageStatus.QUEUED,
                                   branch_id=branch_id)
            .select_related("customer").order_by("created_at", "pk"))


def letters_pdf(letters: list[Message], *, branch: Any, printed_on: datetime.date) -> bytes:
    """One PDF: every letter from its first page, the address in the envelope's window."""
    from django.conf import settings

    with translation.override("pl"):
        html = render_to_string("messaging/letters_pdf.html", {
            "letters": letters, "branch": branch, "printed_on": printed_on,
            "company": getattr(settings, "PUNKT_SELLER_NAME", "") or branch.name})
    return render_pdf(html, extra_css=LETTER_CSS)


def printed_on() -> datetime.date:
    return timezone.localdate()
