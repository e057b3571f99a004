"""Every change of campaigns, leaflets, print shops and print orders: permission, lock,
workflow, validation, conditional update, audit — one transaction each (the leaflets
handed out: ``services.distribution``).

Budget rule: a print order's price and a distributor's pay count against the campaign's
budget from the moment they are recorded until they are cancelled; an order that costs
more than what is left is refused on ``quantity``, a pay on ``pay`` (a smaller run or a
bigger budget — the manager's edit — is the way on). The campaign row is locked while
they are checked, so two orders at once cannot both spend the last złoty."""

from __future__ import annotations

import datetime
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from punkt.campaigns import permissions as perms
from punkt.campaigns.models import (
    Campaign,
    CampaignCustomer,
    CampaignStatus,
    Distribution,
    DistributionStatus,
    Leaflet,
    PrintOrder,
    PrintOrderMail,
    PrintOrderStatus,
    PrintPrice,
    PrintShop,
)
from punkt.campaigns.workflows import CAMPAIGN_FLOW, PRINT_ORDER_FLOW
from punkt.catalog.models import Product, ProductKind
from punkt.core import outbox, values
from punkt.core.audit import audit_record
from punkt.core.errors import Conflict, NotFound, ValidationFailed
from punkt.core.money import format_pln
from punkt.customers import referrals
from punkt.inventory.models import MovementKind
from punkt.inventory.services import stock_move
from punkt.materials.models import MaterialKind, MaterialVersion
from punkt.materials.selectors import in_force_for_branch
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import Branch, BranchKind

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,10}[A-Z0-9]$")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper
MAX_BUDGET = Decimal("9999999999.99")
MAX_RUN = 1_000_000
MAX_PRICES = 20
MAX_PRODUCTS = 30
MAX_ATTEMPTS = 5
NAME_MAX, GOAL_MAX, REASON_MAX = 200, 2000, 500


# -- the campaign code ---------------------------------------------------------------------

def normalize_code(value: Any) -> str:
    return "".join(str(value or "").split()).upper()


def generate_code(name: str = "") -> str:
    """A code not yet used: up to four letters of the name and four random characters,
    e.g. ``JESI-7K3P``."""
    letters = "".join(c for c in _ascii(name).upper() if c.isalnum())[:4] or "AKC"
    for _attempt in range(20):
        code = f"{letters}-{''.join(secrets.choice(CODE_ALPHABET) for _ in range(4))}"
        if not Campaign.objects.filter(code=code).exists():
            return code
    raise Conflict("code_exhausted", _("No free campaign code was found; type one."))


def _ascii(text: str) -> str:
    import unicodedata

    table = str.maketrans({"ł": "l", "Ł": "L"})
    return unicodedata.normalize("NFKD", text.translate(table)).encode("ascii",
                                                                       "ignore").decode()


def clean_code(value: Any, *, exclude_pk: int | None = None) -> str:
    """The code as printed: 4–12 capital letters, digits and inner hyphens, unique in the
    company; refused on ``code``."""
    code = normalize_code(value)
    if not code:
        raise ValidationFailed("required", _("Give the campaign code."), field="code")
    if not CODE_RE.match(code):
        raise ValidationFailed("invalid", _(
            "The campaign code has 4–12 characters: letters A–Z, digits and hyphens inside "
            "(e.g. JESIEN-24)."), field="code")
    taken = Campaign.objects.filter(code=code)
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationFailed("taken", _("Another campaign already has the code %(code)s.")
                               % {"code": code}, field="code")
    return code


# -- budget ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Budget:
    budget: Decimal
    spent: Decimal
    left: Decimal
    customers: int
    cost_per_customer: Decimal | None


def spent_on(campaign_id: int) -> Decimal:
    """What the campaign's print orders and the pay of its distributors cost (all but the
    cancelled ones)."""
    printing = (PrintOrder.objects.filter(campaign_id=campaign_id)
                .exclude(status=PrintOrderStatus.CANCELLED).aggregate(s=Sum("price"))["s"])
    paid = (Distribution.objects.filter(campaign_id=campaign_id)
            .exclude(status=DistributionStatus.CANCELLED).aggregate(s=Sum("pay"))["s"])
    return ((printing or Decimal("0")) + (paid or Decimal("0"))).quantize(Decimal("0.01"))


