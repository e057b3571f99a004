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
    """Set the control dates ``codes`` (a week ahead) and the amount and closing month."""
    import datetime

    from django.utils import timezone

    actor = actor or world.service_a
    services.opportunity_update(actor=actor, opportunity_id=o.pk, title=o.title,
                                amount="1500,00", expected_close="2027-01")
    for code in codes:
        services.control_set(actor=actor, opportunity_id=o.pk, kind=code,
                             on=timezone.localdate() + datetime.timedelta(days=7))
