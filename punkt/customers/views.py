from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from punkt.core.audit import audit_record
from punkt.core.errors import Conflict, ValidationFailed
from punkt.core.exports import csv_stream
from punkt.core.forms import apply_error, submit_inline_form
from punkt.core.paging import paginate
from punkt.core.reauth import recent_authentication_required
from punkt.core.routes import scoped
from punkt.core.web import int_param, is_htmx, refusals_as_messages, text_param
from punkt.customers import (
    exports,
    imports,
    profile,
    recommendations,
    selectors,
    services,
    timeline,
)
from punkt.customers import identifiers as ids
from punkt.customers import permissions as perms
from punkt.customers.filters import CustomerFilter
from punkt.customers.forms import (
    ConsentForm,
    ContactForm,
    ContactLogForm,
    CustomerCreateForm,
    CustomerForm,
    NoteForm,
    RecommendationForm,
)
from punkt.customers.models import (
    KIND_LABELS,
    AgeBand,
    CompanySize,
    ConsentPurpose,
    Customer,
    CustomerKind,
    CustomerStatus,
    MainCustomerType,
)
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor
from punkt.organization.filters import branch_picker
from punkt.organization.models import Branch
from punkt.organization.selectors import branch_get

#: Counting stops here: "more than 10,000 customers — narrow the search".
LIST_CAP = 10_000


def _segments() -> list[tuple[str, list[tuple[str, Any]]]]:
    return [(str(_("Size")), [(f"company_size:{v}", label) for v, label in CompanySize.choices]),
            (str(_("Main customer type")),
             [(f"main_customer_type:{v}", label) for v, label in MainCustomerType.choices]),
            (str(_("Age band")), [(f"age_band:{v}", label) for v, label in AgeBand.choices])]


def _branch_choices(user: Actor, code: str) -> list[tuple[int, str]]:
    """The active branches where ``user`` may do ``code`` (of those they see), by name."""
    qs = (Branch.objects.visible_to(user, org_perms.BRANCH_VIEW).visible_to(user, code)
          .filter(is_active=True).order_by("name"))
    return [(b.pk, str(b)) for b in qs[:1000]]


@scoped("list")
@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.CUSTOMER_VIEW.code)
    # An invoice or contract number (exact, upper-cased) jumps to its record when the
    # search is sent (Enter); while typing, the results offer the jump instead.
    found = profile.find_number(request.user, request.GET.get("q", ""))
    if found is not None and not is_htmx(request):
        return redirect(found.url)
    filters = CustomerFilter(request.GET).parameters()
    qs, parsed = selectors.customer_results(user=request.user, filters=filters)
    # A word search pages a WordResults (a capped count and slices), like a queryset.
    listing = paginate(request, cast(QuerySet[Customer], qs), sort=filters.sort, cap=LIST_CAP)
    template = "customers/customer_list.html"
    if is_htmx(request):
        template += "#results"
    access = org_perms.access_of(request.user)
    return render(request, template, {
        "listing": listing, "parsed": parsed, "kinds": CustomerKind.choices, "found": found,
        "segments": _segments(), "purposes": ConsentPurpose.choices,
        "branch_picker": branch_picker(request.user, perms.CUSTOMER_VIEW.code,
                                       request.GET.get("branch", "")),
        "can_create": access.can(perms.CUSTOMER_EDIT.code),
        "can_export": access.can(perms.CUSTOMER_EXPORT.code),
        "can_import": access.can(perms.CUSTOMER_IMPORT.code),
    })


