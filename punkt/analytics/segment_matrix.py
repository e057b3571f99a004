"""The segment × product matrix, maturity and cross-sell (R12.1, R12.2), read live from the
records behind each cell (``docs/analytics.md`` "Segment × product matrix").

A cell — one customer, one target product — is in the highest of these states that any of
the customer's records gives it:

========  =====================================================================  ==========
state     records                                                                date
========  =====================================================================  ==========
signed    a contract in force (``active``) with the product on its offer; a      signed /
          counter sale of it not returned; an opportunity for it won             sold / won
applied   a contract with the product on the way (prepared, signed, with the     prepared
          manager, returned for correction, approved at HQ)
offered   an open opportunity for it; an offer with it presented or awaiting     opened /
          approval, or accepted with no contract yet                             presented
refused   an opportunity for it lost (its reason); an offer with it declined     closed /
          (its reason)                                                           decided
none      nothing of the above
========  =====================================================================  ==========

A product is on an offer or a contract by its price-list code (the offer's lines copy the
code of the catalogue's product, ``punkt/catalog``). A contract that ended, was terminated,
rejected or cancelled gives the cell nothing: the product is not used any more. The
newest record of the winning state is the one the cell links to.

Everything is set-based: the page's customers are chosen, sorted by maturity and filtered
by state in SQL (one ``EXISTS`` per source and product, the ideal set being at most 20
products), and the cells of a page come from three grouped queries (opportunities, offer
lines with their contracts, sale lines) whatever the number of rows and columns.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import pgettext_lazy

from punkt.analytics import permissions as perms
from punkt.analytics import segment_state
from punkt.analytics import segments as seg
from punkt.analytics.models import (
    ProductState,
    Segment,
    SegmentAverage,
    SegmentProduct,
    Snapshot,
    Standing,
)
from punkt.contracts.models import ContractStatus, OfferLine, OfferStatus
from punkt.core.scoping import branch_ids_visible
from punkt.customers.models import Customer
from punkt.organization.actors import Actor
from punkt.pipeline.models import Opportunity, OpportunityStatus
from punkt.sales.models import SaleKind, SaleLine

NONE, REFUSED, OFFERED, APPLIED, SIGNED = "none", "refused", "offered", "applied", "signed"
STATES = (NONE, OFFERED, REFUSED, APPLIED, SIGNED)
STATE_LABELS = {
    NONE: pgettext_lazy("matrix cell", "not offered"),
    OFFERED: pgettext_lazy("matrix cell", "offered"),
    REFUSED: pgettext_lazy("matrix cell", "refused"),
    APPLIED: pgettext_lazy("matrix cell", "applied"),
    SIGNED: pgettext_lazy("matrix cell", "signed"),
}
STATE_TONES = {NONE: "", OFFERED: "info", REFUSED: "err", APPLIED: "warn", SIGNED: "ok"}
RANK = {NONE: 0, REFUSED: 1, OFFERED: 2, APPLIED: 3, SIGNED: 4}
PENDING = (ContractStatus.PREPARED, ContractStatus.SIGNED, ContractStatus.IN_REVIEW,
           ContractStatus.RETURNED, ContractStatus.APPROVED)
OPEN_OFFER = (OfferStatus.PRESENTED, OfferStatus.AWAITING)
#: the cross-sell weight of the customer's ABC class (no class: 1)
ABC_WEIGHT = {"A": 3, "B": 2, "C": 1}
SORTS = {"maturity": ("used", "pk"), "-maturity": ("-used", "pk"),
         "name": ("sort_key", "pk"), "-name": ("-sort_key", "-pk")}


def refusal_days() -> int:
    """A refusal in the last this many days keeps the product off the cross-sell list."""
    return int(getattr(settings, "PUNKT_SEGMENTS_REFUSAL_DAYS", 180))


def refusal_cutoff(today: datetime.date | None = None) -> datetime.date:
    """The first day whose refusals still count as recent (today is the last)."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=refusal_days() - 1)


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# --- SQL: one customer's state of one product ---------------------------------------------

