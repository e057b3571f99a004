"""Building blocks of the service desk's tests: a branch office team in branch A with its
service employee and manager (the lead), a ticket type with SLA targets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from punkt.servicedesk import services
from punkt.servicedesk.models import (
    Priority,
    SlaTarget,
    Team,
    TeamKind,
    TeamMember,
    TicketType,
)

OFFICE = {"mon": "8:00-16:00", "tue": "8:00-16:00", "wed": "8:00-16:00", "thu": "8:00-16:00",
          "fri": "8:00-16:00"}


@dataclass
class Desk:
    team_a: Team
    team_b: Team
    question: TicketType


def desk(world: Any) -> Desk:
    team_a = Team.objects.create(name="Biuro obsługi A", kind=TeamKind.BRANCH_OFFICE,
                                 branch=world.a, hours=OFFICE)
    TeamMember.objects.create(team=team_a, employee=world.service_a)
    TeamMember.objects.create(team=team_a, employee=world.manager_a, is_lead=True)
    team_b = Team.objects.create(name="Biuro obsługi B", kind=TeamKind.BRANCH_OFFICE,
                                 branch=world.b, hours=OFFICE)
    TeamMember.objects.create(team=team_b, employee=world.service_b)
    question = TicketType.objects.create(name="Pytanie o fakturę")
    SlaTarget.objects.create(type=question, priority=Priority.NORMAL,
                             first_response_minutes=120, resolution_minutes=480)
    return Desk(team_a=team_a, team_b=team_b, question=question)


def ticket(world: Any, d: Desk, *, actor: Any = None, team: Team | None = None,
           **fields: Any) -> Any:
    actor = actor or world.service_a
    data: dict[str, Any] = {"subject": "Nie doszła faktura", "channel": "counter",
                            "type_id": d.question.pk, "body": "Klient pyta o fakturę.",
                            "team_id": (team or d.team_a).pk}
    data.update(fields)
    return services.ticket_create(actor=actor, **data)