def budget_of(campaign: Campaign, *, customers: int | None = None) -> Budget:
    spent = spent_on(campaign.pk)
    if customers is None:
        customers = CampaignCustomer.objects.filter(campaign_id=campaign.pk).count()
    per = (spent / customers).quantize(Decimal("0.01")) if customers else None
    return Budget(budget=campaign.budget, spent=spent, left=campaign.budget - spent,
                  customers=customers, cost_per_customer=per)


# -- campaigns -----------------------------------------------------------------------------

def _hq() -> Branch:
    hq = Branch.objects.filter(kind=BranchKind.HQ).first()
    if hq is None:
        raise NotFound(_("The company has no HQ record."))
    return hq


def planning_branches(actor: Actor) -> list[Branch]:
    """Where ``actor`` may plan campaigns: HQ (for HQ roles), else their branches."""
    hq = _hq()
    if org_perms.can(actor, perms.CAMPAIGN_MANAGE.code, hq.pk):
        return [hq]
    return list(Branch.objects.visible_to(actor, perms.CAMPAIGN_MANAGE)
                .filter(is_active=True, kind=BranchKind.BRANCH).order_by("name"))


def _date(value: Any, field: str) -> datetime.date:
    if value in (None, ""):
        raise ValidationFailed("required", _("Give the date."), field=field)
    return values.iso_date(value, field=field, message=_("Give the date as YYYY-MM-DD."))


def _ids(value: Any, field: str, message: str) -> list[int]:
    if value in (None, ""):
        return []
    items = value if isinstance(value, list | tuple | set) else [value]
    out = []
    for item in items:
        number = values.record_id(item, field=field, message=message)
        if number is not None and number not in out:
            out.append(number)
    return out


def _clean(data: dict[str, Any], *, owner: Branch, campaign: Campaign | None
           ) -> dict[str, Any]:
    name = values.text(data.get("name"), field="name", limit=NAME_MAX, required=True)
    goal = values.text(data.get("goal"), field="goal", limit=GOAL_MAX)
    starts_on = _date(data.get("starts_on"), "starts_on")
    ends_on = _date(data.get("ends_on"), "ends_on")
    if ends_on < starts_on:
        raise ValidationFailed("invalid", _("The campaign cannot end before it starts."),
                               field="ends_on")
    budget = values.amount(data.get("budget"), field="budget")
    if budget is None:
        raise ValidationFailed("required", _("Give the budget (0 when there is none)."),
                               field="budget")
    raw_code = data.get("code")
    if not normalize_code(raw_code) and campaign is None:
        code = generate_code(name)
    else:
        code = clean_code(raw_code, exclude_pk=campaign.pk if campaign else None)
    all_branches = bool(data.get("all_branches")) and owner.kind == BranchKind.HQ
    if owner.kind == BranchKind.HQ:
        branch_ids = [] if all_branches else _ids(
            data.get("branch_ids"), "branch_ids", _("Choose the branches."))
        branches = list(Branch.objects.filter(pk__in=branch_ids, kind=BranchKind.BRANCH,
                                              is_active=True))
        if len(branches) != len(branch_ids):
            raise ValidationFailed("invalid", _("Choose active branches."), field="branch_ids")
        if not all_branches and not branches:
            raise ValidationFailed("required", _(
                "Choose the branches the campaign runs at, or all branches."),
                field="branch_ids")
    else:
        branches = [owner]
    product_ids = _ids(data.get("product_ids"), "product_ids", _("Choose products."))
    if len(product_ids) > MAX_PRODUCTS:
        raise ValidationFailed("too_many", _("At most %(n)d products.") % {"n": MAX_PRODUCTS},
                               field="product_ids")
    products = list(Product.objects.filter(pk__in=product_ids, is_active=True)
                    .exclude(kind=ProductKind.LEAFLET))
    if len(products) != len(product_ids):
        raise ValidationFailed("invalid", _("Choose products sold from the catalogue."),
                               field="product_ids")
    return {"name": name, "goal": goal, "starts_on": starts_on, "ends_on": ends_on,
            "budget": budget, "code": code, "all_branches": all_branches,
            "branches": branches, "products": products}


