"""Pages of shop windows and interiors: the branch's display tasks, the task page (the
guidance, its reference photos, the photos sent as evidence shown as thumbnails, the
steps), the guidance list and HQ's overview of one guidance across the branches, the form
issuing guidance, and the photos themselves (served through their record only). Thin:
every change is a service call."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from punkt.core import files
from punkt.core.errors import Conflict, ValidationFailed
from punkt.core.forms import apply_error
from punkt.core.paging import paginate
from punkt.core.routes import scoped
from punkt.core.web import int_param, is_htmx, refusals_as_messages, text_param
from punkt.displays import permissions as perms
from punkt.displays import selectors, services
from punkt.displays.forms import CompleteForm, GuidanceForm
from punkt.displays.models import TaskStatus
from punkt.displays.workflows import TASK_FLOW
from punkt.organization import permissions as org_perms
from punkt.organization.filters import branch_picker
from punkt.organization.models import BranchKind
from punkt.organization.permissions import EMPLOYEE_VIEW

FILTER_LABELS = {"open": gettext_lazy("to do and returned"),
                 "overdue": gettext_lazy("overdue"), "all": gettext_lazy("all")}


@scoped("list")
@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    """My branch's display tasks (HQ: every branch's), the most urgent first."""
    org_perms.ensure(request.user, perms.DISPLAY_VIEW.code)
    status = text_param(request.GET.get("status"), 20) or "open"
    if status not in selectors.STATUS_FILTERS:
        status = "open"
    q = text_param(request.GET.get("q"), 100)
    branch = int_param(request.GET.get("branch"))
    guidance = int_param(request.GET.get("guidance"))
    qs = selectors.task_list(user=request.user, status=status, branch_id=branch,
                             guidance_id=guidance, q=q)
    listing = paginate(request, qs, sort="due_on", per_page=50)
    today = timezone.localdate()
    for t in listing.page:
        t.overdue = t.is_overdue(today)
    template = "displays/task_list.html" + ("#results" if is_htmx(request) else "")
    return render(request, template, {
        "listing": listing, "status": status, "q": q, "guidance": guidance,
        "statuses": [("open", FILTER_LABELS["open"]), ("overdue", FILTER_LABELS["overdue"]),
                     *TaskStatus.choices, ("all", FILTER_LABELS["all"])],
        "picker": branch_picker(request.user, perms.DISPLAY_VIEW.code, branch),
        "can_issue": org_perms.can(request.user, perms.DISPLAY_ISSUE.code)})


@scoped("list")
@login_required
def guidance_list(request: HttpRequest) -> HttpResponse:
    """The guidance issued to the branches the user sees, with how far each got."""
    org_perms.ensure(request.user, perms.DISPLAY_VIEW.code)
    q = text_param(request.GET.get("q"), 100)
    branch = int_param(request.GET.get("branch"))
    qs = selectors.guidance_list(user=request.user, q=q, branch_id=branch)
    listing = paginate(request, qs, sort="-created_at", per_page=50)
    template = "displays/guidance_list.html" + ("#results" if is_htmx(request) else "")
    return render(request, template, {
        "listing": listing, "q": q,
        "picker": branch_picker(request.user, perms.DISPLAY_VIEW.code, branch),
        "can_issue": org_perms.can(request.user, perms.DISPLAY_ISSUE.code)})


@scoped("self")
@login_required
@require_http_methods(["GET", "POST"])
def guidance_new(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.DISPLAY_ISSUE.code)
    owners = services.issuing_branches(request.user)
    hq = bool(owners) and owners[0].kind == BranchKind.HQ
    chosen = int_param(request.POST.get("branch")) if request.method == "POST" else None
    owner = next((b for b in owners if b.pk == chosen), owners[0] if owners else None)
    form = GuidanceForm(request.POST or None, request.FILES or None, owners=owners, hq=hq,
                        materials=services.material_choices(owner) if owner else [],
                        campaigns=services.campaign_choices(request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        photos = data.pop("photos", [])
        try:
            guidance = services.guidance_issue(actor=request.user, data=data, photos=photos)
        except (ValidationFailed, Conflict) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Guidance issued: %(n)d display tasks.")
                             % {"n": guidance.tasks.count()})
            return redirect("displays:guidance_detail", guidance_id=guidance.pk)
    return render(request, "displays/guidance_form.html", {"form": form, "hq": hq})


@scoped("branch")
@login_required
def guidance_detail(request: HttpRequest, guidance_id: int) -> HttpResponse:
    """HQ's overview of one guidance: which branches have the display accepted, which are
    waiting for a check, returned or overdue (a branch sees its own task)."""
    guidance = selectors.guidance_get(user=request.user, guidance_id=guidance_id)
    return render(request, "displays/guidance_detail.html", {
        "guidance": guidance, "overview": selectors.overview(user=request.user,
                                                             guidance=guidance),
        "photos": selectors.reference_photos(guidance), "statuses": TaskStatus.choices})


@scoped("branch")
@login_required
def guidance_photo(request: HttpRequest, guidance_id: int, photo_id: int) -> FileResponse:
    row = selectors.reference_photo(user=request.user, guidance_id=guidance_id,
                                    photo_id=photo_id)
    return files.response_for(row.stored, row.name, row.content_type, area=services.AREA)


def _task_page(request: HttpRequest, task: Any, form: CompleteForm | None = None
               ) -> HttpResponse:
    actions = services.allowed_actions(task, request.user)
    photos = selectors.task_photos(task)
    return render(request, "displays/task_detail.html", {
        "task": task, "guidance": task.guidance,
        "reference": selectors.reference_photos(task.guidance),
        "photos": [p for p in photos if p.round == task.round],
        "earlier": [p for p in photos if p.round != task.round],
        "overdue": task.is_overdue(),
        "form": (form or CompleteForm()) if "complete" in actions else None,
        "can_people": org_perms.can(request.user, EMPLOYEE_VIEW.code, task.branch_id),
        "checks": [(a, TASK_FLOW.transition(a).label) for a in actions if a != "complete"],
        "own_work": services.did_it(task, request.user)
        and org_perms.can(request.user, perms.DISPLAY_CHECK.code, task.branch_id)
        and task.status == TaskStatus.COMPLETED})


@scoped("branch")
@login_required
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    return _task_page(request, selectors.task_get(user=request.user, task_id=task_id))


@scoped("branch")
@login_required
@require_POST
def task_complete(request: HttpRequest, task_id: int) -> HttpResponse:
    task = selectors.task_get(user=request.user, task_id=task_id)
    form = CompleteForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.task_complete(actor=request.user, task_id=task.pk,
                                   photos=form.cleaned_data["photos"],
                                   comment=form.cleaned_data["comment"])
        except (ValidationFailed, Conflict) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Display done: the photos went to the manager."))
            return redirect("displays:task_detail", task_id=task.pk)
    return _task_page(request, selectors.task_get(user=request.user, task_id=task.pk), form)


@scoped("branch")
@login_required
@require_POST
def task_act(request: HttpRequest, task_id: int, action: str) -> HttpResponse:
    task = selectors.task_get(user=request.user, task_id=task_id)
    with refusals_as_messages(request):
        services.task_check(actor=request.user, task_id=task.pk, action=action,
                            reason=request.POST.get("reason", ""))
        messages.success(request, _("Display accepted.") if action == "accept"
                         else _("Display returned to the branch to redo."))
    return redirect("displays:task_detail", task_id=task.pk)


@scoped("branch")
@login_required
def task_photo(request: HttpRequest, task_id: int, photo_id: int) -> FileResponse:
    row = selectors.task_photo(user=request.user, task_id=task_id, photo_id=photo_id)
    return files.response_for(row.stored, row.name, row.content_type, area=services.AREA)
