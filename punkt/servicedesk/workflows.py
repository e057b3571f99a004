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
DECIDE = perms.TICKET_DECIDE.code
#: the states a ticket is still worked on in (a weighty one waiting for the decision aside)
WORKED = {T.NEW, T.OPEN, T.WAITING_CUSTOMER, T.WAITING_TEAM}

TICKET_FLOW = Workflow(gettext_lazy("ticket"), transitions=[
    Transition("open", {T.NEW}, T.OPEN, HANDLE, gettext_lazy("Start work")),
    Transition("wait_customer", {T.NEW, T.OPEN, T.WAITING_TEAM}, T.WAITING_CUSTOMER, HANDLE,
               gettext_lazy("Wait for the customer")),
    Transition("wait_team", {T.NEW, T.OPEN, T.WAITING_CUSTOMER}, T.WAITING_TEAM, HANDLE,
               gettext_lazy("Wait for another team")),
    Transition("resume", {T.WAITING_CUSTOMER, T.WAITING_TEAM}, T.OPEN, HANDLE,
               gettext_lazy("Resume")),
    Transition("resolve", WORKED, T.RESOLVED, HANDLE, gettext_lazy("Resolve")),
    # weighty matters (R9.4): staff propose, the branch manager (an HQ team's lead) decides
    Transition("propose", WORKED, T.AWAITING_DECISION, HANDLE,
               gettext_lazy("Propose a resolution")),
    Transition("accept", {T.AWAITING_DECISION}, T.RESOLVED, DECIDE,
               gettext_lazy("Accept the resolution")),
    Transition("send_back", {T.AWAITING_DECISION}, T.OPEN, DECIDE,
               gettext_lazy("Return to the agent")),
    # a duplicate merged into another ticket is closed as merged
    Transition("merge", WORKED | {T.RESOLVED}, T.CLOSED, HANDLE,
               gettext_lazy("Merge into another ticket")),
    Transition("close", {T.RESOLVED}, T.CLOSED, HANDLE, gettext_lazy("Close")),
    Transition("reopen", {T.RESOLVED, T.CLOSED}, T.OPEN, HANDLE, gettext_lazy("Reopen")),
], branch_of=lambda ticket: ticket.branch_id, can=org_perms.can, ensure=org_perms.ensure)
