"""Two workers polling one mailbox at once on PostgreSQL: one polls, the other steps
aside; and two workers taking the same mail at once make one ticket (C13)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from punkt.mailbox import services
from punkt.mailbox.models import InboundMail, Mailbox
from punkt.mailbox.tests.helpers import mail, mailbox
from punkt.organization.tests.test_concurrency import _race
from punkt.servicedesk.models import Ticket, TicketMessage
from punkt.servicedesk.tests.factories import desk
from tests.world import make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite serialises writers; row locks need PostgreSQL"),
]


def test_two_workers_polling_at_once_take_each_mail_once(imap_server: Any,
                                                         settings: Any) -> None:
    settings.PUNKT_MAILBOX_CA_FILE = imap_server.ca_file
    w = make_world()
    d = desk(w)
    folder = imap_server.new_folder()
    mb = mailbox(imap_server, d, folder=folder)
    imap_server.append(folder, *[mail(f"List {n}", f"Treść {n}", msgid=f"<r{n}@example.pl>")
                                 for n in range(5)])
    results = _race(4, lambda: services.poll(mb.pk))
    assert sum(1 for r in results if r.skipped) >= 1
    assert all(r.error == "" for r in results)
    assert Ticket.objects.count() == 5 and TicketMessage.objects.count() == 5
    assert Mailbox.objects.get(pk=mb.pk).last_uid == 5


def test_two_workers_taking_the_same_mail_make_one_ticket(imap_server: Any) -> None:
    w = make_world()
    d = desk(w)
    mb = mailbox(imap_server, d, folder="INBOX")
    Mailbox.objects.filter(pk=mb.pk).update(uidvalidity=7)
    raw = mail()
    barrier = threading.Barrier(2)
    out: list[Any] = []

    def run(uid: int) -> None:
        try:
            barrier.wait()
            out.append(services.take(mb, 7, uid, raw))  # the same mail under two UIDs
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(uid,)) for uid in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(out) == 2 and out[0].pk == out[1].pk
    assert Ticket.objects.count() == 1 and InboundMail.objects.count() == 1
