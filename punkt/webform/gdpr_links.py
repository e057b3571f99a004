"""What GDPR export, erasure and merge do with the contact form's senders (C28)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from punkt.core.processing import BASE_MEASURES, activity, retention_category
from punkt.customers.gdpr import AddressEraser, register_address_eraser, register_linked
from punkt.servicedesk.gdpr_links import (
    WITHOUT_CUSTOMER,
    WITHOUT_CUSTOMER_RULE,
    erase_sender_texts,
    without_customer,
)
from punkt.webform.models import WebContact, WebMail


def _erase_contacts(qs: Any) -> None:
    """The row stays (the ticket came through the form) without who wrote: name, address,
    phone and attachment gone, every follow link dead."""
    from punkt.webform.services import erase_contact

    erase_contact(qs.values("pk"))


def _scrub_mails(qs: Any) -> None:
    WebMail.objects.filter(pk__in=qs.values("pk")).update(error="")


register_linked(WebContact, field="ticket__customer", erase=_erase_contacts,
                keep_reason="the record that the ticket came through the form (sender removed)",
                move_on_merge=False, export_exclude=("secret", "attachment_stored"))
register_linked(WebMail, field="contact__ticket__customer", erase=_scrub_mails,
                keep_reason="the record of the mails sent (no address is kept on it)",
                move_on_merge=False)

activity("webform.contact",
         name=_("Contact form on the website"),
         purpose=_("Answering questions and requests customers and others send through the "
                   "public contact form; telling them by e-mail of the answer"),
         legal_basis=_("GDPR art. 6(1)(b) and (f)"),
         subjects=_("Customers; anyone who writes through the contact form"),
         data=_("Name, e-mail address, phone number (optional), the subject, the message, an "
                "attachment, the conversation on the ticket"),
         recipients=_("Employees of the team the ticket is routed to, HQ"),
         retention=_("As long as the ticket; an erased customer's or sender's details, texts "
                     "and attachment are removed and the follow link stops working; a sender "
                     "without a customer record loses them 3 years after the ticket's "
                     "resolution"),
         measures=BASE_MEASURES)


def _old_contacts(cutoff: datetime.date) -> Any:
    return WebContact.objects.filter(ticket__in=without_customer(cutoff)).exclude(
        name="", email="", phone="", secret="", attachment_stored="")


def _purge_contacts(ids: list[Any]) -> int:
    from punkt.webform.services import erase_contact

    erase_contact(ids)
    return len(ids)


retention_category(
    "webform.senders_without_customer",
    label=_("Contact-form senders without a customer record: name, address, phone, file"),
    rule=WITHOUT_CUSTOMER_RULE, default=WITHOUT_CUSTOMER,
    expired=_old_contacts, date_field="created_at", purge=_purge_contacts,
    action=_("name, e-mail, phone and attachment removed, the follow link dead; the record "
             "that the ticket came through the form kept"))



def _senders(address: str) -> Any:
    return WebContact.objects.filter(email__iexact=address, ticket__customer__isnull=True)


def _erase_sender(address: str) -> int:
    from punkt.webform.services import erase_contact

    rows = list(_senders(address).values_list("pk", "ticket_id"))
    erase_sender_texts([ticket for _pk, ticket in rows])
    return erase_contact([pk for pk, _ticket in rows])


register_address_eraser("webform", AddressEraser(
    label=_("Contact form: the sender's details, messages and attachment"),
    count=lambda address: _senders(address).count(), erase=_erase_sender,
    names=lambda address: [n for n in _senders(address).values_list("name", flat=True) if n]))
