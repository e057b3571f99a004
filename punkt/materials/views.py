"""Pages: the branch inbox "From HQ" and HQ's publishing pages."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from punkt.core import files
from punkt.core.errors import Conflict, NotFound, ValidationFailed
from punkt.core.forms import apply_error, submit_inline_form
from punkt.core.paging import paginate
from punkt.core.pdf import render_pdf
from punkt.core.routes import scoped
from punkt.core.web import int_param, refusals_as_messages
from punkt.materials import contract_template, selectors, services
from punkt.materials import permissions as perms
from punkt.materials.forms import MaterialForm, VersionForm, WithdrawForm
from punkt.materials.models import Material, MaterialKind
from punkt.materials.workflows import VERSION_FLOW
from punkt.organization import permissions as org_perms


@scoped("list")
@login_required
@require_http_methods(["GET", "POST"])
def inbox(request: HttpRequest) -> HttpResponse:
    """The branch inbox. A GET never writes (C21): once shown, the page posts back (htmx,
    on load) and what it listed counts as received by the user's branches."""
    data = request.POST if request.method == "POST" else request.GET
    kind = data.get("kind", "")
    kind = kind if kind in MaterialKind.values else ""
    box = selectors.inbox(user=request.user, kind=kind)
    if request.method == "POST":
        services.deliveries_received(user=request.user, delivery_ids=box.delivery_ids)
        return HttpResponse(status=204)
    return render(request, "materials/inbox.html", {
        "box": box, "kinds": MaterialKind.choices, "kind": kind,
        "can_manage": org_perms.can(request.user, perms.MATERIAL_MANAGE.code)})


@scoped("branch")
@login_required
def version_detail(request: HttpRequest, version_id: int) -> HttpResponse:
    """A version's page: its note, validity and, for a price list, its positions."""
    version = services.version_get(user=request.user, version_id=version_id)
    return render(request, "materials/version_detail.html", {
        "version": version, "items": list(version.items.all())})


@scoped("branch")
@login_required
def version_file(request: HttpRequest, version_id: int) -> FileResponse:
    version = services.version_get(user=request.user, version_id=version_id)
    return files.response_for(version.stored_name, version.file_name, version.content_type)


@scoped("branch")
@login_required
@require_POST
def version_open(request: HttpRequest, version_id: int) -> HttpResponse:
    """Open a version for one branch (the form in the inbox posts here): the first
    opening of that branch is recorded, then the file (a price list: its page)."""
    version = services.version_get(user=request.user, version_id=version_id)
    with refusals_as_messages(request):
        services.version_opened(user=request.user, version_id=version_id,
                                branch_id=int_param(request.POST.get("branch")))
        if version.material.kind == MaterialKind.PRICE_LIST:
            return redirect("materials:version_detail", version_id=version_id)
        return redirect("materials:version_file", version_id=version_id)
    return redirect("materials:inbox")


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.MATERIAL_MANAGE.code)
    form = MaterialForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            material = services.material_create(actor=request.user, **form.cleaned_data)
        except ValidationFailed as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Material created: add its first version."))
            return redirect("materials:material_detail", material_id=material.pk)
    kind = request.GET.get("kind", "")
    qs = selectors.material_list(user=request.user, kind=kind if kind in MaterialKind.values
                                 else "", q=request.GET.get("q", ""))
    listing = paginate(request, qs.prefetch_related("versions"), sort="kind")
    return render(request, "materials/manage.html", {
        "listing": listing, "form": form, "kinds": MaterialKind.choices})


@scoped("global")
@login_required
def material_detail(request: HttpRequest, material_id: int) -> HttpResponse:
    material = selectors.material_get(user=request.user, material_id=material_id)
    return _detail(request, material_id, VersionForm(), WithdrawForm(), status=200,
                   material=material)


def _detail(request: HttpRequest, material_id: int, form: VersionForm,
            withdraw_form: WithdrawForm, *, status: int, material: Material | None = None
            ) -> HttpResponse:
    material = material or selectors.material_get(user=request.user, material_id=material_id)
    versions = list(material.versions.annotate(
        branch_count=Count("branches")).order_by("-number"))
    counts = selectors.delivery_counts(user=request.user, version_ids=[v.pk for v in versions])
    rows = [{"v": v, "actions": VERSION_FLOW.allowed_actions(v, request.user),
             "counts": counts.get(v.pk)} for v in versions]
    return render(request, "materials/material_detail.html", {
        "material": material, "rows": rows, "form": form, "withdraw_form": withdraw_form},
        status=status)


@scoped("global")
@login_required
@require_POST
def version_add(request: HttpRequest, material_id: int) -> HttpResponse:
    selectors.material_get(user=request.user, material_id=material_id)
    form = VersionForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.version_create(
                actor=request.user, material_id=material_id, uploaded=data["file"],
                valid_from=data["valid_from"], valid_to=data["valid_to"], note=data["note"],
                all_branches=data["all_branches"],
                branch_ids=[b.pk for b in data["branches"]])
        except (ValidationFailed, Conflict) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Version saved as a draft: check it, then publish."))
            return redirect("materials:material_detail", material_id=material_id)
    return _detail(request, material_id, form, WithdrawForm(), status=422)


def _version_action(request: HttpRequest, version_id: int, call: Callable[[], object],
                    success: str) -> HttpResponse:
    version = services.version_get_for_manage(user=request.user, version_id=version_id)
    with refusals_as_messages(request):
        call()
        messages.success(request, success)
    return redirect("materials:material_detail", material_id=version.material_id)


@scoped("global")
@login_required
@require_POST
def version_publish(request: HttpRequest, version_id: int) -> HttpResponse:
    return _version_action(request, version_id, lambda: services.version_publish(
        actor=request.user, version_id=version_id), _("Published: the branches have it now."))


@scoped("global")
@login_required
@require_POST
def version_withdraw(request: HttpRequest, version_id: int) -> HttpResponse:
    version = services.version_get_for_manage(user=request.user, version_id=version_id)
    form = WithdrawForm(request.POST)
    submit_inline_form(request, form, lambda d: services.version_withdraw(
        actor=request.user, version_id=version_id, reason=d["reason"]),
        _("Withdrawn: branches no longer see this version."))
    return redirect("materials:material_detail", material_id=version.material_id)


@scoped("global")
@login_required
@require_POST
def version_delete(request: HttpRequest, version_id: int) -> HttpResponse:
    return _version_action(request, version_id, lambda: services.version_delete(
        actor=request.user, version_id=version_id), _("Draft deleted."))


@scoped("global")
@login_required
def template_preview(request: HttpRequest, version_id: int) -> HttpResponse:
    """A contract template filled with sample data, as the customer will get it."""
    version = services.version_get_for_manage(user=request.user, version_id=version_id)
    if not version.template:
        raise NotFound(_("This version is not a contract template."))
    try:
        text = files.path_of(version.stored_name).read_text(encoding="utf-8-sig")
    except (OSError, ValueError):
        raise NotFound(_("The file is missing.")) from None
    html = contract_template.to_html(text, contract_template.sample_values(),
                                     title=version.material.title)
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"{version.material.title} v{version.number} (podgląd).pdf") or "inline"
    return response


@scoped("global")
@login_required
def delivery_report(request: HttpRequest, version_id: int) -> HttpResponse:
    report = selectors.delivery_report(user=request.user, version_id=version_id)
    return render(request, "materials/delivery_report.html", {
        "report": report, "goal_minutes": int(selectors.GOAL.total_seconds() // 60)})
