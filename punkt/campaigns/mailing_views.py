"""Pages of mass mailings (R15.2): the list, the form with the segment's live count, the
mailing page with its progress, steps, a test message and a sample of recipients. Thin:
every change is a ``services.mailing`` call."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from punkt.campaigns import permissions as perms
from punkt.campaigns.forms import MailingForm
from punkt.campaigns.models import Mailing, MailingStatus
from punkt.campaigns.services import mailing as svc
from punkt.campaigns.workflows import MAILING_FLOW
from punkt.core.errors import Conflict, ValidationFailed
from punkt.core.forms import apply_error
from punkt.core.paging import paginate
from punkt.core.routes import scoped
from punkt.core.web import int_param, is_htmx, refusals_as_messages, text_param
from punkt.organization import permissions as org_perms
from punkt.organization.filters import branch_picker
from punkt.organization.models import Branch, BranchKind


@scoped("list")
@login_required
def mailing_list(request: HttpRequest) -> HttpResponse:
    status = text_param(request.GET.get("status"), 20)
    branch = int_param(request.GET.get("branch"))
    qs = svc.mailing_list(user=request.user, status=status, branch_id=branch)
    listing = paginate(request, qs, sort="created_at", per_page=50)
    template = "campaigns/mailing_list.html" + ("#results" if is_htmx(request) else "")
    return render(request, template, {
        "listing": listing, "status": status, "statuses": MailingStatus.choices,
        "picker": branch_picker(request.user, perms.MAILING_VIEW.code, branch),
        "can_plan": org_perms.can(request.user, perms.MAILING_MANAGE.code)})


def _form(request: HttpRequest, owners: list[Branch], *, mailing: Mailing | None = None
          ) -> MailingForm:
    owner = mailing.branch if mailing else (owners[0] if owners else None)
    hq = owner is not None and owner.kind == BranchKind.HQ
    initial = MailingForm.initial_from(mailing) if mailing else {"channel": "email"}
    return MailingForm(request.POST or None, owners=owners, hq=hq,
                       campaigns=svc.campaigns_for(owner) if owner else [],
                       classes=svc.has_classes(), categories=svc.CATEGORY_CHOICES,
                       editing=mailing is not None, initial=initial)


@scoped("self")
@login_required
@require_http_methods(["GET", "POST"])
def mailing_new(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.MAILING_MANAGE.code)
    owners = svc.planning_branches(request.user)
    form = _form(request, owners)
    if request.method == "POST" and form.is_valid():
        try:
            mailing = svc.mailing_create(actor=request.user, data=form.data_for_service())
        except (ValidationFailed, Conflict) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Mailing saved as a draft: check the count and "
                                        "send yourself a test."))
            return redirect("campaigns:mailing_detail", mailing_id=mailing.pk)
    return _render_form(request, form, None)


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def mailing_edit(request: HttpRequest, mailing_id: int) -> HttpResponse:
    mailing = svc.mailing_get(user=request.user, mailing_id=mailing_id)
    MAILING_FLOW.ensure_can(mailing, "edit", actor=request.user)
    form = _form(request, [mailing.branch], mailing=mailing)
    if request.method == "POST" and form.is_valid():
        data = form.data_for_service()
        try:
            svc.mailing_update(actor=request.user, mailing_id=mailing.pk, data=data)
        except (ValidationFailed, Conflict) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Mailing saved."))
            return redirect("campaigns:mailing_detail", mailing_id=mailing.pk)
    return _render_form(request, form, mailing)


def _render_form(request: HttpRequest, form: MailingForm, mailing: Mailing | None
                 ) -> HttpResponse:
    visible = list(form.visible_fields())
    return render(request, "campaigns/mailing_form.html", {
        "form": form, "mailing": mailing, "has_classes": svc.has_classes(),
        "message_fields": [f for f in visible if not f.name.startswith("segment_")],
        "segment_fields": [f for f in visible if f.name.startswith("segment_")]},
        status=422 if request.method == "POST" else 200)


@scoped("self")
@login_required
@require_GET
def mailing_count(request: HttpRequest) -> HttpResponse:
    """The form's live count (htmx): the segment, with consent, reachable."""
    org_perms.ensure(request.user, perms.MAILING_MANAGE.code)
    owners = svc.planning_branches(request.user)
    mailing_id = int_param(request.GET.get("mailing"))
    if mailing_id:
        owners = [svc.mailing_get(user=request.user, mailing_id=mailing_id).branch]
    form = _form(request, owners)
    form.data = request.GET
    form.is_bound = True
    counts, error = None, None
    form.is_valid()  # the name and text may still be empty: only the segment counts here
    if not any(name == "channel" or name.startswith("segment_") for name in form.errors):
        data = form.data_for_service()
        try:
            counts = svc.segment_counts(actor=request.user, channel=data["channel"],
                                        segment=data["segment"],
                                        branch_id=data["branch"] or owners[0].pk)
        except (ValidationFailed, Conflict) as exc:
            error = exc.message
    else:
        error = _("Fill in the segment to see the count.")
    return render(request, "campaigns/partials/mailing_count.html", {
        "counts": counts, "error": error, "channel": request.GET.get("channel", "email")})


