"""HQ's page of the mailboxes: status, last poll, last error and the counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from punkt.mailbox.models import InboundMail, Mailbox, Outcome
from punkt.servicedesk.tests.factories import desk

pytestmark = pytest.mark.django_db


def test_hq_sees_the_mailboxes_with_their_errors_and_counts(world: Any,
                                                           client_as: Any) -> None:
    d = desk(world)
    box = Mailbox.objects.create(team=d.team_a, address="biuro@punkt.test", host="imap.x",
                                 username="u", password="p", last_error="<b>TLS</b> zły")
    for n, outcome in enumerate([Outcome.TICKET, Outcome.TICKET, Outcome.IGNORED,
                                 Outcome.REFUSED]):
        InboundMail.objects.create(mailbox=box, uidvalidity=1, uid=n, key=str(n),
                                   outcome=outcome)
    response = client_as(world.expert).get(reverse("mailbox:mailbox_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "biuro@punkt.test" in html and "&lt;b&gt;TLS&lt;/b&gt; zły" in html
    assert "<td>2</td><td>0</td>\n<td>1</td><td>1</td>" in html
    assert client_as(world.service_a).get(reverse("mailbox:mailbox_list")).status_code == 403


def test_the_ticket_page_shows_the_mail_and_its_attachments_to_those_who_see_it(
        world: Any, client_as: Any, imap_server: Any, settings: Any) -> None:
    from punkt.mailbox import services
    from punkt.mailbox.models import MailAttachment
    from punkt.mailbox.tests.helpers import mail, mailbox
    from punkt.servicedesk.models import Ticket

    settings.PUNKT_MAILBOX_CA_FILE = imap_server.ca_file
    d = desk(world)
    folder = imap_server.new_folder()
    mb = mailbox(imap_server, d, folder=folder)
    imap_server.append(folder, mail(html='<p>Dzień <b>dobry</b><script>alert(1)</script></p>',
                                    attachments=[("skan.pdf", b"%PDF-1.4\nx",
                                                  "application/pdf")]))
    services.poll(mb.pk)
    ticket = Ticket.objects.get()
    page = client_as(world.service_a).get(reverse("servicedesk:ticket_detail",
                                                  args=[ticket.pk]))
    html = page.content.decode()
    assert "zofia@example.pl" in html and "<b>dobry</b>" in html
    assert "<script>alert(1)" not in html
    att = MailAttachment.objects.get()
    assert reverse("mailbox:attachment", args=[att.pk]) in html
    got = client_as(world.service_a).get(reverse("mailbox:attachment", args=[att.pk]))
    assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"%PDF")
    # branch B's staff do not see branch A's ticket, nor its attachment
    assert client_as(world.service_b).get(
        reverse("mailbox:attachment", args=[att.pk])).status_code == 404
