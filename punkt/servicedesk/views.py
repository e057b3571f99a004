"""Pages of the service desk: the agent's queue, a ticket (conversation, reply and note,
the workflow's actions, SLA clocks), a new ticket from the counter or a phone call, and
the teams (hours, members) for managers."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from punkt.core.audit import audit_record
from punkt.core.errors import ValidationFailed
from punkt.core.exports import csv_response
from punkt.core.paging import paginate
from punkt.core.reports import reads_reports
from punkt.core.routes import scoped
from punkt.core.scoping import branch_ids_visible
from punkt.core.web import date_param, int_param, is_htmx, refusals_as_messages, text_param
from punkt.core.worktime import WEEKDAY_KEYS
from punkt.customers import permissions as customer_perms
from punkt.customers.models import Customer
from punkt.organization import permissions as org_perms
from punkt.organization.filters import branch_picker
from punkt.servicedesk import (
    links,
    merging,
    origins,
    replies,
    reports,
    selectors,
    services,
    ticket_types,
    weighty,
)
from punkt.servicedesk import permissions as perms
from punkt.servicedesk.models import (
    Channel,
    Priority,
    Routing,
    Team,
    TeamKind,
    TeamMember,
    TicketStatus,
    TicketType,
)
from punkt.servicedesk.workflows import TICKET_FLOW
from punkt.work.mentions import handle

TICKET_FIELDS = ("subject", "body", "channel", "type_id", "priority", "customer_id",
                 "team_id", "caller", "amount")
QUEUE_CAP = 2000
QUEUE_LABELS = {"mine": gettext_lazy("My tickets"), "team": gettext_lazy("My teams' tickets"),
                "unassigned": gettext_lazy("Unassigned"), "all": gettext_lazy("All I see")}


@scoped("list")
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.TICKET_VIEW.code)
    which = text_param(request.GET.get("queue"), 12) or "mine"
    if which not in selectors.QUEUES:
        which = "mine"
    status = text_param(request.GET.get("status"), 20) or "open"
    branch = int_param(request.GET.get("branch"))
    sla = text_param(request.GET.get("sla"), 12)
    if sla not in selectors.SLA_FILTERS:
        sla = ""
    qs = selectors.queue(user=request.user, which=which, branch_id=branch, status=status,
                         sla=sla)
    # HQ's "all I see" holds tens of thousands of open tickets: counted up to the cap
    listing = paginate(request, qs.order_by("resolve_due", "id"), sort="resolve_due",
                       per_page=50, cap=QUEUE_CAP)
    listing.page.object_list = services.with_sla(list(listing.page.object_list))
    template = "servicedesk/queue.html" + ("#results" if is_htmx(request) else "")
    return render(request, template, {
        "listing": listing, "which": which, "status": status, "sla": sla,
        "sla_filters": [("", _("any")), ("at_risk", _("at risk")),
                        ("breached", _("breached"))],
        "queues": list(QUEUE_LABELS.items()),
        "statuses": [("open", _("open (all)")), *TicketStatus.choices],
        "picker": branch_picker(request.user, perms.TICKET_VIEW.code, branch),
        "can_create": org_perms.can(request.user, perms.TICKET_CREATE.code),
        "can_teams": org_perms.can(request.user, perms.TEAM_MANAGE.code)})


@scoped("self")
@login_required
@require_http_methods(["GET", "POST"])
def ticket_new(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.TICKET_CREATE.code)
    form = {name: request.POST.get(name, request.GET.get(name, "")) for name in TICKET_FIELDS}
    error_field = None
    if request.method == "POST":
        with refusals_as_messages(request) as refused:
            ticket = services.ticket_create(actor=request.user, **form)
            messages.success(request, _("Ticket %(number)s opened.") % {
                "number": ticket.number})
            return redirect("servicedesk:ticket_detail", ticket_id=ticket.pk)
        error_field = refused.error.field if refused.error else None
    customer = None
    if customer_id := int_param(form["customer_id"]):
        customer = (Customer.objects.visible_to(request.user, customer_perms.CUSTOMER_VIEW)
                    .filter(pk=customer_id).first())
    return render(request, "servicedesk/ticket_new.html", {
        "form": form, "customer": customer, "error_field": error_field,
        "types": TicketType.objects.filter(is_active=True).order_by("name"),
        "teams": Team.objects.filter(is_active=True).order_by("name"),
        "channels": [(c, label) for c, label in Channel.choices
                     if c in services.STAFF_CHANNELS],
        "priorities": Priority.choices})


def _canned(request: HttpRequest, ticket: Any, may_write: bool) -> dict[str, Any]:
    """The ready answers offered on the ticket, and with ``?canned=<id>`` that one filled
    in as the reply's text (the agent adjusts it before sending)."""
    if not may_write:
        return {"canned": [], "draft": ""}
    offered = list(replies.for_ticket(ticket))
    chosen = next((r for r in offered if str(r.pk) == request.GET.get("canned")), None)
    return {"canned": offered, "chosen": chosen,
            "draft": replies.fill(chosen.body, ticket, request.user) if chosen else ""}


