"""The public contact form (no sign-in), its thank-you page, the customer's follow page
(the signed link is the key) and, for staff, the form's attachment on the ticket."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods

from punkt.core import files
from punkt.core.errors import ActionDenied, Conflict, NotFound
from punkt.core.middleware import client_ip
from punkt.core.routes import scoped
from punkt.core.web import refusals_as_messages
from punkt.servicedesk import selectors as desk_selectors
from punkt.webform import services
from punkt.webform.models import WebContact

THANKS_SALT = "punkt.webform.thanks"
FIELDS = ("name", "email", "phone", "subject", "message", "topic", "consent")
#: fields another page may fill in through the query string, with their limits
PREFILL = {"name": 100, "email": 254, "phone": 30, "subject": 200, "message": 5000,
           "topic": 20}


def field_labels() -> dict[str, str]:
    return {"name": _("Name and surname"), "email": _("E-mail"), "phone": _("Phone"),
            "topic": _("What it is about"), "subject": _("Subject"),
            "message": _("Your message"), "attachment": _("Attachment"),
            "consent": _("Personal data"), "body": _("Your message"), "form": ""}


def _site() -> dict[str, Any]:
    return {"seller": services.seller(), "public_url": settings.PUNKT_PUBLIC_URL,
            "privacy_url": getattr(settings, "PUNKT_PRIVACY_URL", "")}


def _rate_limited(request: HttpRequest, exc: services.RateLimited) -> HttpResponse:
    response = render(request, "webform/limited.html",
                      {**_site(), "minutes": max(1, exc.retry_after // 60)}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _form_page(request: HttpRequest, *, values: dict[str, str] | None = None,
               errors: dict[str, str] | None = None, status: int = 200) -> HttpResponse:
    choices = services.topics()
    default = services.default_topic(choices)
    values = values or {"topic": str(default.pk) if default else ""}
    return render(request, "webform/contact.html", {
        **_site(), "topics": choices, "values": values, "errors": errors or {},
        "stamp": services.issue_stamp(), "available": bool(choices),
        "summary": [(field_labels().get(k, k), k, v) for k, v in (errors or {}).items()
                    if k != "form"]}, status=status)


@scoped("public")
@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    """The form: a ticket on the ``web`` channel, the receipt by e-mail."""
    if request.method == "GET":
        # another page (the live chat out of hours) may hand over what was typed there
        given = {k: str(request.GET.get(k, ""))[:limit] for k, limit in PREFILL.items()
                 if request.GET.get(k)}
        if not given:
            return _form_page(request)
        choices = services.topics()
        default = services.default_topic(choices)
        return _form_page(request, values={"topic": str(default.pk) if default else "",
                                           **given})
    values = {k: str(request.POST.get(k, "")) for k in FIELDS}
    try:
        done = services.submit(data=request.POST, upload=request.FILES.get("attachment"),
                               ip=client_ip(request))
    except services.RateLimited as exc:
        return _rate_limited(request, exc)
    except services.FormInvalid as exc:
        return _form_page(request, values=values, errors=exc.errors, status=422)
    except services.Refused as exc:
        return _form_page(request, values=values, errors={"form": exc.message}, status=400)
    except services.NotConfigured as exc:
        return _form_page(request, values=values, errors={"form": exc.message}, status=503)
    receipt = signing.dumps(done.ticket.number, salt=THANKS_SALT)
    return redirect(f"{reverse('webform:thanks')}?r={receipt}")


@scoped("public")
@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    try:
        number = signing.loads(request.GET.get("r", ""), salt=THANKS_SALT, max_age=3600)
    except signing.BadSignature:
        number = ""
    return render(request, "webform/thanks.html", {**_site(), "number": number})


def _gone(request: HttpRequest, status: int) -> HttpResponse:
    """The same page for a forged, revoked, erased or long-closed link: nothing leaks."""
    return render(request, "webform/gone.html", {**_site(), "expired": status == 410},
                  status=status)


@scoped("public")
@require_http_methods(["GET", "POST"])
def follow(request: HttpRequest, token: str) -> HttpResponse:
    """The customer's ticket: number, status, the public conversation and a reply form."""
    try:
        contact = services.contact_for(token)
    except NotFound:
        return _gone(request, 404)
    ticket = contact.ticket
    if services.link_expired(ticket):
        return _gone(request, 410)
    errors: dict[str, str] = {}
    draft = ""
    status = 200
    if request.method == "POST":
        draft = str(request.POST.get("body", ""))
        try:
            services.follow_reply(token=token, body=draft, ip=client_ip(request))
        except services.RateLimited as exc:
            return _rate_limited(request, exc)
        except services.FormInvalid as exc:
            errors, status = exc.errors, 422
        except Conflict as exc:
            errors, status = {"form": exc.message}, 409
        except NotFound:
            return _gone(request, 404)
        else:
            return redirect(f"{request.path}?sent=1#conversation")
        ticket.refresh_from_db()
    from punkt.servicedesk import services as desk

    return render(request, "webform/follow.html", {
        **_site(), "ticket": ticket, "contact": contact,
        "status_text": public_status(ticket.status),
        "conversation": services.public_conversation(ticket),
        "may_write": desk.may_take_customer_message(ticket), "errors": errors,
        "draft": draft, "sent": request.GET.get("sent") == "1"}, status=status)


def public_status(status: str) -> str:
    """The ticket's state in the customer's words."""
    return {
        "new": pgettext("web form status", "received, waiting for our answer"),
        "open": pgettext("web form status", "in progress"),
        "waiting_team": pgettext("web form status", "in progress"),
        "waiting_customer": pgettext("web form status", "waiting for your answer"),
        "resolved": pgettext("web form status", "resolved"),
        "closed": pgettext("web form status", "closed"),
    }.get(status, status)


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Staff: the customer's follow link stops working (e.g. it was forwarded); GET asks
    first."""
    from punkt.servicedesk import services as desk

    ticket = desk_selectors.ticket_get(user=request.user, ticket_id=ticket_id)  # else 404
    if not desk.may_handle(ticket, request.user):
        raise ActionDenied(_("Your role does not handle tickets."))
    if request.method == "GET":
        return render(request, "webform/revoke.html", {"ticket": ticket})
    with refusals_as_messages(request, catch=(Conflict, ActionDenied)):
        services.revoke_links(actor=request.user, ticket_id=ticket_id)
        messages.success(request, _("The customer's link no longer works; the next reply "
                                    "e-mail carries a new one."))
    return redirect("servicedesk:ticket_detail", ticket_id=ticket_id)


@scoped("branch")
@login_required
@require_GET
def attachment(request: HttpRequest, ticket_id: int) -> FileResponse:
    """The form's attachment for whoever may see its ticket (else 404)."""
    ticket = desk_selectors.ticket_get(user=request.user, ticket_id=ticket_id)
    contact = WebContact.objects.filter(ticket=ticket).exclude(attachment_stored="").first()
    if contact is None:
        raise NotFound(_("The file is missing."))
    return files.response_for(contact.attachment_stored, contact.attachment_name,
                              contact.attachment_type, area=services.AREA)
