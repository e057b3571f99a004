"""Service desk: staff of a branch open and handle its tickets; managers (and HQ) assign
them to colleagues and keep the teams, their hours and members."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from punkt.core import permissions as registry
from punkt.core.roles import Role as R

TICKET_VIEW = registry.register(
    "servicedesk.ticket.view", gettext_lazy("See the branch's tickets and their conversation"),
    [R.MANAGER, R.SERVICE, R.RETENTION, R.HQ_EXPERT, R.ADMIN])
TICKET_CREATE = registry.register(
    "servicedesk.ticket.create",
    gettext_lazy("Open tickets for customers (at the counter, from a phone call)"),
    [R.MANAGER, R.SERVICE, R.RETENTION, R.HQ_EXPERT, R.ADMIN])
TICKET_HANDLE = registry.register(
    "servicedesk.ticket.handle",
    gettext_lazy("Answer tickets, write internal notes, take, resolve and close them"),
    [R.MANAGER, R.SERVICE, R.HQ_EXPERT, R.ADMIN])
TICKET_ASSIGN = registry.register(
    "servicedesk.ticket.assign",
    gettext_lazy("Give the branch's tickets to a colleague of the team"),
    [R.MANAGER, R.HQ_EXPERT, R.ADMIN])
TEAM_MANAGE = registry.register(
    "servicedesk.team.manage",
    gettext_lazy("Keep the service teams: working hours, members and team leads"),
    [R.MANAGER, R.ADMIN])
TYPE_MANAGE = registry.register(
    "servicedesk.type.manage",
    gettext_lazy("Keep the ticket types: their default team, weight and SLA targets per "
                 "priority"),
    [R.HQ_EXPERT, R.ADMIN])
REPORT_VIEW = registry.register(
    "servicedesk.report.view",
    gettext_lazy("See the service desk's report: tickets in and out, response times, "
                 "breaches, backlog and workload"),
    [R.MANAGER, R.HQ_EXPERT, R.ADMIN])
TICKET_DECIDE = registry.register(
    "servicedesk.ticket.decide",
    gettext_lazy("Decide weighty matters (accept or return the proposed resolution) and "
                 "see the weekly control list of tickets staff resolved alone"),
    [R.MANAGER, R.ADMIN])
