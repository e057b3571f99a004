"""The pipeline on "My work" (the seller's customers with no next step) and on the
manager's dashboard (the branch's overdue control dates and customers with no next step,
per seller)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from punkt.core.navigation import Panel, panel
from punkt.pipeline import permissions as perms
from punkt.work.selectors import Section, register_section


def _mine(user: Any, today: Any) -> dict[str, Any] | None:
    from punkt.organization import permissions as org_perms
    from punkt.organization.actors import employee_of
    from punkt.pipeline import selectors

    me = employee_of(user)
    if me is None or not org_perms.can(user, perms.OPPORTUNITY_EDIT.code):
        return None
    rows = selectors.without_next_step(user=user, owner_id=me.pk)
    count = rows.count()
    if not count:
        return None
    return {"count": count}


register_section(Section("pipeline.between_sales", _("Customers with no next step"),
                         "pipeline/sections/between_sales.html", _mine, order=14))


def _branch(request: Any) -> dict[str, Any] | None:
    from django.db.models import Q

    from punkt.pipeline import selectors
    from punkt.pipeline.models import ControlDate

    opportunities = selectors.opportunities(request.user).filter(status="open")
    overdue = (ControlDate.objects.filter(opportunity__in=opportunities.values("pk"),
                                          done_at__isnull=True,
                                          on__lt=timezone.localdate())
               .filter(Q(task__isnull=True) | Q(task__status="open")).count())
    counts = _counts(request.user)
    if not overdue and not counts:
        return None
    return {"overdue": overdue, "no_next_step": sum(counts.values()),
            "sellers": len(counts)}


def _counts(user: Any) -> dict[int, int]:
    """Per seller of the reader's branches (the kept state, by index)."""
    from punkt.pipeline import selectors

    return selectors.without_next_step_counts(user=user)


panel(Panel(_("Sales: what needs attention"), "pipeline/panels/attention.html",
            perms.OPPORTUNITY_MANAGE.code, _branch, order=9))


def _my_plan(request: Any) -> dict[str, Any] | None:
    from punkt.pipeline import plans

    return plans.own_month(request.user)


panel(Panel(_("My plan for this month"), "pipeline/panels/my_plan.html",
            perms.PLAN_OWN.code, _my_plan, order=8))
