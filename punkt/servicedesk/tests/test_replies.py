"""Ready answers: kept per team by who keeps the team (company-wide ones by HQ), offered on
the ticket page of that team, filled in with the ticket's data; named field errors."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from punkt.core.errors import ActionDenied, NotFound, ValidationFailed
from punkt.servicedesk import replies
from punkt.servicedesk.models import CannedReply
from punkt.servicedesk.tests.factories import desk, ticket

pytestmark = pytest.mark.django_db

TEXT = "Dzień dobry {klient},\nw sprawie {numer} ({temat}) — {nieznane}.\n{pracownik}, {zespół}"


def test_placeholders_are_filled_and_unknown_ones_kept(world: Any) -> None:
    from punkt.contracts.tests.factories import customer

    d = desk(world)
    t = ticket(world, d, customer_id=customer(world).pk, subject="Brak faktury")
    filled = replies.fill(TEXT, t, world.service_a)
    assert filled == (f"Dzień dobry Zofia Żółkiewska,\nw sprawie {t.number} (Brak faktury) — "
                      f"{{nieznane}}.\n{world.service_a.full_name}, Biuro obsługi A")
    assert replies.fill("{customer} {NUMBER}", t, world.service_a) == (
        f"Zofia Żółkiewska {t.number}")


def test_a_manager_keeps_the_answers_of_their_teams_only(world: Any) -> None:
    d = desk(world)
    mine = replies.reply_save(actor=world.manager_a, team_id=d.team_a.pk, title="Faktura",
                              body=TEXT)
    with pytest.raises(ValidationFailed) as caught:
        replies.reply_save(actor=world.manager_a, team_id=d.team_b.pk, title="X", body="Y")
    assert caught.value.field == "team"
    with pytest.raises(ValidationFailed) as caught:  # company-wide: HQ only
        replies.reply_save(actor=world.manager_a, team_id="", title="X", body="Y")
    assert caught.value.field == "team"
    for field, title, body in (("title", " ", "Y"), ("body", "Z", ""),
                               ("title", "Faktura", "Y"),  # the same title twice
                               ("title", "x" * 101, "Y")):
        with pytest.raises(ValidationFailed) as caught:
            replies.reply_save(actor=world.manager_a, team_id=d.team_a.pk, title=title,
                               body=body)
        assert caught.value.field == field
    with pytest.raises(ActionDenied):
        replies.reply_save(actor=world.service_a, team_id=d.team_a.pk, title="X", body="Y")
    with pytest.raises(NotFound):  # B's manager cannot change A's answer
        replies.reply_save(actor=world.manager_b, reply_id=mine.pk, team_id=d.team_b.pk,
                           title="X", body="Y")
    everyone = replies.reply_save(actor=world.admin, team_id="", title="Dziękujemy",
                                  body="Dziękujemy, {klient}.")
    assert everyone.team is None
    assert set(replies.kept_by(world.manager_a)) == {mine}
    assert set(replies.kept_by(world.admin)) == {mine, everyone}


def test_the_ticket_page_offers_and_fills_the_team_s_answers(world: Any,
                                                               client_as: Any) -> None:
    d = desk(world)
    t = ticket(world, d)
    ours = CannedReply.objects.create(team=d.team_a, title="Faktura", body="Sprawa {numer}")
    CannedReply.objects.create(team=d.team_b, title="Tylko B", body="B")
    CannedReply.objects.create(team=d.team_a, title="Wyłączona", body="-", is_active=False)
    c = client_as(world.service_a)
    url = reverse("servicedesk:ticket_detail", args=[t.pk])
    page = c.get(url).content.decode()
    assert ">Faktura<" in page and "Tylko B" not in page and "Wyłączona" not in page
    filled = c.get(url, {"canned": ours.pk}).content.decode()
    assert f">Sprawa {t.number}</textarea>" in filled


def test_the_pages_keep_the_input_and_name_the_field(world: Any, client_as: Any) -> None:
    d = desk(world)
    c = client_as(world.manager_a)
    bad = c.post(reverse("servicedesk:reply_new"), {"team_id": d.team_a.pk, "title": "",
                                                    "body": "Zostaje {klient}"})
    text = bad.content.decode()
    assert bad.status_code == 200 and "Zostaje {klient}" in text and 'aria-invalid="true"' in text
    made = c.post(reverse("servicedesk:reply_new"), {"team_id": d.team_a.pk, "title": "Nowa",
                                                     "body": "Treść", "is_active": "1"})
    reply = CannedReply.objects.get(title="Nowa")
    assert made.status_code == 302 and reply.is_active
    assert "Nowa" in c.get(reverse("servicedesk:reply_list")).content.decode()
    assert client_as(world.service_a).get(reverse("servicedesk:reply_list")).status_code == 403
