"""Surveys' pages: HQ's questionnaires, the results (R14, R16), the follow-ups of low
scores (R14.2), the counter (tablet) mode and the customer's public answer page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from punkt.catalog.models import Product
from punkt.core.audit import audit_record
from punkt.core.errors import Conflict, NotFound, ValidationFailed
from punkt.core.exports import csv_response
from punkt.core.paging import paginate
from punkt.core.reauth import recent_authentication_required
from punkt.core.reports import reads_reports
from punkt.core.routes import scoped
from punkt.core.web import int_param, refusals_as_messages
from punkt.customers.models import Customer
from punkt.customers.profile import link_sources
from punkt.organization import permissions as org_perms
from punkt.organization.filters import branch_picker
from punkt.surveys import permissions as perms
from punkt.surveys import selectors, services
from punkt.surveys.models import RULES, FollowUpOutcome, FollowUpStatus, Questionnaire
from punkt.surveys.workflows import FOLLOWUP_FLOW

# --- Questionnaires (HQ) -------------------------------------------------------------------

@scoped("global")
@login_required
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.QUESTIONNAIRE_MANAGE.code)
    rows = list(selectors.questionnaires())
    counts = selectors.invited_counts(request.user, [q.pk for q in rows])
    return render(request, "surveys/questionnaire_list.html", {
        "rows": [(q, *counts.get(q.pk, (0, 0))) for q in rows]})


def _form_values(request: HttpRequest) -> dict[str, Any]:
    post = request.POST
    return {"name": post.get("name", ""), "title_pl": post.get("title_pl", ""),
            "title_en": post.get("title_en", ""), "intro_pl": post.get("intro_pl", ""),
            "intro_en": post.get("intro_en", ""),
            "questions": services.parse_questions(post.get("questions", "")),
            "product_id": post.get("product") or None,
            "comment_box": post.get("comment_box") == "on",
            "is_active": post.get("is_active") == "on",
            "promotes_offers": post.get("promotes_offers") == "on",
            "rules": post.getlist("rules"), "quiet_days": post.get("quiet_days", ""),
            "reminder_days": post.get("reminder_days", ""),
            "valid_days": post.get("valid_days", "")}


def _questionnaire_form(request: HttpRequest, q: Questionnaire | None) -> HttpResponse:
    org_perms.ensure(request.user, perms.QUESTIONNAIRE_MANAGE.code)
    error: ValidationFailed | Conflict | None = None
    if request.method == "POST":
        try:
            saved = services.questionnaire_save(
                actor=request.user, questionnaire_id=q.pk if q else None, **_form_values(request))
        except (ValidationFailed, Conflict) as exc:
            error = exc
        else:
            messages.success(request, _("Questionnaire saved."))
            return redirect("surveys:questionnaire_edit", questionnaire_id=saved.pk)
    form: dict[str, Any]
    if request.method == "POST":
        form = request.POST.dict() | {"rules": request.POST.getlist("rules")}
    elif q is not None:
        form = {"name": q.name, "title_pl": q.title_pl, "title_en": q.title_en,
                "intro_pl": q.intro_pl, "intro_en": q.intro_en,
                "questions": "\n".join(f"{x.text_pl} | {x.text_en}".rstrip(" |")
                                       for x in q.questions.all()),
                "product": str(q.product_id or ""), "comment_box": "on" if q.comment_box else "",
                "is_active": "on" if q.is_active else "",
                "promotes_offers": "on" if q.promotes_offers else "", "rules": q.rules,
                "quiet_days": q.quiet_days, "reminder_days": q.reminder_days,
                "valid_days": q.valid_days}
    else:
        form = {"comment_box": "on", "quiet_days": 30, "reminder_days": 7, "valid_days": 30,
                "rules": []}
    in_use = q is not None and q.invitations.exists()
    return render(request, "surveys/questionnaire_form.html", {
        "q": q, "form": form, "error": error, "in_use": in_use,
        "rules": [(r.value, r.label) for r in RULES],
        "products": Product.objects.filter(is_active=True).order_by("name")[:500],
        "newer": getattr(q, "next_version", None) if q else None,
    }, status=422 if error else 200)


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_create(request: HttpRequest) -> HttpResponse:
    return _questionnaire_form(request, None)


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_edit(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    org_perms.ensure(request.user, perms.QUESTIONNAIRE_MANAGE.code)
    q = Questionnaire.objects.get_or_not_found(questionnaire_id,
                                               missing=_("Questionnaire not found."))
    return _questionnaire_form(request, q)


@scoped("global")
@login_required
@require_POST
def questionnaire_version(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    with refusals_as_messages(request):
        new = services.questionnaire_new_version(actor=request.user,
                                                 questionnaire_id=questionnaire_id)
        messages.success(request, _("New version %(n)d made: change it and activate it.")
                         % {"n": new.version})
        return redirect("surveys:questionnaire_edit", questionnaire_id=new.pk)
    return redirect("surveys:questionnaire_edit", questionnaire_id=questionnaire_id)


# --- Results ---------------------------------------------------------------------------------

#: the employees listed on the results page (those who served most); the CSV has all
EMPLOYEES_SHOWN = 100
#: the branches listed on the page (those that invited most; HQ has hundreds)
BRANCHES_SHOWN = 30


@scoped("list")
@login_required
@reads_reports
def results(request: HttpRequest) -> HttpResponse:
    """One questionnaire's figures over the branches the user sees (?questionnaire=, ?branch=)."""
    org_perms.ensure(request.user, perms.RESULTS_VIEW.code)
    choices = list(selectors.questionnaires())
    wanted = int_param(request.GET.get("questionnaire"))
    q = next((x for x in choices if x.pk == wanted), None) or (choices[0] if choices else None)
    branch_id = int_param(request.GET.get("branch"))
    context: dict[str, Any] = {
        "choices": choices, "q": q,
        "branch_picker": branch_picker(request.user, perms.RESULTS_VIEW.code,
                                       request.GET.get("branch", ""))}
    context["can_export"] = org_perms.can(request.user, perms.RESULTS_EXPORT.code)
    if q is not None:
        context["results"] = selectors.results(user=request.user, questionnaire=q,
                                               branch_id=branch_id,
                                               employees_limit=EMPLOYEES_SHOWN,
                                               branches_limit=BRANCHES_SHOWN)
        context.update(_trend_charts(context["results"].months))
        context["listing"] = paginate(request, selectors.answered(
            user=request.user, questionnaire=q, branch_id=branch_id),
            sort="-submitted_at", per_page=20, cap=5000)
    return render(request, "surveys/results.html", context)


