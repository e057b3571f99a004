"""Pages of "my work": today's tasks and what other areas put there, a task's page, the
branch's tasks for the manager, the bell and the notifications list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from punkt.core.paging import paginate
from punkt.core.routes import scoped
from punkt.core.web import int_param, is_htmx, refusals_as_messages, text_param
from punkt.customers import permissions as customer_perms
from punkt.customers.models import Customer
from punkt.organization import permissions as org_perms
from punkt.organization.filters import branch_picker
from punkt.organization.models import Employee, Membership
from punkt.work import permissions as perms
from punkt.work import selectors, services
from punkt.work.models import TaskStatus

TASK_FIELDS = ("title", "assignee_id", "due_at", "remind_at", "notes", "customer_id",
               "subject_type", "subject_id")


@scoped("self")
@login_required
def my_work(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    sections = []
    for section in selectors.SECTIONS:
        context = section.build(request.user, today)
        if context is not None:
            sections.append({"section": section, **context})
    return render(request, "work/my_work.html", {
        "today": today, "tasks": selectors.tasks_by_day(request.user, today),
        "sections": sections,
        "recent": list(selectors.notifications(request.user).order_by("-id")[:8]),
        "can_manage": org_perms.can(request.user, perms.TASK_MANAGE.code)})


def _colleagues(request: HttpRequest) -> list[Employee]:
    """Whom the user may give a task: the staff of the branches where they manage tasks
    (HQ: of the branch chosen with ``?branch=``)."""
    if not org_perms.can(request.user, perms.TASK_MANAGE.code):
        return []
    branch = int_param(request.GET.get("branch") or request.POST.get("branch"))
    staff = Membership.objects.visible_to(request.user, perms.TASK_MANAGE, branch_id=branch)
    if org_perms.access_of(request.user).is_hq and not branch:
        return []
    ids = staff.filter(is_active=True).values("employee_id")
    return list(Employee.objects.filter(pk__in=ids, is_active=True)
                .order_by("last_name", "first_name")[:300])


@scoped("self")
@login_required
@require_http_methods(["GET", "POST"])
def task_new(request: HttpRequest) -> HttpResponse:
    form = {name: request.POST.get(name, request.GET.get(name, "")) for name in TASK_FIELDS}
    error_field = None
    if request.method == "POST":
        with refusals_as_messages(request) as refused:
            task = services.task_create(actor=request.user, branch_id=request.POST.get("branch"),
                                        **form)
            messages.success(request, _("Task saved."))
            back = request.POST.get("next", "")
            if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                                        require_https=request.is_secure()):
                return redirect(back)
            return redirect("work:task_detail", task_id=task.pk)
        error_field = refused.error.field if refused.error else None
    customer = None
    if customer_id := int_param(form["customer_id"]):
        customer = (Customer.objects.visible_to(request.user, customer_perms.CUSTOMER_VIEW)
                    .filter(pk=customer_id).first())
    return render(request, "work/task_new.html", {
        "form": form, "customer": customer, "error_field": error_field,
        "colleagues": _colleagues(request),
        "next": request.GET.get("next", request.POST.get("next", ""))})


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    task = selectors.task_get(user=request.user, task_id=task_id)
    if request.method == "POST":
        with refusals_as_messages(request):
            services.task_update(actor=request.user, task_id=task.pk,
                                 progress=request.POST.get("progress"),
                                 notes=request.POST.get("notes"),
                                 due_at=request.POST.get("due_at", ...),
                                 remind_at=request.POST.get("remind_at", ...))
            messages.success(request, _("Task saved."))
        return redirect("work:task_detail", task_id=task.pk)
    return render(request, "work/task_detail.html", {
        "task": task, "actions": services.allowed_actions(task, request.user),
        "labels": {a: t.label for a, t in services.TASK_FLOW.transitions.items()},
        "subject_url": services.subject_url(request.user, task)})


@scoped("branch")
@login_required
@require_POST
def task_act(request: HttpRequest, task_id: int, action: str) -> HttpResponse:
    task = selectors.task_get(user=request.user, task_id=task_id)
    with refusals_as_messages(request):
        services.task_move(actor=request.user, task_id=task.pk, action=action)
        messages.success(request, _("Task saved."))
    return redirect("work:task_detail", task_id=task.pk)


@scoped("list")
@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.TASK_MANAGE.code)
    branch = int_param(request.GET.get("branch"))
    status = text_param(request.GET.get("status"), 10) or TaskStatus.OPEN
    qs = selectors.branch_tasks(user=request.user, branch_id=branch, status=status,
                                assignee_id=int_param(request.GET.get("assignee")))
    listing = paginate(request, qs.order_by("due_at", "id"), sort="due_at", per_page=50)
    template = "work/task_list.html" + ("#results" if is_htmx(request) else "")
    return render(request, template, {
        "listing": listing, "status": status, "statuses": TaskStatus.choices,
        "picker": branch_picker(request.user, perms.TASK_MANAGE.code, branch),
        "now": timezone.now()})


@scoped("self")
@login_required
def bell(request: HttpRequest) -> HttpResponse:
    """The bell's count, polled by htmx (a fragment)."""
    return render(request, "work/bell.html", {"unread": selectors.unread_count(request.user)})


@scoped("self")
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    listing = paginate(request, selectors.notifications(request.user).order_by("-id"),
                       sort="-id", per_page=30)
    return render(request, "work/notifications.html", {
        "listing": listing, "unread": selectors.unread_count(request.user),
        "digest": selectors.wants_digest(request.user)})


@scoped("self")
@login_required
@require_POST
def digest_set(request: HttpRequest) -> HttpResponse:
    with refusals_as_messages(request):
        pref = services.digest_set(actor=request.user,
                                   enabled=request.POST.get("daily_digest") == "1")
        messages.success(request, _("The daily e-mail summary is on.") if pref.daily_digest
                         else _("The daily e-mail summary is off."))
    return redirect("work:notification_list")


@scoped("self")
@login_required
@require_POST
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    with refusals_as_messages(request):
        row = services.notification_open(actor=request.user, notification_id=notification_id)
        if row.url.startswith("/") and not row.url.startswith("//"):
            return redirect(row.url)
    return redirect("work:notification_list")


@scoped("self")
@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    services.notifications_read_all(actor=request.user)
    return redirect("work:notification_list")