def _signed(p: SegmentProduct) -> Any:
    return (Exists(SaleLine.objects.filter(sale__customer=OuterRef("pk"), sale__kind=SaleKind.SALE,
                                           product_id=p.product_id, returned_by__isnull=True))
            | Exists(OfferLine.objects.filter(offer__customer=OuterRef("pk"), code=p.product.code,
                                              offer__contract__status=ContractStatus.ACTIVE))
            | Exists(Opportunity.objects.filter(customer=OuterRef("pk"), product_id=p.product_id,
                                                status=OpportunityStatus.WON)))


def _applied(p: SegmentProduct) -> Any:
    return Q(Exists(OfferLine.objects.filter(offer__customer=OuterRef("pk"), code=p.product.code,
                                             offer__contract__status__in=PENDING)))


def _offered(p: SegmentProduct) -> Any:
    return (Exists(Opportunity.objects.filter(customer=OuterRef("pk"), product_id=p.product_id,
                                              status=OpportunityStatus.OPEN))
            | Exists(OfferLine.objects.filter(
                Q(offer__status__in=OPEN_OFFER) | Q(offer__status=OfferStatus.ACCEPTED,
                                                    offer__contract__isnull=True),
                offer__customer=OuterRef("pk"), code=p.product.code)))


def _refused(p: SegmentProduct, since: datetime.datetime | None = None) -> Any:
    opp = Opportunity.objects.filter(customer=OuterRef("pk"), product_id=p.product_id,
                                     status=OpportunityStatus.LOST)
    offer = OfferLine.objects.filter(offer__customer=OuterRef("pk"), code=p.product.code,
                                     offer__status=OfferStatus.DECLINED)
    if since is not None:
        opp = opp.filter(closed_at__gte=since)
        offer = offer.filter(offer__decided_at__gte=since)
    return Exists(opp) | Exists(offer)


def state_expression(p: SegmentProduct) -> Case:
    return Case(When(_signed(p), then=Value(SIGNED)), When(_applied(p), then=Value(APPLIED)),
                When(_offered(p), then=Value(OFFERED)), When(_refused(p), then=Value(REFUSED)),
                default=Value(NONE))


def used_expression(targets: Sequence[SegmentProduct]) -> Any:
    """How many of ``targets`` the customer uses (signed), as one SQL expression."""
    if not targets:
        return Value(0, output_field=IntegerField())
    total: Any = None
    for p in targets:
        one = Case(When(_signed(p), then=Value(1)), default=Value(0),
                   output_field=IntegerField())
        total = one if total is None else total + one
    return total


def targets_of(segment: Segment) -> list[SegmentProduct]:
    return list(SegmentProduct.objects.filter(segment=segment).select_related("product")
                .order_by("position", "id"))


def matrix_queryset(user: Actor, segment: Segment, segments: Sequence[Segment],
                    targets: Sequence[SegmentProduct], *, branch_id: int | None = None,
                    state: str = "", sort: str = "-maturity") -> QuerySet[Customer]:
    """The segment's customers the user sees, with ``used`` (target products signed),
    having at least one target product in ``state`` if given, sorted — from the kept rows
    of the current refresh when they fit the segments (:mod:`segment_state`), else live.
    Either way the customers are those the user sees now (C1)."""
    snap = segment_state.kept(segments) if targets else None
    if snap is not None:
        return _kept_matrix(user, snap, segment, branch_id=branch_id, state=state, sort=sort)
    qs = seg.members(user, segment, segments, branch_id=branch_id)
    if state in STATES and targets:
        any_in = Q()
        for i, p in enumerate(targets):
            qs = qs.alias(**{f"st{i}": state_expression(p)})
            any_in |= Q(**{f"st{i}": state})
        qs = qs.filter(any_in)
    elif state in STATES:
        qs = qs.none()
    order = SORTS.get(sort, SORTS["-maturity"])
    return (qs.annotate(used=used_expression(targets)).select_related("branch")
            .order_by(*order))


