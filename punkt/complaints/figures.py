"""The complaint statistics' kept figures (issue 17's speed goal: the statistics pages
≤ 300 ms with 500k complaints, HQ over 12 months included).

A complaint changes after it is received (decided, deemed accepted, refunded, appealed),
so its figures cannot be counted once and for all like the survey answers are. The
refresh (``complaints.figures`` job, hourly, once per slot: C9) writes, up to a watermark
``upto``, two tables in one transaction — a reader sees the old figures or the new,
never a half:

- :class:`~punkt.complaints.models.CountedComplaint`: every complaint received up to
  ``upto`` as it stands: its keys (branch, Warsaw month, cause, handler, kind, channel,
  product) and its share of each figure (decided 0/1, upheld 0/1, …, the refund paid, the
  time to a decision);
- :class:`~punkt.complaints.models.ComplaintFigure`: those rows grouped per branch, month
  and value of each dimension, and again per quarter and for the 12 months to the
  watermark's month (a year's statistics add up a year's row or three or four quarters
  and a few months, not twelve months of rows).

The statistics add up the kept rows of the period (the whole months from
``ComplaintFigure``, the days of a month cut by the period from ``CountedComplaint``),
then correct them with the complaints received or changed after ``upto`` (every update
of a complaint stamps ``updated_at``: ``ComplaintQuerySet.update``): their counted rows
taken out, their figures as they are now added (a few index-range reads). So the page is
exact at every moment — "kept + live" equals the count of everything live, which the
tests check on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime
import itertools
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from punkt.complaints.clock import WARSAW
from punkt.complaints.models import (
    Complaint,
    ComplaintFigure,
    CountedComplaint,
    FiguresState,
    Outcome,
)
from punkt.core.reports import read_connection

#: A change stamped a moment before the refresh began may commit after it read: younger
#: changes are left to the live count.
SETTLE = datetime.timedelta(minutes=5)

#: the dimensions kept (a branch's figures are its rows of one of them: every complaint
#: has exactly one kind)
DIMS = ("cause", "handler", "kind", "channel", "product")
#: the key of each grouping in a complaint's live values …
LIVE_KEYS: dict[str, tuple[str, ...]] = {
    "cause": ("cause",), "handler": ("handler_id",), "kind": ("kind",),
    "channel": ("channel",), "product": ("x_product", "x_contract", "product_text"),
    "branch": ("branch_id",), "month": ("x_month",)}
#: … and in the kept tables' columns (the same values, in the same order)
KEPT_KEYS: dict[str, tuple[str, ...]] = {
    "cause": ("cause",), "handler": ("handler_ref",), "kind": ("kind",),
    "channel": ("channel",), "product": ("product_ref", "of_contract", "product_text"),
    "branch": ("branch_id",), "month": ("month",)}
#: the dimension whose kept rows a grouping reads
SOURCE = {"branch": "kind", "month": "kind"}
SHARES = ("decided", "upheld", "partly", "rejected", "in_time", "deemed")


def month_index(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def month_start(index: int) -> datetime.datetime:
    return datetime.datetime(index // 12, index % 12 + 1, 1, tzinfo=WARSAW)


def _month_of(field: str) -> Any:
    """``year * 12 + month - 1`` of a moment in Warsaw's calendar."""
    return ExpressionWrapper(ExtractYear(field, tzinfo=WARSAW) * Value(12)
                             + ExtractMonth(field, tzinfo=WARSAW) - Value(1),
                             output_field=IntegerField())