def _owner(actor: Actor, branch_id: Any) -> Branch:
    choices = planning_branches(actor)
    if not choices:
        org_perms.ensure(actor, perms.CAMPAIGN_MANAGE.code)
    wanted = values.record_id(branch_id, field="branch", message=_("Choose the branch."))
    if wanted is None:
        if len(choices) == 1:
            return choices[0]
        raise ValidationFailed("required", _("Choose the branch."), field="branch")
    found = next((b for b in choices if b.pk == wanted), None)
    if found is None:
        raise ValidationFailed("invalid", _("Choose a branch you plan campaigns for."),
                               field="branch")
    return found


def _snapshot(c: Campaign) -> dict[str, Any]:
    return {"name": c.name, "starts_on": str(c.starts_on), "ends_on": str(c.ends_on),
            "budget": str(c.budget), "code": c.code, "all_branches": c.all_branches}


@transaction.atomic
def campaign_create(*, actor: Actor, data: dict[str, Any]) -> Campaign:
    """Plan a campaign at ``data["branch"]`` (HQ for HQ roles: for ``branch_ids`` or
    ``all_branches``; a branch: for itself)."""
    org_perms.ensure(actor, perms.CAMPAIGN_MANAGE.code)
    owner = _owner(actor, data.get("branch"))
    org_perms.ensure(actor, perms.CAMPAIGN_MANAGE.code, owner.pk)
    clean = _clean(data, owner=owner, campaign=None)
    branches, products = clean.pop("branches"), clean.pop("products")
    campaign = Campaign.objects.create(branch=owner, created_by=employee_of(actor), **clean)
    campaign.branches.set(branches)
    campaign.products.set(products)
    audit_record(action="campaigns.campaign.create", obj=campaign, actor=actor,
                 branch_id=owner.pk, changes={k: [None, v] for k, v in
                                              _snapshot(campaign).items()})
    return campaign


@transaction.atomic
def campaign_update(*, actor: Actor, campaign_id: Any, data: dict[str, Any]) -> Campaign:
    campaign = Campaign.objects.locked(campaign_id, missing=_("Campaign not found."))
    _ensure_visible(actor, campaign)
    CAMPAIGN_FLOW.ensure_can(campaign, "edit", actor=actor)
    merged = {"name": campaign.name, "goal": campaign.goal, "starts_on": campaign.starts_on,
              "ends_on": campaign.ends_on, "budget": campaign.budget, "code": campaign.code,
              "all_branches": campaign.all_branches,
              "branch_ids": list(campaign.branches.values_list("pk", flat=True)),
              "product_ids": list(campaign.products.values_list("pk", flat=True)), **data}
    owner = Branch.objects.get(pk=campaign.branch_id)
    clean = _clean(merged, owner=owner, campaign=campaign)
    if clean["code"] != campaign.code and campaign.leaflets.exists():
        raise ValidationFailed("printed", _(
            "The code is printed on the campaign's leaflets already; it cannot change."),
            field="code")
    spent = spent_on(campaign.pk)
    if clean["budget"] < spent:
        raise ValidationFailed("below_spent", _(
            "The budget cannot be less than what the campaign has spent: %(spent)s.")
            % {"spent": format_pln(spent)}, field="budget")
    before = _snapshot(campaign)
    branches, products = clean.pop("branches"), clean.pop("products")
    for key, value in clean.items():
        setattr(campaign, key, value)
    campaign.save()
    campaign.branches.set(branches)
    campaign.products.set(products)
    changes = {k: [before[k], v] for k, v in _snapshot(campaign).items() if before[k] != v}
    audit_record(action="campaigns.campaign.update", obj=campaign, actor=actor,
                 branch_id=campaign.branch_id, changes=changes)
    return campaign


def _ensure_visible(actor: Actor, campaign: Campaign) -> None:
    if not Campaign.objects.visible_to(actor, perms.CAMPAIGN_VIEW).filter(
            pk=campaign.pk).exists():
        raise NotFound(_("Campaign not found."))


