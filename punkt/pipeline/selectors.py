"""Reads of the pipeline, always from ``visible_to`` (C1/C2: a branch sees its
opportunities, HQ every branch's)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from punkt.organization.actors import Actor
from punkt.pipeline import permissions as perms
from punkt.pipeline.models import (
    ControlDate,
    LossReason,
    NextStep,
    NextStepState,
    Opportunity,
    OpportunityEvent,
    OpportunityStatus,
    Stage,
)

#: the list's status filter: the open ones, one outcome, or all
STATUS_FILTERS = ("open", "won", "lost", "all")
#: cards per column on the board (the list pages through the rest)
BOARD_CARDS = 15


def opportunities(user: Actor) -> Any:
    return Opportunity.objects.visible_to(user, perms.OPPORTUNITY_VIEW)


def opportunity_get(*, user: Actor, opportunity_id: Any) -> Opportunity:
    """The opportunity ``user`` may open, else ``NotFound`` (another branch's: 404)."""
    return (opportunities(user).select_related("branch", "customer", "owner", "stage",
                                               "product", "loss_reason")
            .get_or_not_found(opportunity_id, missing=_("Opportunity not found.")))


def listing(*, user: Actor, status: str = "open", stage_id: int | None = None,
            owner_id: int | None = None, branch_id: int | None = None) -> QuerySet[Opportunity]:
    qs = opportunities(user).select_related("customer", "owner", "stage", "branch")
    if branch_id:
        qs = qs.filter(branch_id=branch_id)
    if status in OpportunityStatus.values:
        qs = qs.filter(status=status)
    if stage_id:
        qs = qs.filter(stage_id=stage_id)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    return qs


def closed_between(qs: QuerySet[Opportunity], first: datetime.date | None,
                   last: datetime.date | None) -> QuerySet[Opportunity]:
    """Closed (won or lost) from ``first`` to ``last`` inclusive, Warsaw days."""
    from punkt.pipeline.funnel import WARSAW

    qs = qs.filter(closed_at__isnull=False)
    if first:
        qs = qs.filter(closed_at__gte=datetime.datetime.combine(first, datetime.time.min,
                                                                tzinfo=WARSAW))
    if last:
        qs = qs.filter(closed_at__lt=datetime.datetime.combine(
            last + datetime.timedelta(days=1), datetime.time.min, tzinfo=WARSAW))
    return qs


@dataclass
class Column:
    stage: Stage
    cards: list[Opportunity] = field(default_factory=list)
    count: int = 0
    amount: Decimal = Decimal("0")
    previous: Stage | None = None
    next: Stage | None = None

    @property
    def weighted(self) -> Decimal:
        return (self.amount * self.stage.probability / 100).quantize(Decimal("0.01"))

    @property
    def more(self) -> int:
        return max(self.count - len(self.cards), 0)


def board(*, user: Actor, stages: list[Stage], branch_id: int | None = None,
          owner_id: int | None = None) -> list[Column]:
    """The open opportunities per stage: counts and amounts for all, the cards of the
    ``BOARD_CARDS`` longest in their stage (they need attention first)."""
    qs = listing(user=user, status="open", branch_id=branch_id, owner_id=owner_id)
    totals: dict[int, Any] = {row["stage_id"]: row for row in qs.order_by().values(
        "stage_id").annotate(n=Count("id"), total=Sum("amount"))}
    from django.db.models import Window
    from django.db.models.functions import RowNumber

    first = (qs.annotate(place=Window(RowNumber(), partition_by=[F("stage_id")],
                                      order_by=[F("stage_since").asc(), F("id").asc()]))
             .filter(place__lte=BOARD_CARDS).order_by("stage_since", "id"))
    cards_of: dict[int, list[Opportunity]] = {}
    for card in first:  # one query for every column's first cards
        cards_of.setdefault(card.stage_id, []).append(card)
    columns = []
    for stage in stages:
        row = totals.get(stage.pk, {})
        columns.append(Column(stage=stage, count=row.get("n", 0),
                              amount=row.get("total") or Decimal("0"),
                              cards=cards_of.get(stage.pk, [])))
    cards = {o.pk: o for column in columns for o in column.cards}
    for control in (ControlDate.objects.filter(opportunity_id__in=list(cards),
                                               done_at__isnull=True)
                    .filter(Q(task__isnull=True) | Q(task__status="open"))
                    .order_by("opportunity_id", "on", "id")):
        held = cards[control.opportunity_id]
        if getattr(held, "next_control", None) is None:
            held.next_control = control  # type: ignore[attr-defined]
    for before, after in zip(columns, columns[1:], strict=False):
        before.next, after.previous = after.stage, before.stage
    return columns


def forecast(columns: list[Column]) -> dict[str, Decimal]:
    amount = sum((c.amount for c in columns), Decimal("0"))
    weighted = sum((c.weighted for c in columns), Decimal("0"))
    return {"amount": amount, "weighted": weighted}


def reasons(stage: Stage) -> list[LossReason]:
    """The reasons of refusal offered at ``stage``: its own, then any stage's."""
    return list(LossReason.objects.filter(Q(stage=stage) | Q(stage__isnull=True), active=True)
                .order_by("position", "id"))


def history(opportunity: Opportunity) -> QuerySet[OpportunityEvent]:
    return (OpportunityEvent.objects.filter(opportunity=opportunity)
            .select_related("actor", "from_stage", "to_stage"))


def control_dates(opportunity: Opportunity) -> QuerySet[ControlDate]:
    return ControlDate.objects.filter(opportunity=opportunity).select_related("task")


def customer_opportunities(user: Actor, customer: Any) -> QuerySet[Opportunity]:
    return opportunities(user).filter(customer=customer).select_related("stage", "owner")


def overdue_controls(control: ControlDate, today: datetime.date) -> bool:
    return control.is_pending and control.on < today


def without_next_step(*, user: Actor, owner_id: int | None = None,
                      branch_id: int | None = None) -> QuerySet[Any]:
    """Customers "between sales" with no next step (R11.5): a seller has sold to them or
    tried (an opportunity won or lost), none is open now and no next contact is pending;
    once per customer, under the branch and seller of their latest closed sale. Read from
    the kept state (``next_steps``, partial indexes on branch or seller and the closing
    time). Rows: ``customer_id``, ``owner_id``, ``last_closed``. Erased and merged
    customers are left out."""
    rows = (NextStep.objects.visible_to(user, perms.OPPORTUNITY_VIEW)
            .filter(state=NextStepState.NONE, customer__status="active"))
    if branch_id:
        rows = rows.filter(branch_id=branch_id)
    if owner_id:
        rows = rows.filter(owner_id=owner_id)
    return rows.values("customer_id", "owner_id", "last_closed")


def without_next_step_counts(*, user: Actor, branch_id: int | None = None
                             ) -> dict[int, int]:
    """Per seller: how many of their customers have no next step (one grouped query)."""
    rows = without_next_step(user=user, branch_id=branch_id)
    return {row["owner_id"]: row["n"] for row in
            rows.order_by().values("owner_id").annotate(n=Count("customer_id"))}
