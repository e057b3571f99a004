from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from punkt.core import files
from punkt.core.routes import scoped
from punkt.core.web import refusals_as_messages
from punkt.mailbox import permissions as perms
from punkt.mailbox import selectors, services
from punkt.mailbox.models import MailAttachment, Mailbox, Security
from punkt.organization import permissions as org_perms


@scoped("global")
@login_required
@require_GET
def mailbox_list(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.MAILBOX_VIEW.code)
    return render(request, "mailbox/mailbox_list.html",
                  {"mailboxes": selectors.mailboxes_with_counts(),
                   "can_manage": org_perms.can(request.user, perms.MAILBOX_MANAGE.code)})


def _mailbox_page(request: HttpRequest, box: Mailbox | None) -> HttpResponse:
    """The mailbox form: the password is never sent back to the browser; left empty on a
    change, the stored one is kept."""
    from punkt.servicedesk.models import Team, TicketType

    org_perms.ensure(request.user, perms.MAILBOX_MANAGE.code)
    if request.method == "POST":
        form: dict[str, Any] = {f: request.POST.get(f, "") for f in services.MAILBOX_FIELDS}
        form["is_active"] = request.POST.get("is_active") == "1"
    elif box is not None:
        form = {"address": box.address, "team_id": str(box.team_id), "host": box.host,
                "port": str(box.port), "security": box.security, "username": box.username,
                "password": "", "folder": box.folder,
                "ticket_type_id": str(box.ticket_type_id or ""), "is_active": box.is_active}
    else:
        form = {"address": "", "team_id": "", "host": "", "port": "993",
                "security": Security.IMAPS, "username": "", "password": "",
                "folder": "INBOX", "ticket_type_id": "", "is_active": True}
    error_field = None
    if request.method == "POST":
        with refusals_as_messages(request) as refused:
            saved = services.mailbox_save(actor=request.user,
                                          mailbox_id=box.pk if box else None, **form)
            messages.success(request, _("Mailbox %(address)s saved.") % {
                "address": saved.address})
            return redirect("mailbox:mailbox_edit", mailbox_id=saved.pk)
        error_field = refused.error.field if refused.error else None
    form["password"] = ""
    return render(request, "mailbox/mailbox_edit.html", {
        "box": box, "form": form, "error_field": error_field,
        "teams": Team.objects.filter(is_active=True).select_related("branch").order_by("name"),
        "types": TicketType.objects.filter(is_active=True).order_by("name"),
        "securities": Security.choices})


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def mailbox_new(request: HttpRequest) -> HttpResponse:
    return _mailbox_page(request, None)


@scoped("global")
@login_required
@require_http_methods(["GET", "POST"])
def mailbox_edit(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    org_perms.ensure(request.user, perms.MAILBOX_MANAGE.code)
    return _mailbox_page(request, get_object_or_404(Mailbox, pk=mailbox_id))


@scoped("global")
@login_required
@require_POST
def mailbox_try(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    """Sign in to the server now and say how many mails wait (none is taken)."""
    worked, said = services.mailbox_try(actor=request.user, mailbox_id=mailbox_id)
    (messages.success if worked else messages.error)(request, said)
    return redirect("mailbox:mailbox_edit", mailbox_id=mailbox_id)


@scoped("branch")
@login_required
@require_GET
def attachment(request: HttpRequest, attachment_id: int) -> FileResponse:
    """An e-mail's attachment for whoever may see its ticket (else 404)."""
    from punkt.servicedesk import selectors as desk_selectors

    row = get_object_or_404(MailAttachment.objects.select_related("mail"), pk=attachment_id,
                            mail__ticket__isnull=False)
    desk_selectors.ticket_get(user=request.user, ticket_id=row.mail.ticket_id)
    return files.response_for(row.stored, row.name, row.content_type, area="mailbox")
