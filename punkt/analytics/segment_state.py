"""The kept segment rows (``docs/analytics.md`` "Kept and live"): built by the analytics
refresh into its new snapshot, before the switch, set-based in three statements —

1. :class:`~punkt.analytics.models.ProductState`: every segmented customer × target
   product with the state the records give it (the rules of
   :func:`punkt.analytics.segment_matrix.cells_for`: the highest state, the newest date
   of it), the cross-sell value (expected value × the ABC weight of this snapshot);
2. :class:`~punkt.analytics.models.SegmentMember`: per customer its segment, products
   used and the count in each other state;
3. :class:`~punkt.analytics.models.SegmentAverage`: per branch × segment the customers and
   the products they use.

A refresh interrupted before the switch leaves the previous snapshot (and its rows) the
current one. The rows are read only while the segments, their order and their sets are
those they were built for (:func:`key_of`); after HQ changes a segment the pages compute
live again until the next refresh.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from punkt.analytics import segments as seg
from punkt.analytics.models import Segment, SegmentProduct, Snapshot

logger = logging.getLogger("punkt.analytics")

#: state ↔ rank (the highest wins)
RANKS = (("signed", 4), ("applied", 3), ("offered", 2), ("refused", 1))


def key_of(segments: Sequence[Segment], targets: Sequence[tuple[Any, ...]] | None = None
           ) -> str:
    """A digest of the segments (order, rules) and their ideal sets (product, code, order,
    value): the kept rows are valid while it is the same."""
    if targets is None:
        targets = list(SegmentProduct.objects.order_by("segment_id", "position", "id")
                       .values_list("segment_id", "product_id", "product__code", "position",
                                    "value"))
    text = json.dumps([[[s.pk, s.position, s.rules] for s in segments],
                       [[a, b, c, d, str(e)] for a, b, c, d, e in targets]],
                      sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def kept(segments: Sequence[Segment]) -> Snapshot | None:
    """The current snapshot when its kept segment rows fit ``segments`` (the ordered
    list, as read by the caller), else None (compute live). Two statements, once per list
    (remembered on its first segment)."""
    if not segments:
        return None
    memo = getattr(segments[0], "_punkt_kept", None)
    if memo is not None and memo[0] is segments:
        return memo[1]  # type: ignore[no-any-return]
    snap = Snapshot.objects.current()
    if snap is None or not snap.segments_key or snap.segments_key != key_of(segments):
        snap = None
    segments[0]._punkt_kept = (segments, snap)  # type: ignore[attr-defined]
    return snap


def _sql(qs: Any) -> tuple[str, list[Any]]:
    sql, params = qs.order_by().query.sql_with_params()
    return sql, list(params)


def _sources(pids: list[int], codes: dict[str, int]) -> tuple[str, list[Any]]:
    """One SELECT of (c, p, r, d): a customer's record of a target product, its state's
    rank and its date (Warsaw's day) — opportunities, offer lines (with their contract),
    sale lines not returned."""
    from punkt.analytics.segment_matrix import OPEN_OFFER, PENDING
    from punkt.contracts.models import ContractStatus, OfferLine, OfferStatus
    from punkt.pipeline.models import Opportunity, OpportunityStatus
    from punkt.sales.models import SaleKind, SaleLine

    closed = Q(status__in=[OpportunityStatus.WON, OpportunityStatus.LOST])
    opps = (Opportunity.objects.filter(product_id__in=pids, customer__isnull=False)
            .annotate(c=F("customer_id"), p=F("product_id"),
                      r=Case(When(status=OpportunityStatus.WON, then=Value(4)),
                             When(status=OpportunityStatus.LOST, then=Value(1)),
                             default=Value(2), output_field=IntegerField()),
                      d=Case(When(closed, then=TruncDate("closed_at")),
                             default=TruncDate("created_at")))
            .values_list("c", "p", "r", "d"))
    no_contract = Q(offer__contract__isnull=True)
    lines = (OfferLine.objects.filter(code__in=list(codes))
             .annotate(c=F("offer__customer_id"),
                       p=Case(*[When(code=code, then=Value(pid)) for code, pid in codes.items()],
                              output_field=IntegerField()),
                       r=Case(When(offer__contract__status=ContractStatus.ACTIVE, then=Value(4)),
                              When(offer__contract__status__in=list(PENDING), then=Value(3)),
                              When(no_contract & Q(offer__status__in=[*OPEN_OFFER,
                                                                      OfferStatus.ACCEPTED]),
                                   then=Value(2)),
                              When(no_contract & Q(offer__status=OfferStatus.DECLINED),
                                   then=Value(1)),
                              default=Value(0), output_field=IntegerField()),
                       d=Case(When(offer__contract__status=ContractStatus.ACTIVE,
                                   then=TruncDate(Coalesce("offer__contract__signed_at",
                                                           "offer__contract__created_at"))),
                              When(offer__contract__isnull=False,
                                   then=TruncDate("offer__contract__created_at")),
                              When(offer__status=OfferStatus.DECLINED,
                                   then=TruncDate(Coalesce("offer__decided_at",
                                                           "offer__created_at"))),
                              default=TruncDate("offer__created_at")))
             .values_list("c", "p", "r", "d"))
    sales = (SaleLine.objects.filter(sale__kind=SaleKind.SALE, returned_by__isnull=True,
                                     product_id__in=pids, sale__customer__isnull=False)
             .annotate(c=F("sale__customer_id"), p=F("product_id"),
                       r=Value(4, output_field=IntegerField()),
                       d=TruncDate("sale__created_at"))
             .values_list("c", "p", "r", "d"))
    parts = [_sql(opps), _sql(lines), _sql(sales)]
    return (" UNION ALL ".join(f"SELECT * FROM ({sql}) s{i}"  # noqa: S608 (compiled ORM)
                               for i, (sql, _p) in enumerate(parts)),
            [p for _sql_, ps in parts for p in ps])


def _members(segments: Sequence[Segment]) -> tuple[str, list[Any]]:
    """One SELECT of (c, br, s): each active customer of each segment (the first
    matching), with the branch."""
    from punkt.customers.models import Customer

    parts: list[str] = []
    params: list[Any] = []
    for s in segments:
        sql, ps = _sql(Customer.objects.active().filter(seg.membership_q(s, segments))
                       .annotate(c=F("pk"), br=F("branch_id"), s=Value(int(s.pk)))
                       .values_list("c", "br", "s"))
        parts.append(f"SELECT * FROM ({sql}) m{len(parts)}")  # noqa: S608 (compiled ORM)
        params += ps
    return " UNION ALL ".join(parts), params


def _products(targets: Sequence[SegmentProduct]) -> str:
    """One SELECT of (s, p, pos, g): the sets, ``g`` the expected value in grosze."""
    return " UNION ALL ".join(
        f"SELECT {int(t.segment_id)} AS s, {int(t.product_id)} AS p, {int(t.position)} AS pos, "
        f"{int((t.value * 100).to_integral_value())} AS g" for t in targets)


def build(snap: Snapshot) -> None:
    """The kept segment rows of ``snap`` (three statements, then the key)."""
    segments = seg.ordered()
    targets = list(SegmentProduct.objects.filter(segment__in=segments).select_related("product")
                   .order_by("segment_id", "position", "id"))
    sets: dict[int, list[SegmentProduct]] = {s.pk: [] for s in segments}
    for t in targets:
        sets[t.segment_id].append(t)
    at = timezone.now()
    s = int(snap.pk)
    _clear(s)
    if targets:
        pids = sorted({t.product_id for t in targets})
        codes = {t.product.code: t.product_id for t in targets}
        src, src_params = _sources(pids, codes)
        members, members_params = _members(segments)
        state = " ".join(f"WHEN {r} THEN '{name}'" for name, r in RANKS)
        sql = f"""
INSERT INTO analytics_productstate (snapshot_id, customer_id, segment_id, branch_id,
    product_id, position, state, day, abc, score)
WITH src (c, p, r, d) AS ({src}),
best AS (SELECT c, p, MAX(r) AS r FROM src WHERE r > 0 GROUP BY c, p),
won AS (SELECT x.c, x.p, b.r, MAX(x.d) AS d FROM src x
          JOIN best b ON b.c = x.c AND b.p = x.p AND b.r = x.r GROUP BY x.c, x.p, b.r),
mem (c, br, s) AS ({members}),
sets (s, p, pos, g) AS ({_products(targets)})
SELECT {s}, mem.c, mem.s, mem.br, sets.p, sets.pos,
       CASE COALESCE(won.r, 0) {state} ELSE 'none' END, won.d, COALESCE(st.abc, ''),
       sets.g * CASE st.abc WHEN 'A' THEN 3 WHEN 'B' THEN 2 ELSE 1 END
  FROM mem
  JOIN sets ON sets.s = mem.s
  LEFT JOIN won ON won.c = mem.c AND won.p = sets.p
  LEFT JOIN analytics_standing st ON st.snapshot_id = {s} AND st.customer_id = mem.c
"""  # noqa: S608 (integers of ours and the ORM's compiled SELECTs)
        started = time.monotonic()
        with connection.cursor() as cur:
            cur.execute(sql, src_params + members_params)
        logger.info("Kept segment rows %s: customer × product %.1f s", s,
                    time.monotonic() - started)
    members, members_params = _members(segments)
    started = time.monotonic()
    with connection.cursor() as cur:
        if segments:
            cur.execute(_members_sql(s, members), members_params)
        logger.info("Kept segment rows %s: customers %.1f s", s, time.monotonic() - started)
        cur.execute(_averages_sql(s), [])
    keyed = [(t.segment_id, t.product_id, t.product.code, t.position, t.value)
             for t in targets]
    Snapshot.objects.filter(pk=s).update(segments_key=key_of(segments, keyed),
                                         segments_at=at)


def _members_sql(s: int, members: str) -> str:
    """Every segmented customer (a segment with an empty set too) with its counts."""
    counts = ", ".join(f"COALESCE(k.n_{name}, 0)"
                       for name in ("signed", "none", "offered", "refused", "applied"))
    sums = ", ".join(f"SUM(CASE WHEN state = '{name}' THEN 1 ELSE 0 END) AS n_{name}"
                     for name in ("signed", "none", "offered", "refused", "applied"))
    return f"""
INSERT INTO analytics_segmentmember (snapshot_id, customer_id, segment_id, branch_id, used,
    n_none, n_offered, n_refused, n_applied)
WITH mem (c, br, s) AS ({members}),
k AS (SELECT customer_id AS c, {sums} FROM analytics_productstate
       WHERE snapshot_id = {s} GROUP BY customer_id)
SELECT {s}, mem.c, mem.s, mem.br, {counts}
  FROM mem LEFT JOIN k ON k.c = mem.c
"""  # noqa: S608 (integers of ours and the ORM's compiled SELECTs)


def _averages_sql(s: int) -> str:
    return f"""
INSERT INTO analytics_segmentaverage (snapshot_id, branch_id, segment_id, customers, used)
SELECT {s}, branch_id, segment_id, COUNT(*), SUM(used) FROM analytics_segmentmember
 WHERE snapshot_id = {s} GROUP BY branch_id, segment_id
"""  # noqa: S608 (integers of ours)


def _clear(s: int) -> None:
    """The snapshot's rows of an earlier build (none in a refresh: its snapshot is new)."""
    from punkt.analytics.models import ProductState, SegmentAverage, SegmentMember

    for model in (ProductState, SegmentMember, SegmentAverage):
        model.objects.filter(snapshot_id=s).delete()


def sweep(current: Snapshot | None) -> None:
    """Delete the kept segment rows of every snapshot but ``current``."""
    from punkt.analytics.models import ProductState, SegmentAverage, SegmentMember

    keep = current.pk if current is not None else 0
    for model in (ProductState, SegmentMember, SegmentAverage):
        model.objects.exclude(snapshot_id=keep).delete()
