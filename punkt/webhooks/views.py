"""Pages of the outgoing webhooks (HQ administrators): the list, the form, and one
webhook with its delivery log. The signing secret is shown once, right after it is made
(kept in the session only until that page is shown)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from punkt.core import events
from punkt.core.paging import paginate
from punkt.core.routes import scoped
from punkt.core.web import refusals_as_messages
from punkt.organization import permissions as org_perms
from punkt.organization.models import Branch
from punkt.webhooks import permissions as perms
from punkt.webhooks import selectors, services
from punkt.webhooks.models import DeliveryStatus, Subscription

SECRET_KEY = "webhooks.secret"


def _show_secret_once(request: HttpRequest, sub: Subscription, secret: str) -> None:
    request.session[SECRET_KEY] = {"id": sub.pk, "secret": secret}


@scoped("global")
@login_required
@require_GET
def subscription_list(request: HttpRequest) -> HttpResponse:
    return render(request, "webhooks/subscription_list.html",
                  {"subscriptions": selectors.subscriptions(user=request.user)[:500]})


def _form(request: HttpRequest, sub: Subscription | None) -> dict[str, Any]:
    if request.method == "POST":
        return {"name": request.POST.get("name", ""), "url": request.POST.get("url", ""),
                "events": request.POST.getlist("events"),
                "branch_id": request.POST.get("branch_id", ""),
                "is_active": bool(request.POST.get("is_active"))}
    if sub is None:
        return {"name": "", "url": "https://", "events": [], "branch_id": "", "is_active": True}
    return {"name": sub.name, "url": sub.url, "events": sub.events,
            "branch_id": str(sub.only_branch_id or ""), "is_active": sub.is_active}


def _form_page(request: HttpRequest, sub: Subscription | None) -> HttpResponse:
    form = _form(request, sub)
    error_field = error = None
    if request.method == "POST":
        with refusals_as_messages(request) as refused:
            if sub is None:
                sub, secret = services.subscription_create(
                    actor=request.user, name=form["name"], url=form["url"],
                    events=form["events"], branch_id=form["branch_id"],
                    is_active=form["is_active"])
                _show_secret_once(request, sub, secret)
                messages.success(request, _("Webhook created."))
            else:
                services.subscription_update(
                    actor=request.user, subscription_id=sub.pk, name=form["name"],
                    url=form["url"], events=form["events"], branch_id=form["branch_id"],
                    is_active=form["is_active"])
                messages.success(request, _("Webhook saved."))
            return redirect("webhooks:subscription_detail", subscription_id=sub.pk)
        if refused.error is not None:
            error_field, error = refused.error.field, refused.error.message
    return render(request, "webhooks/subscription_form.html", {
        "sub": sub, "form": form, "error_field": error_field, "error": error,
        "events": sorted(events.EVENTS.values(), key=lambda e: e.name),
        "branches": Branch.objects.filter(is_active=True).order_by("name")[:500]})


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def subscription_new(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.WEBHOOK_MANAGE.code)
    return _form_page(request, None)


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def subscription_edit(request: HttpRequest, subscription_id: int) -> HttpResponse:
    sub = selectors.subscription_get(user=request.user, subscription_id=subscription_id)
    return _form_page(request, sub)


@scoped("global")
@login_required
@require_GET
def subscription_detail(request: HttpRequest, subscription_id: int) -> HttpResponse:
    sub = selectors.subscription_get(user=request.user, subscription_id=subscription_id)
    status = request.GET.get("status", "")
    listing = paginate(request, selectors.deliveries(user=request.user, subscription=sub,
                                                     status=status).order_by("-id"),
                       sort="-id", per_page=25, cap=10000)
    shown = request.session.get(SECRET_KEY)
    secret = None
    if isinstance(shown, dict) and shown.get("id") == sub.pk:
        secret = shown.get("secret")
        del request.session[SECRET_KEY]
    template = "webhooks/subscription_detail.html"
    if request.headers.get("HX-Request"):
        template += "#results"
    return render(request, template, {
        "sub": sub, "listing": listing, "status": status, "secret": secret,
        "statuses": DeliveryStatus.choices,
        "event_labels": {e.name: e.label for e in events.EVENTS.values()}})


@scoped("global")
@login_required
@require_POST
def subscription_rotate(request: HttpRequest, subscription_id: int) -> HttpResponse:
    sub = selectors.subscription_get(user=request.user, subscription_id=subscription_id)
    with refusals_as_messages(request):
        sub, secret = services.secret_rotate(actor=request.user, subscription_id=sub.pk)
        _show_secret_once(request, sub, secret)
        messages.success(request, _("New signing secret made. The old one still signs for "
                                    "24 hours."))
    return redirect("webhooks:subscription_detail", subscription_id=sub.pk)


@scoped("global")
@login_required
@require_POST
def subscription_test(request: HttpRequest, subscription_id: int) -> HttpResponse:
    sub = selectors.subscription_get(user=request.user, subscription_id=subscription_id)
    with refusals_as_messages(request):
        services.send_test(actor=request.user, subscription_id=sub.pk)
        messages.success(request, _("A test event (webhook.ping) will be sent in a moment: "
                                    "see the log below."))
    return redirect("webhooks:subscription_detail", subscription_id=sub.pk)


@scoped("global")
@login_required
@require_POST
def delivery_again(request: HttpRequest, delivery_id: int) -> HttpResponse:
    row = selectors.delivery_get(user=request.user, delivery_id=delivery_id)
    with refusals_as_messages(request):
        services.redeliver(actor=request.user, delivery_id=row.pk)
        if row.subscription.is_active:
            messages.success(request, _("The delivery will be sent again in a moment."))
        else:
            messages.warning(request, _("The delivery waits: switch the webhook on to send "
                                        "it."))
    return redirect("webhooks:subscription_detail", subscription_id=row.subscription_id)
