"""Races on PostgreSQL (C10): the same survey link submitted twice at once gives one answer
and one follow-up; the other submit is told "already answered"."""

from __future__ import annotations

import pytest
from django.db import connection

from punkt.core.errors import Conflict, DomainError
from punkt.organization.tests.test_concurrency import _race
from punkt.surveys import services
from punkt.surveys.models import FollowUp, Response, Score
from punkt.surveys.tests.factories import invitation, scores
from punkt.work.models import Task
from tests.world import make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite serialises writers; row locks need PostgreSQL"),
]


def test_two_submits_of_one_link_at_once_give_one_answer() -> None:
    """(C10)"""
    w = make_world()
    inv, token = invitation(w)
    values = iter([(2, 2), (3, 5)])
    results = _race(2, lambda: services.answer_submit(
        token=token, scores=scores(inv.questionnaire, *next(values))))
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1 and isinstance(refused[0], Conflict)
    assert refused[0].code == "answered"
    assert Response.objects.count() == 1
    assert Score.objects.count() == 2
    assert FollowUp.objects.count() == 1 and Task.objects.count() == 1
