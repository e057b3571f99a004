"""Surveys' records in GDPR export, erasure and merge, and their processing activity."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from punkt.core.processing import BASE_MEASURES, Period, activity, midnight, retention_category
from punkt.customers.gdpr import ERASE_KEEP, register_linked
from punkt.surveys.models import FollowUp, Invitation, Response, Score

register_linked(Invitation, erase=ERASE_KEEP, keep_reason="which survey was sent when (the "
                "link itself is only a hash)", export_exclude=("token_hash",))


def _scrub_responses(qs: Any) -> None:
    qs.update(comment="")


register_linked(Response, field="invitation__customer", erase=_scrub_responses,
                keep_reason="scores kept for the statistics (comment removed)",
                move_on_merge=False)
register_linked(Score, field="response__invitation__customer", erase=ERASE_KEEP,
                keep_reason="a score 1–5 without text", move_on_merge=False)


def _scrub_followups(qs: Any) -> None:
    qs.update(note="")


register_linked(FollowUp, erase=_scrub_followups, keep_reason="that a low score was called "
                "back and how (note removed)")

activity("surveys.satisfaction",
         name=_("Satisfaction surveys"),
         purpose=_("Measuring customers' satisfaction after service, complaints and sales; "
                   "calling back dissatisfied customers"),
         legal_basis=_("GDPR art. 6(1)(f) (quality of service); surveys that promote offers "
                       "only with marketing consent (art. 6(1)(a))"),
         subjects=_("Customers"),
         data=_("Invitations, scores, comments, call-back notes"),
         recipients=_("Branch staff, branch managers, HQ experts"),
         retention=_("Comments and call-back notes: 3 years after the answer"),
         measures=BASE_MEASURES)


def _old_comments(cutoff: datetime.date) -> Any:
    return Response.objects.filter(submitted_at__lt=midnight(cutoff)).exclude(comment="")


retention_category(
    "surveys.comments", label=_("Survey comments"),
    rule=_("3 years from the answer"),
    default=Period(years=3), expired=_old_comments, date_field="submitted_at",
    purge=lambda ids: Response.objects.filter(pk__in=ids).update(comment=""),
    action=_("comment cleared; the scores kept"))