@transaction.atomic
def campaign_move(*, actor: Actor, campaign_id: Any, action: str,
                  reason: str = "") -> Campaign:
    if action not in CAMPAIGN_FLOW.actions() or action == "edit":
        raise ValidationFailed("invalid", _("Unknown step."), field="action")
    campaign = Campaign.objects.locked(campaign_id, missing=_("Campaign not found."))
    _ensure_visible(actor, campaign)
    step = CAMPAIGN_FLOW.ensure_can(campaign, action, actor=actor)
    now = timezone.now()
    fields: dict[str, Any] = {"status": step.target}
    if action == "start":
        fields["started_at"] = now
    elif action in ("end", "cancel"):
        fields["ended_at"] = now
    if action == "cancel":
        reason = values.text(reason, field="reason", limit=REASON_MAX, required=True)
        fields["cancelled_reason"] = reason
    if not Campaign.objects.filter(pk=campaign.pk, status=campaign.status).update(**fields):
        raise Conflict("changed", _("The campaign was changed meanwhile; try again."))
    audit_record(action=f"campaigns.campaign.{action}", obj=campaign, actor=actor,
                 branch_id=campaign.branch_id,
                 changes={"status": [campaign.status, step.target]}, message=reason)
    campaign.refresh_from_db()
    return campaign


def runs_at(campaign: Campaign, branch_id: int) -> bool:
    return (campaign.all_branches or campaign.branch_id == branch_id
            or campaign.branches.filter(pk=branch_id).exists())


# -- print shops ---------------------------------------------------------------------------

def parse_prices(value: Any) -> list[tuple[int, Decimal]]:
    """Run sizes and prices, one a line ``1000; 190,00`` (or a list of pairs / dicts with
    ``quantity`` and ``price``); refused on ``prices`` naming the line."""
    if isinstance(value, str):
        lines = [line for line in value.splitlines() if line.strip()]
        pairs: list[Any] = []
        for n, line in enumerate(lines, start=1):
            parts = re.split(r"\s*[;=:\t]\s*", line.strip(), maxsplit=1)
            if len(parts) != 2:
                raise ValidationFailed("invalid", _(
                    "Line %(n)d: write the run size and its price, e.g. “1000; 190,00”.")
                    % {"n": n}, field="prices")
            pairs.append((n, parts[0], parts[1]))
    else:
        pairs = []
        for n, item in enumerate(value or [], start=1):
            if isinstance(item, dict):
                pairs.append((n, item.get("quantity"), item.get("price")))
            else:
                pairs.append((n, item[0], item[1]))
    out: dict[int, Decimal] = {}
    for n, qty_raw, price_raw in pairs:
        try:
            qty = int(str(qty_raw).replace(" ", "").replace("\u00a0", ""))
        except ValueError:
            qty = 0
        if not 0 < qty <= MAX_RUN:
            raise ValidationFailed("invalid", _(
                "Line %(n)d: the run size must be a whole number from 1 to %(max)d.")
                % {"n": n, "max": MAX_RUN}, field="prices")
        try:
            price = values.amount(price_raw, field="prices")
        except ValidationFailed:
            price = None
        if price is None or price <= 0:
            raise ValidationFailed("invalid", _("Line %(n)d: write the price as 190,00.")
                                   % {"n": n}, field="prices")
        if qty in out:
            raise ValidationFailed("invalid", _("Line %(n)d: the run size %(q)d repeats.")
                                   % {"n": n, "q": qty}, field="prices")
        out[qty] = price
    if not out:
        raise ValidationFailed("required", _("Give at least one run size and its price."),
                               field="prices")
    if len(out) > MAX_PRICES:
        raise ValidationFailed("too_many", _("At most %(n)d run sizes.") % {"n": MAX_PRICES},
                               field="prices")
    return sorted(out.items())


def prices_text(shop: PrintShop) -> str:
    return "\n".join(f"{p.quantity}; {p.price}".replace(".", ",") for p in shop.prices.all())


def _shop_values(data: dict[str, Any]) -> dict[str, Any]:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    name = values.text(data.get("name"), field="name", limit=200, required=True)
    email = values.text(data.get("email"), field="email", limit=254, required=True)
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationFailed("invalid", _("Give a valid e-mail address."),
                               field="email") from None
    note = values.text(data.get("note"), field="note", limit=300)
    return {"name": name, "email": email, "note": note,
            "is_active": bool(data.get("is_active", True))}