def _trend_charts(months: list[Any]) -> dict[str, Any]:
    from punkt.core import charts

    if len(months) < 2:  # one month is the table's row, not a trend
        return {}
    labels = [m.label for m in months]
    return {
        "trend_chart": charts.lines(
            labels, [charts.Series(_("Average score"), [m.average for m in months])],
            title=_("Average score by month (1–5)"), testid="survey-trend"),
        "answered_chart": charts.columns(
            labels, [m.answered for m in months], title=_("Answers by month"),
            testid="survey-answered")}


@scoped("list")
@login_required
@recent_authentication_required
@reads_reports
def results_export(request: HttpRequest) -> HttpResponseBase:
    """One questionnaire's figures (``what=figures``) or its completed questionnaires, one
    row per answer with every score and the comment (``what=answers``, R16), over the
    branches the user sees; formula cells neutralised (C25), audited (C26)."""
    org_perms.ensure(request.user, perms.RESULTS_EXPORT.code)
    choices = list(selectors.questionnaires())
    wanted = int_param(request.GET.get("questionnaire"))
    if not choices and not wanted:  # nothing to export yet: the page says so
        return redirect("surveys:results")
    q = next((x for x in choices if x.pk == wanted), None) if wanted else \
        choices[0]  # as the results page: the first by default
    if q is None:
        raise NotFound(_("Questionnaire not found."))
    branch_id = int_param(request.GET.get("branch"))
    what = "answers" if request.GET.get("what") == "answers" else "figures"
    audit_record(action="surveys.result.export", actor=request.user,
                 message=f"questionnaire={q.pk} branch={branch_id or ''} what={what}")
    stamp = timezone.localtime().strftime("%Y-%m-%d_%H%M")
    if what == "figures":
        found = selectors.results(user=request.user, questionnaire=q, branch_id=branch_id)
        return csv_response(f"ankieta_{q.pk}_wyniki_{stamp}.csv", [
            _("Section"), _("Name"), _("Invited"), _("Answered"), _("Response rate (%)"),
            _("Average score"), _("Low scores (3 or less)"), _("Low scores (%)")],
            selectors.figures_rows(found))
    questions = list(q.questions.all())
    return csv_response(f"ankieta_{q.pk}_odpowiedzi_{stamp}.csv", [
        _("Answered"), _("Branch"), _("Customer number"), _("Customer"), _("Served by"),
        *[f"{x.position}. {x.text_pl}" for x in questions], _("Lowest score"), _("Comment")],
        selectors.answer_rows(user=request.user, questionnaire=q, branch_id=branch_id,
                              questions=questions))


# --- Follow-ups --------------------------------------------------------------------------------

@scoped("list")
@login_required
def followup_list(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.FOLLOWUP_HANDLE.code)
    status = request.GET.get("status", FollowUpStatus.OPEN)
    qs = selectors.followups(user=request.user, status=status,
                             branch_id=int_param(request.GET.get("branch")))
    return render(request, "surveys/followup_list.html", {
        "listing": paginate(request, qs, sort="created_at", per_page=25, cap=5000),
        "status": status, "statuses": FollowUpStatus.choices,
        "branch_picker": branch_picker(request.user, perms.FOLLOWUP_HANDLE.code,
                                       request.GET.get("branch", ""))})