def _duplicates_context(exc: services.PossibleDuplicate) -> list[dict[str, Any]]:
    return [{"customer_id": d.customer_id, "name": d.name, "branch": d.branch_name,
             "reason": d.reason, "visible": d.visible} for d in exc.duplicates]


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def customer_create(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.CUSTOMER_EDIT.code)
    branches = _branch_choices(request.user, perms.CUSTOMER_EDIT.code)
    # Consent is an explicit act of the customer: no box starts ticked (GDPR art. 4(11)).
    q = request.POST.get("recommender_q", "")
    chosen = int_param(request.POST.get("recommended_by"))
    found = recommendations.candidates(request.user, q) if q else []
    recommenders = _recommender_choices(request.user, found, chosen)
    if request.POST.get("op") == "find_recommender":
        # Only the search: the form comes back as typed, nothing validated or saved.
        form = CustomerCreateForm(initial=request.POST.dict(), branches=branches,
                                  recommenders=recommenders)
        return render(request, "customers/customer_form.html", {
            "form": form, "customer": None, "duplicates": [], "searched": True})
    form = CustomerCreateForm(request.POST or None, branches=branches,
                              recommenders=recommenders)
    duplicates: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_create(
                actor=request.user, branch_id=form.cleaned_data["branch"],
                data=form.data_for_service(), consents=form.consents(),
                source=form.cleaned_data["source"],
                confirm_duplicate=form.cleaned_data["confirm_duplicate"],
                campaign_code=form.cleaned_data["campaign_code"],
                recommended_by=form.cleaned_data["recommended_by"])
        except services.PossibleDuplicate as exc:
            duplicates = _duplicates_context(exc)
            form.add_error(None, exc.message)
        except ValidationFailed as exc:
            if exc.code == "consent_required":
                # The basis is one box of the form: show the refusal next to it.
                form.add_error(f"consent_{ConsentPurpose.CONTRACT}", exc.message)
            else:
                apply_error(form, exc)
        else:
            messages.success(request, _("Customer %(name)s registered.")
                             % {"name": customer.display_name})
            return redirect("customers:customer_detail", customer_id=customer.pk)
    return render(request, "customers/customer_form.html", {
        "form": form, "customer": None, "duplicates": duplicates})


