#!/usr/bin/env python
"""Survey invitations at scale: the issue's "100,000 invitations queued in ≤ 60 s".

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench_surveys \\
        .venv/bin/python bench/run_surveys.py [--customers 100000] [--runs 2]

Makes sure the database holds ``--customers`` active customers with an e-mail (bulk
inserts of plain customer rows in one branch when there are fewer: its own small
generator, no other bench script needed), then times what the hourly job does for the
yearly rule of one questionnaire: the set-based selection (active, not invited within the
quiet period, contactable), the invitations' bulk insert, the messages' bulk insert and
one delivery task per 500 messages. Each run deletes the previous run's invitations,
messages and tasks first.

``--send`` then times the sending through the job queue: the real worker
(``punkt worker --batch``, ``--workers`` processes at once) runs the queued delivery tasks
with the gateways of the demo (``PUNKT_DEMO=1``: e-mails as files under
``$PUNKT_VAR_DIR/mail``, SMS to the file gateway) and the script prints messages sent per
second. The reference row sends 1,000 e-mails straight through the same mail backend, no
database, no queue (what the gateway itself costs).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "punkt.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, models, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

NAME = "Bench: ankieta roczna"


def ensure_customers(n: int) -> None:
    from punkt.customers.models import Customer, CustomerStatus
    from punkt.organization.models import Branch, BranchKind, Employee

    have = Customer.objects.filter(status=CustomerStatus.ACTIVE).exclude(email="").count()
    if have >= n:
        return
    branch = Branch.objects.filter(kind=BranchKind.BRANCH).first() or Branch.objects.create(
        code="BEN-01", name="Bench", kind=BranchKind.BRANCH)
    if not Employee.objects.filter(email="ekspert@bench.punkt.pl").exists():
        from punkt.core.roles import Role
        from punkt.organization.models import Membership

        hq = Branch.objects.filter(kind=BranchKind.HQ).first() or Branch.objects.create(
            code="HQ", name="Centrala", kind=BranchKind.HQ)
        expert = Employee.objects.create_user("ekspert@bench.punkt.pl", "bench-2026")
        Membership.objects.create(employee=expert, branch=hq, role=Role.HQ_EXPERT)
    started = time.perf_counter()
    rows = [Customer(branch=branch, kind="person", first_name="Jan", last_name=f"Bench{i}",
                     email=f"bench{i}@example.pl", country="PL")
            for i in range(have, n)]
    Customer.objects.bulk_create(rows, batch_size=5000)
    print(f"customers: {n - have} made in {time.perf_counter() - started:.1f} s")


def run_once() -> None:
    from django_tasks_db.models import DBTaskResult

    from punkt.messaging.models import Message
    from punkt.organization.models import Employee
    from punkt.surveys import services
    from punkt.surveys.models import Invitation, Questionnaire, Rule, Watermark

    q = Questionnaire.objects.filter(name=NAME).first()
    if q is None:
        q = services.questionnaire_save(
            actor=Employee.objects.get(email="ekspert@bench.punkt.pl")
            if Employee.objects.filter(email="ekspert@bench.punkt.pl").exists()
            else Employee.objects.filter(is_superuser=True).first(),
            name=NAME, title_pl="Jak oceniasz naszą obsługę?",
            questions=[("Jak oceniasz obsługę?", "")], rules=[Rule.YEARLY], is_active=True)
    with transaction.atomic():
        Message.objects.filter(source_type="surveys.invitation").delete()
        Invitation.objects.filter(questionnaire=q).delete()
        Watermark.objects.filter(questionnaire=q).delete()
        DBTaskResult.objects.filter(task_path="punkt.surveys.tasks.deliver_messages").delete()
    started = time.perf_counter()
    made = services.run_rule(q, Rule.YEARLY, timezone.now())
    took = time.perf_counter() - started
    tasks = DBTaskResult.objects.filter(task_path="punkt.surveys.tasks.deliver_messages").count()
    messages = Message.objects.filter(key__startswith="survey:").count()
    print(f"{made} invitations, {messages} messages, {tasks} delivery tasks queued in "
          f"{took:.1f} s ({made / took if took else 0:.0f}/s) on {connection.vendor}")


def reference(n: int = 1000) -> float:
    """E-mails per second straight through the mail backend (one connection, as a
    delivery task uses): the gateway's own cost."""
    from django.conf import settings
    from django.core.mail import EmailMessage, get_connection

    mail = get_connection()
    started = time.perf_counter()
    with mail:
        for i in range(n):
            EmailMessage(subject="Jak oceniasz naszą obsługę?", body=f"Link {i}",
                         from_email=settings.DEFAULT_FROM_EMAIL, to=[f"ref{i}@example.pl"],
                         connection=mail).send()
    took = time.perf_counter() - started
    rate = n / took
    print(f"reference: {n} e-mails straight through {type(mail).__name__} in {took:.2f} s "
          f"({rate:,.0f}/s)")
    return rate


def send_through_worker(workers: int) -> None:
    """Run the queued delivery tasks with the real worker (``punkt worker --batch``),
    ``workers`` processes at once; messages sent per second."""
    import subprocess

    from django_tasks_db.models import DBTaskResult

    from punkt.messaging.models import Message

    queued = Message.objects.filter(key__startswith="survey:", status="queued").count()
    tasks = DBTaskResult.objects.filter(task_path="punkt.surveys.tasks.deliver_messages",
                                        status="READY").count()
    connection.close()
    started = time.perf_counter()
    procs = [subprocess.Popen([str(Path(sys.executable).parent / "punkt"), "worker", "--batch",
                               "--interval", "0", "--worker-id", f"bench-{i}"],
                              cwd=ROOT, stdout=subprocess.DEVNULL)
             for i in range(workers)]
    for p in procs:
        p.wait()
    took = time.perf_counter() - started
    by = dict(Message.objects.filter(key__startswith="survey:").values_list("status")
              .annotate(n=models.Count("pk")).values_list("status", "n"))
    sent = by.get("sent", 0)
    print(f"sent through {workers} worker(s): {sent} of {queued} messages ({tasks} tasks) in "
          f"{took:.1f} s — {sent / took if took else 0:,.0f} messages/s; statuses {by}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--send", action="store_true",
                        help="after the last run, send the queued messages with the worker")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    ensure_customers(args.customers)
    for _ in range(args.runs):
        run_once()
    if args.send:
        reference()
        send_through_worker(args.workers)


if __name__ == "__main__":
    main()
