"""GDPR: a delivery's body copies the event's data (a ticket's subject, a message's text),
so erasure scrubs the customer's identifiers out of it (C28); deliveries are forgotten
``PUNKT_WEBHOOK_KEEP_DAYS`` after they were made."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from punkt.core.processing import BASE_MEASURES, activity
from punkt.customers.gdpr import register_payload
from punkt.webhooks.models import Delivery

register_payload(Delivery, "body")

activity("webhooks.delivery",
         name=_("Events sent to other systems (webhooks)"),
         purpose=_("Telling the company's other systems (call centre, chat, reporting) about "
                   "tickets and other events as they happen"),
         legal_basis=_("GDPR art. 6(1)(b) and (f)"),
         subjects=_("Customers who contact the service desk"),
         data=_("Ticket numbers, subjects and states; the text of public replies and of "
                "customers' messages; customer ids (no names)"),
         recipients=_("The systems whose addresses the administrator registered"),
         retention=_("Delivery log kept 30 days, then deleted"),
         measures=BASE_MEASURES)
