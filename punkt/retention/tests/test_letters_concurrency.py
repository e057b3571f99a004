"""Today's letters printed at once by two people (C10), on PostgreSQL where rows really
lock: every letter is printed and marked sent once."""

from __future__ import annotations

import itertools
import threading
from typing import Any

import pytest
from django.db import connection

from punkt.organization.tests.test_concurrency import _race
from tests.world import make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite serialises writers; row locks need PostgreSQL"),
]


def test_two_people_printing_todays_letters_print_each_once(settings: Any,
                                                             tmp_path: Any) -> None:
    from punkt.contracts.tests.factories import customer
    from punkt.messaging.letters import letter_queue
    from punkt.messaging.models import LetterBatch, Message
    from punkt.retention import letters

    settings.VAR_DIR = tmp_path
    w = make_world()
    for n in range(3):
        letter_queue(customer=customer(w, email="", phone=""), kind="marketing",
                     subject=f"List {n}", body="Szanowni Państwo")
    people = itertools.cycle([w.retention_a, w.manager_a])
    keys = itertools.count()
    lock = threading.Lock()

    def print_() -> Any:
        with lock:
            who, key = next(people), f"k{next(keys) % 3}"  # some share a key (a retry)
        return letters.print_batch(actor=who, branch_id=w.a.pk, key=key)

    results = _race(6, print_)
    batches = {r.pk for r in results if isinstance(r, LetterBatch)}
    assert len(batches) == 1, results
    assert all(isinstance(r, LetterBatch) or r.code == "nothing_to_print" for r in results)
    assert LetterBatch.objects.get().count == 3
    assert Message.objects.filter(channel="letter", status="sent").count() == 3
    from punkt.customers.models import TimelineEntry

    assert TimelineEntry.objects.filter(kind="letter").count() == 3
