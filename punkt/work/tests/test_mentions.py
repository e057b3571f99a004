"""@mentions: handles from e-mail addresses, only colleagues who may read the record, the
author never notified, one notification per note even if the note is saved twice."""

from __future__ import annotations

from typing import Any

import pytest

from punkt.work.mentions import handle, mentioned

pytestmark = pytest.mark.django_db


def test_handles_are_found_in_text_once_each(world: Any) -> None:
    people = [world.service_a, world.manager_a]
    h_service, h_manager = handle(world.service_a), handle(world.manager_a)
    text = (f"@{h_service} proszę oddzwonić, @{h_manager.upper()} do wiadomości. "
            f"Jeszcze raz @{h_service}. Adres {h_manager}@example.pl to nie wzmianka, "
            "@nieznany też nie.")
    assert mentioned(text, people) == [world.service_a, world.manager_a]
    assert mentioned(f"e-mail x@{h_service}", people) == []
    world.service_a.is_active = False
    assert mentioned(f"@{h_service}", people) == []


def test_a_ticket_note_notifies_the_mentioned_colleague_of_the_branch_only(
        world: Any, client_as: Any) -> None:
    from django.urls import reverse

    from punkt.servicedesk import services
    from punkt.servicedesk.tests.factories import desk, ticket
    from punkt.work.models import Notification

    t = ticket(world, desk(world))
    body = (f"@{handle(world.manager_a)} klient prosi o rabat; "
            f"@{handle(world.service_b)} z innego oddziału; @{handle(world.service_a)} to ja")
    message = services.note(actor=world.service_a, ticket_id=t.pk, body=body)
    got = Notification.objects.filter(kind="mention")
    assert [n.recipient_id for n in got] == [world.manager_a.pk]  # not B's staff, not me
    assert t.number in got.get().title and got.get().url.endswith(f"/tickets/{t.pk}/")
    # A public reply with a mention notifies nobody (only notes are for colleagues).
    services.reply(actor=world.service_a, ticket_id=t.pk, body=f"@{handle(world.manager_a)}")
    assert got.count() == 1
    assert message.internal
    page = client_as(world.service_a).get(reverse("servicedesk:ticket_detail", args=[t.pk]))
    assert f"@{handle(world.manager_a)}" in page.content.decode()
