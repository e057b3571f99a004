"""C13: a worker killed in the middle of sending is replaced; the message goes out once."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from punkt.core.jobs import reap_stale_tasks
from punkt.core.models import WorkerHeartbeat
from punkt.core.testing import smtp_sink
from punkt.messaging import services
from punkt.messaging.models import Message, MessageStatus
from tests.world import make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="the worker subprocess shares the database: PostgreSQL only"),
]
ROOT = Path(__file__).resolve().parents[3]


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "manage.py", "worker", "--batch", "--interval", "0"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def test_killed_worker_is_reaped_and_the_mail_goes_out_once(settings: Any,
                                                             tmp_path: Any) -> None:
    from punkt.customers import services as customers

    w = make_world()
    c = customers.customer_create(
        actor=w.service_a, branch_id=w.a.pk, consents=[{"purpose": "contract", "granted": True}],
        data={"kind": "person", "first_name": "Ewa", "last_name": "Kowal",
              "email": "ewa@example.pl"})
    m = services.message_queue(customer=c, channel="email", kind="service", subject="Zażółć",
                               body="Informacja")
    db = connection.settings_dict
    with smtp_sink(settings) as sink:
        port = settings.MAILERS["default"]["OPTIONS"]["port"]  # the sink's
        env = {**os.environ, "PUNKT_DEMO": "0", "PUNKT_VAR_DIR": str(tmp_path),
               "PUNKT_SMTP_HOST": "127.0.0.1", "PUNKT_SMTP_PORT": str(port),
               "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
        with transaction.atomic():
            # Hold the message row: the worker picks the task up and waits on the lock.
            Message.objects.select_for_update().get(pk=m.pk)
            first = _worker(env)
            deadline = time.monotonic() + 60
            while not DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).exists():
                assert time.monotonic() < deadline, "the worker never started the task"
                time.sleep(0.2)
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(10)
        assert Message.objects.get(pk=m.pk).status == MessageStatus.QUEUED
        WorkerHeartbeat.objects.update(last_seen=timezone.now() - datetime.timedelta(hours=1))
        assert reap_stale_tasks()["requeued"] == 1
        second = _worker(env)
        assert second.wait(60) == 0
        assert len(sink.messages) == 1
        assert Message.objects.get(pk=m.pk).status == MessageStatus.SENT
        third = _worker(env)  # nothing left: no second copy
        assert third.wait(60) == 0
        assert len(sink.messages) == 1
