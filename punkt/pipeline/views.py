"""Pages of the sales pipeline: the board (a column per stage, cards moved by buttons, by
keyboard or by dragging), the list with its filters, the new opportunity form (the
customer picked) and the opportunity page (its stage and what the stage requires, the
control dates with their tasks, the steps allowed now, the history)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_http_methods, require_POST

from punkt.core.errors import NotFound
from punkt.core.paging import paginate
from punkt.core.routes import scoped
from punkt.core.web import date_param, int_param, is_htmx, refusals_as_messages, text_param
from punkt.customers import permissions as customer_perms
from punkt.customers.models import Customer
from punkt.customers.search import customers_named
from punkt.organization import permissions as org_perms
from punkt.organization.actors import employee_of
from punkt.organization.filters import branch_picker
from punkt.organization.models import Employee
from punkt.pipeline import permissions as perms
from punkt.pipeline import selectors, services
from punkt.pipeline import stages as stage_settings_module
from punkt.pipeline.models import ControlKind, DocumentKind, Requirement
from punkt.pipeline.workflows import OPPORTUNITY_FLOW

FIELDS = ("customer_id", "title", "amount", "expected_close", "product_id", "stage_id",
          "owner_id", "notes", "campaign_code")
STATUS_LABELS = {"open": gettext_lazy("open"), "won": gettext_lazy("won"),
                 "lost": gettext_lazy("lost"), "all": gettext_lazy("all")}
#: the steps of the opportunity page and the form fields each takes
STEPS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "move": (services.opportunity_move, ("stage_id", "note")),
    "refuse": (services.opportunity_refuse, ("reason_id", "retry_on", "note")),
    "win": (services.opportunity_win, ("note",)),
    "lose": (services.opportunity_lose, ("reason_id", "note")),
    "reopen": (services.opportunity_reopen, ("note",)),
    "reassign": (services.opportunity_reassign, ("owner_id", "note")),
    "control": (services.control_set, ("kind", "on")),
    "control_done": (services.control_done, ("kind",)),
    "edit": (services.opportunity_update, ("title", "amount", "expected_close",
                                           "product_id", "notes", "campaign_code")),
}
DONE = {"move": gettext_lazy("Moved to the stage."),
        "refuse": gettext_lazy("Refusal recorded; a task to try again is set."),
        "win": gettext_lazy("Sale won."), "lose": gettext_lazy("Sale marked as lost."),
        "reopen": gettext_lazy("Opportunity reopened."),
        "reassign": gettext_lazy("Opportunity given to another seller."),
        "control": gettext_lazy("Control date saved; the task follows it."),
        "control_done": gettext_lazy("Marked done; its task is completed."),
        "edit": gettext_lazy("Saved.")}


def _mine_default(request: HttpRequest) -> int | None:
    """``?owner=`` as given; ``mine=1`` the user's own."""
    if request.GET.get("mine") == "1":
        me = employee_of(request.user)
        return me.pk if me else None
    return int_param(request.GET.get("owner"))


@scoped("list")
@login_required
def board(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.OPPORTUNITY_VIEW.code)
    branch = int_param(request.GET.get("branch"))
    owner = _mine_default(request)
    stages = services.stages()
    columns = selectors.board(user=request.user, stages=stages, branch_id=branch,
                              owner_id=owner)
    me = employee_of(request.user)
    managed: dict[int, bool] = {}
    today = timezone.localdate()
    base = reverse("pipeline:board")
    customers = reverse("customers:customer_list")
    for column in columns:
        for card in column.cards:
            if card.branch_id not in managed:
                managed[card.branch_id] = org_perms.can(
                    request.user, perms.OPPORTUNITY_MANAGE.code, card.branch_id)
            card.movable = managed[card.branch_id] or (  # type: ignore[attr-defined]
                me is not None and card.owner_id == me.pk)
            # the card's links and texts written once here (a board shows up to 90 cards;
            # the template's filters and tags cost ≈1 ms a card)
            card.url = f"{base}{card.pk}/"  # type: ignore[attr-defined]
            card.customer_url = f"{customers}{card.customer_id}/"  # type: ignore[attr-defined]
            _card_texts(card, today)
    return render(request, "pipeline/board.html", {
        "columns": columns, "forecast": selectors.forecast(columns), "stages": stages,
        "mine": request.GET.get("mine") == "1", "owner": owner,
        "picker": branch_picker(request.user, perms.OPPORTUNITY_VIEW.code, branch),
        "can_create": org_perms.can(request.user, perms.OPPORTUNITY_EDIT.code),
        "today": today})