@scoped("branch")
@login_required
def ticket_detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = selectors.ticket_get(user=request.user, ticket_id=ticket_id)
    actions = weighty.offered_actions(ticket, request.user)
    may_write = ticket.status != TicketStatus.CLOSED and (
        services.is_member(ticket, request.user) and org_perms.can(
            request.user, perms.TICKET_HANDLE.code)
        or org_perms.can(request.user, perms.TICKET_HANDLE.code, ticket.branch_id))
    members = []
    if may_write and ticket.is_open and services.may_assign(ticket, request.user):
        members = list(TeamMember.objects.filter(team=ticket.team, employee__is_active=True)
                       .select_related("employee").order_by("employee__last_name"))
    conversation = list(selectors.conversation(ticket))
    origins.attach(ticket, conversation)
    return render(request, "servicedesk/ticket_detail.html", {
        "ticket": ticket, "conversation": conversation,
        "actions": [(a, TICKET_FLOW.transitions[a].label) for a in actions],
        "clocks": services.clocks(ticket), "may_write": may_write, "members": members,
        "links": links.links_for(request.user, ticket),
        "may_transfer": may_write and ticket.is_open,
        "handles": [handle(e) for e in services.mention_candidates(ticket)
                    if e.pk != request.user.pk][:12] if may_write else [],
        **_canned(request, ticket, may_write), **_weighty_and_links(request, ticket, may_write),
        "may_take": may_write and ticket.is_open and ticket.assignee_id != request.user.pk
        and services.is_member(ticket, request.user)})


def _weighty_and_links(request: HttpRequest, ticket: Any, may_write: bool) -> dict[str, Any]:
    """The ticket page's weighty matter (its reason, the proposal waiting and the
    decision's form, or the proposal's form) and its links: merged into, merged here,
    split from and split into."""
    from punkt.servicedesk.models import TicketDecision

    decider = weighty.may_decide(ticket, request.user)
    waiting = (weighty.pending(ticket)
               if ticket.status == TicketStatus.AWAITING_DECISION else None)
    me = getattr(request.user, "pk", None)
    seen = selectors.tickets(request.user)
    allowed = services.allowed_actions(ticket, request.user) if may_write else []
    # the linked tickets' ids first (their own indexes), then which of them I may see:
    # "ORDER BY id LIMIT" over the visibility filter walked the whole table (1.2 s at 2M)
    merged_ids, split_ids = selectors.linked_ids(ticket)
    merged_here = list(seen.filter(pk__in=merged_ids).order_by("id")) if merged_ids else []
    return {
        "decider": decider, "decision": waiting,
        "may_decide": waiting is not None and decider and waiting.proposed_by_id != me,
        "may_propose": ticket.weighty and not decider and "propose" in allowed,
        "may_amount": may_write and ticket.is_open,
        "past_decisions": list(TicketDecision.objects.filter(ticket=ticket)
                               .exclude(outcome="pending")
                               .select_related("proposed_by", "decided_by")[:10])
        if ticket.weighty else [],
        "merged_here": merged_here,
        "merged_into": seen.filter(pk=ticket.merged_into_id).first()
        if ticket.merged_into_id else None,
        "split_from": seen.filter(pk=ticket.split_from_id).first()
        if ticket.split_from_id else None,
        "split_into": list(seen.filter(pk__in=split_ids).order_by("id")) if split_ids else [],
        "may_merge": "merge" in allowed and not merged_here,
        "may_split": may_write,
    }


