"""Building blocks of the loyalty tests: programmes of each kind, a card, a sale with it."""

from __future__ import annotations

from typing import Any

from punkt.loyalty import services
from punkt.sales import services as sales


def programme(world: Any, kind: str = "points", **data: Any) -> Any:
    values: dict[str, Any] = {"name": f"Program {kind}", "kind": kind,
                              "points_valid_months": "12"}
    if kind in ("personal", "bearer"):
        values["discount_percent"] = "5"
    elif kind == "tiered":
        values.update(silver_from="500", silver_percent="3", gold_from="1000",
                      gold_percent="5", platinum_from="3000", platinum_percent="10")
    elif kind == "progressive":
        values["scale"] = "200: 2; 500: 4"
    else:
        values.update(points_per_zloty="1", point_value="0,10")
    values.update(data)
    return services.programme_save(actor=world.expert, data=values)


def card(world: Any, prog: Any = None, *, customer: Any = None, actor: Any = None) -> Any:
    from punkt.contracts.tests.factories import customer as make_customer

    prog = prog or programme(world)
    if prog.personal and customer is None:
        customer = make_customer(world)
    return services.card_issue(actor=actor or world.service_a, branch_id=world.a.pk,
                               programme_id=prog.pk,
                               customer_id=customer.pk if customer else None)


def sell(world: Any, *lines: tuple[Any, int], card: Any = None, points: Any = "",
         actor: Any = None, **kw: Any) -> Any:
    return sales.sale_create(
        actor=actor or world.service_a, branch_id=world.a.pk,
        payment_method=kw.pop("payment_method", "cash"),
        lines=[{"product_id": p.pk, "quantity": n} for p, n in lines],
        card=card.number if card is not None else "", points=points, **kw)
