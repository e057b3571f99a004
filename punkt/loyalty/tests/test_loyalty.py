"""Rules of programmes, cards and points (R13; ``docs/loyalty.md``)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone, translation

from punkt.core.errors import ActionDenied, Conflict, ValidationFailed
from punkt.core.jobs import PERIODIC
from punkt.inventory.tests.factories import shop
from punkt.loyalty import services
from punkt.loyalty.models import Card, CardSale, EntryKind, PointsEntry, Tier
from punkt.loyalty.tests import factories as f
from punkt.sales import services as sales

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


def kinds(card: Any) -> list[tuple[str, int]]:
    return list(PointsEntry.objects.filter(card=card).order_by("pk")
                .values_list("kind", "points"))


def balance(card: Any) -> int:
    return Card.objects.get(pk=card.pk).points_balance


def test_card_numbers_carry_an_ean13_check_digit() -> None:
    assert services.check_digit("590123412345") == "7"
    assert services.card_number(1) == "2900000000018"
    assert services.number_is_valid(services.card_number(123456))
    assert not services.number_is_valid("2900000000016")
    assert not services.number_is_valid("5901234123457")


@pytest.mark.parametrize(("data", "field"), [
    ({"name": ""}, "name"),
    ({"kind": "lottery"}, "kind"),
    ({"kind": "personal", "discount_percent": "0"}, "discount_percent"),
    ({"kind": "bearer", "discount_percent": "101"}, "discount_percent"),
    ({"kind": "tiered", "gold_from": "400"}, "gold_from"),
    ({"kind": "progressive", "scale": "200 2"}, "scale"),
    ({"kind": "progressive", "scale": "200: 4; 500: 2"}, "scale"),
    ({"kind": "points", "point_value": "0,00001"}, "point_value"),
    ({"kind": "points", "points_per_zloty": "0"}, "points_per_zloty"),
    ({"kind": "points", "points_valid_months": "0"}, "points_valid_months"),
])
def test_a_programme_is_refused_on_the_field_at_fault(world: Any, data: dict[str, Any],
                                                      field: str) -> None:
    kind = data.pop("kind", "points")
    with pytest.raises(ValidationFailed) as err:
        f.programme(world, kind, **data)
    assert err.value.field == field


def test_only_hq_defines_programmes(world: Any) -> None:
    with pytest.raises(ActionDenied):
        services.programme_save(actor=world.manager_a, data={"name": "X", "kind": "bearer",
                                                             "discount_percent": "5"})


def test_a_programme_name_is_unique_and_its_kind_stays_once_cards_exist(world: Any) -> None:
    prog = f.programme(world, "bearer")
    with pytest.raises(ValidationFailed) as err:
        f.programme(world, "bearer")
    assert err.value.field == "name"
    f.card(world, prog)
    with pytest.raises(ValidationFailed) as err:
        services.programme_save(actor=world.expert, programme_id=prog.pk, data={
            "name": prog.name, "kind": "personal", "discount_percent": "5"})
    assert err.value.field == "kind"


def test_a_personal_card_names_a_customer_a_bearer_card_none(world: Any) -> None:
    from punkt.contracts.tests.factories import customer

    personal, bearer = f.programme(world, "personal"), f.programme(world, "bearer")
    with pytest.raises(ValidationFailed) as err:
        services.card_issue(actor=world.service_a, branch_id=world.a.pk,
                            programme_id=personal.pk)
    assert err.value.field == "customer"
    c = customer(world)
    with pytest.raises(ValidationFailed) as err:
        services.card_issue(actor=world.service_a, branch_id=world.a.pk,
                            programme_id=bearer.pk, customer_id=c.pk)
    assert err.value.field == "customer"
    card = f.card(world, personal, customer=c)
    assert card.customer == c and services.number_is_valid(card.number)
    assert Card.objects.get(pk=card.pk).number == card.number
    with pytest.raises(ValidationFailed) as err:
        f.card(world, personal, customer=c)
    assert err.value.field == "customer"
    other = f.card(world, bearer)
    assert other.customer is None and other.number != card.number


def test_another_branchs_customer_gets_no_card_here(world: Any) -> None:
    from punkt.contracts.tests.factories import customer

    c = customer(world, branch=world.b, actor=world.service_b)
    with pytest.raises(ValidationFailed) as err:
        f.card(world, f.programme(world, "personal"), customer=c)
    assert err.value.field == "customer"


def test_points_are_earned_on_what_was_paid_rounded_down(world: Any) -> None:
    s = shop(world)
    card = f.card(world, f.programme(world, "points", points_per_zloty="1,5"))
    sale = f.sell(world, (s.router, 1), (s.cable, 1), card=card)
    assert sale.total_gross == Decimal("268.99")
    assert kinds(card) == [(EntryKind.EARNED, 403)]  # 268.99 × 1.5 = 403.485
    entry = PointsEntry.objects.get(card=card)
    assert entry.sale == sale and entry.balance_after == 403
    assert entry.expires_on == services.add_months(timezone.localdate(), 12)
    assert CardSale.objects.get(card=card).amount == Decimal("268.99")


def test_the_card_discount_applies_to_every_line_unless_the_sellers_is_larger(
        world: Any) -> None:
    s = shop(world)
    card = f.card(world, f.programme(world, "bearer", discount_percent="5"))
    sale = sales.sale_create(actor=world.service_a, branch_id=world.a.pk,
                             payment_method="cash", card=card.number, lines=[
                                 {"product_id": s.router.pk, "quantity": 1},
                                 {"product_id": s.cable.pk, "quantity": 1,
                                  "discount_percent": "10"}])
    lines = {x.product_id: x for x in sale.lines.all()}
    assert lines[s.router.pk].discount_percent == Decimal("5")
    assert lines[s.router.pk].total_gross == Decimal("236.55")
    assert lines[s.cable.pk].discount_percent == Decimal("10")
    assert sale.discount_gross == Decimal("12.45") + Decimal("2.00")
    assert kinds(card) == []


def test_the_progressive_scale_goes_by_the_baskets_amount(world: Any) -> None:
    s = shop(world, stock_a=10)
    card = f.card(world, f.programme(world, "progressive"))
    assert f.sell(world, (s.cable, 1), card=card).discount_gross == 0
    assert f.sell(world, (s.router, 1), card=card).lines.get().discount_percent == 2
    assert f.sell(world, (s.router, 3), card=card).lines.get().discount_percent == 4


def test_the_tier_follows_the_purchases_of_the_last_twelve_months(world: Any) -> None:
    s = shop(world, stock_a=10)
    card = f.card(world, f.programme(world, "tiered"))
    first = f.sell(world, (s.router, 2), card=card)
    assert first.discount_gross == 0
    card.refresh_from_db()
    assert card.tier == Tier.NONE  # 498 zł
    f.sell(world, (s.cable, 1), card=card)
    card.refresh_from_db()
    assert card.tier == Tier.SILVER
    third = f.sell(world, (s.router, 2), card=card)
    assert third.lines.get().discount_percent == 3
    card.refresh_from_db()
    assert card.tier == Tier.GOLD
    sales.sale_return(actor=world.service_a, sale_id=third.pk,
                      quantities={str(third.lines.get().pk): 2}, reason="zwrot")
    card.refresh_from_db()
    assert card.tier == Tier.SILVER
    services.expire_points(timezone.localdate() + datetime.timedelta(days=364))
    card.refresh_from_db()
    assert card.tier == Tier.SILVER
    services.expire_points(timezone.localdate() + datetime.timedelta(days=366))
    card.refresh_from_db()
    assert card.tier == Tier.NONE


def test_points_redeemed_come_off_the_total_and_the_balance(world: Any) -> None:
    s = shop(world)
    card = f.card(world)
    f.sell(world, (s.router, 1), card=card)
    assert balance(card) == 249
    sale = f.sell(world, (s.router, 1), (s.cable, 1), card=card, points="200")
    assert sale.total_gross == Decimal("248.99")  # 268.99 − 200 × 0.10
    assert sum(x.total_gross for x in sale.lines.all()) == sale.total_gross
    assert sale.discount_gross == Decimal("20.00")
    assert kinds(card)[1:] == [(EntryKind.REDEEMED, -200), (EntryKind.EARNED, 248)]
    assert balance(card) == 249 - 200 + 248
    assert services.balance_matches(card.pk)


@pytest.mark.parametrize(("points", "field"), [("9999", "points"), ("-1", "points"),
                                               ("1,5", "points")])
def test_redeeming_more_than_the_balance_is_refused_and_nothing_is_sold(
        world: Any, points: str, field: str) -> None:
    s = shop(world)
    card = f.card(world)
    f.sell(world, (s.router, 1), card=card)
    with pytest.raises(ValidationFailed) as err:
        f.sell(world, (s.cable, 1), card=card, points=points)
    assert err.value.field == field
    assert CardSale.objects.filter(card=card).count() == 1 and balance(card) == 249


def test_points_worth_more_than_the_sale_are_refused(world: Any) -> None:
    s = shop(world)
    card = f.card(world)
    f.sell(world, (s.router, 1), card=card)
    with pytest.raises(ValidationFailed) as err:
        f.sell(world, (s.cable, 1), card=card, points="249")  # 24.90 zł > 19.99 zł
    assert err.value.field == "points"


def test_points_without_a_card_and_unknown_or_blocked_cards_are_refused(world: Any) -> None:
    s = shop(world)
    with pytest.raises(ValidationFailed) as err:
        sales.sale_create(actor=world.service_a, branch_id=world.a.pk, payment_method="cash",
                          lines=[{"product_id": s.cable.pk}], points="10")
    assert err.value.field == "card"
    with pytest.raises(ValidationFailed) as err:
        sales.sale_create(actor=world.service_a, branch_id=world.a.pk, payment_method="cash",
                          lines=[{"product_id": s.cable.pk}], card="2900000000999")
    assert err.value.field == "card"
    card = f.card(world)
    services.card_move(actor=world.manager_a, card_id=card.pk, action="block",
                       reason="zgubiona")
    with pytest.raises(ValidationFailed) as err:
        f.sell(world, (s.cable, 1), card=card)
    assert err.value.field == "card"


def test_blocking_needs_the_manager_and_a_reason_and_goes_both_ways(world: Any) -> None:
    card = f.card(world)
    with pytest.raises(ActionDenied):
        services.card_move(actor=world.service_a, card_id=card.pk, action="block", reason="x")
    with pytest.raises(ValidationFailed) as err:
        services.card_move(actor=world.manager_a, card_id=card.pk, action="block")
    assert err.value.field == "reason"
    assert services.card_move(actor=world.manager_a, card_id=card.pk, action="block",
                              reason="zgubiona").status == "blocked"
    with pytest.raises(Conflict):
        services.card_move(actor=world.manager_a, card_id=card.pk, action="block", reason="x")
    assert services.card_move(actor=world.manager_a, card_id=card.pk,
                              action="unblock").status == "active"


def test_a_return_reverses_earned_points_and_gives_back_redeemed_ones_in_share(
        world: Any) -> None:
    s = shop(world, stock_a=10)
    card = f.card(world)
    f.sell(world, (s.router, 1), card=card)  # +249
    sale = f.sell(world, (s.router, 2), card=card, points="100")  # −100, 488 paid → +488
    assert balance(card) == 249 - 100 + 488
    line = sale.lines.get()
    sales.sale_return(actor=world.service_a, sale_id=sale.pk, quantities={str(line.pk): 1},
                      reason="zwrot")
    assert kinds(card)[-2:] == [(EntryKind.REVERSED, 50), (EntryKind.REVERSED, -244)]
    sales.sale_return(actor=world.service_a, sale_id=sale.pk, quantities={str(line.pk): 1},
                      reason="zwrot")
    assert kinds(card)[-2:] == [(EntryKind.REVERSED, 50), (EntryKind.REVERSED, -244)]
    assert balance(card) == 249
    assert services.balance_matches(card.pk)
    docs = set(PointsEntry.objects.filter(kind=EntryKind.REVERSED)
               .values_list("sale__original_id", flat=True))
    assert docs == {sale.pk}


def test_a_return_takes_back_no_more_points_than_the_card_holds(world: Any) -> None:
    s = shop(world)
    card = f.card(world)
    sale = f.sell(world, (s.router, 1), card=card)  # +249
    f.sell(world, (s.router, 1), card=card, points="249")  # −249, 224.10 paid → +224
    sales.sale_return(actor=world.service_a, sale_id=sale.pk,
                      quantities={str(sale.lines.get().pk): 1}, reason="zwrot")
    assert kinds(card)[-1] == (EntryKind.REVERSED, -224)
    assert balance(card) == 0 and services.balance_matches(card.pk)


def test_a_return_of_a_sale_without_a_card_touches_no_card(world: Any) -> None:
    s = shop(world)
    card = f.card(world)
    sale = f.sell(world, (s.router, 1))
    sales.sale_return(actor=world.service_a, sale_id=sale.pk,
                      quantities={str(sale.lines.get().pk): 1}, reason="zwrot")
    assert kinds(card) == []


def test_points_expire_oldest_first_once_a_day(world: Any) -> None:
    """(C9) the daily job expires what is due once per card and day."""
    s = shop(world, stock_a=10)
    card = f.card(world)
    sale = f.sell(world, (s.router, 1), card=card)  # +249
    today = timezone.localdate()
    with transaction.atomic():
        services._entry(Card.objects.select_related("programme").get(pk=card.pk),
                        EntryKind.EARNED, 100, sale=sale,
                        expires_on=today - datetime.timedelta(days=1))
    f.sell(world, (s.cable, 1), card=card, points="30")  # −30 then 16.99 zł → +16
    assert services.expiring(card.pk, today) == 70
    assert services.expire_points(today) == 70
    assert services.expire_points(today) == 0
    assert kinds(card)[-1] == (EntryKind.EXPIRED, -70)
    assert balance(card) == 249 + 100 - 30 + 16 - 70 and services.balance_matches(card.pk)
    later = services.add_months(today, 13)
    assert services.expire_points(later) == 265 and balance(card) == 0


def test_the_expiry_job_is_a_daily_periodic_job() -> None:
    job = PERIODIC["loyalty.expire_points"]
    assert job.every == datetime.timedelta(days=1)


def test_a_card_sale_is_replayed_with_its_key_not_earned_twice(world: Any) -> None:
    s = shop(world)
    card = f.card(world)
    one = f.sell(world, (s.router, 1), card=card, key="k1")
    two = f.sell(world, (s.router, 1), card=card, key="k1")
    assert one.pk == two.pk and balance(card) == 249
    with pytest.raises(ValidationFailed):
        f.sell(world, (s.router, 1), card=card, points="10", key="k1")


def test_changing_a_programme_is_audited_with_its_changes(world: Any) -> None:
    from punkt.core.models import AuditEvent

    prog = f.programme(world, "bearer")
    services.programme_save(actor=world.expert, programme_id=prog.pk, data={
        "name": prog.name, "kind": "bearer", "discount_percent": "7,5"})
    prog.refresh_from_db()
    assert prog.discount_percent == Decimal("7.50")
    event = AuditEvent.objects.get(action="loyalty.programme.update")
    assert event.changes["discount_percent"] == ["5.00", "7.50"]
