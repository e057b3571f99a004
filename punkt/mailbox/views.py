from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from punkt.core.routes import scoped
from punkt.mailbox import permissions as perms
from punkt.mailbox import selectors
from punkt.organization import permissions as org_perms


@scoped("global")
@login_required
@require_GET
def mailbox_list(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.MAILBOX_VIEW.code)
    return render(request, "mailbox/mailbox_list.html",
                  {"mailboxes": selectors.mailboxes_with_counts()})
