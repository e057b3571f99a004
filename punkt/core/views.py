from __future__ import annotations

import datetime
import uuid

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.core import access as perms
from punkt.core.errors import NotFound
from punkt.core.models import AuditEvent, AuditOutcome, JobProgress
from punkt.core.navigation import PANELS
from punkt.core.paging import paginate
from punkt.core.permissions import AUDIT_VIEW
from punkt.core.routes import scoped
from punkt.core.web import is_htmx


@scoped("self")
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    access = perms.access_of(request.user)
    panels = []
    for panel in PANELS:
        if panel.action is not None and not access.can(panel.action):
            continue
        if panel.roles and not (panel.roles & access.roles):
            continue
        ctx = panel.build(request)
        if ctx is not None:
            panels.append({"title": panel.title, "template": panel.template, "ctx": ctx})
    return render(request, "core/dashboard.html", {"panels": panels})


AUDIT_SORTS = {"at": "at", "-at": "-at"}


def _parse_day(value: str | None) -> datetime.date | None:
    try:
        day = datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day is not None and 1900 <= day.year <= 9000 else None


@scoped("global")
@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    perms.ensure(request.user, AUDIT_VIEW.code)
    qs = AuditEvent.objects.all()
    g = request.GET
    if g.get("actor"):
        qs = qs.filter(actor_label__icontains=g["actor"].strip()[:100])
    if g.get("action"):
        qs = qs.filter(action__startswith=g["action"].strip()[:100])
    if g.get("outcome") in AuditOutcome.values:
        qs = qs.filter(outcome=g["outcome"])
    if g.get("branch", "").isdigit():
        qs = qs.filter(branch_id=int(g["branch"]))
    if g.get("object_type"):
        qs = qs.filter(object_type=g["object_type"].strip()[:100])
    if g.get("object_id"):
        qs = qs.filter(object_id=g["object_id"].strip()[:64])
    tz = timezone.get_current_timezone()
    if day := _parse_day(g.get("since")):
        qs = qs.filter(at__gte=datetime.datetime.combine(day, datetime.time.min, tz))
    if day := _parse_day(g.get("until")):
        qs = qs.filter(at__lt=datetime.datetime.combine(day + datetime.timedelta(days=1),
                                                        datetime.time.min, tz))
    sort = g.get("sort", "-at")
    qs = qs.order_by(AUDIT_SORTS.get(sort, "-at"), "-pk")
    listing = paginate(request, qs, sort=sort, per_page=50)
    template = "core/audit_list.html"
    if is_htmx(request):
        template += "#results"
    return render(request, template, {"listing": listing, "outcomes": AuditOutcome.choices})


@scoped("self")
@login_required
def job_detail(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    job = JobProgress.objects.filter(pk=job_id, owner_id=request.user.pk).first()
    if job is None:
        raise NotFound(_("Job not found."))
    template = "core/job_detail.html"
    if is_htmx(request):
        template += "#progress"
    return render(request, template, {"job": job})


@scoped("public")
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@scoped("public")
def not_found(request: HttpRequest) -> HttpResponse:
    raise Http404