@transaction.atomic
def shop_save(*, actor: Actor, data: dict[str, Any], shop_id: Any = None) -> PrintShop:
    """Add a print shop (``shop_id`` None) or change one, with its price list."""
    org_perms.ensure(actor, perms.PRINTSHOP_MANAGE.code)
    clean = _shop_values(data)
    prices = parse_prices(data.get("prices"))
    if shop_id is None:
        shop = PrintShop.objects.create(**clean)
        action = "create"
    else:
        shop = PrintShop.objects.locked(shop_id, missing=_("Print shop not found."))
        for key, value in clean.items():
            setattr(shop, key, value)
        shop.save()
        shop.prices.all().delete()
        action = "update"
    PrintPrice.objects.bulk_create([PrintPrice(shop=shop, quantity=q, price=p)
                                    for q, p in prices])
    audit_record(action=f"campaigns.printshop.{action}", obj=shop, actor=actor,
                 changes={"prices": [None, [f"{q}={p}" for q, p in prices]]})
    return shop


def price_for(shop: PrintShop, quantity: int) -> Decimal:
    """The shop's price of a run of exactly ``quantity`` (one of its run sizes)."""
    price = PrintPrice.objects.filter(shop=shop, quantity=quantity).values_list(
        "price", flat=True).first()
    if price is None:
        sizes = ", ".join(str(q) for q in PrintPrice.objects.filter(shop=shop)
                          .values_list("quantity", flat=True))
        raise ValidationFailed("invalid", _(
            "%(shop)s prints runs of: %(sizes)s. Choose one of them.")
            % {"shop": shop.name, "sizes": sizes or "—"}, field="quantity")
    return price


# -- leaflets ------------------------------------------------------------------------------

def templates_at(branch_id: int) -> list[MaterialVersion]:
    """HQ's leaflet templates in force at the branch."""
    return in_force_for_branch(branch_id=branch_id, kind=MaterialKind.LEAFLET_TEMPLATE)


def _open_campaign(campaign: Campaign) -> None:
    if campaign.status not in (CampaignStatus.PLANNED, CampaignStatus.RUNNING):
        raise Conflict("campaign_closed", _(
            "The campaign is “%(state)s”: nothing more can be prepared for it.")
            % {"state": campaign.get_status_display()})


def leaflet_place(actor: Actor, campaign_id: Any, branch_id: Any) -> tuple[Campaign, Branch]:
    """The open campaign and the branch of a new leaflet: one the campaign runs at, where
    the actor orders print runs (refused on ``branch`` otherwise)."""
    campaign = Campaign.objects.visible_to(actor, perms.CAMPAIGN_VIEW).get_or_not_found(
        campaign_id, missing=_("Campaign not found."))
    _open_campaign(campaign)
    branch_pk = values.record_id(branch_id, field="branch", message=_("Choose the branch."))
    branch = Branch.objects.filter(pk=branch_pk or 0, kind=BranchKind.BRANCH).first()
    if branch is None or not runs_at(campaign, branch.pk):
        raise ValidationFailed("invalid", _("Choose a branch the campaign runs at."),
                               field="branch")
    org_perms.ensure(actor, perms.PRINTORDER_MANAGE.code, branch.pk)
    return campaign, branch


@transaction.atomic
def leaflet_create(*, actor: Actor, campaign_id: Any, branch_id: Any, template_id: Any,
                   title: Any = "", text: Any = "") -> Leaflet:
    """A leaflet of the campaign for one of its branches, from an HQ leaflet template in
    force there; its stock item (a catalogue product of kind ``leaflet``, not for sale)
    is made with it."""
    campaign, branch = leaflet_place(actor, campaign_id, branch_id)
    template_pk = values.record_id(template_id, field="template",
                                   message=_("Choose an HQ leaflet template."))
    template = next((v for v in templates_at(branch.pk) if v.pk == template_pk), None)
    if template is None:
        raise ValidationFailed("invalid", _(
            "Choose an HQ leaflet template in force at the branch."), field="template")
    headline = values.text(title, field="title", limit=120) or template.material.title[:120]
    body = values.text(text, field="text", limit=600) or template.material.description[:600]
    product = Product.objects.create(
        code=f"ULOTKA-{campaign.code}-{secrets.token_hex(3).upper()}",
        name=_("Leaflet: %(title)s (%(branch)s)") % {"title": headline, "branch": branch.code},
        kind=ProductKind.LEAFLET, is_active=False,
        description=_("Campaign %(code)s leaflet; not for sale.") % {"code": campaign.code})
    leaflet = Leaflet.objects.create(campaign=campaign, branch=branch, template=template,
                                     title=headline, text=body, code=campaign.code,
                                     product=product, created_by=employee_of(actor))
    audit_record(action="campaigns.leaflet.create", obj=leaflet, actor=actor,
                 branch_id=branch.pk, changes={"campaign": [None, campaign.code],
                                               "template": [None, template.pk]})
    return leaflet


