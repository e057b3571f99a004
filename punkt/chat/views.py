"""Chat pages: the agents' console, the teams' chat desks (the widget's settings, the
script tag to embed and a preview page), and the widget's script and stylesheet."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from punkt.chat import permissions as perms
from punkt.chat import services
from punkt.chat.models import Availability, ChatDesk
from punkt.core.routes import scoped
from punkt.core.web import int_param, refusals_as_messages
from punkt.organization import permissions as org_perms
from punkt.organization.actors import employee_of
from punkt.organization.filters import branch_picker
from punkt.servicedesk.models import Team, TicketType

STATIC = Path(__file__).resolve().parent / "static" / "chat"


@cache
def _asset(name: str) -> bytes:
    return (STATIC / name).read_bytes()


def _asset_response(name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(_asset(name), content_type=content_type)
    response["Cache-Control"] = "public, max-age=300"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def widget_texts() -> dict[str, str]:
    """The widget's words, in the request's language (Polish first)."""
    return {
        "open": _("Chat with us"), "close": _("Close"), "connecting": _("Connecting…"),
        "reconnecting": _("Connection lost — reconnecting…"),
        "name": _("Your name"), "email": _("E-mail (optional)"),
        "question": _("How can we help?"), "start": _("Start the chat"),
        "privacy": _("We use your name and e-mail only to answer you; the conversation is "
                     "kept as a service ticket."),
        "message": _("Your message"), "send": _("Send"), "end": _("End the chat"),
        "again": _("New chat"), "you": _("You"), "with": _("You are chatting with:"),
        "typing": _("The consultant is typing…"),
        "queue": _("You are number %(n)s in the queue. A consultant will answer soon."),
        "waiting": _("Waiting for a consultant…"),
        "hello": _("Write to us: a consultant will answer in a moment."),
        "busy": _("All consultants are busy: write and wait, or use the contact form."),
        "closed": _("The chat is closed now."),
        "closedLong": _("Our consultants are out of office. Write to us through the contact "
                        "form and we will answer on the next working day."),
        "form": _("Open the contact form"),
        "ended": _("The chat has ended. Thank you!"),
        "endedAgent": _("The consultant ended the chat. Thank you!"),
        "tooLong": _("The message is too long."),
    }


@scoped("public")
@require_GET
def widget_js(request: HttpRequest) -> HttpResponse:
    """The script a company's site loads with one tag (no build step, no inline code); its
    words are filled in here."""
    source = _asset("widget.js").replace(
        b"/*TEXTS*/{}", json.dumps(widget_texts(), ensure_ascii=True).encode())
    response = HttpResponse(source, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@scoped("public")
@require_GET
def widget_css(request: HttpRequest) -> HttpResponse:
    return _asset_response("widget.css", "text/css; charset=utf-8")


@scoped("self")
@login_required
@require_GET
def console(request: HttpRequest) -> HttpResponse:
    """The agent's console: the queue of their teams' chats and the chats they are in (the
    socket fills both and keeps them live)."""
    org_perms.ensure(request.user, perms.CHAT_HANDLE.code)
    desks = services.agent_desks(request.user)
    return render(request, "chat/console.html", {
        "desks": desks, "online": services.presence_of(employee_of(request.user))
        == Availability.ONLINE, "message_max": services.message_max()})


def _teams(user: Any) -> list[Team]:
    return list(Team.objects.visible_to(user, perms.DESK_MANAGE).filter(is_active=True)
                .order_by("name"))


def _form(request: HttpRequest, desk: ChatDesk | None) -> dict[str, Any]:
    if request.method == "POST":
        return {"team_id": request.POST.get("team_id", ""),
                "title": request.POST.get("title", ""),
                "allowed_origins": request.POST.get("allowed_origins", ""),
                "ticket_type_id": request.POST.get("ticket_type_id", ""),
                "is_active": request.POST.get("is_active") == "1"}
    if desk is None:
        return {"team_id": "", "title": _("Chat with us"), "allowed_origins": "",
                "ticket_type_id": "", "is_active": True}
    return {"team_id": str(desk.team_id), "title": desk.title,
            "allowed_origins": desk.allowed_origins,
            "ticket_type_id": str(desk.ticket_type_id or ""), "is_active": desk.is_active}


def _desk_page(request: HttpRequest, desk: ChatDesk | None) -> HttpResponse:
    form = _form(request, desk)
    error_field = ""
    if request.method == "POST":
        with refusals_as_messages(request) as refusal:
            saved = services.desk_save(
                actor=request.user, desk_id=desk.pk if desk else None,
                team_id=form["team_id"], title=form["title"],
                allowed_origins=form["allowed_origins"],
                ticket_type_id=form["ticket_type_id"], is_active=form["is_active"])
            messages.success(request, _("Chat saved."))
            return redirect("chat:desk_edit", desk_id=saved.pk)
        error_field = (refusal.error.field if refusal.error else "") or ""
    return render(request, "chat/desk_edit.html", {
        "desk": desk, "form": form, "error_field": error_field, "teams": _teams(request.user),
        "types": TicketType.objects.filter(is_active=True).order_by("name"),
        "widget_url": request.build_absolute_uri("/chat/widget.js"),
    }, status=400 if request.method == "POST" else 200)


@scoped("list")
@login_required
@require_GET
def desk_list(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.DESK_MANAGE.code)
    branch = int_param(request.GET.get("branch"))
    qs = ChatDesk.objects.visible_to(request.user, perms.DESK_MANAGE, branch_id=branch)
    return render(request, "chat/desk_list.html", {
        "desks": list(qs.select_related("team", "team__branch").order_by("title")[:500]),
        "picker": branch_picker(request.user, perms.DESK_MANAGE.code, branch),
    })


@scoped("list")
@login_required
@require_http_methods(["GET", "POST"])
def desk_new(request: HttpRequest) -> HttpResponse:
    org_perms.ensure(request.user, perms.DESK_MANAGE.code)
    return _desk_page(request, None)


@scoped("branch")
@login_required
@require_http_methods(["GET", "POST"])
def desk_edit(request: HttpRequest, desk_id: int) -> HttpResponse:
    desk = (ChatDesk.objects.visible_to(request.user, perms.DESK_MANAGE)
            .select_related("team").get_or_not_found(desk_id))
    return _desk_page(request, desk)


@scoped("branch")
@login_required
@require_GET
def desk_preview(request: HttpRequest, desk_id: int) -> HttpResponse:
    """A sample page of the company's site with the widget, to try the chat."""
    desk = (ChatDesk.objects.visible_to(request.user, perms.DESK_MANAGE)
            .select_related("team").get_or_not_found(desk_id))
    return render(request, "chat/preview.html", {"desk": desk})

