"""What GDPR export, erasure and merge do with sales opportunities (C28)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from punkt.core.processing import BASE_MEASURES, activity
from punkt.customers.gdpr import (
    ERASE_KEEP,
    on_customers_changed,
    register_linked,
    register_payload,
)
from punkt.pipeline.models import (
    ControlDate,
    DealImport,
    NextStep,
    Opportunity,
    OpportunityEvent,
    OpportunityStatus,
    SalesDocument,
)


def _scrub_opportunities(qs: Any) -> None:
    """The sale stays in the funnel's figures (stage, amount, outcome) without what the
    seller wrote (what is sold may name the person too)."""
    from django.utils import timezone

    from punkt.work.models import Task, TaskStatus

    ids = [str(pk) for pk in qs.values_list("pk", flat=True)]
    # no more reminders to contact an erased person, no sale left open with them
    Task.objects.filter(subject_type="pipeline.opportunity", subject_id__in=ids,
                        status=TaskStatus.OPEN).update(status=TaskStatus.CANCELLED)
    qs.filter(status=OpportunityStatus.OPEN).update(status=OpportunityStatus.LOST,
                                                   closed_at=timezone.now())
    qs.update(title="—", notes="", loss_note="")


def _scrub_events(qs: Any) -> None:
    """History rows are append-only; erasure may only empty their notes."""
    OpportunityEvent.objects.filter(pk__in=qs.values("pk")).exclude(note="").update(note="")


register_linked(Opportunity, erase=_scrub_opportunities,
                keep_reason="the sale's stage, amount and outcome count in the funnel and "
                            "the sales plans (notes removed)")
register_linked(OpportunityEvent, field="opportunity__customer", erase=_scrub_events,
                keep_reason="who took each step of the sale, when (notes removed)",
                move_on_merge=False)
def _scrub_documents(qs: Any) -> None:
    """A document's filled values (name, address, phone, e-mail, what was agreed) and
    where it was sent are removed; that it was prepared, sent and opened stays."""
    SalesDocument.objects.filter(pk__in=qs.values("pk")).update(values={}, sent_to="",
                                                                 invoice_ref="")


register_linked(SalesDocument, field="opportunity__customer", erase=_scrub_documents,
                keep_reason="the sale's documents: kind, version, when sent and opened "
                            "(what they said and where they went removed)",
                move_on_merge=False)
register_linked(ControlDate, field="opportunity__customer", erase=lambda qs: None,
                keep_reason="the sale's control dates (no personal data)",
                move_on_merge=False)

register_linked(NextStep, erase=ERASE_KEEP, move_on_merge=False,
                keep_reason="where the customer stands in the sales cycle (no personal data; "
                            "recomputed from the sales after the erasure)",
                export_exclude=("updated_at",))


def _recompute_next_steps(customer_ids: list[int]) -> None:
    from punkt.pipeline import next_steps

    next_steps.refresh(customer_ids)


on_customers_changed(_recompute_next_steps)

activity("pipeline.opportunities",
         name=_("Sales opportunities"),
         purpose=_("Preparing and concluding sales with customers: stages, offers, control "
                   "dates and reasons of refusal"),
         legal_basis=_("GDPR art. 6(1)(b) (steps before a contract at the customer's "
                       "request) and (f) (the company's sales planning)"),
         subjects=_("Customers and prospective customers; employees"),
         data=_("The customer, what is offered and for how much, the stage, the seller's "
                "notes, control dates, reasons of refusal"),
         recipients=_("Employees of the branch, HQ's experts"),
         retention=_("While the customer's record is kept; notes of an erased customer's "
                     "opportunities are removed"),
         measures=BASE_MEASURES)

register_payload(DealImport, "errors")
