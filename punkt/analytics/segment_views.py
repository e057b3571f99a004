"""Pages of the segment × product matrix (R12.1, R12.2): the matrix of a segment with the
branch averages, the cross-sell list, the CSV export, and HQ's setup of segments and
their ideal product sets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from punkt.analytics import permissions as perms
from punkt.analytics import segment_matrix as sm
from punkt.analytics import segment_state
from punkt.analytics import segments as seg
from punkt.analytics.models import Segment
from punkt.core.audit import audit_record
from punkt.core.errors import NotFound
from punkt.core.exports import table_response
from punkt.core.paging import paginate
from punkt.core.reauth import recent_authentication_required
from punkt.core.reports import reads_reports
from punkt.core.routes import scoped
from punkt.core.web import int_param, is_htmx, refusals_as_messages, text_param
from punkt.customers.models import Customer
from punkt.organization import permissions as org_perms
from punkt.organization.filters import branch_picker
from punkt.pipeline import permissions as pipeline_perms

PER_PAGE = 50
#: how many customers the matrix counts before it says "more than …"
COUNT_CAP = 10_000


def _chosen(request: HttpRequest, segments: list[Segment]) -> Segment | None:
    wanted = int_param(request.GET.get("segment"))
    return next((s for s in segments if s.pk == wanted), segments[0] if segments else None)


def _state(request: HttpRequest) -> str:
    state = text_param(request.GET.get("state"), 10)
    return state if state in sm.STATES else ""


def _sort(request: HttpRequest) -> str:
    sort = text_param(request.GET.get("sort"), 12)
    return sort if sort in sm.SORTS else "-maturity"


@scoped("list")
@login_required
@reads_reports
def segment_matrix(request: HttpRequest) -> HttpResponse:
    """The matrix of one segment (the first unless chosen) for a branch (HQ: any or all),
    the branch averages of every segment above it."""
    org_perms.ensure(request.user, perms.SEGMENTS_VIEW.code)
    branch = int_param(request.GET.get("branch"))
    segments = seg.ordered()
    segment = _chosen(request, segments)
    state, sort = _state(request), _sort(request)
    targets = sm.targets_of(segment) if segment else []
    listing = None
    rows: list[sm.Row] = []
    if segment is not None:
        qs = sm.matrix_queryset(request.user, segment, segments, targets, branch_id=branch,
                                state=state, sort=sort)
        listing = paginate(request, qs, sort=sort, per_page=PER_PAGE, cap=COUNT_CAP)
        rows = sm.rows_for(list(listing.page.object_list), targets)
    params = {k: v for k, v in {"branch": branch or "", "segment": segment.pk if segment
                                else "", "state": state, "sort": sort}.items() if v}
    template = "analytics/segments.html" + ("#results" if is_htmx(request) else "")
    return render(request, template, {
        "segments": segments, "segment": segment, "targets": targets, "rows": rows,
        "listing": listing, "state": state, "sort": sort,
        "states": [(s, sm.STATE_LABELS[s]) for s in sm.STATES],
        "averages": sm.averages(request.user, segments, branch_id=branch),
        "kept_at": getattr(segment_state.kept(segments), "segments_at", None),
        "rules": seg.rules_text(segment.rules) if segment else "",
        "picker": branch_picker(request.user, perms.SEGMENTS_VIEW.code, branch),
        "base": urlencode({k: v for k, v in params.items() if k in ("branch",)}),
        "export_url": reverse("analytics:segments_export") + "?" + urlencode(params),
        "crosssell_url": reverse("analytics:crosssell") + "?" + urlencode(
            {k: v for k, v in params.items() if k in ("branch", "segment")}),
        "can_export": org_perms.can(request.user, perms.ANALYTICS_EXPORT.code),
        "can_manage": org_perms.can(request.user, perms.SEGMENTS_MANAGE.code)})


@scoped("list")
@login_required
@recent_authentication_required
@reads_reports
def segment_export(request: HttpRequest) -> HttpResponseBase:
    """The matrix of a segment as CSV — every row, as filtered and sorted on the page
    (formula cells neutralised, C25); audited (C26)."""
    org_perms.ensure(request.user, perms.SEGMENTS_VIEW.code)
    org_perms.ensure(request.user, perms.ANALYTICS_EXPORT.code)
    branch = int_param(request.GET.get("branch"))
    segments = seg.ordered()
    segment = _chosen(request, segments)
    state, sort = _state(request), _sort(request)
    audit_record(action="analytics.segments.export", actor=request.user,
                 message=f"segment={getattr(segment, 'pk', '')} branch={branch or ''} "
                         f"state={state} sort={sort}")
    targets = sm.targets_of(segment) if segment else []
    qs = (sm.matrix_queryset(request.user, segment, segments, targets, branch_id=branch,
                             state=state, sort=sort) if segment
          else Customer.objects.none())

    def rows() -> Iterator[list[Any]]:
        chunk: list[Any] = []

        def flush() -> Iterator[list[Any]]:
            for r in sm.rows_for(chunk, targets):
                line = [r.customer.number, r.customer.display_name, r.customer.branch.code,
                        getattr(segment, "name", ""), f"{r.maturity}".replace(".", ","),
                        r.used, r.targets]
                for c in r.cells:
                    line += [str(c.label), c.on.isoformat() if c.on else "", c.record,
                             c.reason]
                yield line

        for customer in qs.iterator(chunk_size=500):
            chunk.append(customer)
            if len(chunk) == 500:
                yield from flush()
                chunk = []
        yield from flush()

    head = [_("Customer number"), _("Customer"), _("Branch"), _("Segment"), _("Maturity (%)"),
            _("Products used"), _("Products targeted")]
    for p in targets:
        head += [p.product.code, _("%(code)s: date") % {"code": p.product.code},
                 _("%(code)s: record") % {"code": p.product.code},
                 _("%(code)s: reason") % {"code": p.product.code}]
    stamp = timezone.localtime().strftime("%Y-%m-%d_%H%M")
    return table_response(request, f"segment_produkty_{stamp}.csv", head, rows())


@scoped("list")
@login_required
@reads_reports
def crosssell(request: HttpRequest) -> HttpResponse:
    """What else to sell the branch's customers: every target product still to sell,
    ranked by value (expected value × ABC weight)."""
    org_perms.ensure(request.user, perms.SEGMENTS_VIEW.code)
    branch = int_param(request.GET.get("branch"))
    segments = seg.ordered()
    segment_id = int_param(request.GET.get("segment"))
    union = sm.suggestions_queryset(request.user, segments, branch_id=branch,
                                    segment_id=segment_id)
    listing = paginate(request, union, sort="-value", per_page=PER_PAGE, cap=COUNT_CAP)
    found = sm.suggestions_for(list(listing.page.object_list), segments)
    return render(request, "analytics/crosssell.html", {
        "listing": listing, "found": found, "segments": segments, "segment_id": segment_id,
        "picker": branch_picker(request.user, perms.SEGMENTS_VIEW.code, branch),
        "refusal_days": sm.refusal_days(),
        "matrix_url": reverse("analytics:segments") + "?" + urlencode(
            {k: v for k, v in {"branch": branch or "", "segment": segment_id or ""}.items()
             if v}),
        "can_start": org_perms.can(request.user, pipeline_perms.OPPORTUNITY_EDIT.code)})


# --- HQ's setup ---------------------------------------------------------------------------

def _rules_from(post: Any) -> dict[str, list[str]]:
    rules: dict[str, list[str]] = {}
    for name, (_label, choices) in seg.FIELDS.items():
        if choices is None:
            values = [v for v in str(post.get(name, "")).replace(";", ",").split(",")]
        else:
            values = post.getlist(name)
        if any(str(v).strip() for v in values):
            rules[name] = values
    return rules


def _fields(rules: dict[str, list[str]]) -> list[dict[str, Any]]:
    return [{"name": name, "label": label, "text": ", ".join(rules.get(name, [])),
             "choices": [(v, lbl, v in rules.get(name, [])) for v, lbl in choices]
             if choices is not None else None}
            for name, (label, choices) in seg.FIELDS.items()]


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def segment_setup(request: HttpRequest) -> HttpResponse:
    """The ordered list of segments (the first matching wins), a new one."""
    org_perms.ensure(request.user, perms.SEGMENTS_MANAGE.code)
    error_field = None
    posted: dict[str, list[str]] = {}
    if request.method == "POST":
        what = request.POST.get("form", "")
        with refusals_as_messages(request) as refused:
            if what == "new":
                posted = _rules_from(request.POST)
                made = seg.segment_save(actor=request.user, name=request.POST.get("name"),
                                        rules=posted, notes=request.POST.get("notes", ""))
                messages.success(request, _("Segment added: now choose its products."))
                return redirect("analytics:segment_edit", segment_id=made.pk)
            if what in ("up", "down"):
                seg.segment_move(actor=request.user, segment_id=request.POST.get("segment_id"),
                                 up=what == "up")
                return redirect("analytics:segment_setup")
            if what == "delete":
                seg.segment_delete(actor=request.user,
                                   segment_id=request.POST.get("segment_id"))
                messages.success(request, _("Segment deleted."))
                return redirect("analytics:segment_setup")
            raise NotFound(_("No such form."))
        error_field = refused.error.field if refused.error else None
    segments = seg.ordered()
    counts = {s.pk: 0 for s in segments}
    from punkt.analytics.models import SegmentProduct

    for p in SegmentProduct.objects.filter(segment__in=segments).values_list("segment_id",
                                                                              flat=True):
        counts[p] += 1
    return render(request, "analytics/segment_setup.html", {
        "segments": [(s, seg.rules_text(s.rules), counts[s.pk]) for s in segments],
        "fields": _fields(posted), "error_field": error_field,
        "name": request.POST.get("name", "") if request.method == "POST" else ""})


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def segment_edit(request: HttpRequest, segment_id: int) -> HttpResponse:
    """One segment: its name and rules, its ideal product set in order with the value
    each is expected to bring."""
    org_perms.ensure(request.user, perms.SEGMENTS_MANAGE.code)
    segment = Segment.objects.get_or_not_found(segment_id, missing=_("Segment not found."))
    error_field = None
    if request.method == "POST":
        what = request.POST.get("form", "")
        target = request.POST.get("target_id")
        with refusals_as_messages(request) as refused:
            if what == "segment":
                seg.segment_save(actor=request.user, segment_id=segment.pk,
                                 name=request.POST.get("name"),
                                 rules=_rules_from(request.POST),
                                 notes=request.POST.get("notes", ""))
            elif what == "add":
                seg.target_add(actor=request.user, segment_id=segment.pk,
                               product_id=request.POST.get("product_id"),
                               value=request.POST.get("value", ""))
            elif what == "value":
                seg.target_value(actor=request.user, segment_id=segment.pk, target_id=target,
                                 value=request.POST.get("value", ""))
            elif what in ("up", "down"):
                seg.target_move(actor=request.user, segment_id=segment.pk, target_id=target,
                                up=what == "up")
            elif what == "remove":
                seg.target_remove(actor=request.user, segment_id=segment.pk, target_id=target)
            else:
                raise NotFound(_("No such form."))
            messages.success(request, _("Saved."))
            return redirect("analytics:segment_edit", segment_id=segment.pk)
        error_field = refused.error.field if refused.error else None
        segment.refresh_from_db()
    from punkt.catalog.models import Product

    targets = sm.targets_of(segment)
    chosen = {p.product_id for p in targets}
    return render(request, "analytics/segment_edit.html", {
        "segment": segment, "targets": targets, "fields": _fields(segment.rules),
        "error_field": error_field,
        "products": [p for p in Product.objects.filter(is_active=True, kind="product")
                     .order_by("name")[:500] if p.pk not in chosen],
        "matrix_url": reverse("analytics:segments") + "?" + urlencode({"segment": segment.pk})})