def _recommender_choices(user: Actor, found: list[Customer], chosen: int | None
                         ) -> list[tuple[int, str]]:
    """The search's customers, and the one chosen before (when ``user`` still sees it)."""
    rows = list(found)
    if chosen and all(c.pk != chosen for c in rows):
        rows += list(selectors.customers_visible_to(user, include_closed=False)
                     .filter(pk=chosen).select_related("branch"))
    return [(c.pk, f"{c.display_name} — {c.number}, {c.city or c.branch.name}") for c in rows]


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def recommendation_edit(request: HttpRequest, customer_id: int) -> HttpResponse:
    """A manager's correction of who recommended the customer (audited)."""
    customer = selectors.customer_get(user=request.user, customer_id=customer_id,
                                      include_closed=False)
    org_perms.ensure(request.user, perms.RECOMMENDATION_EDIT.code, customer.branch_id)
    current = recommendations.recommendation_of(request.user, customer)
    q = text_param(request.GET.get("q"), 100)
    found = recommendations.candidates(request.user, q, exclude=customer.pk) if q else []
    chosen = int_param(request.POST.get("recommended_by")) if request.method == "POST" else (
        current[0].recommender_id if current and current[1] else None)
    form = RecommendationForm(request.POST or None,
                              initial={"recommended_by": chosen},
                              recommenders=_recommender_choices(request.user, found, chosen))
    if request.method == "POST" and form.is_valid():
        try:
            recommendations.recommendation_set(
                actor=request.user, customer_id=customer.pk,
                recommender_id=form.cleaned_data["recommended_by"])
        except ValidationFailed as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Saved who recommended %(name)s.")
                             % {"name": customer.display_name})
            return redirect("customers:customer_detail", customer_id=customer.pk)
    return render(request, "customers/recommendation_form.html", {
        "customer": customer, "form": form, "current": current, "q": q, "found": found})


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def customer_edit(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.customer_get(user=request.user, customer_id=customer_id,
                                      include_closed=False)
    org_perms.ensure(request.user, perms.CUSTOMER_EDIT.code, customer.branch_id)
    initial = {f: getattr(customer, f) for f in services.EDITABLE}
    initial["has_branches"] = ("" if customer.has_branches is None
                               else "1" if customer.has_branches else "0")
    form = CustomerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_update(actor=request.user, customer_id=customer.pk,
                                     data=form.data_for_service())
        except ValidationFailed as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("customers:customer_detail", customer_id=customer.pk)
    return render(request, "customers/customer_form.html", {
        "form": form, "customer": customer, "duplicates": []})


#: Timeline entries per page ("older entries" loads the next page below).
TIMELINE_PAGE = 30
#: The timeline filter's choice for every kind that is a contact with the customer.
CONTACTS = "contacts"


@dataclass
class TimelineDay:
    day: datetime.date
    entries: list[Any]
    today: bool = False
    yesterday: bool = False
    #: The previous page ended on the same day: no second heading.
    continued: bool = False


def _by_day(entries: list[Any], *, continues: str = "") -> list[TimelineDay]:
    today = timezone.localdate()
    days: list[TimelineDay] = []
    for e in entries:
        day = timezone.localdate(e.occurred_at)
        if not days or days[-1].day != day:
            days.append(TimelineDay(day, [], today=day == today,
                                    yesterday=day == today - datetime.timedelta(days=1),
                                    continued=not days and day.isoformat() == continues))
        days[-1].entries.append(e)
    return days


def _timeline_kinds() -> list[tuple[str, str]]:
    return [(CONTACTS, str(_("contacts with the customer")))] + sorted(
        ((k, str(label)) for k, label in KIND_LABELS.items()), key=lambda kv: kv[1])


def _timeline_context(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    kind = request.GET.get("kind", "")
    if kind != CONTACTS and kind not in KIND_LABELS:
        kind = ""
    before = None
    before_id = int_param(request.GET.get("before_id"))
    if request.GET.get("before_at") and before_id:
        try:
            at = datetime.datetime.fromisoformat(request.GET["before_at"])
        except ValueError:
            at = None
        if at is not None:
            before = (at.isoformat(), before_id)
    entries = selectors.timeline(
        customer=customer, kind="" if kind == CONTACTS else kind,
        kinds=timeline.contact_kinds() if kind == CONTACTS else None,
        before=before, limit=TIMELINE_PAGE + 1)
    more = len(entries) > TIMELINE_PAGE
    entries = entries[:TIMELINE_PAGE]
    profile.link_entries(request.user, customer, entries)
    return {"days": _by_day(entries, continues=request.GET.get("day", "") if before else ""),
            "more": more, "kind": kind, "last": entries[-1] if more else None,
            "timeline_kinds": _timeline_kinds()}


def _tabs_context(request: HttpRequest, customer: Customer, key: str) -> dict[str, Any]:
    """The profile's tabs and, when ``key`` names one, its rows."""
    panels = profile.profile_panels(request.user, customer)
    selected = next((p for p in panels if p.key == key), None)
    return {"panels": panels, "selected": selected,
            **(selected.selector(request.user, customer) if selected else {})}


@scoped("branch")
@login_required
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    if customer.status == CustomerStatus.MERGED and customer.merged_into_id:
        messages.info(request, _("This record was merged; showing the surviving customer."))
        return redirect("customers:customer_detail", customer_id=customer.merged_into_id)
    access = org_perms.access_of(request.user)
    ctx = _timeline_context(request, customer)
    fragment = request.GET.get("fragment") if is_htmx(request) else None
    if fragment == "timeline":
        return render(request, "customers/customer_detail.html#timeline",
                      {"customer": customer, **ctx})
    if fragment == "older":
        return render(request, "customers/profile/timeline_page.html",
                      {"customer": customer, **ctx})
    audit_record(action="customers.customer.view", obj=customer, actor=request.user,
                 branch_id=customer.branch_id)
    editable = customer.is_active
    matters = profile.profile_matters(request.user, customer)
    return render(request, "customers/customer_detail.html", {
        "customer": customer, **ctx,
        **_tabs_context(request, customer, request.GET.get("tab", "")),
        "balance": [m for m in matters if m.key == "balance"],
        "matters": [m for m in matters if m.key != "balance"],
        "pesel_masked": ids.mask_pesel(customer.pesel),
        "nip": ids.format_nip(customer.nip),
        "phone": ids.format_phone(customer.phone),
        "bank_account": ids.format_iban(customer.bank_account),
        "contacts": list(customer.contacts.all()),
        "consents": selectors.consent_state(customer),
        "consent_history": selectors.consent_history(customer=customer, limit=20),
        "can_edit": editable and access.can(perms.CUSTOMER_EDIT.code, customer.branch_id),
        "can_consent": editable and access.can(perms.CONSENT_RECORD.code, customer.branch_id),
        "can_note": editable and access.can(perms.TIMELINE_ADD.code, customer.branch_id),
        "can_gdpr": access.can(perms.GDPR_MANAGE.code),
        "can_merge": editable and access.can(perms.CUSTOMER_MERGE.code),
        "more_actions": timeline.profile_actions(request.user, customer),
        "facts": timeline.profile_facts(request.user, customer),
        **dict(zip(("recommendation", "recommended_count"),
                   recommendations.profile_summary(request.user, customer), strict=True)),
        "can_recommend": editable and access.can(perms.RECOMMENDATION_EDIT.code,
                                                 customer.branch_id),
        "note_form": NoteForm(), "contact_form": ContactLogForm(),
        "consent_form": ConsentForm(), "add_contact_form": ContactForm(),
    })


@scoped("branch")
@login_required
def customer_tab(request: HttpRequest, customer_id: int, tab: str) -> HttpResponse:
    """One tab of the profile (contracts, offers, invoices and payments, sales …), as htmx
    loads it; without htmx, the profile opened on that tab."""
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    panel = profile.panel_get(request.user, customer, tab)
    if not is_htmx(request):
        return redirect(reverse("customers:customer_detail", args=[customer.pk])
                        + f"?tab={panel.key}#tabs")
    return render(request, "customers/profile/tabs.html",
                  {"customer": customer, **_tabs_context(request, customer, panel.key)})


def _after_entry(request: HttpRequest, customer_id: int, ok: str) -> HttpResponse:
    """htmx: the refreshed timeline; otherwise back to the profile with a message."""
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    if is_htmx(request):
        response = render(request, "customers/customer_detail.html#timeline",
                          {"customer": customer, **_timeline_context(request, customer),
                           "flash": ok})
        return response
    messages.success(request, ok)
    return redirect("customers:customer_detail", customer_id=customer_id)


def _entry_error(request: HttpRequest, customer_id: int, message: str) -> HttpResponse:
    if is_htmx(request):
        customer = selectors.customer_get(user=request.user, customer_id=customer_id)
        return render(request, "customers/customer_detail.html#timeline",
                      {"customer": customer, **_timeline_context(request, customer),
                       "flash_error": message}, status=422)
    messages.error(request, message)
    return redirect("customers:customer_detail", customer_id=customer_id)


@scoped("branch")
@login_required
@require_POST
def note_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    selectors.customer_get(user=request.user, customer_id=customer_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _entry_error(request, customer_id, _("Write the note first."))
    try:
        timeline.note_add(actor=request.user, customer_id=customer_id,
                          body=form.cleaned_data["body"])
    except ValidationFailed as exc:
        return _entry_error(request, customer_id, exc.message)
    return _after_entry(request, customer_id, _("Note added."))


@scoped("branch")
@login_required
@require_POST
def contact_log(request: HttpRequest, customer_id: int) -> HttpResponse:
    selectors.customer_get(user=request.user, customer_id=customer_id)
    form = ContactLogForm(request.POST)
    if not form.is_valid():
        return _entry_error(request, customer_id, " ".join(
            str(e) for errs in form.errors.values() for e in errs))
    try:
        timeline.contact_log(actor=request.user, customer_id=customer_id, **form.cleaned_data)
    except ValidationFailed as exc:
        return _entry_error(request, customer_id, exc.message)
    return _after_entry(request, customer_id, _("Contact logged."))


@scoped("branch")
@login_required
@require_POST
def consent_change(request: HttpRequest, customer_id: int) -> HttpResponse:
    selectors.customer_get(user=request.user, customer_id=customer_id)
    submit_inline_form(request, ConsentForm(request.POST), lambda data: services.consent_record(
        actor=request.user, customer_id=customer_id, **data), _("Consent recorded."))
    return redirect("customers:customer_detail", customer_id=customer_id)


@scoped("branch")
@login_required
@require_POST
def contact_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    selectors.customer_get(user=request.user, customer_id=customer_id)
    submit_inline_form(request, ContactForm(request.POST), lambda data: services.contact_add(
        actor=request.user, customer_id=customer_id, **data), _("Contact added."))
    return redirect("customers:customer_detail", customer_id=customer_id)


@scoped("branch")
@login_required
@require_POST
def contact_remove(request: HttpRequest, customer_id: int, contact_id: int) -> HttpResponse:
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    if not customer.contacts.filter(pk=contact_id).exists():
        messages.error(request, _("Contact not found."))
    else:
        services.contact_remove(actor=request.user, contact_id=contact_id)
        messages.success(request, _("Contact removed."))
    return redirect("customers:customer_detail", customer_id=customer_id)


@scoped("branch")
@login_required
def information_clause(request: HttpRequest, branch_id: int) -> HttpResponse:
    """The GDPR information clause (art. 13) for one branch, ready to print."""
    branch = branch_get(user=request.user, branch_id=branch_id)
    org_perms.ensure(request.user, perms.CUSTOMER_VIEW.code, branch.pk)
    from punkt.organization.models import BranchKind

    hq = Branch.objects.filter(kind=BranchKind.HQ).first()  # the controller, named to all
    return render(request, "customers/information_clause.html", {
        "branch": branch, "hq": hq, "today": timezone.localdate(),
        "texts": [(p.label, services.current_text(p.value)) for p in ConsentPurpose]})


# --- export and import ----------------------------------------------------------------

@scoped("list")
@login_required
@recent_authentication_required
def customer_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered list as CSV or XLSX (PESEL masked, formula cells neutralised)."""
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        fmt = "csv"
    exports.audit_export(actor=request.user, fmt=fmt,
                         params={k: str(v) for k, v in request.GET.items() if k != "format"})
    filters = CustomerFilter(request.GET).parameters()
    qs, _parsed = selectors.customer_list(user=request.user, filters=filters)
    stamp = timezone.localtime().strftime("%Y-%m-%d_%H%M")
    response: HttpResponse | StreamingHttpResponse
    if fmt == "xlsx":
        response = HttpResponse(
            exports.xlsx_bytes(exports.export_rows(qs)),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        response = StreamingHttpResponse(csv_stream(exports.export_rows(qs)),
                                         content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="klienci_{stamp}.{fmt}"'
    return response


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    from punkt.customers.forms import ImportForm

    org_perms.ensure(request.user, perms.CUSTOMER_IMPORT.code)
    branches = _branch_choices(request.user, perms.CUSTOMER_IMPORT.code)
    form = ImportForm(request.POST or None, request.FILES or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.import_upload(
                actor=request.user, branch_id=form.cleaned_data["branch"],
                uploaded=form.cleaned_data["file"],
                basis_confirmed=form.cleaned_data["basis_confirmed"])
        except ValidationFailed as exc:
            apply_error(form, exc)
        else:
            return redirect("customers:import_detail", import_id=job.pk)
    recent = imports.imports_visible_to(request.user).select_related("branch", "created_by")
    return render(request, "customers/import_start.html", {
        "form": form, "columns": imports.IMPORT_COLUMNS, "recent": recent[:20]})


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    job = imports.import_get(user=request.user, import_id=import_id)
    if request.method == "POST":
        with refusals_as_messages(request):
            job = imports.import_confirm(actor=request.user, import_id=job.pk)
            messages.success(request, _("Import started."))
        return redirect("customers:import_detail", import_id=job.pk)
    template = "customers/import_detail.html"
    if is_htmx(request):
        template += "#status"
    return render(request, template, {"job": job, "errors": job.errors[:200]})


# --- GDPR, merge ------------------------------------------------------------------------

@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def gdpr(request: HttpRequest, customer_id: int) -> HttpResponse:
    from punkt.customers.forms import DataRequestForm

    org_perms.ensure(request.user, perms.GDPR_MANAGE.code)
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    form = DataRequestForm(request.POST or None, initial={"received_on": timezone.localdate()})
    action = request.POST.get("action", "")
    if request.method == "POST":
        with refusals_as_messages(request) as refused:
            _gdpr_action(request, customer, action, form)
        if refused.error is not None and action == "request":
            apply_error(form, refused.error)
        elif action != "request" or form.is_valid():
            return redirect("customers:gdpr", customer_id=customer.pk)
    return render(request, "customers/gdpr.html", {
        "customer": customer, "form": form, "today": timezone.localdate(),
        "requests": customer.data_requests.order_by("-received_on", "-pk")})


def _gdpr_action(request: HttpRequest, customer: Customer, action: str, form: Any) -> None:
    """One of the GDPR page's forms: register, extend or close a request, anonymise."""
    from punkt.customers import gdpr as rights

    request_id = int_param(request.POST.get("request")) or 0
    if action == "request" and form.is_valid():
        rights.data_request_create(actor=request.user, customer_id=customer.pk,
                                   **form.cleaned_data)
        messages.success(request, _("Request registered."))
    elif action == "extend":
        rights.data_request_extend(actor=request.user, request_id=request_id,
                                   reason=request.POST.get("reason", ""))
        messages.success(request, _("Deadline extended by two months."))
    elif action == "close":
        rights.data_request_close(actor=request.user, request_id=request_id,
                                  status=request.POST.get("status", ""),
                                  resolution=request.POST.get("resolution", ""))
        messages.success(request, _("Request closed."))
    elif action == "anonymise":
        if request.POST.get("confirm") != customer.number:
            raise ValidationFailed("confirm", _("Type the customer number to confirm."),
                                   field="confirm")
        rights.customer_anonymise(actor=request.user, customer_id=customer.pk,
                                  reason=request.POST.get("reason", ""))
        messages.success(request, _("Personal data anonymised."))


@scoped("branch")
@login_required
@recent_authentication_required
def gdpr_export(request: HttpRequest, customer_id: int) -> HttpResponse:
    import json

    from punkt.customers import gdpr as rights

    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    data = rights.customer_export_data(actor=request.user, customer_id=customer.pk)
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dane_{customer.number}.json"'
    return response


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest, customer_id: int) -> HttpResponse:
    from punkt.customers import gdpr as rights

    org_perms.ensure(request.user, perms.CUSTOMER_MERGE.code)
    survivor = selectors.customer_get(user=request.user, customer_id=customer_id,
                                      include_closed=False)
    candidates: list[Customer] = []
    q = request.GET.get("q", "").strip()
    if q:
        qs, _parsed = selectors.customer_list(
            user=request.user, filters=selectors.CustomerFilters(q=q))
        candidates = [c for c in qs.filter(kind=survivor.kind)[:20] if c.pk != survivor.pk]
    else:
        found = services.find_duplicates(user=request.user, data={
            f: getattr(survivor, f) for f in services.EDITABLE}, exclude_id=survivor.pk)
        candidates = list(selectors.customers_visible_to(request.user).filter(
            pk__in=[d.customer_id for d in found]).select_related("branch"))
    if request.method == "POST":
        with refusals_as_messages(request) as refused:
            rights.customer_merge(actor=request.user, survivor_id=survivor.pk,
                                  merged_id=int_param(request.POST.get("merged")) or 0)
            messages.success(request, _("Customers merged. The merge can be undone on the "
                                        "“Merge duplicate” page."))
        if not refused:
            return redirect("customers:customer_detail", customer_id=survivor.pk)
    from punkt.customers.models import MergeRecord

    return render(request, "customers/merge.html", {
        "customer": survivor, "candidates": candidates, "q": q,
        "merges": MergeRecord.objects.filter(survivor=survivor).select_related(
            "merged", "actor")[:20]})


@scoped("branch")
@login_required
@require_POST
def unmerge(request: HttpRequest, customer_id: int, record_id: int) -> HttpResponse:
    from punkt.customers import gdpr as rights
    from punkt.customers.models import MergeRecord

    org_perms.ensure(request.user, perms.CUSTOMER_MERGE.code)
    survivor = selectors.customer_get(user=request.user, customer_id=customer_id)
    if not MergeRecord.objects.filter(pk=record_id, survivor=survivor).exists():
        messages.error(request, _("Merge not found."))
    else:
        with refusals_as_messages(request, catch=(Conflict,)):
            rights.customer_unmerge(actor=request.user, record_id=record_id)
            messages.success(request, _("Merge undone."))
    return redirect("customers:merge", customer_id=survivor.pk)


@scoped("global")
@login_required
def data_requests(request: HttpRequest) -> HttpResponse:
    """Open data-subject requests, soonest deadline first."""
    from punkt.customers.models import DataSubjectRequest, RequestStatus

    org_perms.ensure(request.user, perms.GDPR_MANAGE.code)
    show = request.GET.get("show", "open")
    qs = (DataSubjectRequest.objects.visible_to(request.user, perms.GDPR_MANAGE)
          .select_related("customer", "customer__branch"))
    if show == "open":
        qs = qs.filter(status__in=[RequestStatus.OPEN, RequestStatus.EXTENDED])
    listing = paginate(request, qs.order_by("due_on", "pk"), sort="due")
    return render(request, "customers/data_requests.html", {
        "listing": listing, "today": timezone.localdate(), "show": show})


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def sender_erase(request: HttpRequest) -> HttpResponse:
    """Erase a person without a customer record (a contact form's sender, an e-mail's, a
    chat visitor) by e-mail address: "check" shows what each area holds, "erase" (with
    the reason) empties it everywhere (GDPR art. 17)."""
    from punkt.customers import gdpr

    org_perms.ensure(request.user, perms.GDPR_MANAGE.code)
    email = request.POST.get("email", request.GET.get("email", "")).strip()
    reason = request.POST.get("reason", "")
    found: list[tuple[str, int]] | None = None
    error_field = None
    if request.method == "POST":
        with refusals_as_messages(request) as refused:
            checked = request.POST.get("checked", "").strip().lower()
            if request.POST.get("action") == "erase" and checked != email.lower():
                # the address changed after the check (or Enter pressed in it): check again
                messages.warning(request, _("Check the address before erasing."))
            elif request.POST.get("action") == "erase":
                n = gdpr.sender_erase(actor=request.user, email=email, reason=reason)
                messages.success(request, ngettext(
                    "%(n)d record of %(email)s erased.", "%(n)d records of %(email)s erased.",
                    n) % {"n": n, "email": email})
                return redirect("customers:sender_erase")
            found = gdpr.sender_records(actor=request.user, email=email)
        error_field = refused.error.field if refused.error else None
    return render(request, "customers/sender_erase.html", {
        "email": email, "reason": reason, "found": found, "error_field": error_field,
        "total": sum(n for _label, n in found or [])})