def _kept_branches(user: Actor, path: str, branch_id: int | None) -> dict[str, Any]:
    """The kept rows of the branches the user sees (as the customers were at the refresh),
    so the database reads them by the branch's index; the rows' customers are limited to
    those the user sees now as well (C1: a customer moved since is in neither list until
    the next refresh)."""
    allowed = branch_ids_visible(user, perms.SEGMENTS_VIEW.code)
    found: dict[str, Any] = {}
    if allowed is not None:
        found[f"{path}__in"] = sorted(allowed)
    if branch_id:
        found[path] = branch_id
    return found


def _kept_matrix(user: Actor, snap: Snapshot, segment: Segment, *, branch_id: int | None,
                 state: str, sort: str) -> QuerySet[Customer]:
    """The kept order and state filter: the customers the user sees joined to their
    :class:`SegmentMember` row of ``snap`` (index ``snapshot, segment, -used, customer``)."""
    rel = "analytics_segment_members"
    found: dict[str, Any] = {f"{rel}__snapshot_id": snap.pk, f"{rel}__segment_id": segment.pk,
                             **_kept_branches(user, f"{rel}__branch_id", branch_id)}
    if state in STATES:
        found[f"{rel}__{'used' if state == SIGNED else 'n_' + state}__gt"] = 0
    qs = (Customer.objects.visible_to(user, perms.SEGMENTS_VIEW, branch_id=branch_id).active()
          .filter(**found).annotate(used=F(f"{rel}__used")))
    order = SORTS.get(sort, SORTS["-maturity"])
    return qs.select_related("branch").order_by(*order)


# --- the cells of a page: three grouped queries -------------------------------------------

@dataclass
class Cell:
    product_id: int
    state: str = NONE
    on: datetime.date | None = None
    url: str = ""
    record: str = ""
    reason: str = ""

    @property
    def label(self) -> Any:
        return STATE_LABELS[self.state]

    @property
    def tone(self) -> str:
        return STATE_TONES[self.state]

    def consider(self, state: str, when: Any, url: str, record: str, reason: str = "") -> None:
        day = _day(when)
        if RANK[state] > RANK[self.state] or (
                state == self.state and day is not None and (self.on is None or day > self.on)):
            self.state, self.on, self.url, self.record, self.reason = (state, day, url, record,
                                                                       reason)


def _day(when: Any) -> datetime.date | None:
    if when is None:
        return None
    if isinstance(when, datetime.datetime):
        return timezone.localdate(when) if timezone.is_aware(when) else when.date()
    return when  # type: ignore[no-any-return]