@scoped("branch")
@login_required
def followup_detail(request: HttpRequest, followup_id: int) -> HttpResponse:
    followup = selectors.followup(user=request.user, followup_id=followup_id)
    response = followup.response
    invitation = response.invitation
    link_sources(request.user, followup.branch_id, [invitation])
    return render(request, "surveys/followup_detail.html", {
        "f": followup, "response": response, "invitation": invitation,
        "questionnaire": invitation.questionnaire,
        "scores": list(response.scores.select_related("question")),
        "actions": FOLLOWUP_FLOW.allowed_actions(followup, request.user),
        "outcomes": FollowUpOutcome.choices,
        "complaints": _customer_complaints(request.user, followup)})


def _customer_complaints(user: Any, followup: Any) -> dict[str, Any]:
    """The customer's latest complaints to name on closing, and whether this user may
    register one (a link to the intake form with the customer chosen)."""
    from punkt.complaints import permissions as complaint_perms
    from punkt.complaints.models import Complaint

    if not org_perms.can(user, complaint_perms.COMPLAINT_VIEW.code, followup.branch_id):
        return {"rows": [], "can_create": False}
    rows = list(Complaint.objects.visible_to(user, complaint_perms.COMPLAINT_VIEW)
                .filter(customer_id=followup.customer_id).order_by("-received_at", "-pk")
                .only("pk", "number", "received_at", "status")[:10])
    return {"rows": rows, "can_create": org_perms.can(
        user, complaint_perms.COMPLAINT_CREATE.code, followup.branch_id)}


@scoped("branch")
@login_required
@require_POST
def followup_move(request: HttpRequest, followup_id: int, action: str) -> HttpResponse:
    with refusals_as_messages(request):
        services.followup_move(actor=request.user, followup_id=followup_id, action=action,
                               outcome=request.POST.get("outcome", ""),
                               note=request.POST.get("note", ""),
                               complaint_id=request.POST.get("complaint_id") or None)
        messages.success(request, _("Follow-up closed.") if action == "close"
                         else _("Follow-up reopened."))
    return redirect("surveys:followup_detail", followup_id=followup_id)


# --- The counter (tablet) ----------------------------------------------------------------------

@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def counter(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The employee picks the questionnaire; the tablet then shows it to the customer."""
    customer = Customer.objects.visible_to(request.user, perms.SURVEY_VIEW).get_or_not_found(
        customer_id, missing=_("Customer not found."))
    if request.method == "POST":
        with refusals_as_messages(request):
            token = services.counter_open(actor=request.user, customer_id=customer.pk,
                                          questionnaire_id=request.POST.get("questionnaire"))
            return redirect(reverse("survey_answer", args=[token]) + "?counter=1")
    return render(request, "surveys/counter.html", {
        "customer": customer,
        "choices": Questionnaire.objects.filter(is_active=True).order_by("name")})


# --- The customer's page (no sign-in) ------------------------------------------------------

def _public(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    seller = getattr(settings, "PUNKT_SELLER_NAME", "") or "Punkt"
    return render(request, "surveys/answer.html", {"seller": seller, **context}, status=status)


@scoped("public")
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The link is the customer's key: the page shows the questionnaire and nothing of the
    customer; a GET writes nothing; a second submit is told "already answered"."""
    try:
        invitation = services.invitation_for(token)
    except NotFound:
        return _public(request, {"invalid": True}, status=404)
    language = request.GET.get("lang") or invitation.language
    language = language if language in ("pl", "en") else "pl"
    with translation.override(language):
        error: ValidationFailed | None = None
        done = False
        status = 200
        if request.method == "POST":
            try:
                services.answer_submit(
                    token=token, scores={k: v for k, v in request.POST.items()
                                         if k.startswith("q")},
                    comment=request.POST.get("comment", ""),
                    at_counter=request.GET.get("counter") == "1")
                done = True
            except ValidationFailed as exc:
                error, status = exc, 422
            except Conflict as exc:
                if exc.code == "answered":
                    done, status = True, 409
                else:
                    return _public(request, {"closed": True}, status=410)
        if done or invitation.answered_at is not None:
            return _public(request, {
                "thanks": True, "again": status == 409 or (request.method == "GET"),
                "counter": request.GET.get("counter") == "1"}, status=status)
        if not services.is_open(invitation):
            return _public(request, {"closed": True}, status=410)
        q = invitation.questionnaire
        questions = [{"pk": x.pk, "text": x.text(language),
                      "value": request.POST.get(f"q{x.pk}", "")} for x in q.questions.all()]
        return _public(request, {
            "q": q, "title": q.title(language), "intro": q.intro(language),
            "questions": questions, "error": error, "language": language,
            "comment": request.POST.get("comment", ""),
            "counter": request.GET.get("counter") == "1"}, status=status)

