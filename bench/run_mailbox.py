#!/usr/bin/env python
"""10,000 e-mails from a real IMAP server into tickets: the issue's "≤ 60 s" figure.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench \\
        .venv/bin/python bench/run_mailbox.py [--mails 10000] [--seed 7]

Starts Debian's Dovecot on loopback (as the mailbox's tests do), drops the mails straight
into its maildir, points a mailbox of the HQ call centre at it and runs one poll — the
same ``punkt.mailbox.services.poll`` the worker runs every minute. The mails: 60 % new
matters from customers of the database (matched by e-mail), 25 % answers threaded by
``In-Reply-To`` to a mail of the run, 10 % from unknown senders (with an HTML part), 5 %
auto-replies (ignored); every 20th has a small PDF attached.

The reference row, measured in the same run, is the bare IMAP read of the same mails
(list + fetch of every one, nothing written): what the poll costs beyond it is Punkt's.
Afterwards it checks the result: one InboundMail per mail, a second poll takes nothing.
Needs bench/gen_org.py and bench/gen_customers.py (and gen_servicedesk.py for the team).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter, deque
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "punkt.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from run_org import shape  # noqa: E402

from punkt.core.calendar import polish_holidays  # noqa: E402
from punkt.customers.models import Customer  # noqa: E402
from punkt.mailbox import imap, services  # noqa: E402
from punkt.mailbox.models import InboundMail, Mailbox  # noqa: E402
from punkt.mailbox.tests.dovecot import available, dovecot  # noqa: E402
from punkt.servicedesk.models import Team, Ticket, TicketType  # noqa: E402

ADDRESS = "bok-bench@punkt.example"  # the To: of the mails
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" * 40


def build(n: int, seed: int) -> list[bytes]:
    rnd = random.Random(seed)
    emails = list(Customer.objects.exclude(email="").order_by("?")
                  .values_list("email", "first_name", "last_name")[: max(1, n)])
    if not emails:
        sys.exit("No customers with e-mail here: run bench/gen_customers.py first.")
    out: list[bytes] = []
    sent: list[tuple[str, str, str]] = []  # (msgid, sender, subject) to answer to
    for i in range(n):
        msg = EmailMessage()
        roll = rnd.random()
        msgid = f"<bench-{seed}-{i}@klient.example>"
        if roll < 0.25 and sent:
            parent, sender, subject = rnd.choice(sent)
            msg["In-Reply-To"] = parent
            msg["References"] = parent
            msg["Subject"] = f"Re: {subject}"
            body = "Dziękuję, dosyłam jeszcze numer umowy: " + str(rnd.randint(10**5, 10**6))
        elif roll < 0.35:
            sender = f"Nieznany {i} <nieznany{i}@poczta.example>"
            subject = f"Pytanie o ofertę {i}"
            msg["Subject"] = subject
            body = "Dzień dobry, proszę o informację o ofercie."
        elif roll < 0.40:
            sender = f"Auto <auto{i}@poczta.example>"
            subject = "Automatyczna odpowiedź: nieobecność"
            msg["Subject"] = subject
            msg["Auto-Submitted"] = "auto-replied"
            body = "Jestem na urlopie do poniedziałku."
        else:
            email, first, last = emails[i % len(emails)]
            sender = f"{first} {last} <{email}>"
            subject = rnd.choice(["Nie doszła faktura", "Zmiana adresu", "Reklamacja usługi",
                                  "Pytanie o umowę", "Brak sygnału"]) + f" ({i})"
            msg["Subject"] = subject
            body = "Dzień dobry,\nproszę o pomoc w sprawie jak w temacie.\nPozdrawiam"
        msg["From"] = sender
        msg["To"] = ADDRESS
        msg["Message-ID"] = msgid
        msg["Date"] = "Sun, 06 Dec 2026 08:00:00 +0100"
        msg.set_content(body)
        if roll >= 0.25 and roll < 0.35:
            msg.add_alternative(f"<p>{body}</p><script>alert(1)</script>", subtype="html")
        if i % 20 == 0:
            msg.add_attachment(PDF, maintype="application", subtype="pdf",
                               filename=f"skan-{i}.pdf")
        if "Auto-Submitted" not in msg:
            sent.append((msgid, sender, subject))
        out.append(bytes(msg))
    return out


def drop(maildir: Path, mails: list[bytes]) -> None:
    """Into the maildir's new/ (Dovecot gives the UIDs in file-name order)."""
    new = maildir / "new"
    for d in ("new", "cur", "tmp"):
        (maildir / d).mkdir(parents=True, exist_ok=True)
    for i, raw in enumerate(mails):
        (new / f"{1_700_000_000 + i:012d}.M{i}P1.bench").write_bytes(raw)
    owner = maildir.parent.stat()
    for path in [maildir, *maildir.rglob("*")]:
        os.chown(path, owner.st_uid, owner.st_gid)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mails", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--sql", action="store_true",
                    help="print the statements of the poll by shape, per mail")
    ap.add_argument("--profile", action="store_true",
                    help="print where the poll's Python time goes (cProfile, top 40)")
    args = ap.parse_args()
    if not available():
        sys.exit("Dovecot is missing: apt-get install dovecot-imapd (scripts/debian-packages.sh)")
    team = Team.objects.filter(kind="hq").first() or Team.objects.first()
    if team is None:
        sys.exit("No teams here: run bench/gen_servicedesk.py first.")
    mails = build(args.mails, args.seed)
    size = sum(len(m) for m in mails)
    with dovecot() as server:
        settings.PUNKT_MAILBOX_CA_FILE = server.ca_file
        server.client().logout()  # the first login makes the maildir
        drop(server.maildir, mails)
        Mailbox.objects.filter(address__startswith="bok-bench").update(is_active=False)
        box = Mailbox.objects.create(
            team=team, address=f"bok-bench-{int(time.time())}@punkt.example",
            host=server.host, port=server.port, username=server.user, password=server.password,
            ticket_type=TicketType.objects.order_by("pk").first())
        print(f"{len(mails):,} mails ({size / 1e6:.1f} MB) into {team.name}; "
              f"{Ticket.objects.count():,} tickets before")

        started = time.perf_counter()
        with imap.connect(box) as session:
            session.select(box.folder)
            listed = session.list_after(0, len(mails) + 1)
            for item in listed:
                session.fetch(item.uid)
        reference = time.perf_counter() - started
        assert len(listed) == len(mails), (len(listed), len(mails))

        # a worker process answers many polls: the URL map and the holiday tables it loads
        # on its first one (≈1.5 s) are not a cost of these mails
        reverse("servicedesk:queue")
        polish_holidays(timezone.localdate().year)
        started = time.perf_counter()
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            result = profiler.runcall(services.poll, box.pk)
            took = time.perf_counter() - started
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(45)
            stats.sort_stats("tottime").print_stats(25)
            stats.sort_stats("cumulative").print_callees(
                "ticket_open_from_channel|_tell_assignee|customer_message|_intake|notify|"
                "emit|parse$|thread_of|audit_record|timeline_add|_ticket_type|store")
            args.sql = False
        elif args.sql:  # the statements of every mail (the capture costs time of its own)
            connection.queries_log = deque(maxlen=None)  # type: ignore[attr-defined]
            with CaptureQueriesContext(connection) as ctx:
                result = services.poll(box.pk)
            took = time.perf_counter() - started
        else:
            result = services.poll(box.pk)
            took = time.perf_counter() - started
        if args.sql:
            shapes = Counter(shape(q["sql"]) for q in ctx.captured_queries)
            for sql, count in shapes.most_common(40):
                print(f"{count / len(mails):6.2f}/mail  {sql[:150]}")
        again = services.poll(box.pk)

    taken = InboundMail.objects.filter(mailbox=box)
    outcomes = dict(taken.values_list("outcome").annotate(n=Count("pk")))
    print(f"{'':38} {'seconds':>8} {'mails/s':>8}")
    print(f"{'reference: IMAP list + fetch, no writes':38} {reference:8.1f} "
          f"{len(mails) / reference:8.0f}")
    print(f"{'poll: every mail into tickets':38} {took:8.1f} {len(mails) / took:8.0f}   "
          f"goal ≤ 60 s")
    print(f"outcomes: {outcomes}; poll error: {result.error or 'none'}")
    print(f"second poll took {sum(again.taken.values())} (must be 0); "
          f"{taken.count():,} mails recorded (must be {len(mails):,})")
    if taken.count() != len(mails) or sum(again.taken.values()) or result.error:
        sys.exit("FAILED: not every mail was taken exactly once")


if __name__ == "__main__":
    main()