def cells_for(customer_ids: Iterable[int], products: Sequence[tuple[int, str]]
              ) -> dict[tuple[int, int], Cell]:
    """``(customer, product) → Cell`` for the customers and products (id, code) given:
    three queries, whatever their number."""
    ids = list(dict.fromkeys(customer_ids))
    out: dict[tuple[int, int], Cell] = {}
    if not ids or not products:
        return out
    by_code = {code: pid for pid, code in products}
    pids = [pid for pid, _code in products]
    for c in ids:
        for pid in pids:
            out[(c, pid)] = Cell(pid)
    for o in (Opportunity.objects.filter(customer_id__in=ids, product_id__in=pids)
              .values("pk", "number", "customer_id", "product_id", "status", "created_at",
                      "closed_at", "loss_reason__label", "loss_note")):
        cell = out[(o["customer_id"], o["product_id"])]
        url = reverse("pipeline:opportunity_detail", args=[o["pk"]])
        if o["status"] == OpportunityStatus.WON:
            cell.consider(SIGNED, o["closed_at"], url, o["number"])
        elif o["status"] == OpportunityStatus.LOST:
            cell.consider(REFUSED, o["closed_at"], url, o["number"],
                          o["loss_reason__label"] or o["loss_note"][:120])
        else:
            cell.consider(OFFERED, o["created_at"], url, o["number"])
    for line in (OfferLine.objects.filter(offer__customer_id__in=ids, code__in=list(by_code))
                 .values("offer_id", "code", "offer__customer_id", "offer__status",
                         "offer__created_at", "offer__decided_at", "offer__decline_reason",
                         "offer__contract__id", "offer__contract__status",
                         "offer__contract__created_at", "offer__contract__signed_at")):
        cell = out[(line["offer__customer_id"], by_code[line["code"]])]
        contract, status = line["offer__contract__id"], line["offer__contract__status"]
        offer_url = reverse("contracts:offer_detail", args=[line["offer_id"]])
        if contract is not None:
            url = reverse("contracts:contract_detail", args=[contract])
            number = f"P{contract:07d}"
            if status == ContractStatus.ACTIVE:
                cell.consider(SIGNED, line["offer__contract__signed_at"]
                              or line["offer__contract__created_at"], url, number)
            elif status in PENDING:
                cell.consider(APPLIED, line["offer__contract__created_at"], url, number)
        elif line["offer__status"] in OPEN_OFFER or line["offer__status"] == OfferStatus.ACCEPTED:
            cell.consider(OFFERED, line["offer__created_at"], offer_url,
                          f"O{line['offer_id']:07d}")
        elif line["offer__status"] == OfferStatus.DECLINED:
            cell.consider(REFUSED, line["offer__decided_at"] or line["offer__created_at"],
                          offer_url, f"O{line['offer_id']:07d}",
                          line["offer__decline_reason"][:120])
    for s in (SaleLine.objects.filter(sale__customer_id__in=ids, sale__kind=SaleKind.SALE,
                                      product_id__in=pids, returned_by__isnull=True)
              .values("sale_id", "sale__customer_id", "product_id", "sale__created_at")):
        cell = out[(s["sale__customer_id"], s["product_id"])]
        cell.consider(SIGNED, s["sale__created_at"],
                      reverse("sales:sale_detail", args=[s["sale_id"]]),
                      f"S{s['sale_id']:08d}")
    return out


@dataclass
class Row:
    customer: Customer
    cells: list[Cell]
    used: int
    targets: int

    @property
    def maturity(self) -> Decimal:
        return maturity(self.used, self.targets)


def maturity(used: int, targets: int) -> Decimal:
    """Used / targeted as a percent to one decimal place (0 for an empty set)."""
    if targets <= 0:
        return Decimal(0)
    return (Decimal(100 * used) / Decimal(targets)).quantize(Decimal("0.1"))


def rows_for(customers: Sequence[Customer], targets: Sequence[SegmentProduct]) -> list[Row]:
    """The matrix rows of a page of customers (``used`` counted from the cells themselves,
    which agree with the SQL ``used`` the page was sorted by)."""
    products = [(p.product_id, p.product.code) for p in targets]
    cells = cells_for([c.pk for c in customers], products)
    out = []
    for c in customers:
        row = [cells[(c.pk, pid)] for pid, _code in products]
        out.append(Row(c, row, sum(1 for x in row if x.state == SIGNED), len(products)))
    return out


# --- maturity: branch averages per segment -------------------------------------------------

@dataclass
class Average:
    segment: Segment
    targets: int
    customers: int = 0
    used: int = 0
    branch_id: int | None = None

    @property
    def maturity(self) -> Decimal:
        """The average of the customers' maturities (= used / (customers × targets))."""
        return maturity(self.used, self.customers * self.targets)


