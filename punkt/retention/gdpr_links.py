"""Retention records in GDPR export, erasure and merge."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from punkt.core.processing import BASE_MEASURES, Period, activity, midnight, retention_category
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

activity("retention.contacts",
         name=_("Retention contacts"),
         purpose=_("Contacting customers before their contract ends; renewal proposals"),
         legal_basis=_("GDPR art. 6(1)(b) and (f); marketing only with consent"),
         subjects=_("Customers"),
         data=_("Contact attempts, outcomes, call notes, acceptance of a renewal"),
         recipients=_("Retention employees and managers of the branch"),
         retention=_("Call notes: 3 years after the call (Civil Code art. 118)"),
         measures=BASE_MEASURES)


def _old_attempts(cutoff: datetime.date) -> Any:
    return ContactAttempt.objects.filter(at__lt=midnight(cutoff)).exclude(note="", reason="")


retention_category(
    "retention.call_notes", label=_("Retention call notes and reasons"),
    rule=_("3 years from the call: claims connected with running a business (Civil Code "
           "art. 118)"),
    default=Period(years=3), expired=_old_attempts, date_field="at",
    purge=lambda ids: ContactAttempt.objects.filter(pk__in=ids).update(note="", reason=""),
    action=_("note and reason cleared; the outcome of the call kept"))
