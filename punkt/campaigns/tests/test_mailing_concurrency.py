"""Two workers on one mailing at once (PostgreSQL): no message is sent twice and the
gateway's rate holds for both together."""

from __future__ import annotations

import json
import threading
from collections import Counter
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from punkt.campaigns.services import mailing as svc
from punkt.campaigns.tests.test_mailing import customer, plan
from punkt.messaging.models import Message, MessageStatus
from tests.world import make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite serialises writers; row locks need PostgreSQL"),
]


def _sms_mailing(settings: Any, tmp_path: Any, n: int) -> Any:
    settings.VAR_DIR = tmp_path
    w = make_world()
    for i in range(n):
        customer(w, i, sms=True)
    m = plan(w.manager_a, channel="sms", subject="", body="Promocja w {{ oddzial }}")
    svc.mailing_move(actor=w.manager_a, mailing_id=m.pk, action="send")
    svc.step(m.pk)  # queued
    return m


def _sent_to(tmp_path: Any) -> Counter[str]:
    return Counter(json.loads(p.read_text())["to"] for p in (tmp_path / "sms").glob("*.json"))


def test_two_workers_never_send_one_message_twice(settings: Any, tmp_path: Any) -> None:
    m = _sms_mailing(settings, tmp_path, 30)
    settings.PUNKT_MAILING_RATE_SMS = 1000
    monkey = svc.BATCH
    svc.BATCH = 4  # many small batches: the workers interleave
    barrier = threading.Barrier(2)

    def worker() -> None:
        try:
            barrier.wait()
            for _ in range(200):
                if svc.step(m.pk).next_at is None:
                    return
        finally:
            connection.close()

    try:
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        svc.BATCH = monkey
    sent = _sent_to(tmp_path)
    assert len(sent) == 30 and set(sent.values()) == {1}
    assert Message.objects.filter(status=MessageStatus.SENT).count() == 30


def test_two_workers_together_keep_the_rate(settings: Any, tmp_path: Any) -> None:
    m = _sms_mailing(settings, tmp_path, 12)
    settings.PUNKT_MAILING_RATE_SMS = 5
    now = timezone.now()
    barrier = threading.Barrier(2)
    results: list[int] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(svc.step(m.pk, now).sent)
            results.append(svc.step(m.pk, now).sent)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(results) == 5 and sum(_sent_to(tmp_path).values()) == 5
