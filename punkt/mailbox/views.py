from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from punkt.core import files
from punkt.core.routes import scoped
from punkt.mailbox import permissions as perms
from punkt.mailbox import selectors
from punkt.mailbox.models import MailAttachment
from punkt.organization import permissions as org_perms


@scoped("global")
@login_required
@require_GET
def mailbox_list(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.MAILBOX_VIEW.code)
    return render(request, "mailbox/mailbox_list.html",
                  {"mailboxes": selectors.mailboxes_with_counts()})


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