def _one(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def counted(qs: QuerySet[Complaint]) -> QuerySet[Complaint]:
    """Each complaint's keys and its share of each figure, as the kept rows hold them
    (``x_…``): the one definition the refresh writes and the live count sums."""
    decided = Q(decided_at__isnull=False)
    return qs.annotate(
        x_month=_month_of("received_at"),
        x_product=F("sale_line__product_id"),
        x_contract=Case(When(contract__isnull=False, then=Value(True)), default=Value(False),
                        output_field=BooleanField()),
        x_decided=_one(decided),
        x_upheld=_one(Q(outcome=Outcome.UPHELD)),
        x_partly=_one(Q(outcome=Outcome.PARTLY_UPHELD)),
        x_rejected=_one(Q(outcome=Outcome.REJECTED)),
        x_in_time=_one(decided & Q(decided_at__lte=F("deadline"))),
        x_deemed=_one(Q(deemed_accepted=True)),
        x_refunds=Case(When(refund_entry__isnull=False, then=F("refund_amount")),
                       default=Value(Decimal("0.00")),
                       output_field=DecimalField(max_digits=14, decimal_places=2)),
        x_took=Case(When(decided, then=ExpressionWrapper(F("decided_at") - F("received_at"),
                                                         output_field=DurationField())),
                    default=Value(None), output_field=DurationField()))


_LIVE_SUMS = {"n_received": Count("pk"), **{f"n_{s}": Sum(f"x_{s}") for s in SHARES},
              "n_refunds": Sum("x_refunds"), "n_took": Sum("x_took")}
_COUNTED_SUMS = {"n_received": Count("pk"), **{f"n_{s}": Sum(s) for s in SHARES},
                 "n_refunds": Sum("refunds"), "n_took": Sum("took")}
FIGURES = ("received", *SHARES, "refunds", "took")


def _compiled(qs: QuerySet[Any]) -> tuple[str, list[Any]]:
    sql, params = qs.query.sql_with_params()
    return sql, list(params)


_COUNTED_COLUMNS = {  # the counted table's column ← the complaint's value
    "complaint_id": "x_id", "branch_id": "x_branch", "received_at": "x_received",
    "month": "x_month", "cause": "x_cause", "handler_ref": "x_handler", "kind": "x_kind",
    "channel": "x_channel", "product_ref": "x_product", "of_contract": "x_contract",
    "product_text": "x_text", **{s: f"x_{s}" for s in SHARES}, "refunds": "x_refunds",
    "took": "x_took"}


def _insert_counted(cur: Any, upto: datetime.datetime) -> None:
    table = connection.ops.quote_name(CountedComplaint._meta.db_table)
    src = (counted(Complaint.objects.filter(received_at__lte=upto).order_by())
           .annotate(x_id=F("pk"), x_branch=F("branch_id"), x_received=F("received_at"),
                     x_cause=F("cause"), x_handler=F("handler_id"), x_kind=F("kind"),
                     x_channel=F("channel"), x_text=F("product_text"))
           .values_list(*_COUNTED_COLUMNS.values()))
    sql, params = _compiled(src)
    # only the model's column names and the ORM's compiled SELECT go into the text
    cur.execute(f"INSERT INTO {table} ({', '.join(_COUNTED_COLUMNS)}) "  # noqa: S608
                f"SELECT {', '.join(f'u.{c}' for c in _COUNTED_COLUMNS.values())} "
                f"FROM ({sql}) u", params)


#: the kept table's key columns and what they hold on the rows of another dimension
_KEY_EMPTY: dict[str, Any] = {"cause": "", "handler_ref": None, "kind": "", "channel": "",
                              "product_ref": None, "of_contract": False, "product_text": ""}


#: a quarter's kept rows (``span`` 3) start at a month index divisible by 3 (January,
#: April, July, October): a year's statistics by employee read 3 quarters and a few
#: months instead of 12 months of rows (each employee has a row in most months)
QUARTER = 3


def quarter_of(month: int) -> int:
    return month - month % QUARTER


#: a year's kept rows (``span`` 12, ``month`` its first month): "the last 12 months" by
#: employee reads one row per employee, not four or five quarters. The readers use the
#: 12 months ending in the watermark's month; a refresh also keeps the 12 ending the
#: month before, which a reader who read the watermark just before a refresh that crossed
#: into a new month still asks for.
YEAR = 12


def kept_years(upto: datetime.datetime | None, *, refresh: bool = False) -> tuple[int, ...]:
    """The first months of the year rows read (or, ``refresh``, kept) with watermark
    ``upto``."""
    if upto is None:
        return ()
    last = month_index(timezone.localtime(upto, WARSAW).date())
    return (last - YEAR + 1, last - YEAR) if refresh else (last - YEAR + 1,)


def _insert_dim(cur: Any, dim: str, span: int, start: int | None = None) -> None:
    """The counted rows grouped per branch, month (quarter; the year from ``start``) and
    ``dim``'s key into the kept table."""
    table = connection.ops.quote_name(ComplaintFigure._meta.db_table)
    keys = KEPT_KEYS[dim]
    rows = CountedComplaint.objects.order_by()
    if span == YEAR:
        assert start is not None
        rows = rows.filter(month__gte=start, month__lt=start + YEAR)
        period: Any = Value(start, output_field=IntegerField())
    else:
        period = F("month") if span == 1 else F("month") - F("month") % Value(span)
    sql, params = _compiled(rows.annotate(x_period=period)
                            .values("branch_id", "x_period", *keys).annotate(**_COUNTED_SUMS))
    empty = [k for k in _KEY_EMPTY if k not in keys]
    cur.execute(
        f"INSERT INTO {table} (branch_id, month, span, dim, "  # noqa: S608
        f"{', '.join([*keys, *empty])}, {', '.join(FIGURES)}) "
        f"SELECT u.branch_id, u.x_period, %s, %s, "
        f"{', '.join([*(f'u.{k}' for k in keys), *('%s' for _k in empty)])}, "
        f"{', '.join(f'u.n_{f}' for f in FIGURES)} FROM ({sql}) u",
        [span, dim, *(_KEY_EMPTY[k] for k in empty), *params])


def refresh(now: datetime.datetime | None = None) -> dict[str, Any]:
    """Count every complaint received up to ``now - SETTLE`` into the kept tables,
    replacing them, and move the watermark — one transaction (an error half way leaves
    the previous figures). Returns what it did (for the job's log)."""
    started = time.monotonic()
    upto = (now or timezone.now()) - SETTLE
    with transaction.atomic(), connection.cursor() as cur:
        # the watermark row first, locked: a second refresh (or an erasure) waits here
        state = FiguresState.objects.select_for_update().filter(pk=1).first()
        for model in (ComplaintFigure, CountedComplaint):
            cur.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
        _insert_counted(cur, upto)
        for dim in DIMS:
            for span in (1, QUARTER):
                _insert_dim(cur, dim, span)
            for start in kept_years(upto, refresh=True):
                _insert_dim(cur, dim, YEAR, start)
        if connection.vendor == "postgresql":  # the readers' plans need the new sizes
            for model in (ComplaintFigure, CountedComplaint):
                cur.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        seconds = time.monotonic() - started
        values = {"upto": upto, "refreshed_at": timezone.now(), "seconds": seconds}
        if state is None:
            FiguresState.objects.create(pk=1, **values)
        else:
            FiguresState.objects.filter(pk=1).update(**values)
    return {"upto": upto.isoformat(), "seconds": round(seconds, 2),
            "complaints": CountedComplaint.objects.count(),
            "rows": ComplaintFigure.objects.count()}


def watermark() -> datetime.datetime | None:
    return FiguresState.objects.filter(pk=1).values_list("upto", flat=True).first()


def forget_texts(complaints: QuerySet[Complaint]) -> None:
    """Erasure and the retention purge empty a complaint's description: its counted row
    loses it too, and its kept "product" figures move to the empty description (a
    correction row each way), so the figures stay exact until the next refresh."""
    with transaction.atomic():
        state = FiguresState.objects.select_for_update().filter(pk=1).first()
        years = kept_years(state.upto if state else None, refresh=True)
        rows = list(CountedComplaint.objects.filter(complaint__in=complaints.values("pk"))
                    .exclude(product_text=""))
        if not rows:
            return
        moved = []
        for row in rows:
            spans = [(row.month, 1), (quarter_of(row.month), QUARTER),
                     *((y, YEAR) for y in years if y <= row.month < y + YEAR)]
            for (sign, text), (month, span) in itertools.product(
                    ((-1, row.product_text), (1, "")), spans):
                moved.append(ComplaintFigure(
                    branch_id=row.branch_id, month=month, span=span, dim="product",
                    product_ref=row.product_ref, of_contract=row.of_contract,
                    product_text=text, received=sign,
                    **{s: sign * getattr(row, s) for s in SHARES},
                    refunds=sign * row.refunds,
                    took=None if row.took is None else sign * row.took))
        ComplaintFigure.objects.bulk_create(moved, batch_size=1000)
        CountedComplaint.objects.filter(pk__in=[r.pk for r in rows]).update(product_text="")


# -- reading ------------------------------------------------------------------------------

Key = tuple[Any, ...]
Sums = dict[str, Any]


@dataclass
class Ranked:
    """A grouping's figures: the groups with the most complaints first (``limit`` of
    them), the total of every group and how many groups there are."""

    rows: list[tuple[Key, Sums]]
    total: Sums
    groups: int


_COUNT_NAMES = tuple((f, f"n_{f}") for f in ("received", *SHARES))


def _zero() -> Sums:
    return {"received": 0, **dict.fromkeys(SHARES, 0), "refunds": Decimal("0.00"),
            "took": None}


def _add(into: dict[Key, Sums], rows: Any, names: tuple[str, ...]) -> None:
    counts = _COUNT_NAMES
    for v in rows:
        key = tuple([v[n] for n in names])
        sums = into.get(key)
        if sums is None:
            sums = into[key] = _zero()
        for f, n in counts:
            value = v[n]
            if value:
                sums[f] += value
        if v["n_refunds"]:
            sums["refunds"] += v["n_refunds"]
        took = v["n_took"]
        if took is not None:
            sums["took"] = (sums["took"] or datetime.timedelta(0)) + took


def _order(key: Key) -> tuple[Any, ...]:
    """A key's place among keys with as many complaints: what ``ORDER BY … NULLS FIRST``
    gives (texts by code point: ``COLLATE "C"`` on PostgreSQL, SQLite's own order)."""
    return tuple((0, 0) if v is None else (1, v) for v in key)


def _ranked(found: dict[Key, Sums], limit: int | None) -> Ranked:
    found = {k: v for k, v in found.items() if v["received"]}  # all moved to other keys
    total = _zero()
    for sums in found.values():
        for f in ("received", *SHARES, "refunds"):
            total[f] += sums[f]
        if sums["took"] is not None:
            total["took"] = (total["took"] or datetime.timedelta(0)) + sums["took"]
    rows = sorted(found.items(), key=lambda kv: (-kv[1]["received"], _order(kv[0])))
    return Ranked(rows=rows if limit is None else rows[:limit], total=total,
                  groups=len(found))


#: before the first refresh every complaint counts as changed since (the kept tables are
#: empty then)
_BEFORE_ALL = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


_TEXT_KEYS = {"cause", "kind", "channel", "product_text"}


def _part(qs: QuerySet[Any], keys: tuple[str, ...], sign: int,
          values: dict[str, Any]) -> tuple[str, list[Any]]:
    """One source of a grouping as rows (k0…, s, v_received…): its key, its sign and its
    share of each figure."""
    cols = {**{f"k{i}": F(k) for i, k in enumerate(keys)},
            "s": Value(sign, output_field=IntegerField()),
            **{f"v_{f}": values[f] for f in FIGURES}}
    sql, params = _compiled(qs.order_by().annotate(**cols).values_list(*cols))
    # only the aliases above and the ORM's compiled SELECT go into the text
    return f"SELECT {', '.join(f'u.{c}' for c in cols)} FROM ({sql}) u", params  # noqa: S608


_KEPT_VALUES = {f: F(f) for f in FIGURES}
_COUNTED_VALUES = {"received": Value(1, output_field=IntegerField()),
                   **{f: F(f) for f in (*SHARES, "refunds", "took")}}
_LIVE_VALUES = {"received": Value(1, output_field=IntegerField()),
                **{f: F(f"x_{f}") for f in (*SHARES, "refunds", "took")}}


def _months(since: datetime.datetime,
            until: datetime.datetime) -> tuple[int, int, datetime.datetime]:
    """The whole Warsaw months of [since, until) — first and last index, empty when
    first > last — and the period's end (a period reaching today covers its month:
    nothing is received after now)."""
    now = timezone.now()
    if until > now:
        last = timezone.localtime(now, WARSAW)
        until = max(now, month_start(month_index(last.date()) + 1))
    first = month_index(timezone.localtime(since, WARSAW).date())
    if month_start(first) < since:
        first += 1
    last_m = month_index(timezone.localtime(until, WARSAW).date()) - 1
    if month_start(last_m + 1) > until:
        last_m -= 1
    return first, last_m, until


def _kept_periods(first: int, last: int, by: str, years: tuple[int, ...] = ()) -> Q:
    """The kept rows of the whole months ``first``…``last``: a kept year (``years``: its
    first months) when they cover one, the quarters they cover whole, the months before
    and after them (by month: the months only)."""
    if by != "month":
        for y in years:
            if first <= y and y + YEAR - 1 <= last:
                periods = Q(span=YEAR, month=y)
                if first < y:
                    periods |= _kept_periods(first, y - 1, by)
                if y + YEAR <= last:
                    periods |= _kept_periods(y + YEAR, last, by)
                return periods
    q_first = first if first % QUARTER == 0 else quarter_of(first) + QUARTER
    q_end = quarter_of(last + 1)  # the month after the last whole quarter
    if by == "month" or q_first >= q_end:
        return Q(span=1, month__gte=first, month__lte=last)
    periods = Q(span=QUARTER, month__gte=q_first, month__lt=q_end)
    if first < q_first:
        periods |= Q(span=1, month__gte=first, month__lt=q_first)
    if q_end <= last:
        periods |= Q(span=1, month__gte=q_end, month__lte=last)
    return periods


def ranked(*, scope: QuerySet[Complaint], counted_scope: QuerySet[CountedComplaint],
           kept_scope: QuerySet[ComplaintFigure], by: str, since: datetime.datetime,
           until: datetime.datetime, limit: int | None = None, live: bool = False) -> Ranked:
    """The figures of the complaints of ``scope`` received in [since, until) grouped
    ``by`` a dimension (or "branch", "month"), the groups with the most complaints first.
    The three querysets are the reader's view (``visible_to``) of the complaints, the
    counted rows and the kept figures. ``live`` counts everything from the complaints
    (what the kept figures must equal).

    From the kept figures it is the watermark and one statement: the kept rows of the
    whole months, the
    counted rows of the days of months the period cuts, the counted rows of the
    complaints received or changed after the watermark taken out and those complaints
    as they are now added — summed per key in the database, the total and the number of
    groups beside, only the first ``limit`` groups sent back."""
    if live:
        found: dict[Key, Sums] = {}
        _add(found, counted(scope.filter(received_at__gte=since, received_at__lt=until)
                            .order_by()).values(*LIVE_KEYS[by]).annotate(**_LIVE_SUMS),
             LIVE_KEYS[by])
        return _ranked(found, limit)
    keys = KEPT_KEYS[by]
    # The watermark is read first, the rows after: a refresh committing in between
    # leaves newer kept rows with an older watermark — still exact, as every complaint
    # received or changed after the older one is taken out of the kept rows by its
    # counted row (newer too) and counted live; only the reverse could be wrong (a
    # refresh crossing into a new month keeps the year rows the older watermark reads).
    state = watermark()
    upto = state or _BEFORE_ALL
    first, last_m, until = _months(since, until)
    parts: list[tuple[str, list[Any]]] = []
    cut = Q()
    if first <= last_m:
        parts.append(_part(kept_scope.filter(_kept_periods(first, last_m, by,
                                                           kept_years(state)),
                                             dim=SOURCE.get(by, by)), keys, 1, _KEPT_VALUES))
        if since < month_start(first):
            cut |= Q(received_at__gte=since, received_at__lt=month_start(first))
        if month_start(last_m + 1) < until:
            cut |= Q(received_at__gte=month_start(last_m + 1), received_at__lt=until)
    else:
        cut = Q(received_at__gte=since, received_at__lt=until)
    if cut:  # the days of months the period cuts: their counted rows
        parts.append(_part(counted_scope.filter(cut), keys, 1, _COUNTED_VALUES))
    # The watermark as a literal (not a subquery): the planner sees how few complaints
    # changed.
    changed = scope.filter(Q(received_at__gt=upto) | Q(updated_at__gt=upto),
                           received_at__gte=since, received_at__lt=until)
    # the complaints received or changed since: their counted rows out, their figures in
    parts.append(_part(counted_scope.filter(complaint__in=changed.order_by().values("pk")),
                       keys, -1, _COUNTED_VALUES))
    parts.append(_part(counted(changed), LIVE_KEYS[by], 1, _LIVE_VALUES))
    return _ranked_sql(parts, keys, limit)


def _ranked_sql(parts: list[tuple[str, list[Any]]], keys: tuple[str, ...],
                limit: int | None) -> Ranked:
    ks = [f"k{i}" for i in range(len(keys))]
    sums = [f"SUM(a.s * a.v_{f})" for f in FIGURES]
    connection = read_connection()
    postgres = connection.vendor == "postgresql"
    order = [f"{k} COLLATE \"C\"" if postgres and key in _TEXT_KEYS else k
             for k, key in zip(ks, keys, strict=True)]
    params = [p for _sql, ps in parts for p in ps]
    text = (f"SELECT {', '.join(ks)}, {', '.join(sums)}, "  # noqa: S608
            f"{', '.join(f'SUM({s}) OVER ()' for s in sums)}, COUNT(*) OVER () "
            f"FROM ({' UNION ALL '.join(sql for sql, _ps in parts)}) a "
            f"GROUP BY {', '.join(ks)} HAVING {sums[0]} <> 0 "
            f"ORDER BY {sums[0]} DESC, {', '.join(f'{o} NULLS FIRST' for o in order)}")
    if limit is not None:
        text += " LIMIT %s"
        params.append(limit)
    with connection.cursor() as cur:
        cur.execute(text, params)
        found = cur.fetchall()
    n, width = len(keys), len(FIGURES)
    rows = [(tuple(r[:n]), _sums(r[n:n + width])) for r in found]
    if not found:
        return Ranked(rows=[], total=_zero(), groups=0)
    return Ranked(rows=rows, total=_sums(found[0][n + width:n + 2 * width]),
                  groups=found[0][-1])


def _sums(values: Any) -> Sums:
    """A row's sums as Python values (SQLite returns numbers for the money and
    microseconds for the durations)."""
    out: Sums = dict(zip(FIGURES, values, strict=True))
    for f in ("received", *SHARES):
        out[f] = int(out[f] or 0)
    refunds = out["refunds"] or 0
    out["refunds"] = (refunds if isinstance(refunds, Decimal)
                      else Decimal(str(refunds))).quantize(Decimal("0.01"))
    took = out["took"]
    if took is not None and not isinstance(took, datetime.timedelta):
        out["took"] = datetime.timedelta(microseconds=int(took))
    return out
