"""Building blocks of the surveys' tests: a questionnaire, a customer of branch A, a
counter sale (the "first purchase" rule's event) and an invitation with its token."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from punkt.surveys import services
from punkt.surveys.models import Invitation, Questionnaire, Rule

QUESTIONS = [("Jak oceniasz uprzejmość pracownika?", "How courteous was the employee?"),
             ("Czy sprawa została załatwiona?", "Was your matter settled?")]


def questionnaire(world: Any, **fields: Any) -> Questionnaire:
    data: dict[str, Any] = {
        "name": "Zadowolenie z obsługi", "title_pl": "Jak oceniasz naszą obsługę?",
        "title_en": "How did we do?", "questions": QUESTIONS, "is_active": True,
        "rules": [Rule.FIRST_SALE, Rule.TICKET, Rule.COMPLAINT]}
    data.update(fields)
    return services.questionnaire_save(actor=world.expert, **data)


def customer(world: Any, branch: Any = None, **data: Any) -> Any:
    from punkt.contracts.tests.factories import customer as make

    return make(world, branch=branch, actor=world.manager_a if branch is None or
                branch == world.a else world.manager_b, **data)


def sale(world: Any, cust: Any, *, branch: Any = None, at: datetime.datetime | None = None,
         seller: Any = None) -> Any:
    from punkt.sales.models import Sale

    return Sale.objects.create(branch=branch or world.a, seller=seller or world.service_a,
                               customer=cust, payment_method="cash",
                               total_gross=Decimal("99.00"), created_at=at or timezone.now())


def invitation(world: Any, q: Questionnaire | None = None, cust: Any = None,
               *, branch: Any = None) -> tuple[Invitation, str]:
    """An invitation made by the first-purchase rule, and a fresh token for its link."""
    q = q or questionnaire(world)
    cust = cust or customer(world, branch=branch)
    s = sale(world, cust, branch=branch or cust.branch,
             at=timezone.now() - datetime.timedelta(minutes=5))
    services.invite_events(q, Rule.FIRST_SALE, "sales.sale",
                           [(cust.pk, s.branch_id, s.pk, s.seller_id)], timezone.now())
    inv = Invitation.objects.get(questionnaire=q, customer=cust, source_id=str(s.pk))
    return inv, token_of(inv)


def token_of(inv: Invitation) -> str:
    return services.survey_link(inv.pk).rstrip("/").rpartition("/")[2]


def scores(q: Questionnaire, *values: int) -> dict[str, int]:
    return {f"q{x.pk}": v for x, v in zip(q.questions.all(), values, strict=True)}