@scoped("branch")
@login_required
def mailing_detail(request: HttpRequest, mailing_id: int) -> HttpResponse:
    mailing = svc.mailing_get(user=request.user, mailing_id=mailing_id)
    counts = None
    if mailing.status == MailingStatus.DRAFT:
        counts = svc.counts_of(mailing)
    actions = [(a, MAILING_FLOW.transition(a).label)
               for a in svc.allowed_actions(mailing, request.user) if a != "edit"]
    return render(request, "campaigns/mailing_detail.html", {
        "mailing": mailing, "counts": counts, "progress": svc.progress(mailing),
        "sample": svc.recipients_sample(mailing), "actions": actions,
        "can_edit": "edit" in svc.allowed_actions(mailing, request.user),
        "can_test": org_perms.can(request.user, perms.MAILING_MANAGE.code, mailing.branch_id),
        "segment": _segment_text(mailing), "rate": svc.rate_for(mailing.channel)})


def _segment_text(mailing: Mailing) -> list[tuple[str, str]]:
    """The segment in words for the mailing page."""
    from punkt.customers.models import CustomerKind

    s = mailing.segment or {}
    out: list[tuple[str, str]] = []
    if mailing.branch.kind == BranchKind.HQ:
        branch = Branch.objects.filter(pk=int(s["branch_id"])).first() if s.get(
            "branch_id") else None
        out.append((_("Customers of the branch"), branch.name if branch else _("all branches")))
    if s.get("kind"):
        out.append((_("Customer type"), str(CustomerKind(s["kind"]).label)))
    if s.get("city"):
        out.append((_("City"), s["city"]))
    if s.get("segment"):
        labels = dict(opt for _g, group in _segment_groups() for opt in group)
        out.append((_("Segment"), str(labels.get(s["segment"], s["segment"]))))
    if s.get("created_from") or s.get("created_to"):
        out.append((_("Registered"), f"{s.get('created_from') or '…'} – "
                                     f"{s.get('created_to') or '…'}"))
    for key, label in (("abc", _("ABC class")), ("xyz", _("XYZ class"))):
        if s.get(key):
            out.append((label, ", ".join(s[key])))
    if s.get("category"):
        names = dict(svc.CATEGORY_CHOICES)
        out.append((_("Customer category"), ", ".join(str(names.get(c, c))
                                                      for c in s["category"])))
    return out


def _segment_groups() -> list[tuple[str, Any]]:
    from punkt.campaigns.forms import _segment_choices

    return [g for g in _segment_choices() if isinstance(g[1], list)]


@scoped("branch")
@login_required
@require_POST
def mailing_act(request: HttpRequest, mailing_id: int, action: str) -> HttpResponse:
    mailing = svc.mailing_get(user=request.user, mailing_id=mailing_id)
    with refusals_as_messages(request):
        svc.mailing_move(actor=request.user, mailing_id=mailing.pk, action=action)
        messages.success(request, _("Done: %(step)s.") % {
            "step": MAILING_FLOW.transition(action).label})
    return redirect("campaigns:mailing_detail", mailing_id=mailing.pk)


@scoped("branch")
@login_required
@require_POST
def mailing_test(request: HttpRequest, mailing_id: int) -> HttpResponse:
    mailing = svc.mailing_get(user=request.user, mailing_id=mailing_id)
    with refusals_as_messages(request):
        to = svc.mailing_test(actor=request.user, mailing_id=mailing.pk,
                              to=request.POST.get("to", ""))
        messages.success(request, _("Test message sent to %(to)s.") % {"to": to})
    return redirect("campaigns:mailing_detail", mailing_id=mailing.pk)
