"""Leaflet distribution (R10.1, issue 20 item 3): the leaflets of a campaign that leave the
branch's stock, handed out at the counter or distributed nearby by a person on a contract
of mandate (umowa zlecenie). One transaction each: permission, validation, the stock
movement (never below zero), the budget (the distributor's pay, like a print order's
price, counts against it), audit.

Rules (docs/workflows/distribution.md):
- a counter hand-out is final at once (``confirmed``): the count is the record;
- a distribution by a person on a contract of mandate names who, where (streets or area),
  how many, which day and the pay, and waits for the manager's confirmation;
- the manager cancels either (a reason; the leaflets go back to stock, the pay stops
  counting); a confirmed distribution's pay is owed, so cancelling it is for mistakes;
- the campaign must be planned or running; the day is not in the future nor before the
  campaign's start."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.campaigns import permissions as perms
from punkt.campaigns.models import (
    Campaign,
    Distribution,
    DistributionKind,
    DistributionStatus,
    Leaflet,
)
from punkt.campaigns.services import REASON_MAX, _open_campaign, quantity_of, spent_on
from punkt.campaigns.workflows import DISTRIBUTION_FLOW
from punkt.core import values
from punkt.core.audit import audit_record
from punkt.core.errors import Conflict, ValidationFailed
from punkt.core.money import format_pln
from punkt.inventory.models import MovementKind
from punkt.inventory.services import stock_move
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of

MAX_HANDOUT = 100_000
MAX_PAY = Decimal("100000.00")
DISTRIBUTOR_MAX, AREA_MAX = 200, 300


def _day(value: Any, campaign: Campaign) -> datetime.date:
    today = timezone.localdate()
    if value in (None, ""):
        return today
    day = values.iso_date(value, field="day", message=_("Give the date as YYYY-MM-DD."))
    if day > today:
        raise ValidationFailed("future", _("The day cannot be in the future."), field="day")
    if day < campaign.starts_on:
        raise ValidationFailed("before_campaign", _(
            "The campaign starts on %(day)s: the leaflets cannot have been handed out "
            "before.") % {"day": campaign.starts_on.strftime("%d.%m.%Y")}, field="day")
    return day


@transaction.atomic
def distribution_record(*, actor: Actor, leaflet_id: Any, kind: Any, quantity: Any,
                        day: Any = None, distributor: Any = "", area: Any = "",
                        pay: Any = "") -> Distribution:
    leaflet = Leaflet.objects.visible_to(actor, perms.CAMPAIGN_VIEW).get_or_not_found(
        leaflet_id, missing=_("Leaflet not found."))
    org_perms.ensure(actor, perms.DISTRIBUTION_RECORD.code, leaflet.branch_id)
    from punkt.campaigns.services.leaflets import ensure_usable

    ensure_usable(leaflet)
    if kind not in DistributionKind.values:
        raise ValidationFailed("invalid", _("Choose how the leaflets were handed out."),
                               field="kind")
    qty = quantity_of(quantity, maximum=MAX_HANDOUT)
    who = values.text(distributor, field="distributor", limit=DISTRIBUTOR_MAX)
    where = values.text(area, field="area", limit=AREA_MAX)
    money = values.amount(pay, field="pay")
    if kind == DistributionKind.MANDATE:
        if not who:
            raise ValidationFailed("required", _(
                "Give the name of the person on the contract of mandate."),
                field="distributor")
        if not where:
            raise ValidationFailed("required", _("Give the streets or the area."),
                                   field="area")
        if money is None:
            raise ValidationFailed("required", _("Give the pay (0 when unpaid)."), field="pay")
        if not Decimal("0") <= money <= MAX_PAY:
            raise ValidationFailed("invalid", _("The pay must be from 0 to %(max)s.")
                                   % {"max": format_pln(MAX_PAY)}, field="pay")
    else:
        who, where, money = "", "", Decimal("0")
    campaign = Campaign.objects.locked(leaflet.campaign_id)  # serialises the budget
    _open_campaign(campaign)
    when = _day(day, campaign)
    left = campaign.budget - spent_on(campaign.pk)
    if money > left:
        raise ValidationFailed("over_budget", _(
            "The pay is %(pay)s and the campaign's budget has %(left)s left. Ask the "
            "manager to raise the budget.")
            % {"pay": format_pln(money), "left": format_pln(left)}, field="pay")
    try:
        movement = stock_move(branch_id=leaflet.branch_id, product_id=leaflet.product_id,
                              delta=-qty, kind=MovementKind.HANDOUT, actor=actor,
                              reason=_("Campaign %(code)s: leaflets handed out")
                              % {"code": campaign.code})
    except Conflict as exc:
        raise ValidationFailed("insufficient_stock", str(exc.message),
                               field="quantity") from None
    counter = kind == DistributionKind.COUNTER
    now = timezone.now()
    row = Distribution.objects.create(
        branch_id=leaflet.branch_id, campaign=campaign, leaflet=leaflet, kind=kind,
        quantity=qty, day=when, distributor=who, area=where, pay=money,
        status=DistributionStatus.CONFIRMED if counter else DistributionStatus.RECORDED,
        created_by=employee_of(actor), confirmed_at=now if counter else None,
        confirmed_by=employee_of(actor) if counter else None, stock_movement=movement)
    audit_record(action="campaigns.distribution.record", obj=row, actor=actor,
                 branch_id=row.branch_id,
                 changes={"kind": [None, kind], "quantity": [None, qty],
                          "pay": [None, str(money)], "distributor": [None, who]})
    return row


@transaction.atomic
def distribution_move(*, actor: Actor, distribution_id: Any, action: str,
                      reason: Any = "") -> Distribution:
    """Confirm a distribution on a contract of mandate, or cancel a record (the leaflets
    back in stock)."""
    if action not in DISTRIBUTION_FLOW.actions():
        raise ValidationFailed("invalid", _("Unknown step."), field="action")
    row = Distribution.objects.visible_to(actor, perms.CAMPAIGN_VIEW).get_or_not_found(
        distribution_id, missing=_("Distribution record not found."))
    row = Distribution.objects.locked(row.pk)
    step = DISTRIBUTION_FLOW.ensure_can(row, action, actor=actor)
    now = timezone.now()
    fields: dict[str, Any] = {"status": step.target}
    message = ""
    if action == "confirm":
        fields.update(confirmed_at=now, confirmed_by=employee_of(actor))
    else:
        message = values.text(reason, field="reason", limit=REASON_MAX, required=True)
        leaflet = Leaflet.objects.get(pk=row.leaflet_id)
        back = stock_move(branch_id=row.branch_id, product_id=leaflet.product_id,
                          delta=row.quantity, kind=MovementKind.HANDOUT, actor=actor,
                          reason=_("Distribution %(number)s cancelled")
                          % {"number": row.number}, source=row)
        fields.update(cancelled_at=now, cancelled_reason=message, returned_movement=back)
    # the lock makes the state read above current; the condition keeps it honest (C10)
    if not Distribution.objects.filter(pk=row.pk, status__in=step.sources).update(**fields):
        raise Conflict("changed", _("The record was changed meanwhile; try again."))
    audit_record(action=f"campaigns.distribution.{action}", obj=row, actor=actor,
                 branch_id=row.branch_id, changes={"status": [row.status, step.target]},
                 message=message)
    row.refresh_from_db()
    return row


def allowed_actions(row: Distribution, user: Actor) -> list[str]:
    return DISTRIBUTION_FLOW.allowed_actions(row, user)


def totals(campaign: Campaign, *, user: Actor) -> list[dict[str, Any]]:
    """Per leaflet the user sees: printed (delivered runs), handed out at the counter,
    distributed on mandate, in stock now — one grouped query each."""
    from django.db.models import Sum

    from punkt.campaigns.models import PrintOrder, PrintOrderStatus
    from punkt.inventory.models import StockLevel

    leaflets = list(Leaflet.objects.visible_to(user, perms.CAMPAIGN_VIEW)
                    .filter(campaign=campaign).select_related("branch").order_by("pk"))
    ids = [lf.pk for lf in leaflets]
    printed = dict(PrintOrder.objects.filter(leaflet_id__in=ids,
                                             status=PrintOrderStatus.DELIVERED)
                   .values("leaflet_id").annotate(n=Sum("quantity"))
                   .values_list("leaflet_id", "n"))
    out: dict[tuple[int, str], int] = {
        (lid, kind): n for lid, kind, n in
        Distribution.objects.filter(leaflet_id__in=ids)
        .exclude(status=DistributionStatus.CANCELLED)
        .values("leaflet_id", "kind").annotate(n=Sum("quantity"))
        .values_list("leaflet_id", "kind", "n")}
    stock = dict(StockLevel.objects.filter(product_id__in=[lf.product_id for lf in leaflets])
                 .values_list("product_id", "quantity"))
    return [{"leaflet": lf, "printed": printed.get(lf.pk, 0),
             "counter": out.get((lf.pk, DistributionKind.COUNTER), 0),
             "mandate": out.get((lf.pk, DistributionKind.MANDATE), 0),
             "stock": stock.get(lf.product_id, 0)} for lf in leaflets]