def averages(user: Actor, segments: Sequence[Segment], *, branch_id: int | None = None
             ) -> list[Average]:
    """Per segment: its customers the user sees (in one branch if given) and the target
    products they use — one grouped query over every segment (a ``CASE`` whose first
    matching branch is the customer's segment)."""
    sets: dict[int, list[SegmentProduct]] = {s.pk: [] for s in segments}
    for p in (SegmentProduct.objects.filter(segment__in=list(segments))
              .select_related("product").order_by("position", "id")):
        sets[p.segment_id].append(p)
    out = {s.pk: Average(s, len(sets[s.pk]), branch_id=branch_id) for s in segments}
    if not segments:
        return []
    snap = segment_state.kept(segments)
    if snap is not None:
        for k in (SegmentAverage.objects.visible_to(user, perms.SEGMENTS_VIEW,
                                                    branch_id=branch_id)
                  .filter(snapshot=snap).values("segment_id")
                  .annotate(n=Sum("customers"), u=Sum("used")).order_by()):
            if k["segment_id"] in out:
                out[k["segment_id"]].customers = int(k["n"])
                out[k["segment_id"]].used = int(k["u"] or 0)
        return [out[s.pk] for s in segments]
    which = Case(*[When(seg.rules_q(s.rules), then=Value(s.pk)) for s in segments],
                 default=Value(0), output_field=IntegerField())
    used = Case(*[When(seg.rules_q(s.rules), then=used_expression(sets[s.pk]))
                  for s in segments], default=Value(0), output_field=IntegerField())
    for r in (Customer.objects.visible_to(user, perms.SEGMENTS_VIEW, branch_id=branch_id)
              .active().annotate(seg=which, u=used).filter(seg__gt=0).values("seg")
              .annotate(n=Count("pk"), used=Sum("u")).order_by()):
        if r["seg"] in out:
            out[r["seg"]].customers = int(r["n"])
            out[r["seg"]].used = int(r["used"] or 0)
    return [out[s.pk] for s in segments]


# --- cross-sell -----------------------------------------------------------------------------

def _weight_expression(snap: Snapshot | None) -> Any:
    if snap is None:
        return Value("", output_field=CharField())
    return Coalesce(Subquery(Standing.objects.filter(snapshot=snap, customer=OuterRef("pk"))
                             .values("abc")[:1]), Value(""), output_field=CharField())


def _score(grosze: int) -> Case:
    return Case(*[When(abc=k, then=Value(grosze * w)) for k, w in ABC_WEIGHT.items()],
                default=Value(grosze), output_field=IntegerField())


def _grosze(value: Decimal) -> int:
    return int((value * 100).to_integral_value())


def suggestions_queryset(user: Actor, segments: Sequence[Segment], *,
                         branch_id: int | None = None, segment_id: int | None = None) -> Any:
    """Every (customer, target product) of the user's customers still to sell — nothing
    signed, applied or offered, no refusal in the last :func:`refusal_days` — as one ``UNION
    ALL`` of one select per segment and product, ranked by value: the product's expected
    value (grosze) × the customer's ABC weight (A 3, B 2, C or none 1)."""
    kept = segment_state.kept(segments)
    if kept is not None:
        return _kept_suggestions(user, kept, branch_id=branch_id, segment_id=segment_id)
    since = _midnight(refusal_cutoff())
    snap = Snapshot.objects.current()
    parts: list[Any] = []
    for s in segments:
        if segment_id and s.pk != segment_id:
            continue
        for p in SegmentProduct.objects.filter(segment=s).select_related("product"):
            parts.append(
                seg.members(user, s, segments, branch_id=branch_id)
                .filter(~_signed(p), ~_applied(p), ~_offered(p), ~_refused(p, since))
                .annotate(abc=_weight_expression(snap))
                .annotate(customer_id=F("pk"), t_segment=Value(s.pk),
                          t_product=Value(p.product_id), t_position=Value(p.position),
                          score=_score(_grosze(p.value)))
                .values("customer_id", "t_segment", "t_product", "t_position", "abc", "score")
                .order_by())
    if not parts:
        return Customer.objects.none().annotate(customer_id=F("pk")).values("customer_id")
    first, *rest = parts
    union = first.union(*rest, all=True) if rest else first
    return union.order_by("-score", "customer_id", "t_position")


