"""Demo chat: the Kraków office's chat on the demo server itself (its preview page) and on
a local test site, with the office's service employee available."""

from __future__ import annotations

from punkt.chat import services
from punkt.chat.models import ChatDesk
from punkt.core.demo import seeder
from punkt.organization.actors import Actor
from punkt.organization.models import Employee
from punkt.servicedesk.models import Team

DEMO_SITES = "http://127.0.0.1:8000\nhttp://localhost:8000\nhttp://127.0.0.1:8080"


@seeder(75)
def seed_chat(actor: Actor) -> list[str]:
    admin = Employee.objects.filter(email="admin@demo.punkt.pl").first()
    service = Employee.objects.filter(email="obsluga@demo.punkt.pl").first()
    team = Team.objects.filter(name="Biuro obsługi Kraków Rynek").first()
    if not (admin and service and team) or ChatDesk.objects.exists():
        return []
    desk = services.desk_save(actor=admin, team_id=team.pk, title="Czat z Biurem Kraków",
                              allowed_origins=DEMO_SITES)
    services.set_presence(actor=service, status="online")
    return [f"chat: widget key {desk.key} (try it at /chat/desks/{desk.pk}/preview/)"]