# -- print orders --------------------------------------------------------------------------

def quantity_of(value: Any, *, maximum: int = MAX_RUN) -> int:
    """A count of leaflets (a run, a hand-out): a whole number from 1 to ``maximum``."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed("invalid", _("Give the quantity as a whole number."),
                               field="quantity") from None
    if not 0 < number <= maximum:
        raise ValidationFailed("invalid", _("The quantity must be from 1 to %(max)d.")
                               % {"max": maximum}, field="quantity")
    return number


@transaction.atomic
def print_order_create(*, actor: Actor, leaflet_id: Any, shop_id: Any, quantity: Any,
                       note: Any = "") -> PrintOrder:
    """Order a run of the leaflet; the e-mail to the shop (with the PDF) is queued in the
    same transaction and sent by the worker after the commit (C12)."""
    leaflet = Leaflet.objects.visible_to(actor, perms.CAMPAIGN_VIEW).get_or_not_found(
        leaflet_id, missing=_("Leaflet not found."))
    org_perms.ensure(actor, perms.PRINTORDER_MANAGE.code, leaflet.branch_id)
    from punkt.campaigns.services.leaflets import ensure_usable

    ensure_usable(leaflet)
    qty = quantity_of(quantity)
    shop_pk = values.record_id(shop_id, field="shop", message=_("Choose the print shop."))
    shop = PrintShop.objects.filter(pk=shop_pk or 0, is_active=True).first()
    if shop is None:
        raise ValidationFailed("invalid", _("Choose a print shop from the list."), field="shop")
    text = values.text(note, field="note", limit=500)
    campaign = Campaign.objects.locked(leaflet.campaign_id)  # serialises the budget
    _open_campaign(campaign)
    price = price_for(shop, qty)
    left = campaign.budget - spent_on(campaign.pk)
    if price > left:
        raise ValidationFailed("over_budget", _(
            "This run costs %(price)s and the campaign's budget has %(left)s left. Order a "
            "smaller run or ask the manager to raise the budget.")
            % {"price": format_pln(price), "left": format_pln(left)}, field="quantity")
    order = PrintOrder.objects.create(branch_id=leaflet.branch_id, campaign=campaign,
                                      leaflet=leaflet, shop=shop, quantity=qty, price=price,
                                      note=text, created_by=employee_of(actor))
    mail = PrintOrderMail.objects.create(order=order)
    from punkt.campaigns.tasks import send_order

    send_order.enqueue(mail.pk)
    audit_record(action="campaigns.printorder.create", obj=order, actor=actor,
                 branch_id=order.branch_id,
                 changes={"quantity": [None, qty], "price": [None, str(price)],
                          "shop": [None, shop.name]})
    return order


@transaction.atomic
def print_order_move(*, actor: Actor, order_id: Any, action: str,
                     reason: str = "") -> PrintOrder:
    """Confirm, check in (the leaflets into the branch's stock, once) or cancel."""
    if action not in PRINT_ORDER_FLOW.actions():
        raise ValidationFailed("invalid", _("Unknown step."), field="action")
    order = PrintOrder.objects.visible_to(actor, perms.CAMPAIGN_VIEW).get_or_not_found(
        order_id, missing=_("Print order not found."))
    order = PrintOrder.objects.locked(order.pk)
    step = PRINT_ORDER_FLOW.ensure_can(order, action, actor=actor)
    now = timezone.now()
    fields: dict[str, Any] = {"status": step.target}
    message = ""
    if action == "confirm":
        fields["confirmed_at"] = now
    elif action == "cancel":
        message = values.text(reason, field="reason", limit=REASON_MAX, required=True)
        fields.update(cancelled_at=now, cancelled_reason=message)
    elif action == "deliver":
        leaflet = Leaflet.objects.get(pk=order.leaflet_id)
        movement = stock_move(branch_id=order.branch_id, product_id=leaflet.product_id,
                              delta=order.quantity, kind=MovementKind.RECEIPT, actor=actor,
                              reason=_("Print order %(number)s") % {"number": order.number},
                              source=order)
        fields.update(delivered_at=now, delivered_by=employee_of(actor),
                      stock_movement=movement)
    # the lock makes the state read above current; the condition keeps it honest (C10)
    if not PrintOrder.objects.filter(pk=order.pk, status__in=step.sources).update(**fields):
        raise Conflict("changed", _("The print order was changed meanwhile; try again."))
    audit_record(action=f"campaigns.printorder.{action}", obj=order, actor=actor,
                 branch_id=order.branch_id, changes={"status": [order.status, step.target]},
                 message=message)
    order.refresh_from_db()
    return order


def allowed_actions(obj: Campaign | PrintOrder, user: Actor) -> list[str]:
    flow = CAMPAIGN_FLOW if isinstance(obj, Campaign) else PRINT_ORDER_FLOW
    return flow.allowed_actions(obj, user)


# -- the order by e-mail -------------------------------------------------------------------

def send_now(mail_id: int) -> str:
    """Send one queued order e-mail, once; its status after it."""
    return outbox.deliver(PrintOrderMail, mail_id, _order_message, what="Print order")


def _order_message(mail: PrintOrderMail) -> EmailMessage | None:
    from punkt.campaigns import documents

    order = (PrintOrder.objects.select_related("shop", "branch", "leaflet", "campaign")
             .get(pk=mail.order_id))
    if order.status == PrintOrderStatus.CANCELLED:
        return None
    branch = order.branch
    with override("pl"):
        subject = _("Print order %(number)s: %(quantity)d leaflets") % {
            "number": order.number, "quantity": order.quantity}
        body = _("Hello,\n\nwe order %(quantity)d copies of the attached leaflet "
                 "(%(title)s), print-ready PDF with 3 mm bleed and crop marks, at the price "
                 "of your list: %(price)s gross.\n\nDeliver to: %(branch)s, %(street)s, "
                 "%(postal)s %(city)s, phone %(phone)s.\n%(note)s\nPlease confirm the "
                 "order and the delivery date by replying to this e-mail.\n\n%(branch)s\n") % {
            "quantity": order.quantity, "title": order.leaflet.title,
            "price": format_pln(order.price), "branch": branch.name,
            "street": branch.street, "postal": branch.postal_code, "city": branch.city,
            "phone": branch.phone or "—",
            "note": f"\n{order.note}\n" if order.note else ""}
        pdf = documents.leaflet_file(order.leaflet)
    message = EmailMessage(subject=subject, body=body, to=[order.shop.email],
                           reply_to=[branch.email] if branch.email else None)
    message.attach(documents.leaflet_name(order.leaflet), pdf, "application/pdf")
    return message


def resend(now: datetime.datetime | None = None) -> dict[str, int]:
    return outbox.resend(outbox.due_for_resend(PrintOrderMail, max_attempts=MAX_ATTEMPTS,
                                               now=now), send_now)


# -- the code at registration --------------------------------------------------------------

class _Referrals:
    """Registered with the customer registry: a code typed at registration."""

    def check(self, branch_id: int, code: str) -> Campaign:
        for campaign in Campaign.objects.filter(code=code, status=CampaignStatus.RUNNING):
            if runs_at(campaign, branch_id):
                return campaign
        raise ValidationFailed("invalid", _(
            "No campaign with the code %(code)s is running at this branch.")
            % {"code": code}, field=referrals.FIELD)

    def record(self, found: Campaign, customer: Any, actor: Any) -> None:
        CampaignCustomer.objects.create(campaign=found, customer=customer,
                                        branch_id=customer.branch_id)
        audit_record(action="campaigns.campaign.customer", obj=found, actor=actor,
                     branch_id=customer.branch_id, changes={"customer": [None, customer.pk]})


referrals.provides_referrals(_Referrals())


def campaign_url(campaign: Campaign) -> str:
    return reverse("campaigns:campaign_detail", args=[campaign.pk])


def order_url(order: PrintOrder) -> str:
    return reverse("campaigns:order_detail", args=[order.pk])


def product_ids(values_in: Iterable[Any]) -> list[int]:
    return [int(v) for v in values_in if str(v).isdigit()]