def _kept_suggestions(user: Actor, snap: Snapshot, *, branch_id: int | None,
                      segment_id: int | None) -> Any:
    """The kept cross-sell rows of ``snap`` still to sell today (not offered, or refused
    before :func:`refusal_cutoff`) of the customers the user sees, by value (the partial
    index ``snapshot, -score, customer, position``)."""
    visible = (Customer.objects.visible_to(user, perms.SEGMENTS_VIEW, branch_id=branch_id)
               .active().values("pk"))
    qs = (ProductState.objects.filter(snapshot=snap, state__in=[NONE, REFUSED],
                                      customer__in=visible,
                                      **_kept_branches(user, "branch_id", branch_id))
          .filter(Q(state=NONE) | Q(day__isnull=True) | Q(day__lt=refusal_cutoff())))
    if segment_id:
        qs = qs.filter(segment_id=segment_id)
    return (qs.annotate(t_segment=F("segment_id"), t_product=F("product_id"),
                        t_position=F("position"))
            .values("customer_id", "t_segment", "t_product", "t_position", "abc", "score")
            .order_by("-score", "customer_id", "position"))


@dataclass
class Suggestion:
    customer: Customer
    product: Any
    segment: Segment
    abc: str
    value: Decimal
    cell: Cell
    start_url: str


def start_url(customer: Any, product: Any) -> str:
    """The pipeline's form for a new opportunity, the customer and product filled in."""
    return reverse("pipeline:opportunity_new") + "?" + urlencode(
        {"customer_id": customer.pk, "product_id": product.pk, "title": product.name})


def suggestions_for(rows: Sequence[dict[str, Any]], segments: Sequence[Segment]
                    ) -> list[Suggestion]:
    """The page of the cross-sell list: customers and products read once, the cells
    (for an open opportunity's link) in three queries."""
    from punkt.catalog.models import Product

    by_segment = {s.pk: s for s in segments}
    customers = Customer.objects.select_related("branch").in_bulk(
        [r["customer_id"] for r in rows])
    products = Product.objects.in_bulk([r["t_product"] for r in rows])
    cells = cells_for(customers, [(p.pk, p.code) for p in products.values()])
    out = []
    for r in rows:
        c, p = customers[r["customer_id"]], products[r["t_product"]]
        out.append(Suggestion(c, p, by_segment[r["t_segment"]], r["abc"] or "",
                              Decimal(int(r["score"])).scaleb(-2), cells[(c.pk, p.pk)],
                              start_url(c, p)))
    return out


@dataclass
class Profile:
    """The customer's segment, maturity, the cells, what is missing and what to sell."""

    segment: Segment | None
    rows: list[tuple[SegmentProduct, Cell]] = field(default_factory=list)
    used: int = 0

    @property
    def targets(self) -> int:
        return len(self.rows)

    @property
    def maturity(self) -> Decimal:
        return maturity(self.used, self.targets)

    @property
    def missing(self) -> list[tuple[SegmentProduct, Cell]]:
        return [(p, c) for p, c in self.rows if c.state != SIGNED]

    @property
    def to_sell(self) -> list[tuple[SegmentProduct, Cell]]:
        """The target products not offered yet, or refused before :func:`refusal_cutoff`
        (and not offered again since), in the segment's order."""
        return [(p, c) for p, c in self.rows if to_sell(c)]


def to_sell(cell: Cell, cutoff: datetime.date | None = None) -> bool:
    cutoff = cutoff or refusal_cutoff()
    return cell.state == NONE or (cell.state == REFUSED and (cell.on is None
                                                              or cell.on < cutoff))


def customer_profile(customer: Any) -> Profile:
    segment = seg.segment_of(customer)
    if segment is None:
        return Profile(None)
    targets = targets_of(segment)
    cells = cells_for([customer.pk], [(p.product_id, p.product.code) for p in targets])
    rows = [(p, cells[(customer.pk, p.product_id)]) for p in targets]
    return Profile(segment, rows, sum(1 for _p, c in rows if c.state == SIGNED))

