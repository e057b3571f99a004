"""Loyalty pages: HQ's programmes, the branch's cards (list, issue at the counter with a
customer search, the card with its points entries, block/unblock, the printable card)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from punkt.core.errors import ActionDenied, Conflict, ValidationFailed
from punkt.core.forms import apply_error
from punkt.core.paging import paginate
from punkt.core.routes import scoped
from punkt.core.web import int_param, is_htmx, refusals_as_messages, text_param
from punkt.customers import selectors as customers
from punkt.customers.search import customers_named
from punkt.loyalty import closed, documents, draws, rewards, selectors, services
from punkt.loyalty import permissions as perms
from punkt.loyalty.forms import (
    BlockForm,
    CardIssueForm,
    DrawCancelForm,
    DrawForm,
    DrawRunForm,
    ProgrammeForm,
)
from punkt.loyalty.models import (
    Card,
    CardStatus,
    DrawStatus,
    DrawWinner,
    PrizeDraw,
    Programme,
)
from punkt.loyalty.workflows import CARD_FLOW, DRAW_FLOW
from punkt.organization import permissions as org_perms
from punkt.organization.filters import branch_picker, working_branch
from punkt.organization.models import Branch

ENTRY_ROWS = 100


@scoped("global")
@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.PROGRAMME_MANAGE.code)
    programmes = list(selectors.programmes())
    shut = closed.closed_of(p.pk for p in programmes)
    return render(request, "loyalty/programme_list.html", {
        "programmes": [(p, shut.get(p.pk, [])) for p in programmes],
        "can_products": closed.can_see_products(request.user)})


def _initial(p: Programme) -> dict[str, object]:
    data: dict[str, object] = {name: getattr(p, name) for name in services.FIELDS
                               if name != "scale"}
    data["scale"] = services.scale_text(p)
    data["rewards"] = rewards.rewards_text(p)
    data["closed"] = closed.closed_text(p)
    return data


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, programme_id: int | None = None) -> HttpResponse:
    org_perms.ensure(request.user, perms.PROGRAMME_MANAGE.code)
    programme = selectors.programme_get(programme_id) if programme_id else None
    form = ProgrammeForm(request.POST or None,
                         initial=_initial(programme) if programme else {"is_active": True})
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_save(actor=request.user, data=form.cleaned_data,
                                    programme_id=programme.pk if programme else None)
        except (ValidationFailed, Conflict) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Programme saved."))
            return redirect("loyalty:programme_list")
    return render(request, "loyalty/programme_form.html", {
        "form": form, "programme": programme,
        "closed": closed.closed_of([programme.pk]).get(programme.pk, []) if programme else [],
        "can_products": closed.can_see_products(request.user)})


@scoped("list")
@login_required
def card_list(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.CARD_VIEW.code)
    q = text_param(request.GET.get("q"), 100)
    status = request.GET.get("status", "")
    status = status if status in CardStatus.values else ""
    branch = int_param(request.GET.get("branch"))
    programme = int_param(request.GET.get("programme"))
    qs = selectors.card_list(user=request.user, branch_id=branch, status=status,
                             programme_id=programme, q=q)
    listing = paginate(request, qs, sort="-issued_at", per_page=50)
    template = "loyalty/card_list.html" + ("#results" if is_htmx(request) else "")
    return render(request, template, {
        "listing": listing, "q": q, "status": status, "statuses": CardStatus.choices,
        "programme": programme, "programmes": selectors.programmes(),
        "picker": branch_picker(request.user, perms.CARD_VIEW.code, branch),
        "can_issue": org_perms.can(request.user, perms.CARD_ISSUE.code),
        "can_manage": org_perms.can(request.user, perms.PROGRAMME_MANAGE.code)})


@scoped("list")
@login_required
@require_http_methods(["GET", "POST"])
def card_new(request: HttpRequest) -> HttpResponse:
    """Issue a card at the counter: find the customer (a personal card) or none (a bearer
    card), choose the programme."""
    org_perms.ensure(request.user, perms.CARD_ISSUE.code)
    customer_id = int_param(request.POST.get("customer") or request.GET.get("customer"))
    customer = (customers.customer_get(user=request.user, customer_id=customer_id,
                                       include_closed=False) if customer_id else None)
    q = text_param(request.GET.get("q"), 100)
    found = []
    if q and customer is None:
        ids = customers_named(user=request.user, text=q, limit=20)
        found = list(customers.customers_visible_to(request.user).filter(pk__in=ids)
                     .select_related("branch").order_by("sort_key", "pk")[:20])
    form = CardIssueForm(request.POST or None, programmes=list(selectors.programmes(
        active_only=True)))
    branch = working_branch(request.user, perms.CARD_ISSUE.code,
                            request.GET.get("branch") or request.POST.get("branch"))
    if request.method == "POST" and form.is_valid():
        where = branch.pk if branch else (customer.branch_id if customer else None)
        try:
            if where is None:
                raise ValidationFailed("required", _("Cards are issued at a branch: choose "
                                                     "a customer or a branch."),
                                       field="programme")
            card = services.card_issue(actor=request.user, branch_id=where,
                                       programme_id=form.cleaned_data["programme"],
                                       customer_id=customer.pk if customer else None)
        except (ValidationFailed, Conflict, ActionDenied) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Card %(number)s issued.") % {"number": card.number})
            return redirect("loyalty:card_detail", card_id=card.pk)
    return render(request, "loyalty/card_new.html", {
        "form": form, "customer": customer, "q": q, "found": found, "branch": branch})


@scoped("branch")
@login_required
def card_detail(request: HttpRequest, card_id: int) -> HttpResponse:
    card = selectors.card_get(user=request.user, card_id=card_id)
    rows = list(selectors.entries(user=request.user, card=card)[:ENTRY_ROWS + 1])
    purchases = services.purchases_of(card.pk)
    return render(request, "loyalty/card_detail.html", {
        "card": card, "entries": rows[:ENTRY_ROWS], "more": len(rows) > ENTRY_ROWS,
        "actions": CARD_FLOW.allowed_actions(card, request.user), "block_form": BlockForm(),
        "value": services.points_value(card.programme, card.points_balance),
        "purchases": purchases, "vip": draws.is_vip(card.programme, purchases),
        "prizes": list(card.prizes.select_related("draw").order_by("-draw__drawn_at")),
        "access": closed.access_of(card), "can_products": closed.can_see_products(request.user),
        **_rewards_context(request, card)})


def _rewards_context(request: HttpRequest, card: Card) -> dict[str, object]:
    """The rewards the card's points buy, and where the employee may hand one over."""
    branches = list(Branch.objects.visible_to(request.user, perms.REWARD_REDEEM.code)
                    .filter(is_active=True).order_by("name")[:50]
                    ) if card.status == CardStatus.ACTIVE else []
    return {"rewards": rewards.rewards_for(card) if branches else [],
            "reward_branches": branches, "reward_key": uuid.uuid4().hex,
            "reward_branch": card.branch_id if any(b.pk == card.branch_id for b in branches)
            else (branches[0].pk if branches else None)}


