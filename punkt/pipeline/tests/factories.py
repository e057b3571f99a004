"""Building blocks of the pipeline's tests: an opportunity of branch A's seller."""

from __future__ import annotations

from typing import Any

from punkt.pipeline import services
from punkt.pipeline.models import LossReason, Stage


def stage(code: str) -> Stage:
    return Stage.objects.get(code=code)


def reason(code: str | None) -> LossReason:
    """The first reason of the stage ``code`` (None: of any stage)."""
    qs = LossReason.objects.filter(stage__code=code) if code else LossReason.objects.filter(
        stage__isnull=True)
    row = qs.order_by("position").first()
    assert row is not None
    return row


def opportunity(world: Any, *, actor: Any = None, cust: Any = None, **fields: Any) -> Any:
    from punkt.contracts.tests.factories import customer

    cust = cust or customer(world)
    data: dict[str, Any] = {"customer_id": cust.pk, "title": "Internet 600 Mb/s"}
    data.update(fields)
    return services.opportunity_create(actor=actor or world.service_a, **data)


def fill(world: Any, o: Any, *codes: str, actor: Any = None) -> None:
    """Set the control dates ``codes`` (a week ahead) and the amount and closing month;
    a document code (``offer_sent``…) records such a document as sent."""
    import datetime

    from django.utils import timezone

    from punkt.pipeline.models import DOCUMENT_REQUIREMENTS, SalesDocument

    actor = actor or world.service_a
    services.opportunity_update(actor=actor, opportunity_id=o.pk, title=o.title,
                                amount="1500,00", expected_close="2027-01")
    for code in codes:
        if code in DOCUMENT_REQUIREMENTS:
            kind = DOCUMENT_REQUIREMENTS[code]
            last = SalesDocument.objects.filter(opportunity=o, kind=kind).count()
            SalesDocument.objects.create(opportunity=o, kind=kind, version=last + 1,
                                         sent_at=timezone.now(), values={"numer": "x"})
            continue
        services.control_set(actor=actor, opportunity_id=o.pk, kind=code,
                             on=timezone.localdate() + datetime.timedelta(days=7))


def prices(world: Any, branch: Any = None) -> Any:
    """A price list in force at ``branch`` (default: every branch): INT-300 at 59,99 zł
    and RTR-1 at 249,00 zł."""
    from punkt.contracts.tests.factories import PRICES, publish

    return publish(world, "price_list", PRICES, "cennik.csv", branch=branch,
                   title="Cennik usług")


def offer_lines(price_list: Any, discount: str = "0") -> list[dict[str, Any]]:
    return [{"price_item_id": i.pk, "quantity": 1, "discount": discount}
            for i in price_list.items.order_by("position")]
