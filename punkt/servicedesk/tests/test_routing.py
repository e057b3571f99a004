"""Routing per team (R9.3): least open work or round robin, both skipping people absent
today (their substitute takes over); the team page sets the mode, a bad one is refused
naming the field."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from punkt.core.errors import ValidationFailed
from punkt.organization.models import Absence
from punkt.servicedesk import services
from punkt.servicedesk.models import Routing, Team, TeamMember
from punkt.servicedesk.tests.factories import OFFICE, desk, ticket

pytestmark = pytest.mark.django_db
MONDAY = datetime.date(2026, 11, 16)


def round_robin(world: Any) -> Any:
    d = desk(world)
    Team.objects.filter(pk=d.team_a.pk).update(routing=Routing.ROUND_ROBIN)
    d.team_a.refresh_from_db()
    TeamMember.objects.create(team=d.team_a, employee=world.retention_a)
    return d


def test_round_robin_gives_each_member_in_turn_whatever_their_load(world: Any) -> None:
    d = round_robin(world)
    people = sorted([world.service_a, world.manager_a, world.retention_a], key=lambda e: e.pk)
    got = [services.route(d.team_a, today=MONDAY) for _ in range(4)]
    assert got == [*people, people[0]]
    d.team_a.refresh_from_db()
    assert d.team_a.rr_last == people[0].pk


def test_round_robin_skips_the_absent_and_their_substitute_takes_the_turn(world: Any) -> None:
    d = round_robin(world)
    people = sorted([world.service_a, world.manager_a, world.retention_a], key=lambda e: e.pk)
    Absence.objects.create(employee=people[1], branch=world.a, kind="leave",
                           starts_on=MONDAY, ends_on=MONDAY, substitute=world.cashier_a)
    Absence.objects.create(employee=people[2], branch=world.a, kind="sick",
                           starts_on=MONDAY, ends_on=MONDAY)
    got = [services.route(d.team_a, today=MONDAY) for _ in range(3)]
    assert got == [people[0], world.cashier_a, people[0]]
    Absence.objects.create(employee=world.cashier_a, branch=world.a, kind="sick",
                           starts_on=MONDAY, ends_on=MONDAY)
    Absence.objects.create(employee=people[0], branch=world.a, kind="sick",
                           starts_on=MONDAY, ends_on=MONDAY)
    assert services.route(d.team_a, today=MONDAY) is None


def test_least_open_work_stays_the_default(world: Any) -> None:
    d = desk(world)
    assert d.team_a.routing == Routing.LEAST_OPEN
    t = ticket(world, d, actor=world.retention_a)
    first = t.assignee_id
    assert ticket(world, d, actor=world.retention_a).assignee_id != first
    assert Team.objects.get(pk=d.team_a.pk).rr_last is None


def test_the_team_page_sets_the_routing_and_refuses_a_bad_one(world: Any,
                                                              client_as: Any) -> None:
    team = services.team_save(actor=world.manager_a, name="Biuro RR", kind="branch",
                              branch_id=world.a.pk, hours=OFFICE, routing="round_robin")
    assert team.routing == Routing.ROUND_ROBIN
    team = services.team_save(actor=world.manager_a, team_id=team.pk, name="Biuro RR",
                              kind="branch", branch_id=world.a.pk, hours=OFFICE)
    assert team.routing == Routing.ROUND_ROBIN  # not given: kept
    with pytest.raises(ValidationFailed) as err:
        services.team_save(actor=world.manager_a, team_id=team.pk, name="Biuro RR",
                           kind="branch", branch_id=world.a.pk, hours=OFFICE,
                           routing="random")
    assert err.value.field == "routing"
    c = client_as(world.manager_a)
    from django.urls import reverse
    url = reverse("servicedesk:team_edit", args=[team.pk])
    assert 'data-testid="team-routing"' in c.get(url).content.decode()
    form = {"name": "Biuro RR", "kind": "branch", "branch_id": world.a.pk, "is_active": "1",
            "routing": "least_open", **{f"hours_{k}": v for k, v in OFFICE.items()}}
    c.post(url, form)
    assert Team.objects.get(pk=team.pk).routing == Routing.LEAST_OPEN


def test_a_channels_intake_routes_as_route_does_and_counts_what_it_gave(world: Any) -> None:
    """A mailbox poll keeps the team's roster and open work (``Intake``): the tickets it
    opens in a row go round the members as fresh reads would send them, the absent
    member's substitute taking their turn."""
    d = desk(world)
    ttype = d.question
    TeamMember.objects.create(team=d.team_a, employee=world.retention_a)
    today = timezone.localdate()
    Absence.objects.create(employee=world.manager_a, branch=world.a, kind="leave",
                           starts_on=today, ends_on=today, substitute=world.cashier_a)
    intake = services.Intake(d.team_a, ttype)
    got = [services.ticket_open_from_channel(
        actor=world.retention_a, team=d.team_a, ticket_type=ttype, channel="email",
        subject=f"Sprawa {n}", body="Treść", author_label="Klient", intake=intake)[0]
        for n in range(6)]
    taken = [t.assignee_id for t in got]
    expected = {world.service_a.pk, world.cashier_a.pk, world.retention_a.pk}
    assert set(taken) == expected and all(taken.count(pk) == 2 for pk in expected)
    assert world.manager_a.pk not in taken
    # the same answers as routing ticket by ticket
    routed = services.route(d.team_a, today=today)
    assert routed is not None and routed.pk in expected
