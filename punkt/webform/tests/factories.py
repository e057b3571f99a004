"""Building blocks of the contact form's tests: a service desk with an HQ call centre and
a form filled in as a person would (the stamp issued a minute ago)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from punkt.servicedesk.models import Team, TeamKind, TeamMember, TicketType
from punkt.servicedesk.tests.factories import OFFICE, Desk, desk
from punkt.webform import services


@dataclass
class FormDesk:
    desk: Desk
    centre: Team
    general: TicketType  # the call centre's type: the form's default topic


def form_desk(world: Any) -> FormDesk:
    d = desk(world)
    centre = Team.objects.create(name="Call center", kind=TeamKind.HQ_OFFICE, branch=world.hq,
                                 hours=OFFICE)
    TeamMember.objects.create(team=centre, employee=world.expert, is_lead=True)
    general = TicketType.objects.create(name="Inna sprawa", default_team=centre)
    return FormDesk(desk=d, centre=centre, general=general)


def filled(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "stamp": services.issue_stamp(time.time() - 60), "website": "",
        "name": "Zofia Żółkiewska", "email": "zofia@example.pl", "phone": "",
        "subject": "Nie doszła faktura", "message": "Gdzie jest moja faktura za listopad?",
        "consent": "1"}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}