@scoped("branch")
@login_required
@require_POST
def ticket_propose(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = selectors.ticket_get(user=request.user, ticket_id=ticket_id)
    with refusals_as_messages(request):
        weighty.propose(actor=request.user, ticket_id=ticket.pk,
                        proposal=request.POST.get("proposal"))
        messages.success(request, _("The proposed resolution went to the manager for a "
                                    "decision."))
    return redirect("servicedesk:ticket_detail", ticket_id=ticket.pk)


@scoped("branch")
@login_required
@require_POST
def ticket_decide(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = selectors.ticket_get(user=request.user, ticket_id=ticket_id)
    decision = request.POST.get("decision", "")
    with refusals_as_messages(request):
        if decision not in weighty.DECISIONS:
            raise ValidationFailed("invalid", _("Accept the resolution or return it."),
                                   field="decision")
        weighty.decide(actor=request.user, ticket_id=ticket.pk,
                       accept=weighty.DECISIONS[decision],
                       comment=request.POST.get("comment", ""))
        messages.success(request, _("Resolution accepted: the answer went to the customer.")
                         if weighty.DECISIONS[decision] else
                         _("Proposed resolution returned to the agent."))
    return redirect("servicedesk:ticket_detail", ticket_id=ticket.pk)


@scoped("branch")
@login_required
@require_POST
def ticket_amount(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = selectors.ticket_get(user=request.user, ticket_id=ticket_id)
    with refusals_as_messages(request):
        saved = weighty.amount_set(actor=request.user, ticket_id=ticket.pk,
                                   amount=request.POST.get("amount"))
        messages.success(request, _("Amount saved: a weighty matter — the manager decides.")
                         if saved.weighty else _("Amount saved."))
    return redirect("servicedesk:ticket_detail", ticket_id=ticket.pk)


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def ticket_merge(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Merge this duplicate into another ticket: one of the customer's, or by number."""
    ticket = selectors.ticket_get(user=request.user, ticket_id=ticket_id)
    form = {"target": request.POST.get("target") or request.POST.get("number", "")}
    error_field = None
    if request.method == "POST":
        with refusals_as_messages(request) as refused:
            into = merging.merge(actor=request.user, ticket_id=ticket.pk,
                                 target=form["target"])
            messages.success(request, _("%(number)s merged into %(into)s.") % {
                "number": ticket.number, "into": into.number})
            return redirect("servicedesk:ticket_detail", ticket_id=into.pk)
        error_field = refused.error.field if refused.error else None
    return render(request, "servicedesk/ticket_merge.html", {
        "ticket": ticket, "form": form, "error_field": error_field,
        "candidates": merging.merge_candidates(ticket, request.user),
        "may_merge": services.may_handle(ticket, request.user)
        and "merge" in services.allowed_actions(ticket, request.user)})


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def ticket_split(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """A new ticket from one of this ticket's messages (``?message=<id>``)."""
    ticket = selectors.ticket_get(user=request.user, ticket_id=ticket_id)
    form = {"message_id": request.POST.get("message_id", request.GET.get("message", "")),
            "subject": request.POST.get("subject", "")}
    error_field = None
    if request.method == "POST":
        with refusals_as_messages(request) as refused:
            new = merging.split(actor=request.user, ticket_id=ticket.pk, **form)
            messages.success(request, _("Ticket %(number)s opened from the message.") % {
                "number": new.number})
            return redirect("servicedesk:ticket_detail", ticket_id=new.pk)
        error_field = refused.error.field if refused.error else None
    conversation = list(selectors.conversation(ticket))
    chosen = next((m for m in conversation if str(m.pk) == str(form["message_id"])), None)
    return render(request, "servicedesk/ticket_split.html", {
        "ticket": ticket, "form": form, "error_field": error_field,
        "conversation": [m for m in conversation if m.body.strip() and not m.internal],
        "chosen": chosen,
        "may_split": services.may_handle(ticket, request.user),
        "subject_max": services.SUBJECT_MAX})


@scoped("list")
@login_required
def control_list(request: HttpRequest) -> HttpResponseBase:
    """The weekly control list (R9.4): the tickets of the manager's branch (the lead's HQ
    teams) resolved by staff alone in a week — the last full week unless picked."""
    from punkt.core.errors import ActionDenied

    if not weighty.may_see_control_list(request.user):
        raise ActionDenied(_("Only managers and HQ team leads see the control list."))
    today = timezone.localdate()
    monday = weighty.week_param(request.GET.get("week"), today)
    iso = monday.isocalendar()
    week = f"{iso.year}-W{iso.week:02d}"
    qs = weighty.control_list(request.user, monday)
    if request.GET.get("format") == "csv":
        rows: list[Any] = list(qs[:50_000])
        audit_record(action="servicedesk.control_list.export", actor=request.user,
                     message=f"{week}: {len(rows)}")
        return csv_response(f"lista-kontrolna-{week}.csv", [
            _("Number"), _("Subject"), _("Customer"), _("Branch"), _("Team"), _("Type"),
            _("Resolved by"), _("Opened"), _("Resolved"), _("Time to resolve"),
            _("Answer sent")], [
            [t.number, t.subject, t.customer.display_name if t.customer else "",
             t.branch.name, t.team.name, t.type.name,
             t.resolved_by.full_name if t.resolved_by else "",
             timezone.localtime(t.created_at).strftime("%Y-%m-%d %H:%M"),
             timezone.localtime(t.resolved_at).strftime("%Y-%m-%d %H:%M"),
             weighty.hours(t.resolved_at - t.created_at), t.answer or ""] for t in rows])
    listing = paginate(request, qs, sort="resolved_at", per_page=100)
    for row in listing.page.object_list:
        row.took = weighty.hours(row.resolved_at - row.created_at)
    return render(request, "servicedesk/control_list.html", {
        "listing": listing, "week": week, "monday": monday,
        "sunday": monday + datetime.timedelta(days=6),
        "previous": _iso(monday - datetime.timedelta(days=7)),
        "next": _iso(monday + datetime.timedelta(days=7))
        if monday + datetime.timedelta(days=7) <= today else ""})


def _iso(day: datetime.date) -> str:
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


@scoped("branch")
@login_required
@require_POST
def ticket_reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = selectors.ticket_get(user=request.user, ticket_id=ticket_id)
    internal = request.POST.get("internal") == "1"
    with refusals_as_messages(request):
        if internal:
            services.note(actor=request.user, ticket_id=ticket.pk, body=request.POST.get("body"))
            messages.success(request, _("Note saved."))
        else:
            services.reply(actor=request.user, ticket_id=ticket.pk,
                           body=request.POST.get("body"))
            messages.success(request, _("Reply saved."))
    return redirect("servicedesk:ticket_detail", ticket_id=ticket.pk)


@scoped("branch")
@login_required
@require_POST
def ticket_act(request: HttpRequest, ticket_id: int, action: str) -> HttpResponse:
    ticket = selectors.ticket_get(user=request.user, ticket_id=ticket_id)
    with refusals_as_messages(request):
        if action not in TICKET_FLOW.transitions:
            raise ValidationFailed("invalid", _("Unknown action."), field="action")
        services.ticket_move(actor=request.user, ticket_id=ticket.pk, action=action)
        messages.success(request, _("Ticket saved."))
    return redirect("servicedesk:ticket_detail", ticket_id=ticket.pk)


@scoped("branch")
@login_required
@require_POST
def ticket_assign(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = selectors.ticket_get(user=request.user, ticket_id=ticket_id)
    with refusals_as_messages(request):
        services.assign(actor=request.user, ticket_id=ticket.pk,
                        assignee_id=request.POST.get("assignee_id"))
        messages.success(request, _("Ticket saved."))
    return redirect("servicedesk:ticket_detail", ticket_id=ticket.pk)


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def ticket_transfer(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Transfer to another team or department: the form keeps the input and marks the
    field a refusal names."""
    ticket = selectors.ticket_get(user=request.user, ticket_id=ticket_id)
    form = {"team_id": request.POST.get("team_id", ""),
            "reason": request.POST.get("reason", "")}
    error_field = None
    if request.method == "POST":
        with refusals_as_messages(request) as refused:
            moved = services.transfer(actor=request.user, ticket_id=ticket.pk, **form)
            messages.success(request, _("Ticket %(number)s transferred to %(team)s.") % {
                "number": moved.number, "team": moved.team})
            if selectors.tickets(request.user).filter(pk=moved.pk).exists():
                return redirect("servicedesk:ticket_detail", ticket_id=moved.pk)
            return redirect("servicedesk:queue")
        error_field = refused.error.field if refused.error else None
    return render(request, "servicedesk/ticket_transfer.html", {
        "ticket": ticket, "form": form, "error_field": error_field,
        "teams": services.transfer_targets(ticket),
        "may_transfer": ticket.is_open and services.may_handle(ticket, request.user),
        "reason_max": services.REASON_MAX})


@scoped("list")
@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.TEAM_MANAGE.code)
    branch = int_param(request.GET.get("branch"))
    qs = selectors.teams(request.user)
    if branch:
        qs = qs.filter(branch_id=branch)
    rows = list(qs.order_by("name")[:500])
    counts: dict[int, list[str]] = {}
    for m in (TeamMember.objects.filter(team__in=rows).select_related("employee")
              .order_by("-is_lead", "employee__last_name")):
        counts.setdefault(m.team_id, []).append(
            m.employee.full_name + (" ★" if m.is_lead else ""))
    for row in rows:
        row.member_names = counts.get(row.pk, [])  # type: ignore[attr-defined]
    return render(request, "servicedesk/team_list.html", {
        "teams": rows, "picker": branch_picker(request.user, perms.TEAM_MANAGE.code, branch),
    })


def _team_form(request: HttpRequest, team: Team | None) -> dict[str, Any]:
    if request.method == "POST":
        return {"name": request.POST.get("name", ""), "kind": request.POST.get("kind", ""),
                "branch_id": request.POST.get("branch_id", ""),
                "is_active": request.POST.get("is_active") == "1",
                "routing": request.POST.get("routing", ""),
                "hours": {k: request.POST.get(f"hours_{k}", "") for k in WEEKDAY_KEYS}}
    if team is None:
        return {"name": "", "kind": TeamKind.BRANCH_OFFICE, "branch_id": "", "is_active": True,
                "routing": Routing.LEAST_OPEN, "hours": dict(services.OFFICE_HOURS)}
    return {"name": team.name, "kind": team.kind, "branch_id": str(team.branch_id),
            "is_active": team.is_active, "routing": team.routing,
            "hours": dict(team.hours or {})}


def _team_page(request: HttpRequest, team: Team | None) -> HttpResponse:
    from punkt.organization.models import Branch, Weekday

    form = _team_form(request, team)
    error_field = None
    if request.method == "POST":
        with refusals_as_messages(request) as refused, transaction.atomic():
            saved = services.team_save(actor=request.user, team_id=team.pk if team else None,
                                       name=form["name"], kind=form["kind"],
                                       branch_id=form["branch_id"], hours=form["hours"],
                                       is_active=form["is_active"], routing=form["routing"])
            if team is not None and "members" in request.POST:  # "" marks the list present
                services.team_members_set(
                    actor=request.user, team_id=saved.pk,
                    members=[m for m in request.POST.getlist("members") if m],
                    leads=[m for m in request.POST.getlist("leads") if m])
            messages.success(request, _("Team saved."))
            return redirect("servicedesk:team_edit", team_id=saved.pk)
        error_field = refused.error.field if refused.error else None
    branches = Branch.objects.visible_to(request.user, perms.TEAM_MANAGE).filter(is_active=True)
    members: dict[int, bool] = {}
    candidates: list[Any] = []
    if team is not None:
        members = dict(TeamMember.objects.filter(team=team)
                       .values_list("employee_id", "is_lead"))
        candidates = services.team_candidates(team)
    return render(request, "servicedesk/team_edit.html", {
        "team": team, "form": form, "error_field": error_field,
        "days": [(k, Weekday(i).label, form["hours"].get(k, ""))
                 for i, k in enumerate(WEEKDAY_KEYS)],
        "kinds": TeamKind.choices, "routings": Routing.choices,
        "branches": branches.order_by("name"),
        "members": members, "candidates": candidates})


@scoped("self")
@login_required
@require_http_methods(["GET", "POST"])
def team_new(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.TEAM_MANAGE.code)
    return _team_page(request, None)


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, team_id: int) -> HttpResponse:
    team = selectors.team_get(user=request.user, team_id=team_id)
    return _team_page(request, team)


@scoped("global")
@login_required
def type_list(request: HttpRequest) -> HttpResponse:
    """HQ's ticket types with their default team and SLA targets per priority."""
    org_perms.ensure(request.user, perms.TYPE_MANAGE.code)
    types = list(TicketType.objects.select_related("default_team")
                 .prefetch_related("targets").order_by("-is_active", "name"))
    rows = [(t, ticket_types.target_rows(t)) for t in types]
    return render(request, "servicedesk/type_list.html", {
        "rows": rows, "defaults": ticket_types.target_rows(None)})


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def type_new(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.TYPE_MANAGE.code)
    return _type_page(request, None)


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def type_edit(request: HttpRequest, type_id: int) -> HttpResponse:
    org_perms.ensure(request.user, perms.TYPE_MANAGE.code)
    return _type_page(request, TicketType.objects.get_or_not_found(
        pk=type_id, missing=_("Ticket type not found.")))


def _type_page(request: HttpRequest, ticket_type: TicketType | None) -> HttpResponse:
    post = request.POST
    typed = ({p: (post.get(f"first_{p}", ""), post.get(f"resolve_{p}", ""))
              for p in Priority.values} if request.method == "POST" else None)
    form: dict[str, Any]
    if request.method == "POST":
        form = {"name": post.get("name", ""), "default_team_id": post.get("default_team", ""),
                "weight": post.get("weight", ""),
                "amount_threshold": post.get("amount_threshold", ""),
                "is_active": post.get("is_active") == "1"}
    elif ticket_type is not None:
        form = {"name": ticket_type.name,
                "default_team_id": str(ticket_type.default_team_id or ""),
                "weight": str(ticket_type.weight),
                "amount_threshold": "" if ticket_type.amount_threshold is None
                else str(ticket_type.amount_threshold).replace(".", ","),
                "is_active": ticket_type.is_active}
    else:
        form = {"name": "", "default_team_id": "", "weight": "1", "amount_threshold": "",
                "is_active": True}
    error_field = None
    if request.method == "POST":
        with refusals_as_messages(request) as refused:
            saved = ticket_types.type_save(
                actor=request.user, type_id=ticket_type.pk if ticket_type else None,
                targets=typed or {}, **form)
            messages.success(request, _("Ticket type saved."))
            return redirect("servicedesk:type_edit", type_id=saved.pk)
        error_field = refused.error.field if refused.error else None
    return render(request, "servicedesk/type_edit.html", {
        "ticket_type": ticket_type, "form": form, "error_field": error_field,
        "targets": ticket_types.target_rows(ticket_type, typed),
        # an inactive default team stays offered, or saving would silently drop it
        "teams": Team.objects.filter(Q(is_active=True) | Q(
            pk=getattr(ticket_type, "default_team_id", None) or 0)).select_related(
            "branch").order_by("name"),
        "weighty_from": weighty.type_weight()})


@scoped("self")
@login_required
def call(request: HttpRequest) -> HttpResponse:
    """The call screen: who is calling from ``?number=`` (a telephony system opens it on
    the agent's screen, or the agent types the number), their open tickets with a note
    box each, and a new ticket from the call — at most three clicks to log it."""
    org_perms.ensure(request.user, perms.TICKET_VIEW.code)
    number = text_param(request.GET.get("number"), 40)
    found, error = None, ""
    if number:
        try:
            found = selectors.caller(user=request.user, number=number)
        except ValidationFailed as exc:
            error = exc.message
    return render(request, "servicedesk/call.html", {
        "number": number, "found": found, "error": error,
        "can_create": org_perms.can(request.user, perms.TICKET_CREATE.code),
        "can_note": org_perms.can(request.user, perms.TICKET_HANDLE.code),
        "types": TicketType.objects.filter(is_active=True).order_by("name")})


@scoped("list")
@login_required
@reads_reports
def report(request: HttpRequest) -> HttpResponseBase:
    """Tickets in and out, response and resolution times against the SLA, breaches, the
    backlog by age and the workload per person, for a period (this month by default)."""
    org_perms.ensure(request.user, perms.REPORT_VIEW.code)
    today = timezone.localdate()
    start = date_param(request.GET.get("from")) or today.replace(day=1)
    end = date_param(request.GET.get("to")) or today
    if end < start:
        start, end = end, start
    end = min(end, start + datetime.timedelta(days=366))
    branch = request.GET.get("branch", "")
    found = reports.desk_report(user=request.user, start=start, end=end,
                                by=request.GET.get("by", "team"), branch_id=int_param(branch),
                                team_id=int_param(request.GET.get("team")))
    if request.GET.get("format") == "csv":
        audit_record(action="servicedesk.report.export", actor=request.user,
                     message=f"{found.by} {start}–{end}")
        return csv_response(f"zgloszenia-{found.by}-{start}-{end}.csv", [
            str(reports.BY[found.by]), _("Opened"), _("Resolved"),
            _("First response, median (h)"), _("First response, p90 (h)"),
            _("First response in SLA (%)"), _("Resolution, median (h)"),
            _("Resolution, p90 (h)"), _("Resolution in SLA (%)"), _("Breached")],
            reports.csv_rows(found))
    return render(request, "servicedesk/report.html", {
        "report": found, "choices": reports.BY.items(),
        "teams": selectors.report_teams(request.user),
        "team": request.GET.get("team", ""),
        "picker": branch_picker(request.user, perms.REPORT_VIEW.code, branch)})


@scoped("list")
@login_required
def reply_list(request: HttpRequest) -> HttpResponse:
    """The ready answers of the teams the user keeps (and HQ's company-wide ones)."""
    org_perms.ensure(request.user, perms.TEAM_MANAGE.code)
    return render(request, "servicedesk/reply_list.html", {
        "rows": replies.kept_by(request.user)[:500]})


def _reply_page(request: HttpRequest, reply: Any) -> HttpResponse:
    form = {"team_id": request.POST.get("team_id", ""), "title": request.POST.get("title", ""),
            "body": request.POST.get("body", ""),
            "is_active": request.POST.get("is_active") == "1"} if request.method == "POST" \
        else {"team_id": str(reply.team_id or "") if reply else "",
              "title": reply.title if reply else "", "body": reply.body if reply else "",
              "is_active": reply.is_active if reply else True}
    error_field = None
    if request.method == "POST":
        with refusals_as_messages(request) as refused:
            saved = replies.reply_save(actor=request.user, reply_id=reply.pk if reply else None,
                                       **form)
            messages.success(request, _("Ready answer saved."))
            return redirect("servicedesk:reply_edit", reply_id=saved.pk)
        error_field = refused.error.field if refused.error else None
    hq = branch_ids_visible(request.user, perms.TEAM_MANAGE) is None
    return render(request, "servicedesk/reply_edit.html", {
        "reply": reply, "form": form, "error_field": error_field, "hq": hq,
        "teams": Team.objects.visible_to(request.user, perms.TEAM_MANAGE)
        .filter(is_active=True).order_by("name")})


@scoped("self")
@login_required
@require_http_methods(["GET", "POST"])
def reply_new(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.TEAM_MANAGE.code)
    return _reply_page(request, None)


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def reply_edit(request: HttpRequest, reply_id: int) -> HttpResponse:
    org_perms.ensure(request.user, perms.TEAM_MANAGE.code)
    reply = replies.kept_by(request.user).get_or_not_found(
        reply_id, missing=_("Ready answer not found."))
    return _reply_page(request, reply)
