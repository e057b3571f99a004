"""The kept "next step" of every customer who has had an opportunity (R11.5): in a sale,
between sales with a next contact agreed, or with no next step — ``pipeline.NextStep``.

One statement computes a customer's state from scratch (their opportunities, their
pending "next contact" control dates and those dates' tasks) and writes it with an upsert;
:func:`refresh` runs it for the customers a change touched, inside that change's
transaction, and :func:`rebuild` for everyone (the migration that made the table and
``punkt pipeline_next_steps``). The list of customers with no next step, its counts per
seller, "My work" and the daily check then read the table by its partial indexes instead
of scanning every closed sale.

Every change that affects the state calls :func:`refresh`: an opportunity opened, won,
lost, reopened or given to another seller, a "next contact" date set, cleared or done
(here or by its task on "My work": ``work.services.on_task_moved``), deals imported, and
customers merged, unmerged or anonymised (``customers.gdpr.on_customers_changed``).

Concurrency: on PostgreSQL a transaction-scoped advisory lock per customer (taken in id
order) serialises two refreshes of one customer; the statement that follows the lock
reads what the other committed (READ COMMITTED takes a snapshot per statement), so the
last one to write has seen every change.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from punkt.pipeline.models import ControlDate, NextStep, Opportunity, OpportunityStatus

#: the advisory lock's first key ("pipeline next step"); the second is the customer id
LOCK_CLASS = 18011
#: customers per statement when many change at once (an import)
CHUNK = 500


def _sql(where: str) -> str:
    from punkt.work.models import Task

    q = connection.ops.quote_name
    opp, cd, task = (Opportunity._meta.db_table, ControlDate._meta.db_table,
                     Task._meta.db_table)
    kept = NextStep._meta.db_table
    return f"""
INSERT INTO {kept} (customer_id, state, branch_id, owner_id, opportunity_id, last_closed,
                    open_sales, next_contact, updated_at)
SELECT x.customer_id,
       CASE WHEN x.open_sales > 0 THEN 'sale'
            WHEN x.next_contact IS NOT NULL THEN 'planned' ELSE 'none' END,
       l.branch_id, l.owner_id, l.id, l.closed_at, x.open_sales, x.next_contact, %s
FROM (
  SELECT k.customer_id,
    (SELECT COUNT(*) FROM {opp} o
      WHERE o.customer_id = k.customer_id AND o.status = 'open') AS open_sales,
    (SELECT MIN(c.{q("on")}) FROM {cd} c
       JOIN {opp} o ON o.id = c.opportunity_id
       LEFT JOIN {task} t ON t.id = c.task_id
      WHERE o.customer_id = k.customer_id AND c.kind = 'next_contact'
        AND c.done_at IS NULL AND (c.task_id IS NULL OR t.status = 'open')) AS next_contact,
    (SELECT o.id FROM {opp} o WHERE o.customer_id = k.customer_id
      ORDER BY CASE WHEN o.status = 'open' THEN 1 ELSE 0 END, o.closed_at DESC, o.id DESC
      LIMIT 1) AS lead_id
  FROM (SELECT DISTINCT customer_id FROM {opp} {where}) k
) x JOIN {opp} l ON l.id = x.lead_id
WHERE 1 = 1
ON CONFLICT (customer_id) DO UPDATE SET
  state = excluded.state, branch_id = excluded.branch_id, owner_id = excluded.owner_id,
  opportunity_id = excluded.opportunity_id, last_closed = excluded.last_closed,
  open_sales = excluded.open_sales, next_contact = excluded.next_contact,
  updated_at = excluded.updated_at"""  # noqa: S608 - table names, not user input


def _now() -> Any:
    return connection.ops.adapt_datetimefield_value(timezone.now())


def _lock(ids: list[int]) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite runs one writing transaction at a time
    with connection.cursor() as cursor:
        for pk in ids:  # sorted: two refreshes of the same customers never deadlock
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)",
                           [LOCK_CLASS, pk % 2_147_483_647])


def _has_sales() -> Exists:
    return Exists(Opportunity.objects.filter(customer_id=OuterRef("customer_id")))


def refresh(customer_ids: Iterable[int | None]) -> None:
    """Recompute and keep the state of these customers (in the caller's transaction)."""
    ids = sorted({int(pk) for pk in customer_ids if pk is not None})
    if not ids:
        return
    with transaction.atomic():
        _lock(ids)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            with connection.cursor() as cursor:
                cursor.execute(_sql(f"WHERE customer_id IN ({marks})"),
                               [_now(), *chunk])
            # a customer whose sales all moved away (merged into another): no state
            NextStep.objects.filter(customer_id__in=chunk).filter(~_has_sales()).delete()


def rebuild() -> int:
    """Recompute every customer's state; how many customers have one."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(_sql(""), [_now()])
        # NOT EXISTS: an anti-join (NOT IN over 3M sales would be a scan per row)
        NextStep.objects.filter(~_has_sales()).delete()
        return NextStep.objects.count()


def computed() -> dict[int, tuple[str, int, int, int, int, str | None]]:
    """The state of every customer computed from scratch in Python (for the tests'
    comparison with what is kept): customer → (state, branch, owner, opportunity, open
    sales, next contact)."""
    from punkt.work.models import TaskStatus

    sales: dict[int, list[Opportunity]] = {}
    for o in Opportunity.objects.order_by("id"):
        sales.setdefault(o.customer_id, []).append(o)
    pending: dict[int, list[str]] = {}
    for c in ControlDate.objects.filter(kind="next_contact", done_at__isnull=True
                                        ).select_related("opportunity", "task"):
        if c.task is None or c.task.status == TaskStatus.OPEN:
            pending.setdefault(c.opportunity.customer_id, []).append(c.on.isoformat())
    result = {}
    for customer_id, rows in sales.items():
        opened = [o for o in rows if o.status == OpportunityStatus.OPEN]
        closed = [o for o in rows if o.status != OpportunityStatus.OPEN]
        lead = (max(closed, key=lambda o: (o.closed_at, o.pk)) if closed
                else max(opened, key=lambda o: o.pk))
        nearest = min(pending.get(customer_id, []), default=None)
        state = "sale" if opened else "planned" if nearest else "none"
        result[customer_id] = (state, lead.branch_id, lead.owner_id, lead.pk, len(opened),
                               nearest)
    return result


def kept() -> dict[int, tuple[str, int, int, int, int, str | None]]:
    return {n.customer_id: (n.state, n.branch_id, n.owner_id, n.opportunity_id, n.open_sales,
                            n.next_contact.isoformat() if n.next_contact else None)
            for n in NextStep.objects.all()}
