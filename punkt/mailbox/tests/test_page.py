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