@scoped("branch")
@login_required
@require_POST
def reward_redeem(request: HttpRequest, card_id: int) -> HttpResponse:
    card = selectors.card_get(user=request.user, card_id=card_id)
    with refusals_as_messages(request):
        done = rewards.reward_redeem(
            actor=request.user, card_id=card.pk, reward_id=request.POST.get("reward"),
            branch_id=request.POST.get("branch"), key=request.POST.get("key"))
        messages.success(request, _("%(points)d points exchanged for: %(reward)s.")
                         % {"points": done.reward.points, "reward": done.reward.name})
    return redirect("loyalty:card_detail", card_id=card.pk)


@scoped("branch")
@login_required
@require_POST
def card_act(request: HttpRequest, card_id: int, action: str) -> HttpResponse:
    card = selectors.card_get(user=request.user, card_id=card_id)
    with refusals_as_messages(request):
        services.card_move(actor=request.user, card_id=card.pk, action=action,
                           reason=request.POST.get("reason", ""))
        messages.success(request, _("Card blocked.") if action == "block"
                         else _("Card unblocked."))
    return redirect("loyalty:card_detail", card_id=card.pk)


@scoped("branch")
@login_required
def card_pdf(request: HttpRequest, card_id: int) -> HttpResponse:
    card = selectors.card_get(user=request.user, card_id=card_id)
    response = HttpResponse(documents.card_pdf(card), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{documents.card_name(card)}"'
    return response


# -- prize draws -----------------------------------------------------------------------------

@scoped("global")
@login_required
def draw_list(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.CARD_VIEW.code)
    return render(request, "loyalty/draw_list.html", {
        "draws": PrizeDraw.objects.select_related("programme").order_by("-draw_on", "-pk")[:200],
        "can_manage": org_perms.can(request.user, perms.DRAW_MANAGE.code)})


def _draw_initial(draw: PrizeDraw) -> dict[str, object]:
    return {"name": draw.name, "programme": draw.programme_id, "period_from": draw.period_from,
            "period_to": draw.period_to, "min_purchases": draw.min_purchases,
            "draw_on": draw.draw_on, "prizes": draws.prizes_text(draw), "rules": draw.rules}


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def draw_edit(request: HttpRequest, draw_id: int | None = None) -> HttpResponse:
    org_perms.ensure(request.user, perms.DRAW_MANAGE.code)
    draw = get_object_or_404(PrizeDraw, pk=draw_id) if draw_id else None
    form = DrawForm(request.POST or None, initial=_draw_initial(draw) if draw else {},
                    programmes=list(selectors.programmes(active_only=True)))
    if request.method == "POST" and form.is_valid():
        try:
            draw = draws.draw_save(actor=request.user, data=form.cleaned_data,
                                   draw_id=draw.pk if draw else None)
        except (ValidationFailed, Conflict) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Draw saved."))
            return redirect("loyalty:draw_detail", draw_id=draw.pk)
    return render(request, "loyalty/draw_form.html", {"form": form, "draw": draw})


@scoped("global")
@login_required
def draw_detail(request: HttpRequest, draw_id: int) -> HttpResponse:
    """The draw, its rules and prizes; the winners of the user's branches (HQ: all)."""
    org_perms.ensure(request.user, perms.CARD_VIEW.code)
    draw = get_object_or_404(PrizeDraw.objects.select_related("programme", "drawn_by"),
                             pk=draw_id)
    winners = list(DrawWinner.objects.visible_to(request.user, perms.CARD_VIEW)
                   .filter(draw=draw).select_related("card__customer", "branch"))
    actions = DRAW_FLOW.allowed_actions(draw, request.user)
    entrants = (len(draws.entrants_of(draw)) if draw.status == DrawStatus.PLANNED
                and actions else None)
    return render(request, "loyalty/draw_detail.html", {
        "draw": draw, "winners": winners, "actions": actions, "entrants": entrants,
        "run_form": DrawRunForm(), "cancel_form": DrawCancelForm(),
        "can_edit": "draw" in actions})


@scoped("global")
@login_required
@require_POST
def draw_act(request: HttpRequest, draw_id: int, action: str) -> HttpResponse:
    org_perms.ensure(request.user, perms.DRAW_MANAGE.code)
    draw = get_object_or_404(PrizeDraw, pk=draw_id)
    with refusals_as_messages(request):
        if action == "draw":
            draws.draw_run(actor=request.user, draw_id=draw.pk,
                           witness=request.POST.get("witness", ""))
            messages.success(request, _("The winners are drawn."))
        elif action == "cancel":
            draws.draw_cancel(actor=request.user, draw_id=draw.pk,
                              reason=request.POST.get("reason", ""))
            messages.success(request, _("Draw cancelled."))
        else:
            raise Http404
    return redirect("loyalty:draw_detail", draw_id=draw.pk)
