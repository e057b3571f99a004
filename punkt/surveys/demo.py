"""Demo surveys: HQ's questionnaire "Zadowolenie z obsługi w oddziale" (sent after a
ticket is resolved and after a complaint is closed), a few invitations of Kraków customers
made by its rule, one answered with a 5 and one with a 2 — which opened a follow-up for
the retention employee with a callback task. Built through the services."""

from __future__ import annotations

from django.utils import timezone

from punkt.core.demo import seeder
from punkt.organization.actors import Actor
from punkt.organization.models import Branch, Employee
from punkt.servicedesk.models import Ticket
from punkt.surveys import services
from punkt.surveys.models import Invitation, Questionnaire, Rule

NAME = "Zadowolenie z obsługi w oddziale"


@seeder(88)
def seed_surveys(actor: Actor) -> list[str]:
    expert = Employee.objects.filter(email="ekspert@demo.punkt.pl").first()
    krakow = Branch.objects.filter(code="KRK-01").first()
    if not (expert and krakow) or Questionnaire.objects.filter(name=NAME).exists():
        return []
    q = services.questionnaire_save(
        actor=expert, name=NAME, title_pl="Jak oceniasz naszą obsługę?",
        title_en="How did we do?",
        intro_pl="Niedawno byliśmy w kontakcie w Twojej sprawie. Odpowiedz na trzy krótkie "
                 "pytania — zajmie to minutę.",
        intro_en="We were recently in touch about your matter. Please answer three short "
                 "questions — it takes a minute.",
        questions=[("Jak oceniasz uprzejmość pracownika?", "How courteous was the employee?"),
                   ("Czy Twoja sprawa została załatwiona?", "Was your matter settled?"),
                   ("Jak oceniasz czas oczekiwania?", "How do you rate the waiting time?")],
        rules=[Rule.TICKET, Rule.COMPLAINT], is_active=True, quiet_days=30, reminder_days=7,
        valid_days=30)
    tickets = (Ticket.objects.filter(branch=krakow, customer__isnull=False)
               .exclude(customer__email="", customer__phone="")
               .order_by("pk").values_list("customer_id", "branch_id", "pk", "assignee_id")[:6])
    now = timezone.now()
    services.invite_events(q, Rule.TICKET, "servicedesk.ticket", list(tickets), now)
    invitations = list(Invitation.objects.filter(questionnaire=q).order_by("pk"))
    if len(invitations) < 2:
        return [f"questionnaire {q.pk}"]
    first, second = invitations[0], invitations[1]
    ids = [x.pk for x in q.questions.all()]

    def token(invitation: Invitation) -> str:
        return services.survey_link(invitation.pk).rstrip("/").rpartition("/")[2]

    services.answer_submit(token=token(first), scores={f"q{pk}": 5 for pk in ids},
                           comment="Bardzo miła obsługa, dziękuję.")
    services.answer_submit(token=token(second),
                           scores={f"q{ids[0]}": 4, f"q{ids[1]}": 2, f"q{ids[2]}": 3},
                           comment="Sprawa niby zamknięta, ale faktura nadal jest błędna.")
    return [f"questionnaire {q.pk}", f"{len(invitations)} invitations", "1 follow-up"]
