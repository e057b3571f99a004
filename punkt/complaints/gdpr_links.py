"""What GDPR export, erasure and merge do with complaints (C28)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from punkt.complaints.models import (
    Complaint,
    ComplaintAction,
    ComplaintAttachment,
    ComplaintEvent,
    ComplaintLetter,
    ComplaintMail,
)
from punkt.core import files
from punkt.core.processing import BASE_MEASURES, activity
from punkt.customers.gdpr import register_linked


def _scrub_complaints(qs: Any) -> None:
    """The complaint stays (the legal record of its deadline and decision) without what
    the customer and the employee wrote."""
    qs.update(customer_account="—", employee_opinion="", product_text="", cause_note="",
              decision_reason="", remedy_note="")


def _scrub_events(qs: Any) -> None:
    """History rows are append-only; erasure may only empty their notes."""
    ComplaintEvent.objects.filter(pk__in=qs.values("pk")).exclude(note="").update(note="")


def _scrub_attachments(qs: Any) -> None:
    for row in qs:
        files.path_of(row.stored, area="complaints").unlink(missing_ok=True)
    qs.delete()


def _scrub_actions(qs: Any) -> None:
    """A corrective or preventive action stays (who owned and verified what, when) without
    its texts, which may name the customer."""
    qs.update(description="—", done_note="", verification_note="")


def _scrub_letters(qs: Any) -> None:
    """A letter stays as the proof that the customer was answered (or asked) on a durable
    medium — its kind, channel, dates and registered-mail number — without its text and
    its PDF, which name the customer."""
    for row in qs.exclude(pdf_stored=""):
        files.path_of(row.pdf_stored, area="complaints").unlink(missing_ok=True)
    qs.update(subject="—", body="—", completed_note="", pdf_stored="", key=None)


def _scrub_mails(qs: Any) -> None:
    qs.update(error="")


register_linked(Complaint, erase=_scrub_complaints,
                keep_reason="the complaint's deadline and decision are kept while claims are "
                            "not time-barred (text removed)")
register_linked(ComplaintEvent, field="complaint__customer", erase=_scrub_events,
                keep_reason="who took each step of the complaint, when (notes removed)",
                move_on_merge=False)
register_linked(ComplaintAttachment, field="complaint__customer", erase=_scrub_attachments,
                keep_reason="", export_exclude=("stored",), move_on_merge=False)
register_linked(ComplaintAction, field="complaint__customer", erase=_scrub_actions,
                keep_reason="the corrective or preventive action on the complaint's cause, "
                            "its owner and verification (texts removed)",
                move_on_merge=False)
register_linked(ComplaintLetter, field="complaint__customer", erase=_scrub_letters,
                keep_reason="proof that the customer was answered on a durable medium and "
                            "when, with the registered-mail number of the post office's "
                            "receipt (texts and PDF removed)",
                export_exclude=("pdf_stored", "key"), move_on_merge=False)
register_linked(ComplaintMail, field="complaint__customer", erase=_scrub_mails,
                keep_reason="proof that the receipt was sent on a durable medium",
                move_on_merge=False)

activity("complaints.complaints",
         name=_("Customer complaints"),
         purpose=_("Registering and deciding customers' complaints within the legal "
                   "deadlines, the receipt and the answer on a durable medium"),
         legal_basis=_("GDPR art. 6(1)(b) and (c) (Consumer Rights Act art. 7a, the "
                       "Electronic Communications Law)"),
         subjects=_("Customers; employees"),
         data=_("The customer, the product or service, the customer's account and demand, "
                "the employee's opinion, photos of the warranty card and proof of purchase, "
                "the decision and its reasons"),
         recipients=_("Employees of the branch, HQ's complaint experts"),
         retention=_("While claims from the complaint are not time-barred; texts of an "
                     "erased customer's complaints are removed"),
         measures=BASE_MEASURES)
