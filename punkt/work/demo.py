"""Demo tasks: the Kraków manager's tasks for the service and retention staff (one
overdue, one due today, one done), a reminder due, and the manager's own task."""

from __future__ import annotations

import datetime

from django.utils import timezone

from punkt.core.demo import seeder
from punkt.customers.models import Customer
from punkt.organization.actors import Actor
from punkt.organization.models import Employee
from punkt.work import services
from punkt.work.models import Task


def _staff(email: str) -> Employee | None:
    return Employee.objects.filter(email=email).first()


@seeder(60)
def seed_tasks(actor: Actor) -> list[str]:
    manager = _staff("kierownik@demo.punkt.pl")
    service = _staff("obsluga@demo.punkt.pl")
    retention = _staff("retencja@demo.punkt.pl")
    if not (manager and service and retention) or Task.objects.exists():
        return []
    now = timezone.now()
    customers = list(Customer.objects.filter(branch__code="KRK-01").order_by("id")[:3])
    first = customers[0].pk if customers else None
    services.task_create(actor=manager, assignee_id=service.pk, customer_id=first,
                         title="Oddzwonić w sprawie faktury korygującej",
                         due_at=now - datetime.timedelta(hours=2),
                         notes="Klient prosi o wyjaśnienie korekty za październik.")
    services.task_create(actor=manager, assignee_id=service.pk,
                         title="Uzupełnić ulotki promocji światłowodu przy wejściu",
                         due_at=now + datetime.timedelta(hours=3))
    done = services.task_create(actor=manager, assignee_id=retention.pk,
                                title="Przejrzeć umowy kończące się w styczniu",
                                due_at=now - datetime.timedelta(days=1))
    services.task_move(actor=retention, task_id=done.pk, action="complete")
    services.task_create(actor=retention, title="Wysłać propozycję przedłużenia",
                         customer_id=customers[1].pk if len(customers) > 1 else None,
                         due_at=now + datetime.timedelta(days=2),
                         remind_at=now - datetime.timedelta(minutes=5))
    services.task_create(actor=manager, title="Przygotować plan sprzedaży na grudzień",
                         due_at=now + datetime.timedelta(days=5))
    services.send_due_reminders(now)
    return ["5 tasks in Kraków (one overdue, one done, a reminder rung)"]