def _card_texts(card: Any, today: datetime.date) -> None:
    """What a board card shows, as text: the amount, since when at this stage, the next
    control date (overdue or not), the customer's and seller's names."""
    from django.template.defaultfilters import floatformat

    card.money = "" if card.amount is None else f" · {floatformat(card.amount, '2g')} zł"
    card.since = timezone.localtime(card.stage_since).strftime("%d.%m.%Y")
    card.customer_name = str(card.customer)
    card.owner_name = str(card.owner)
    control = getattr(card, "next_control", None)
    card.control_text = "" if control is None else \
        f"{control.on:%d.%m}: {control.get_kind_display()}"
    card.overdue = control is not None and control.on < today


@scoped("list")
@login_required
def opportunity_list(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.OPPORTUNITY_VIEW.code)
    status = text_param(request.GET.get("status"), 10) or "open"
    if status not in selectors.STATUS_FILTERS:
        status = "open"
    branch = int_param(request.GET.get("branch"))
    stage = int_param(request.GET.get("stage"))
    owner = _mine_default(request)
    qs = selectors.listing(user=request.user, status=status, stage_id=stage, owner_id=owner,
                           branch_id=branch).order_by("-id")
    if customer := int_param(request.GET.get("customer")):
        qs = qs.filter(customer_id=customer)
    closed_from = date_param(request.GET.get("closed_from"))
    closed_to = date_param(request.GET.get("closed_to"))
    if closed_from or closed_to:  # the funnel report's links: closed in its period
        qs = selectors.closed_between(qs, closed_from, closed_to)
    listing = paginate(request, qs, sort="-id", per_page=50)
    template = "pipeline/opportunity_list.html" + ("#results" if is_htmx(request) else "")
    return render(request, template, {
        "listing": listing, "status": status, "stage": stage,
        "mine": request.GET.get("mine") == "1", "owner": owner,
        "closed_from": closed_from, "closed_to": closed_to,
        "statuses": list(STATUS_LABELS.items()), "stages": services.stages(),
        "picker": branch_picker(request.user, perms.OPPORTUNITY_VIEW.code, branch),
        "can_import": org_perms.can(request.user, perms.DEAL_IMPORT.code),
        "can_create": org_perms.can(request.user, perms.OPPORTUNITY_EDIT.code)})


@scoped("self")
@login_required
@require_http_methods(["GET", "POST"])
def opportunity_new(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.OPPORTUNITY_EDIT.code)
    source = request.POST if request.method == "POST" else request.GET
    form = {name: source.get(name, "") for name in FIELDS}
    error_field = None
    if request.method == "POST":
        with refusals_as_messages(request) as refused:
            opportunity = services.opportunity_create(actor=request.user, **form)
            messages.success(request, _("Opportunity %(number)s opened.") % {
                "number": opportunity.number})
            return redirect("pipeline:opportunity_detail", opportunity_id=opportunity.pk)
        error_field = refused.error.field if refused.error else None
    customer = None
    if customer_id := int_param(form["customer_id"]):
        customer = (Customer.objects.visible_to(request.user, customer_perms.CUSTOMER_VIEW)
                    .filter(pk=customer_id).first())
    found: list[Customer] = []
    query = text_param(request.GET.get("q"), 100)
    if customer is None and query:
        ids = customers_named(user=request.user, text=query, limit=20)
        found = list(Customer.objects.filter(pk__in=ids).order_by("last_name", "pk"))
    return render(request, "pipeline/opportunity_new.html", {
        "form": form, "customer": customer, "error_field": error_field, "query": query,
        "found": found, "products": _products(),
        "stages": services.stages() if customer is not None and org_perms.can(
            request.user, perms.OPPORTUNITY_MANAGE.code, customer.branch_id) else [],
        "sellers": _sellers(request, customer.branch_id if customer else None)})


def _products(keep: Any = None) -> list[Any]:
    """Products sold now, by name (and ``keep``, the one already chosen, wherever it is)."""
    from punkt.catalog.models import Product

    rows = list(Product.objects.filter(is_active=True).order_by("name")[:300])
    if keep is not None and keep not in rows:
        rows.insert(0, keep)
    return rows


