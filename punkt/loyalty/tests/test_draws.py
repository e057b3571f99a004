"""Prize draws and the VIP level (seed 003): the rules a draw is announced with, who takes
part, the pick repeated from the recorded seed, once only, the winners' branches told and
their timelines written; pages and API by role; a VIP card on its page and the profile."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from punkt.contracts.tests.factories import customer
from punkt.core.errors import ActionDenied, Conflict, ValidationFailed
from punkt.customers.models import TimelineEntry
from punkt.inventory.tests.factories import shop
from punkt.loyalty import draws, services
from punkt.loyalty.models import DrawStatus, DrawWinner, PrizeDraw
from punkt.loyalty.tests import factories as f
from punkt.work.models import Notification

pytestmark = pytest.mark.django_db

RULES = "Każda karta z zakupami w okresie bierze udział raz; losuje centrala."


def today() -> datetime.date:
    return timezone.localdate()


def announce(world: Any, prog: Any, **data: Any) -> PrizeDraw:
    values = {"name": "Losowanie zimowe", "programme": prog.pk, "rules": RULES,
              "prizes": "Tablet; 1\nSłuchawki; 2", "period_from": today(),
              "period_to": today(), "draw_on": today() + datetime.timedelta(days=1),
              "min_purchases": "0"}
    values.update(data)
    return draws.draw_save(actor=world.expert, data=values)


@pytest.fixture(autouse=True)
def english() -> Any:
    from django.utils import translation

    with translation.override("en"):
        yield


def test_prizes_are_read_line_by_line_and_a_bad_line_is_named() -> None:
    assert draws.parse_prizes("Tablet; 2\n\n  Kubek \n") == [["Tablet", 2], ["Kubek", 1]]
    with pytest.raises(ValidationFailed) as bad:
        draws.parse_prizes("Tablet; 2\nKubek; dużo")
    assert bad.value.field == "prizes" and "Line 2" in bad.value.message
    with pytest.raises(ValidationFailed):
        draws.parse_prizes("")
    with pytest.raises(ValidationFailed):
        draws.parse_prizes("Tablet; 150\nKubek; 60")  # 210 prizes > 200


@pytest.mark.parametrize(("data", "field"), [
    ({"rules": "krótko"}, "rules"),
    ({"period_to": "2026-01-01", "period_from": "2026-02-01"}, "period_to"),
    ({"draw_on": "same"}, "draw_on"),
    ({"min_purchases": "-5"}, "min_purchases"),
    ({"programme": 0}, "programme"),
    ({"name": "  "}, "name"),
])
def test_a_draw_is_refused_on_the_field_at_fault(world: Any, data: dict[str, Any],
                                                 field: str) -> None:
    programme = f.programme(world)
    if data.get("draw_on") == "same":
        data = {"draw_on": today()}  # the period ends today: the draw is tomorrow at best
    with pytest.raises(ValidationFailed) as refused:
        announce(world, programme, **data)
    assert refused.value.field == field
    assert not PrizeDraw.objects.exists()


def test_only_hq_announces_and_draws(world: Any) -> None:
    programme = f.programme(world)
    with pytest.raises(ActionDenied):
        draws.draw_save(actor=world.manager_a, data={"name": "x"})
    draw = announce(world, programme)
    with pytest.raises(ActionDenied):
        draws.draw_run(actor=world.manager_a, draw_id=draw.pk, witness="Ktoś",
                       today=draw.draw_on)


def test_the_pick_is_repeatable_from_the_seed_and_takes_each_entrant_once() -> None:
    numbers = [f"29{n:011d}" for n in range(50)]
    first = draws.pick("ab" * 32, numbers, 10)
    assert first == draws.pick("ab" * 32, numbers, 10)
    assert len(set(first)) == 10 and set(first) <= set(numbers)
    assert draws.pick("cd" * 32, numbers, 10) != first
    assert sorted(draws.pick("ab" * 32, numbers[:3], 10)) == numbers[:3]  # fewer than prizes


def test_entrants_have_purchases_in_the_period_reaching_the_minimum(world: Any) -> None:
    s = shop(world)
    programme = f.programme(world)
    big, small, none = (f.card(world, programme) for _i in range(3))
    other = f.card(world, f.programme(world, "personal", name="Inny"))
    f.sell(world, (s.router, 1), card=big)     # 249,00
    f.sell(world, (s.cable, 1), card=small)    # a cable: under the minimum
    f.sell(world, (s.router, 1), card=other)   # another programme
    draw = announce(world, programme, min_purchases="100")
    assert [c for _n, c, _b in draws.entrants_of(draw)] == [big.pk]
    later = announce(world, programme, name="Później",
                     period_from=today() + datetime.timedelta(days=1),
                     period_to=today() + datetime.timedelta(days=2),
                     draw_on=today() + datetime.timedelta(days=3))
    assert draws.entrants_of(later) == []
    assert none.pk not in [c for _n, c, _b in draws.entrants_of(
        announce(world, programme, name="Każdy"))]


def test_a_draw_picks_the_winners_once_and_tells_their_branch(world: Any) -> None:
    s = shop(world)
    programme = f.programme(world)
    cards = [f.card(world, programme) for _i in range(4)]
    b_customer = customer(world, branch=world.b, actor=world.service_b)
    b_card = services.card_issue(actor=world.service_b, branch_id=world.b.pk,
                                 programme_id=programme.pk, customer_id=b_customer.pk)
    for card in [*cards, b_card]:
        f.sell(world, (s.cable, 1), card=card)
    draw = announce(world, programme, prizes="Tablet; 1\nSłuchawki; 10")
    with pytest.raises(Conflict) as early:
        draws.draw_run(actor=world.expert, draw_id=draw.pk, witness="Anna", today=today())
    assert early.value.field == "draw_on"
    with pytest.raises(ValidationFailed) as nobody:
        draws.draw_run(actor=world.expert, draw_id=draw.pk, witness=" ", today=draw.draw_on)
    assert nobody.value.field == "witness"

    done = draws.draw_run(actor=world.expert, draw_id=draw.pk, witness="Anna Nowak, komisja",
                          today=draw.draw_on)
    assert done.status == DrawStatus.DRAWN and done.entrants == 5 and len(done.seed) == 64
    winners = list(DrawWinner.objects.filter(draw=draw).order_by("place"))
    assert [w.prize for w in winners] == ["Tablet"] + ["Słuchawki"] * 4  # 5 entrants, 11 prizes
    numbers = sorted(c.number for c in [*cards, b_card])
    assert done.entrants_digest == draws.digest(numbers)
    assert [w.card.number for w in winners] == draws.pick(done.seed, numbers, 11)
    assert {w.branch_id for w in winners} == {world.a.pk, world.b.pk}
    assert TimelineEntry.objects.filter(kind="loyalty", subject__contains="Losowanie zimowe"
                                        ).count() == 5
    told = set(Notification.objects.filter(kind="loyalty.draw")
               .values_list("recipient_id", flat=True))
    assert {world.manager_a.pk, world.service_a.pk, world.manager_b.pk} <= told
    assert world.cashier_a.pk not in told

    with pytest.raises(Conflict):  # once only
        draws.draw_run(actor=world.expert, draw_id=draw.pk, witness="Anna", today=draw.draw_on)
    with pytest.raises(Conflict):
        draws.draw_cancel(actor=world.expert, draw_id=draw.pk, reason="pomyłka")
    assert DrawWinner.objects.filter(draw=draw).count() == 5


def test_a_draw_nobody_entered_is_refused_and_can_be_cancelled(world: Any) -> None:
    draw = announce(world, f.programme(world))
    with pytest.raises(Conflict) as empty:
        draws.draw_run(actor=world.expert, draw_id=draw.pk, witness="Anna", today=draw.draw_on)
    assert empty.value.field == "min_purchases"
    with pytest.raises(ValidationFailed):
        draws.draw_cancel(actor=world.expert, draw_id=draw.pk, reason="")
    cancelled = draws.draw_cancel(actor=world.expert, draw_id=draw.pk, reason="Brak chętnych")
    assert cancelled.status == DrawStatus.CANCELLED and cancelled.cancel_reason


def test_pages_by_role_and_the_winners_of_ones_own_branch(world: Any, client_as: Any) -> None:
    s = shop(world)
    programme = f.programme(world)
    card = f.card(world, programme)
    f.sell(world, (s.cable, 1), card=card)
    hq = client_as(world.expert)
    form = {"name": "Losowanie", "programme": programme.pk, "period_from": today(),
            "period_to": today(), "draw_on": today(), "min_purchases": "0",
            "prizes": "Tablet; 1", "rules": RULES}
    page = hq.post(reverse("loyalty:draw_new"), form)
    assert page.status_code == 200 and 'id="id_draw_on_error"' in page.content.decode()
    form["draw_on"] = today() + datetime.timedelta(days=1)
    assert hq.post(reverse("loyalty:draw_new"), form).status_code == 302
    draw = PrizeDraw.objects.get()
    detail = reverse("loyalty:draw_detail", args=[draw.pk])
    assert 'data-testid="draw-run"' in hq.get(detail).content.decode()
    assert client_as(world.manager_a).get(reverse("loyalty:draw_new")).status_code == 403
    assert client_as(world.cashier_a).get(reverse("loyalty:draw_list")).status_code == 403
    listed = client_as(world.service_a).get(reverse("loyalty:draw_list")).content.decode()
    assert "Losowanie" in listed
    early = hq.post(reverse("loyalty:draw_act", args=[draw.pk, "draw"]), {"witness": "Anna"},
                    follow=True).content.decode()
    assert "nie wcześniej" in early
    draws.draw_run(actor=world.expert, draw_id=draw.pk, witness="Anna", today=draw.draw_on)
    mine = client_as(world.manager_a).get(detail).content.decode()
    assert card.number in mine and 'data-testid="draw-run"' not in mine
    theirs = client_as(world.manager_b).get(detail).content.decode()
    assert card.number not in theirs and "Żadna karta Twoich oddziałów nie wygrała." in theirs
    assert "Tablet" in client_as(world.service_a).get(
        reverse("loyalty:card_detail", args=[card.pk])).content.decode()


def test_the_api_announces_draws_and_lists_winners_by_branch(world: Any,
                                                             client_as: Any) -> None:
    s = shop(world)
    programme = f.programme(world)
    card = f.card(world, programme)
    f.sell(world, (s.cable, 1), card=card)
    hq = client_as(world.expert)
    body = {"name": "API", "programme_id": programme.pk, "period_from": str(today()),
            "period_to": str(today()), "draw_on": str(today()), "prizes": [["Kubek", 2]],
            "rules": RULES}
    bad = hq.post("/api/v1/loyalty/draws", json.dumps(body), content_type="application/json")
    assert bad.status_code == 422 and bad.json()["field"] == "draw_on"
    body["draw_on"] = str(today() + datetime.timedelta(days=1))
    made = hq.post("/api/v1/loyalty/draws", json.dumps(body), content_type="application/json")
    assert made.status_code == 201 and made.json()["prizes"] == [["Kubek", 2]]
    draw_id = made.json()["id"]
    assert client_as(world.manager_a).post(
        "/api/v1/loyalty/draws", json.dumps(body),
        content_type="application/json").status_code == 403
    early = hq.post(f"/api/v1/loyalty/draws/{draw_id}/moves",
                    json.dumps({"action": "draw", "witness": "Anna"}),
                    content_type="application/json")
    assert early.status_code == 409 and early.json()["field"] == "draw_on"
    draws.draw_run(actor=world.expert, draw_id=draw_id, witness="Anna",
                   today=today() + datetime.timedelta(days=1))
    got = client_as(world.service_a).get(f"/api/v1/loyalty/draws/{draw_id}").json()
    assert got["status"] == "drawn" and [w["card_id"] for w in got["winners"]] == [card.pk]
    assert client_as(world.manager_b).get(
        f"/api/v1/loyalty/draws/{draw_id}").json()["winners"] == []
    assert client_as(world.service_a).get("/api/v1/loyalty/draws").json()["items"][0][
        "id"] == draw_id


def test_a_card_reaching_the_vip_level_is_marked_vip(world: Any, client_as: Any) -> None:
    s = shop(world)
    with pytest.raises(ValidationFailed) as refused:
        f.programme(world, "tiered", vip_from="200")
    assert refused.value.field == "vip_benefits"
    programme = f.programme(world, "tiered", vip_from="200",
                            vip_benefits="Obsługa bez kolejki")
    card = f.card(world, programme)
    page = reverse("loyalty:card_detail", args=[card.pk])
    assert "Obsługa bez kolejki" not in client_as(world.service_a).get(page).content.decode()
    f.sell(world, (s.router, 1), card=card)  # 249 zł ≥ 200
    assert "Obsługa bez kolejki" in client_as(world.service_a).get(page).content.decode()
    profile = client_as(world.service_a).get(
        reverse("customers:customer_detail", args=[card.customer_id])).content.decode()
    assert "VIP: Obsługa bez kolejki" in profile


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_winners_are_append_only(world: Any) -> None:
    from django.db import DatabaseError, transaction

    s = shop(world)
    programme = f.programme(world)
    card = f.card(world, programme)
    f.sell(world, (s.cable, 1), card=card)
    draw = announce(world, programme)
    draws.draw_run(actor=world.expert, draw_id=draw.pk, witness="Anna", today=draw.draw_on)
    with pytest.raises(DatabaseError), transaction.atomic():
        DrawWinner.objects.update(prize="Samochód")
