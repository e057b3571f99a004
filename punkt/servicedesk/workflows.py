"""The ticket's workflow (docs/workflows/ticket.md). Staff with
``servicedesk.ticket.handle`` for the ticket's branch take every step; the team's members
and the assignee take them on tickets routed to their team from another branch."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from punkt.core.workflows import Transition, Workflow
from punkt.organization import permissions as org_perms
from punkt.servicedesk import permissions as perms
from punkt.servicedesk.models import TicketStatus as T

HANDLE = perms.TICKET_HANDLE.code

TICKET_FLOW = Workflow(gettext_lazy("ticket"), transitions=[
    Transition("open", {T.NEW}, T.OPEN, HANDLE, gettext_lazy("Start work")),
    Transition("wait_customer", {T.NEW, T.OPEN, T.WAITING_TEAM}, T.WAITING_CUSTOMER, HANDLE,
               gettext_lazy("Wait for the customer")),
    Transition("wait_team", {T.NEW, T.OPEN, T.WAITING_CUSTOMER}, T.WAITING_TEAM, HANDLE,
               gettext_lazy("Wait for another team")),
    Transition("resume", {T.WAITING_CUSTOMER, T.WAITING_TEAM}, T.OPEN, HANDLE,
               gettext_lazy("Resume")),
    Transition("resolve", {T.NEW, T.OPEN, T.WAITING_CUSTOMER, T.WAITING_TEAM}, T.RESOLVED,
               HANDLE, gettext_lazy("Resolve")),
    Transition("close", {T.RESOLVED}, T.CLOSED, HANDLE, gettext_lazy("Close")),
    Transition("reopen", {T.RESOLVED, T.CLOSED}, T.OPEN, HANDLE, gettext_lazy("Reopen")),
], branch_of=lambda ticket: ticket.branch_id, can=org_perms.can, ensure=org_perms.ensure)
