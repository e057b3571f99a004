"""What GDPR export, erasure and merge do with complaints (C28)."""

from __future__ import annotations

import datetime
from functools import partial
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from punkt.complaints.models import (
    Complaint,
    ComplaintAction,
    ComplaintAttachment,
    ComplaintEvent,
    ComplaintLetter,
    ComplaintMail,
    ComplaintStatus,
)
from punkt.core import files
from punkt.core.processing import (
    BASE_MEASURES,
    FROM_YEAR_END,
    Period,
    activity,
    midnight,
    retention_category,
)
from punkt.customers.gdpr import register_linked


def _scrub_complaints(qs: Any) -> None:
    """The complaint stays (the legal record of its deadline and decision) without what
    the customer and the employee wrote."""
    from punkt.complaints import figures

    figures.forget_texts(qs)
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
         retention=_("6 years after the end of the year the complaint was closed (Civil "
                     "Code art. 118), then its texts, files and letters are removed; texts "
                     "of an erased customer's complaints are removed at once"),
         measures=BASE_MEASURES)


def _closed_complaints(cutoff: datetime.date) -> Any:
    """Closed before the cut-off and still holding what the customer or the staff wrote,
    a file or a letter's text."""
    files_left = Exists(ComplaintAttachment.objects.filter(complaint=OuterRef("pk")))
    letters_left = Exists(ComplaintLetter.objects.filter(complaint=OuterRef("pk"))
                          .filter(~Q(body="—") | ~Q(pdf_stored="")))
    held = (~Q(customer_account="—") | ~Q(employee_opinion="") | ~Q(product_text="")
            | ~Q(cause_note="") | ~Q(decision_reason="") | ~Q(remedy_note="")
            | files_left | letters_left)
    return Complaint.objects.filter(status=ComplaintStatus.CLOSED,
                                    closed_at__lt=midnight(cutoff)).filter(held)


def _unlink(name: str) -> None:
    files.path_of(name, area="complaints").unlink(missing_ok=True)


def purge_complaints(ids: list[Any]) -> int:
    """Past the limitation period a closed complaint keeps its number, kind, dates,
    decision, remedy and amounts (the statistics) and loses what names the customer: the
    texts, the history's notes, the files and the letters' texts and PDFs (the files are
    removed after the commit)."""
    from django.db import transaction

    complaints = Complaint.objects.filter(pk__in=ids)
    stored = [*ComplaintAttachment.objects.filter(complaint__in=complaints)
              .values_list("stored", flat=True),
              *ComplaintLetter.objects.filter(complaint__in=complaints).exclude(pdf_stored="")
              .values_list("pdf_stored", flat=True)]
    from punkt.complaints import figures

    figures.forget_texts(complaints)
    done = complaints.update(customer_account="—", employee_opinion="", product_text="",
                             cause_note="", decision_reason="", remedy_note="")
    ComplaintEvent.objects.filter(complaint__in=complaints).exclude(note="").update(note="")
    ComplaintAttachment.objects.filter(complaint__in=complaints).delete()
    ComplaintAction.objects.filter(complaint__in=complaints).update(
        description="—", done_note="", verification_note="")
    ComplaintLetter.objects.filter(complaint__in=complaints).update(
        subject="—", body="—", completed_note="", pdf_stored="", key=None)
    for name in stored:
        transaction.on_commit(partial(_unlink, name))
    return done


retention_category(
    "complaints.closed", label=_("Closed complaints: texts, photos and letters"),
    rule=_("6 years from the end of the year the complaint was closed: the limitation "
           "period of a consumer's claims, ending on the last day of a year (Civil Code "
           "art. 118)"),
    default=Period(years=6, counted_from=FROM_YEAR_END),
    expired=_closed_complaints, date_field="closed_at", purge=purge_complaints,
    action=_("the customer's account, the opinion, notes, photos and the letters' texts "
             "and PDFs removed; number, dates, decision and amounts kept"))
