"""The orphan check (R9.3): open tickets without an owner — none, an inactive one, one no
longer in the team — are routed again, each fix audited, the team's leads told once per
run; a dry run changes nothing; the command prints what it would do."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from punkt.core.models import AuditEvent
from punkt.organization.models import Absence, Employee
from punkt.servicedesk import orphans, services
from punkt.servicedesk.models import Routing, Team, TeamMember, Ticket
from punkt.servicedesk.tests.factories import desk, ticket
from punkt.work.models import Notification

pytestmark = pytest.mark.django_db
MONDAY = datetime.date(2026, 11, 16)


def setup_orphans(world: Any) -> tuple[Any, dict[str, Ticket]]:
    d = desk(world)
    TeamMember.objects.create(team=d.team_a, employee=world.cashier_a)
    made = {k: ticket(world, d) for k in ("unassigned", "inactive", "not_member", "fine",
                                          "resolved")}
    Ticket.objects.filter(pk=made["unassigned"].pk).update(assignee=None)
    Ticket.objects.filter(pk=made["inactive"].pk).update(assignee=world.cashier_a)
    Employee.objects.filter(pk=world.cashier_a.pk).update(is_active=False)
    Ticket.objects.filter(pk=made["not_member"].pk).update(assignee=world.retention_a)
    Ticket.objects.filter(pk=made["resolved"].pk).update(assignee=None)
    services.ticket_move(actor=world.service_a, ticket_id=made["resolved"].pk,
                         action="resolve")
    Notification.objects.all().delete()
    return d, made


def test_orphans_are_found_for_the_three_reasons(world: Any) -> None:
    _, made = setup_orphans(world)
    assert set(orphans.orphans().values_list("pk", flat=True)) == {
        made["unassigned"].pk, made["inactive"].pk, made["not_member"].pk}


def test_the_check_routes_them_again_audits_and_tells_the_lead_once(world: Any) -> None:
    d, made = setup_orphans(world)
    Team.objects.filter(pk=d.team_a.pk).update(routing=Routing.ROUND_ROBIN)
    fixes = orphans.check(today=MONDAY)
    assert [(f.number, f.why) for f in fixes] == [
        (made["unassigned"].number, "unassigned"), (made["inactive"].number, "inactive"),
        (made["not_member"].number, "not_member")]
    members = {world.service_a.pk, world.manager_a.pk}
    for key in ("unassigned", "inactive", "not_member"):
        assert Ticket.objects.get(pk=made[key].pk).assignee_id in members
    assert Ticket.objects.get(pk=made["resolved"].pk).assignee_id is None
    assert AuditEvent.objects.filter(action="servicedesk.ticket.orphan").count() == 3
    told = Notification.objects.get(kind="ticket.orphans")  # one, not three
    assert told.recipient_id == world.manager_a.pk
    assert all(made[k].number in told.title for k in ("unassigned", "inactive", "not_member"))
    assert Notification.objects.filter(kind="ticket.assigned").count() == 3
    assert orphans.check(today=MONDAY) == []  # nothing left: nobody told again
    assert Notification.objects.filter(kind="ticket.orphans").count() == 1


def test_a_dry_run_changes_nothing(world: Any) -> None:
    d, made = setup_orphans(world)
    Team.objects.filter(pk=d.team_a.pk).update(routing=Routing.ROUND_ROBIN)
    before = dict(Ticket.objects.values_list("pk", "assignee_id"))
    fixes = orphans.check(dry_run=True, today=MONDAY)
    assert len(fixes) == 3 and all(f.after in (world.service_a.pk, world.manager_a.pk)
                                   for f in fixes)
    assert dict(Ticket.objects.values_list("pk", "assignee_id")) == before
    assert not AuditEvent.objects.filter(action="servicedesk.ticket.orphan").exists()
    assert not Notification.objects.exists()
    assert Team.objects.get(pk=d.team_a.pk).rr_last is None


def test_with_nobody_in_a_leaver_is_taken_off_and_the_unassigned_stay(world: Any) -> None:
    _, made = setup_orphans(world)
    for who in (world.service_a, world.manager_a):
        Absence.objects.create(employee=who, branch=world.a, kind="sick", starts_on=MONDAY,
                               ends_on=MONDAY)
    fixes = orphans.check(today=MONDAY)
    assert {(f.number, f.after) for f in fixes} == {(made["inactive"].number, None),
                                                    (made["not_member"].number, None)}
    assert Ticket.objects.get(pk=made["inactive"].pk).assignee_id is None
    assert made["unassigned"].number not in Notification.objects.get(
        kind="ticket.orphans").title


def test_the_command_prints_what_it_would_do(world: Any) -> None:
    _, made = setup_orphans(world)
    out = StringIO()
    call_command("servicedesk_orphans", "--dry-run", stdout=out)
    text = out.getvalue()
    assert made["inactive"].number in text and "assignee inactive" in text
    assert "would go to" in text and "Dry run: 3 ticket(s)" in text
    assert Ticket.objects.get(pk=made["inactive"].pk).assignee_id == world.cashier_a.pk
    out = StringIO()
    call_command("servicedesk_orphans", stdout=out)
    assert "3 ticket(s) without an owner handed over." in out.getvalue()
    assert not orphans.orphans().exists()
