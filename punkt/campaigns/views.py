"""Pages of campaigns: the list (a branch sees its own and HQ's campaigns for it), the
campaign page (details, budget, leaflets, print orders, customers brought), the planning
form, the leaflet PDF, the print order form and page with its steps, and HQ's print shops.
Thin: every change is a service call."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from punkt.campaigns import documents, selectors, services
from punkt.campaigns import permissions as perms
from punkt.campaigns.forms import (
    CampaignForm,
    DistributionForm,
    LeafletReplaceForm,
    LeafletUploadForm,
    PrintOrderForm,
    PrintShopForm,
)
from punkt.campaigns.models import CampaignStatus, DistributionStatus, PrintOrderStatus
from punkt.campaigns.services import distribution
from punkt.campaigns.services import leaflets as leaflet_svc
from punkt.campaigns.workflows import (
    CAMPAIGN_FLOW,
    DISTRIBUTION_FLOW,
    LEAFLET_FLOW,
    PRINT_ORDER_FLOW,
)
from punkt.core.errors import Conflict, ValidationFailed
from punkt.core.forms import apply_error
from punkt.core.paging import paginate
from punkt.core.routes import scoped
from punkt.core.web import int_param, is_htmx, refusals_as_messages, text_param
from punkt.organization import permissions as org_perms
from punkt.organization.filters import branch_picker
from punkt.organization.models import BranchKind

FILTER_LABELS = {"open": gettext_lazy("planned and running"), "all": gettext_lazy("all")}
ORDER_LABELS = {"open": gettext_lazy("waiting for delivery"), "all": gettext_lazy("all")}


@scoped("list")
@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.CAMPAIGN_VIEW.code)
    status = text_param(request.GET.get("status"), 20) or "open"
    if status not in selectors.STATUS_FILTERS:
        status = "open"
    q = text_param(request.GET.get("q"), 100)
    branch = int_param(request.GET.get("branch"))
    qs = selectors.campaign_list(user=request.user, status=status, q=q, branch_id=branch)
    listing = paginate(request, qs, sort="starts_on", per_page=50)
    template = "campaigns/campaign_list.html" + ("#results" if is_htmx(request) else "")
    return render(request, template, {
        "listing": listing, "status": status, "q": q,
        "statuses": [("open", FILTER_LABELS["open"]), *CampaignStatus.choices,
                     ("all", FILTER_LABELS["all"])],
        "picker": branch_picker(request.user, perms.CAMPAIGN_VIEW.code, branch),
        "can_plan": org_perms.can(request.user, perms.CAMPAIGN_MANAGE.code),
        "can_shops": org_perms.can(request.user, perms.PRINTSHOP_MANAGE.code),
        # the report lives in analytics (a higher layer): its action named, not imported
        "can_effect": org_perms.can(request.user, "analytics.goals.view")})


def _form_data(form: CampaignForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["product_ids"] = data.get("product_ids") or []
    data["branch_ids"] = data.get("branch_ids") or []
    return data


@scoped("self")
@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.CAMPAIGN_MANAGE.code)
    owners = services.planning_branches(request.user)
    hq = bool(owners) and owners[0].kind == BranchKind.HQ
    form = CampaignForm(request.POST or None, owners=owners, hq=hq,
                        initial={"code": "", "budget": "0,00"})
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(actor=request.user, data=_form_data(form))
        except (ValidationFailed, Conflict) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Campaign %(code)s planned.") % {"code": campaign.code})
            return redirect("campaigns:campaign_detail", campaign_id=campaign.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": None,
                                                            "hq": hq})


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    CAMPAIGN_FLOW.ensure_can(campaign, "edit", actor=request.user)
    hq = campaign.branch.kind == BranchKind.HQ
    initial = {"name": campaign.name, "goal": campaign.goal, "starts_on": campaign.starts_on,
               "ends_on": campaign.ends_on,
               "budget": f"{campaign.budget:.2f}".replace(".", ","), "code": campaign.code,
               "all_branches": campaign.all_branches,
               "branch_ids": list(campaign.branches.values_list("pk", flat=True)),
               "product_ids": list(campaign.products.values_list("pk", flat=True))}
    form = CampaignForm(request.POST or None, owners=[campaign.branch], hq=hq, editing=True,
                        initial=initial)
    if request.method == "POST" and form.is_valid():
        data = _form_data(form)
        data.pop("branch", None)
        try:
            services.campaign_update(actor=request.user, campaign_id=campaign.pk, data=data)
        except (ValidationFailed, Conflict) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Campaign saved."))
            return redirect("campaigns:campaign_detail", campaign_id=campaign.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": campaign,
                                                            "hq": hq})


@scoped("branch")
@login_required
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    leaflets = list(selectors.leaflets_of(user=request.user, campaign=campaign))
    customers = selectors.customers_of(user=request.user, campaign=campaign)
    budget = services.budget_of(campaign)
    orders = list(selectors.order_list(user=request.user, status="all",
                                       campaign_id=campaign.pk)[:100])
    target_ids = ([] if campaign.all_branches
                  else list(campaign.branches.values_list("pk", flat=True)))
    from punkt.organization.models import Branch

    may_prepare = [b for b in (Branch.objects.filter(kind=BranchKind.BRANCH, is_active=True)
                               if campaign.all_branches
                               else Branch.objects.filter(pk__in=target_ids)).order_by("name")
                   if org_perms.can(request.user, perms.PRINTORDER_MANAGE.code, b.pk)]
    open_campaign = campaign.status in (CampaignStatus.PLANNED, CampaignStatus.RUNNING)
    templates = {}
    if open_campaign:
        templates = {b.pk: services.templates_at(b.pk) for b in may_prepare[:50]}
    handed = list(selectors.distribution_list(user=request.user, campaign_id=campaign.pk)[:50])
    stock = leaflet_svc.stock_of(leaflets)
    rows = [(lf, stock[lf.pk]) for lf in leaflets]
    return render(request, "campaigns/campaign_detail.html", {
        "leaflet_rows": rows,
        "below_norm": [lf for lf, st in rows if st.below_norm],
        "to_approve": [lf for lf, _st in rows if lf.status == "submitted"],
        "can_upload": open_campaign and bool(may_prepare),
        "distribution_totals": distribution.totals(campaign, user=request.user),
        "distributions": [(d, _distribution_actions(d, request)) for d in handed],
        "can_hand_out": open_campaign and any(
            org_perms.can(request.user, perms.DISTRIBUTION_RECORD.code, lf.branch_id)
            for lf in leaflets),
        "campaign": campaign, "budget": budget, "leaflets": leaflets, "orders": orders,
        "customers": customers[:50], "customer_count": budget.customers,
        "branches": campaign.branches.order_by("name"),
        "products": campaign.products.order_by("name"),
        "actions": [(a, CAMPAIGN_FLOW.transition(a).label)
                    for a in services.allowed_actions(campaign, request.user) if a != "edit"],
        "can_edit": "edit" in services.allowed_actions(campaign, request.user),
        "prepare": [(b, templates.get(b.pk, [])) for b in may_prepare] if open_campaign
        else [],
        "can_order": open_campaign and any(
            org_perms.can(request.user, perms.PRINTORDER_MANAGE.code, lf.branch_id)
            for lf in leaflets)})


@scoped("branch")
@login_required
@require_POST
def campaign_act(request: HttpRequest, campaign_id: int, action: str) -> HttpResponse:
    campaign = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    with refusals_as_messages(request):
        services.campaign_move(actor=request.user, campaign_id=campaign.pk, action=action,
                               reason=request.POST.get("reason", ""))
        messages.success(request, _("Done: %(step)s.") % {
            "step": CAMPAIGN_FLOW.transition(action).label})
    return redirect("campaigns:campaign_detail", campaign_id=campaign.pk)


@scoped("branch")
@login_required
@require_POST
def leaflet_new(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    with refusals_as_messages(request):
        leaflet = services.leaflet_create(
            actor=request.user, campaign_id=campaign.pk, branch_id=request.POST.get("branch"),
            template_id=request.POST.get("template"), title=request.POST.get("title", ""),
            text=request.POST.get("text", ""))
        messages.success(request, _("Leaflet prepared: check the PDF, then order a run."))
        return redirect("campaigns:order_new", leaflet_id=leaflet.pk)
    return redirect("campaigns:campaign_detail", campaign_id=campaign.pk)


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def leaflet_upload(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """A leaflet made locally: the branch's print-ready PDF, for the manager to approve."""
    campaign = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    org_perms.ensure(request.user, perms.PRINTORDER_MANAGE.code)
    branches = leaflet_svc.upload_branches(request.user, campaign)
    if not branches:
        org_perms.ensure(request.user, perms.PRINTORDER_MANAGE.code, campaign.branch_id)
    wanted = int_param(request.GET.get("branch"))
    form = LeafletUploadForm(request.POST or None, request.FILES or None, branches=branches,
                             initial={"branch": wanted or (branches[0].pk if branches
                                                           else None)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            leaflet = leaflet_svc.leaflet_upload(
                actor=request.user, campaign_id=campaign.pk, branch_id=data["branch"],
                title=data["title"], text=data["text"], code=data["code"], pdf=data["pdf"])
        except (ValidationFailed, Conflict) as exc:
            if exc.field == "branch" and form.fields["branch"].widget.is_hidden:
                exc.field = None  # one branch, hidden: the message goes above the form
            apply_error(form, exc)
        else:
            messages.success(request, _("Leaflet uploaded: the manager approves it before it "
                                        "is printed or handed out."))
            return redirect("campaigns:leaflet_detail", leaflet_id=leaflet.pk)
    return render(request, "campaigns/leaflet_upload.html", {
        "form": form, "campaign": campaign, "max_mb": leaflet_svc.MAX_PDF_SIZE // (1024 * 1024)})


@scoped("branch")
@login_required
def leaflet_detail(request: HttpRequest, leaflet_id: int) -> HttpResponse:
    leaflet = selectors.leaflet_get(user=request.user, leaflet_id=leaflet_id)
    actions = leaflet_svc.allowed_actions(leaflet, request.user)
    stock = leaflet_svc.stock_of([leaflet])[leaflet.pk]
    campaign = leaflet.campaign
    open_campaign = campaign.status in (CampaignStatus.PLANNED, CampaignStatus.RUNNING)
    return render(request, "campaigns/leaflet_detail.html", {
        "leaflet": leaflet, "campaign": campaign, "stock": stock,
        "decide": [(a, LEAFLET_FLOW.transition(a).label) for a in actions
                   if a in ("approve", "return")],
        "own_upload": leaflet.status == "submitted" and leaflet_svc.uploaded_it(leaflet,
                                                                            request.user),
        "replace_form": LeafletReplaceForm(initial={"title": leaflet.title,
                                                    "text": leaflet.text})
        if "replace" in actions and open_campaign else None,
        "can_norm": leaflet_svc.can_set_norm(request.user, leaflet),
        "can_order": leaflet.usable and open_campaign and org_perms.can(
            request.user, perms.PRINTORDER_MANAGE.code, leaflet.branch_id),
        "can_hand_out": leaflet.usable and open_campaign and org_perms.can(
            request.user, perms.DISTRIBUTION_RECORD.code, leaflet.branch_id)})


@scoped("branch")
@login_required
@require_POST
def leaflet_act(request: HttpRequest, leaflet_id: int, action: str) -> HttpResponse:
    leaflet = selectors.leaflet_get(user=request.user, leaflet_id=leaflet_id)
    with refusals_as_messages(request):
        leaflet_svc.leaflet_move(actor=request.user, leaflet_id=leaflet.pk, action=action,
                              reason=request.POST.get("reason", ""))
        messages.success(request, _("Leaflet approved: it can be ordered from a print shop "
                                    "and handed out.") if action == "approve"
                         else _("Leaflet returned with the reason."))
    return redirect("campaigns:leaflet_detail", leaflet_id=leaflet.pk)


@scoped("branch")
@login_required
@require_POST
def leaflet_replace(request: HttpRequest, leaflet_id: int) -> HttpResponse:
    leaflet = selectors.leaflet_get(user=request.user, leaflet_id=leaflet_id)
    form = LeafletReplaceForm(request.POST, request.FILES)
    with refusals_as_messages(request):
        if not form.is_valid():
            raise ValidationFailed("invalid", " ".join(
                str(e) for errs in form.errors.values() for e in errs), field="pdf")
        leaflet_svc.leaflet_replace(actor=request.user, leaflet_id=leaflet.pk,
                                 pdf=form.cleaned_data["pdf"],
                                 title=form.cleaned_data["title"],
                                 text=form.cleaned_data["text"])
        messages.success(request, _("Corrected leaflet uploaded: it waits for the manager "
                                    "again."))
    return redirect("campaigns:leaflet_detail", leaflet_id=leaflet.pk)


@scoped("branch")
@login_required
@require_POST
def leaflet_norm(request: HttpRequest, leaflet_id: int) -> HttpResponse:
    leaflet = selectors.leaflet_get(user=request.user, leaflet_id=leaflet_id)
    with refusals_as_messages(request):
        leaflet_svc.leaflet_norm_set(actor=request.user, leaflet_id=leaflet.pk,
                                  min_norm=request.POST.get("min_norm"))
        messages.success(request, _("Norm saved."))
    if request.POST.get("back") == "campaign":
        return redirect("campaigns:campaign_detail", campaign_id=leaflet.campaign_id)
    return redirect("campaigns:leaflet_detail", leaflet_id=leaflet.pk)


@scoped("branch")
@login_required
def leaflet_pdf(request: HttpRequest, leaflet_id: int) -> HttpResponseBase:
    leaflet = selectors.leaflet_get(user=request.user, leaflet_id=leaflet_id)
    if leaflet.is_local:
        return leaflet_svc.pdf_response(leaflet)
    response = HttpResponse(documents.leaflet_pdf(leaflet), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{documents.leaflet_name(leaflet)}"'
    return response


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def order_new(request: HttpRequest, leaflet_id: int) -> HttpResponse:
    leaflet = selectors.leaflet_get(user=request.user, leaflet_id=leaflet_id)
    org_perms.ensure(request.user, perms.PRINTORDER_MANAGE.code, leaflet.branch_id)
    if not leaflet.usable:
        return _not_approved(request, leaflet)
    shops = list(selectors.shops())
    form = PrintOrderForm(request.POST or None, shops=shops)
    if request.method == "POST" and form.is_valid():
        try:
            order = services.print_order_create(
                actor=request.user, leaflet_id=leaflet.pk, shop_id=form.cleaned_data["shop"],
                quantity=form.cleaned_data["quantity"], note=form.cleaned_data["note"])
        except (ValidationFailed, Conflict) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Print order %(number)s sent to %(shop)s.")
                             % {"number": order.number, "shop": order.shop.name})
            return redirect("campaigns:order_detail", print_order_id=order.pk)
    return render(request, "campaigns/order_new.html", {
        "form": form, "leaflet": leaflet, "shops": shops,
        "budget": services.budget_of(leaflet.campaign)})


@scoped("list")
@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.CAMPAIGN_VIEW.code)
    status = text_param(request.GET.get("status"), 20) or "open"
    if status not in selectors.ORDER_FILTERS:
        status = "open"
    branch = int_param(request.GET.get("branch"))
    qs = selectors.order_list(user=request.user, status=status, branch_id=branch)
    listing = paginate(request, qs, sort="created_at", per_page=50)
    template = "campaigns/order_list.html" + ("#results" if is_htmx(request) else "")
    return render(request, template, {
        "listing": listing, "status": status,
        "statuses": [("open", ORDER_LABELS["open"]), *PrintOrderStatus.choices,
                     ("all", ORDER_LABELS["all"])],
        "picker": branch_picker(request.user, perms.CAMPAIGN_VIEW.code, branch)})


@scoped("branch")
@login_required
def order_detail(request: HttpRequest, print_order_id: int) -> HttpResponse:
    order = selectors.order_get(user=request.user, order_id=print_order_id)
    steps = [(PrintOrderStatus.ORDERED, order.created_at),
             (PrintOrderStatus.CONFIRMED, order.confirmed_at),
             (PrintOrderStatus.DELIVERED, order.delivered_at)]
    mail = getattr(order, "mail", None)
    return render(request, "campaigns/order_detail.html", {
        "order": order, "steps": steps, "mail": mail,
        "actions": [(a, PRINT_ORDER_FLOW.transition(a).label)
                    for a in services.allowed_actions(order, request.user)]})


@scoped("branch")
@login_required
@require_POST
def order_act(request: HttpRequest, print_order_id: int, action: str) -> HttpResponse:
    order = selectors.order_get(user=request.user, order_id=print_order_id)
    with refusals_as_messages(request):
        moved = services.print_order_move(actor=request.user, order_id=order.pk, action=action,
                                          reason=request.POST.get("reason", ""))
        if action == "deliver":
            messages.success(request, _("%(n)d leaflets checked in to the branch's stock.")
                             % {"n": moved.quantity})
        else:
            messages.success(request, _("Done: %(step)s.") % {
                "step": PRINT_ORDER_FLOW.transition(action).label})
    return redirect("campaigns:order_detail", print_order_id=order.pk)


def _not_approved(request: HttpRequest, leaflet: Any) -> HttpResponse:
    with refusals_as_messages(request):
        leaflet_svc.ensure_usable(leaflet)
    return redirect("campaigns:leaflet_detail", leaflet_id=leaflet.pk)


def _distribution_actions(row: Any, request: HttpRequest) -> list[tuple[str, Any]]:
    return [(a, DISTRIBUTION_FLOW.transition(a).label)
            for a in distribution.allowed_actions(row, request.user)]


DISTRIBUTION_LABELS = {"all": gettext_lazy("all")}


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def distribution_new(request: HttpRequest, leaflet_id: int) -> HttpResponse:
    leaflet = selectors.leaflet_get(user=request.user, leaflet_id=leaflet_id)
    org_perms.ensure(request.user, perms.DISTRIBUTION_RECORD.code, leaflet.branch_id)
    if not leaflet.usable:
        return _not_approved(request, leaflet)
    form = DistributionForm(request.POST or None, initial={"kind": "counter"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = distribution.distribution_record(
                actor=request.user, leaflet_id=leaflet.pk, kind=data["kind"],
                quantity=data["quantity"], day=data["day"], distributor=data["distributor"],
                area=data["area"], pay=data["pay"])
        except (ValidationFailed, Conflict) as exc:
            apply_error(form, exc)
        else:
            if row.status == DistributionStatus.RECORDED:
                messages.success(request, _(
                    "%(n)d leaflets recorded as distributed by %(who)s; the manager "
                    "confirms the record.") % {"n": row.quantity, "who": row.distributor})
            else:
                messages.success(request, _("%(n)d leaflets handed out at the counter.")
                                 % {"n": row.quantity})
            return redirect("campaigns:campaign_detail", campaign_id=leaflet.campaign_id)
    totals = next((t for t in distribution.totals(leaflet.campaign, user=request.user)
                   if t["leaflet"].pk == leaflet.pk), None)
    return render(request, "campaigns/distribution_new.html", {
        "form": form, "leaflet": leaflet, "totals": totals,
        "budget": services.budget_of(leaflet.campaign)})


@scoped("list")
@login_required
def distribution_list(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.CAMPAIGN_VIEW.code)
    status = text_param(request.GET.get("status"), 20) or "recorded"
    if status not in selectors.DISTRIBUTION_FILTERS:
        status = "recorded"
    branch = int_param(request.GET.get("branch"))
    qs = selectors.distribution_list(user=request.user, status=status, branch_id=branch)
    listing = paginate(request, qs, sort="day", per_page=50)
    template = "campaigns/distribution_list.html" + ("#results" if is_htmx(request) else "")
    return render(request, template, {
        "listing": listing, "status": status,
        "rows": [(d, _distribution_actions(d, request)) for d in listing.page],
        "statuses": [*DistributionStatus.choices, ("all", DISTRIBUTION_LABELS["all"])],
        "picker": branch_picker(request.user, perms.CAMPAIGN_VIEW.code, branch)})


@scoped("branch")
@login_required
@require_POST
def distribution_act(request: HttpRequest, distribution_id: int, action: str) -> HttpResponse:
    row = selectors.distribution_get(user=request.user, distribution_id=distribution_id)
    with refusals_as_messages(request):
        distribution.distribution_move(actor=request.user, distribution_id=row.pk,
                                       action=action, reason=request.POST.get("reason", ""))
        messages.success(request, _("Done: %(step)s.") % {
            "step": DISTRIBUTION_FLOW.transition(action).label})
    if request.POST.get("back") == "list":
        return redirect("campaigns:distribution_list")
    return redirect("campaigns:campaign_detail", campaign_id=row.campaign_id)


@scoped("global")
@login_required
def shop_list(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.PRINTSHOP_MANAGE.code)
    return render(request, "campaigns/shop_list.html", {
        "shops": selectors.shops(active_only=False)})


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def shop_edit(request: HttpRequest, shop_id: int | None = None) -> HttpResponse:
    org_perms.ensure(request.user, perms.PRINTSHOP_MANAGE.code)
    shop = selectors.shop_get(user=request.user, shop_id=shop_id) if shop_id else None
    initial = ({"name": shop.name, "email": shop.email, "note": shop.note,
                "is_active": shop.is_active, "prices": services.prices_text(shop)}
               if shop else {"is_active": True})
    form = PrintShopForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.shop_save(actor=request.user, data=form.cleaned_data,
                               shop_id=shop.pk if shop else None)
        except (ValidationFailed, Conflict) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Print shop saved."))
            return redirect("campaigns:shop_list")
    return render(request, "campaigns/shop_form.html", {"form": form, "shop": shop})