def _sellers(request: HttpRequest, branch_id: int | None) -> list[Employee]:
    """The sellers the manager may give an opportunity to (none for a seller)."""
    if branch_id is None or not org_perms.can(request.user, perms.OPPORTUNITY_MANAGE.code,
                                              branch_id):
        return []
    return list(Employee.objects.filter(is_active=True, memberships__branch_id=branch_id)
                .distinct().order_by("last_name", "first_name")[:200])


@scoped("branch")
@login_required
def opportunity_detail(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    opportunity = selectors.opportunity_get(user=request.user, opportunity_id=opportunity_id)
    actions = services.allowed_actions(opportunity, request.user)
    stages = services.stages()
    today = timezone.localdate()
    controls = list(selectors.control_dates(opportunity))
    for control in controls:
        control.overdue = selectors.overdue_controls(control, today)  # type: ignore[attr-defined]
    set_kinds = {c.kind for c in controls}
    reasons = selectors.reasons(opportunity.stage)
    index = next((i for i, s in enumerate(stages) if s.pk == opportunity.stage_id), 0)
    return render(request, "pipeline/opportunity_detail.html", {
        **_documents_context(request, opportunity, actions),
        "opportunity": opportunity, "stages": stages, "stage_index": index,
        "next_stage": stages[index + 1] if index + 1 < len(stages) else None,
        "previous_stage": stages[index - 1] if index > 0 else None,
        "is_last": index == len(stages) - 1,
        "missing": services.missing(opportunity, opportunity.stage),
        "history": _labelled(selectors.history(opportunity)[:200]),
        "controls": controls,
        "unset_kinds": [(k, label) for k, label in ControlKind.choices
                        if k not in set_kinds and k in services.control_kinds(opportunity)],
        "kinds": ControlKind.choices, "reasons": reasons, "actions": actions,
        "products": _products(keep=opportunity.product) if "move" in actions else [],
        "sellers": _sellers(request, opportunity.branch_id) if "reassign" in actions else [],
        "today": today})


def _documents_context(request: HttpRequest, opportunity: Any, actions: list[str]
                       ) -> dict[str, Any]:
    """The sale's documents with what the user may do with each; the price-list positions
    in force at the branch for a new offer; the contracts (agreements) of its offers."""
    from punkt.contracts.models import Contract
    from punkt.contracts.services import discount_limit
    from punkt.contracts.workflows import OFFER_FLOW
    from punkt.materials.selectors import price_lists_in_force
    from punkt.pipeline import sales_documents as docs

    documents = docs.documents_of(opportunity)
    me = employee_of(request.user)
    works = "document" in actions
    for d in documents:
        d.may_send, d.why_not = docs.may_send(d)  # type: ignore[attr-defined]
        d.can_send = works and d.may_send  # type: ignore[attr-defined]
        approvable = d.offer is not None and "approve" in OFFER_FLOW.allowed_actions(
            d.offer, request.user) and (me is None or me.pk != d.offer.created_by_id)
        d.can_approve = approvable  # type: ignore[attr-defined]
        d.totals = docs.totals(d)  # type: ignore[attr-defined]
    offer_ids = [d.offer_id for d in documents if d.offer_id]
    contracts = {c.offer_id: c for c in Contract.objects.filter(offer_id__in=offer_ids)}
    for d in documents:
        d.contract = contracts.get(d.offer_id)  # type: ignore[attr-defined]
    return {"documents": documents, "discount_limit": discount_limit(),
            "price_lists": price_lists_in_force(branch_id=opportunity.branch_id)
            if works and opportunity.is_open else [],
            "can_document": works, "document_kinds": DocumentKind.choices}


def _labelled(events: Any) -> list[Any]:
    steps = {a: t.label for a, t in OPPORTUNITY_FLOW.transitions.items()}
    steps.update(document=_("Document prepared"), document_sent=_("Document sent"),
                 document_opened=_("Document opened by the customer"),
                 document_approved=_("Discount approved"))
    steps.update(open=pgettext("opportunity step", "Opened"),
                 refuse=_("Refused, to try again"), edit=_("Details changed"), won=_("Won"),
                 control_done=_("Control point done"),
                 lost=_("Lost"))
    rows = list(events)
    for row in rows:
        row.label = steps.get(row.action, row.action)
    return rows


@scoped("branch")
@login_required
@require_POST
def opportunity_act(request: HttpRequest, opportunity_id: int, action: str) -> HttpResponse:
    selectors.opportunity_get(user=request.user, opportunity_id=opportunity_id)
    if action not in STEPS:
        raise NotFound(_("No such step."))
    call, names = STEPS[action]
    fields = {name: request.POST.get(name, "") for name in names
              if action != "edit" or name in request.POST}  # edit: only what was sent
    with refusals_as_messages(request):
        call(actor=request.user, opportunity_id=opportunity_id, **fields)
        messages.success(request, str(DONE[action]))
    back = request.POST.get("back", "")
    if back == "board":
        return redirect("pipeline:board")
    return redirect("pipeline:opportunity_detail", opportunity_id=opportunity_id)


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def stage_settings(request: HttpRequest) -> HttpResponse:
    """HQ's page of the sales stages and reasons of refusal: one form per stage and per
    reason, a form for a new stage and a new reason."""
    org_perms.ensure(request.user, perms.STAGE_MANAGE.code)
    error_form = error_field = None
    if request.method == "POST":
        what = request.POST.get("form", "")
        with refusals_as_messages(request) as refused:
            if what == "stage":
                stage_settings_module.stage_save(
                    actor=request.user, stage_id=request.POST.get("stage_id") or None,
                    code=request.POST.get("code", ""), name=request.POST.get("name", ""),
                    position=request.POST.get("position", ""),
                    probability=request.POST.get("probability", ""),
                    requires=request.POST.getlist("requires"),
                    active=request.POST.get("active") == "1")
            elif what == "reason":
                stage_settings_module.reason_save(
                    actor=request.user, reason_id=request.POST.get("reason_id") or None,
                    stage_id=request.POST.get("stage_id") or None,
                    label=request.POST.get("label", ""),
                    active=request.POST.get("active") == "1")
            else:
                raise NotFound(_("No such form."))
            messages.success(request, _("Saved."))
            return redirect("pipeline:stage_settings")
        if refused.error:
            error_form = request.POST.get("stage_id") or request.POST.get("reason_id") or "new"
            error_field = refused.error.field
    return render(request, "pipeline/stage_settings.html", {
        "stages": stage_settings_module.all_stages(),
        "any_reasons": stage_settings_module.any_stage_reasons(),
        "requirements": Requirement.choices, "error_form": error_form,
        "error_field": error_field, "posted": request.POST})


@scoped("list")
@login_required
def between_sales(request: HttpRequest) -> HttpResponse:
    """Customers with no next step (R11.5), per seller: the manager sees the branch's
    counts per seller and anyone's list, a seller their own."""
    org_perms.ensure(request.user, perms.OPPORTUNITY_VIEW.code)
    branch = int_param(request.GET.get("branch"))
    me = employee_of(request.user)
    sees_all = org_perms.can(request.user, perms.OPPORTUNITY_MANAGE.code) or \
        org_perms.access_of(request.user).is_hq
    owner = int_param(request.GET.get("owner")) if sees_all else getattr(me, "pk", None)
    if owner is None and not sees_all:
        owner = -1  # no employee record: nothing is theirs
    counts = selectors.without_next_step_counts(user=request.user, branch_id=branch) \
        if sees_all else {}
    sellers = {e.pk: e for e in Employee.objects.filter(pk__in=list(counts))}
    qs = selectors.without_next_step(user=request.user, owner_id=owner, branch_id=branch
                                     ).order_by("last_closed", "customer_id")
    listing = paginate(request, qs, sort="last_closed", per_page=50)
    rows = list(listing.page.object_list)
    names = {c.pk: c for c in Customer.objects.filter(pk__in=[r["customer_id"] for r in rows])}
    unknown = {r["owner_id"] for r in rows} - set(sellers)
    owners = {**sellers, **{e.pk: e for e in Employee.objects.filter(pk__in=unknown)}} \
        if unknown else sellers
    for row in rows:
        row["customer"] = names.get(row["customer_id"])
        row["owner"] = owners.get(row["owner_id"])
    return render(request, "pipeline/between_sales.html", {
        "listing": listing, "rows": rows, "owner": owner, "sees_all": sees_all,
        "counts": sorted(((sellers[k], v) for k, v in counts.items() if k in sellers),
                         key=lambda kv: -kv[1]),
        "picker": branch_picker(request.user, perms.OPPORTUNITY_VIEW.code, branch),
        "can_create": org_perms.can(request.user, perms.OPPORTUNITY_EDIT.code)})
