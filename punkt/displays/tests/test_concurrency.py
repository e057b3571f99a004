"""Races on PostgreSQL (C10): the manager accepts a display while HQ returns it — one
wins, the other is refused; two people completing one task at once complete it once."""

from __future__ import annotations

import pytest
from django.db import connection

from punkt.core.errors import DomainError
from punkt.core.models import AuditEvent
from punkt.displays import services
from punkt.displays.models import DisplayTask, TaskPhoto, TaskStatus
from punkt.displays.tests import factories as f
from punkt.organization.tests.test_concurrency import _race
from punkt.work.models import Notification
from tests.world import make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite serialises writers; row locks need PostgreSQL"),
]


def test_accept_and_return_at_once_one_wins() -> None:
    """(C10) the task's row lock and the conditional update on ``completed``."""
    w = make_world()
    task = f.task(w, "completed")
    calls = iter([
        lambda: services.task_check(actor=w.manager_a, task_id=task.pk, action="accept"),
        lambda: services.task_check(actor=w.expert, task_id=task.pk, action="return",
                                    reason="Plakat krzywo"),
    ])
    results = _race(2, lambda: next(calls)())
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1 and refused[0].code == "invalid_state"
    final = DisplayTask.objects.get(pk=task.pk).status
    assert final in (TaskStatus.ACCEPTED, TaskStatus.RETURNED)
    assert AuditEvent.objects.filter(action__in=("displays.task.accept",
                                                 "displays.task.return")).count() == 1
    returned = Notification.objects.filter(kind="displays.returned").count()
    assert returned == (1 if final == TaskStatus.RETURNED else 0)


def test_completing_twice_at_once_completes_once() -> None:
    w = make_world()
    task = f.task(w)
    actors = iter([w.service_a, w.manager_a])
    results = _race(2, lambda: services.task_complete(actor=next(actors), task_id=task.pk,
                                                      photos=[f.photo()]))
    assert len([r for r in results if isinstance(r, DomainError)]) == 1
    row = DisplayTask.objects.get(pk=task.pk)
    assert row.status == TaskStatus.COMPLETED and row.round == 1
    assert TaskPhoto.objects.filter(task=task).count() == 1
