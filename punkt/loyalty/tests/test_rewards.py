"""Rewards for points: HQ lists them on the programme; a branch employee exchanges a
card's points for one — a ``reward`` entry, and a product out of the branch's stock —
refused on ``reward`` when the points or the stock fall short, nothing written; a second
click with the same key exchanges nothing more; expiry counts the points used."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection

from punkt.core.errors import ActionDenied, DomainError, ValidationFailed
from punkt.inventory.models import StockLevel, StockMovement
from punkt.inventory.tests.factories import shop
from punkt.loyalty import rewards, services
from punkt.loyalty.models import Card, EntryKind, PointsEntry, Reward, RewardRedemption
from punkt.loyalty.tests import factories as f

pytestmark = pytest.mark.django_db


def setup(world: Any, text: str = "Kubek firmowy | 100 | {book}\nBilet do kina | 200") -> Any:
    s = shop(world)
    prog = f.programme(world, rewards=text.format(book=s.book.code))
    card = f.card(world, prog)
    f.sell(world, (s.router, 1), card=card)  # 249 points
    card.refresh_from_db()
    return s, prog, card


def redeem(world: Any, card: Any, reward: Any, **kw: Any) -> Any:
    return rewards.reward_redeem(actor=kw.pop("actor", world.service_a), card_id=card.pk,
                                 reward_id=reward.pk, branch_id=world.a.pk, **kw)


def test_hq_lists_rewards_one_a_line_and_a_line_left_out_is_switched_off(world: Any) -> None:
    s, prog, _card = setup(world)
    assert [(r.name, r.points, r.product_id) for r in prog.rewards.all()] == [
        ("Kubek firmowy", 100, s.book.pk), ("Bilet do kina", 200, None)]
    services.programme_save(actor=world.expert, programme_id=prog.pk, data={
        "name": prog.name, "kind": "points", "points_per_zloty": "1", "point_value": "0,10",
        "rewards": "Bilet do kina | 250"})
    assert list(prog.rewards.filter(is_active=True).values_list("name", "points")) == [
        ("Bilet do kina", 250)]
    assert Reward.objects.get(name="Kubek firmowy").is_active is False


@pytest.mark.parametrize(("text", "line"), [
    ("Kubek", 1), ("Kubek | 0", 1), ("A | 5\nKubek | 1,5", 2), ("A | 5\na | 6", 2),
    ("A | 5 | NO-SUCH-CODE", 1)])
def test_a_bad_rewards_line_is_refused_with_its_number(world: Any, text: str,
                                                      line: int) -> None:
    with pytest.raises(ValidationFailed) as err:
        f.programme(world, rewards=text)
    assert err.value.field == "rewards" and f" {line}:" in str(err.value)


def test_points_buy_a_product_which_leaves_the_branch_stock(world: Any) -> None:
    s, prog, card = setup(world)
    mug = prog.rewards.get(name="Kubek firmowy")
    done = redeem(world, card, mug)
    card.refresh_from_db()
    assert card.points_balance == 149
    assert (done.entry.kind, done.entry.points, done.entry.balance_after) == (
        EntryKind.REWARD, -100, 149)
    assert done.movement is not None and done.movement.kind == "reward"
    assert (done.movement.source_type, done.movement.source_id) == (
        "loyalty.rewardredemption", str(done.pk))
    assert StockLevel.objects.get(branch=world.a, product=s.book).quantity == 4
    assert services.balance_matches(card.pk)
    if card.customer_id:
        assert card.customer.timeline.filter(subject__contains="Kubek firmowy").exists()


def test_too_few_points_or_no_stock_is_refused_on_reward_and_nothing_is_written(
        world: Any) -> None:
    s, prog, card = setup(world)
    ticket, mug = prog.rewards.get(name="Bilet do kina"), prog.rewards.get(name="Kubek firmowy")
    redeem(world, card, ticket)  # 49 left
    with pytest.raises(ValidationFailed) as err:
        redeem(world, card, mug)
    assert err.value.field == "reward" and "49" in str(err.value)
    f.sell(world, (s.router, 1), card=card)  # +249 → 298
    StockLevel.objects.filter(branch=world.a, product=s.book).update(quantity=0)
    moves = StockMovement.objects.count()
    with pytest.raises(ValidationFailed) as err:
        redeem(world, card, mug)
    assert err.value.field == "reward"
    card.refresh_from_db()
    assert card.points_balance == 298 and StockMovement.objects.count() == moves
    assert RewardRedemption.objects.count() == 1 and services.balance_matches(card.pk)


def test_a_blocked_card_another_programmes_reward_or_a_cashier_are_refused(
        world: Any) -> None:
    _s, prog, card = setup(world)
    other = f.programme(world, name="Inny", rewards="Parasol | 10")
    with pytest.raises(ValidationFailed) as err:
        redeem(world, card, other.rewards.get())
    assert err.value.field == "reward"
    with pytest.raises(ActionDenied):
        redeem(world, card, prog.rewards.first(), actor=world.cashier_a)
    services.card_move(actor=world.manager_a, card_id=card.pk, action="block", reason="zgubiona")
    with pytest.raises(ValidationFailed) as err:
        redeem(world, card, prog.rewards.first())
    assert err.value.field == "card"


def test_the_same_key_exchanges_once(world: Any) -> None:
    _s, prog, card = setup(world)
    ticket = prog.rewards.get(name="Bilet do kina")
    first = redeem(world, card, ticket, key="k-1")
    again = redeem(world, card, ticket, key="k-1")
    assert first.pk == again.pk
    assert Card.objects.get(pk=card.pk).points_balance == 49


def test_points_used_for_a_reward_are_the_oldest_when_points_expire(world: Any) -> None:
    _s, prog, card = setup(world)
    redeem(world, card, prog.rewards.get(name="Bilet do kina"))
    later = PointsEntry.objects.filter(card=card, kind="earned").get().expires_on
    assert later is not None
    assert services.expiring(card.pk, later + datetime.timedelta(days=1)) == 49


def test_the_card_page_offers_the_rewards_and_exchanges_one(world: Any,
                                                            client_as: Any) -> None:
    _s, prog, card = setup(world)
    client = client_as(world.service_a)
    page = client.get(f"/loyalty/{card.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Kubek firmowy" in body and 'data-testid="card-rewards"' in body
    ticket = prog.rewards.get(name="Bilet do kina")
    r = client.post(f"/loyalty/{card.pk}/rewards/", {"reward": ticket.pk,
                                                     "branch": world.a.pk, "key": "x1"})
    assert r.status_code == 302
    assert Card.objects.get(pk=card.pk).points_balance == 49
    shown = client.get(f"/loyalty/{card.pk}/").content.decode()
    assert "Bilet do kina" in shown and "-200" in shown


def test_a_card_of_another_branch_is_not_found(world: Any, client_as: Any) -> None:
    _s, prog, card = setup(world)
    client = client_as(world.service_b)
    r = client.post(f"/loyalty/{card.pk}/rewards/", {"reward": prog.rewards.first().pk,
                                                     "branch": world.b.pk})
    assert r.status_code == 404
    assert Card.objects.get(pk=card.pk).points_balance == 249


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite serialises writers; row locks need PostgreSQL")
def test_two_exchanges_of_the_same_points_at_once_one_wins() -> None:
    from punkt.organization.tests.test_concurrency import _race
    from tests.world import make_world

    w = make_world()
    _s, prog, card = setup(w, "Bilet do kina | 200")
    ticket = prog.rewards.get()
    actors = iter([w.service_a, w.manager_a])
    results = _race(2, lambda: rewards.reward_redeem(
        actor=next(actors), card_id=card.pk, reward_id=ticket.pk, branch_id=w.a.pk))
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1 and refused[0].field == "reward"
    assert Card.objects.get(pk=card.pk).points_balance == 49
    assert services.balance_matches(card.pk)


def test_the_api_lists_and_exchanges_a_reward(world: Any, client_as: Any) -> None:
    s, prog, card = setup(world)
    api = client_as(world.service_a)
    listed = api.get(f"/api/v1/loyalty/cards/{card.pk}/rewards").json()
    assert [(r["name"], r["points"]) for r in listed] == [("Kubek firmowy", 100),
                                                          ("Bilet do kina", 200)]
    mug = prog.rewards.get(name="Kubek firmowy")
    r = api.post(f"/api/v1/loyalty/cards/{card.pk}/rewards",
                 {"reward_id": mug.pk, "branch_id": world.a.pk, "key": "api-1"},
                 content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["points"], body["balance_after"]) == (100, 149)
    assert body["stock_movement_id"] is not None
    again = api.post(f"/api/v1/loyalty/cards/{card.pk}/rewards",
                     {"reward_id": mug.pk, "branch_id": world.a.pk, "key": "api-1"},
                     content_type="application/json")
    assert again.json()["id"] == body["id"]
    too_much = api.post(f"/api/v1/loyalty/cards/{card.pk}/rewards",
                        {"reward_id": prog.rewards.get(name="Bilet do kina").pk,
                         "branch_id": world.a.pk}, content_type="application/json")
    assert too_much.status_code == 422
    assert "reward" in str(too_much.json())
    assert StockLevel.objects.get(branch=world.a, product=s.book).quantity == 4
