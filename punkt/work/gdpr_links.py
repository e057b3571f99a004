"""What GDPR export, erasure and merge do with tasks and notifications (C28)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from punkt.core.processing import BASE_MEASURES, activity
from punkt.customers.gdpr import register_linked, register_payload
from punkt.work.models import Notification, Task


def _scrub(qs: Any) -> None:
    """The task stays (who did what, when) without what it said about the person."""
    qs.update(title="—", notes="")


register_linked(Task, erase=_scrub, keep_reason="the staff's work record (its text removed)")
register_payload(Notification, "title")

activity("work.tasks",
         name=_("Staff tasks and notifications"),
         purpose=_("Organising the staff's work on customers' matters: tasks, deadlines, "
                   "reminders"),
         legal_basis=_("GDPR art. 6(1)(b) and (f)"),
         subjects=_("Customers; employees"),
         data=_("The customer named in a task, what is to be done, deadlines, who did it"),
         recipients=_("Employees of the branch, HQ"),
         retention=_("As long as the customer's record; tasks of an erased customer lose "
                     "their text"),
         measures=BASE_MEASURES)
