"""HQ's page for the e-mail and SMS templates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from punkt.core.errors import ValidationFailed
from punkt.core.routes import scoped
from punkt.messaging import permissions as perms
from punkt.messaging import services
from punkt.messaging.models import MessageTemplate
from punkt.organization import permissions as org_perms


@scoped("global")
@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.TEMPLATE_MANAGE.code)
    return render(request, "messaging/template_list.html", {
        "templates": MessageTemplate.objects.all(), "placeholders": services.PLACEHOLDERS})


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    org_perms.ensure(request.user, perms.TEMPLATE_MANAGE.code)
    template = MessageTemplate.objects.get_or_not_found(
        template_id, missing=_("Template not found."))
    error = None
    if request.method == "POST":
        try:
            services.template_update(
                actor=request.user, template_id=template.pk,
                name=request.POST.get("name", ""), subject=request.POST.get("subject", ""),
                body=request.POST.get("body", ""), is_active=bool(request.POST.get("is_active")))
        except ValidationFailed as exc:
            error = exc
        else:
            messages.success(request, _("Template saved."))
            return redirect("messaging:template_list")
    return render(request, "messaging/template_form.html", {
        "template": template, "error": error, "posted": request.POST if error else None,
        "placeholders": services.PLACEHOLDERS}, status=422 if error else 200)


@scoped("public")
@csrf_exempt  # no session: the link is the customer's key; RFC 8058 one-click POSTs here
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: what the link will do and a button; POST (the button, or a mail client's
    ``List-Unsubscribe=One-Click``): the consent withdrawn at once."""
    from punkt.core.errors import NotFound
    from punkt.messaging import unsubscribe as service

    try:
        message = service.message_for(token)
    except NotFound:
        return render(request, "messaging/unsubscribe.html", {"invalid": True}, status=404)
    done = False
    if request.method == "POST":
        service.unsubscribe(token)
        done = True
    return render(request, "messaging/unsubscribe.html", {
        "message": message, "done": done or not service.is_subscribed(message),
        "sms": message.channel == "sms"})


@scoped("public")
@csrf_exempt  # the SMS gateway's server calls it; the secret in the address is the key
@require_http_methods(["GET", "POST"])
def sms_reports(request: HttpRequest, token: str) -> HttpResponse:
    """SMSAPI's delivery reports (``sms_reports.py``): ``OK`` when taken."""
    from django.conf import settings
    from django.http import Http404
    from django.utils.crypto import constant_time_compare

    from punkt.messaging import sms_reports as reports

    secret = settings.PUNKT_SMS_REPORT_TOKEN
    if not secret or not constant_time_compare(token, secret):
        raise Http404
    fields = request.POST if request.method == "POST" else request.GET
    reports.record(reports.parse_smsapi({k: fields.get(k, "") for k in fields}))
    return HttpResponse("OK", content_type="text/plain")
