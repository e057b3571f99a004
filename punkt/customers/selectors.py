"""Reading customers, branch scoping first. Lists, the API, exports all start here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Concat
from django.utils.translation import gettext as _

from punkt.core.errors import NotFound
from punkt.customers import permissions as perms
from punkt.customers import search
from punkt.customers.models import (
    Consent,
    ConsentEvent,
    ConsentPurpose,
    Customer,
    CustomerStatus,
    TimelineEntry,
)
from punkt.organization import permissions as org_perms

SORTS = {
    "name": ("sort_key", "id"), "-name": ("-sort_key", "-id"),
    "created": ("created_at", "id"), "-created": ("-created_at", "-id"),
}
#: Segment filters: ``field:value`` for the seed-003 segmentation fields.
SEGMENT_FIELDS = ("company_size", "main_customer_type", "age_band", "education",
                  "income_band", "vehicle")


def customers_visible_to(user: Any, *, include_closed: bool = False) -> QuerySet[Customer]:
    allowed = org_perms.access_of(user).branches_for(perms.CUSTOMER_VIEW.code)
    qs = Customer.objects.all()
    if not include_closed:
        qs = qs.filter(status=CustomerStatus.ACTIVE)
    if allowed is not None:
        qs = qs.filter(branch_id__in=allowed)
    return qs


@dataclass
class CustomerFilters:
    q: str = ""
    branch_id: int | None = None
    kind: str = ""
    segment: str = ""
    consent: str = ""
    created_from: datetime.date | None = None
    created_to: datetime.date | None = None
    sort: str = "name"


def customer_list(*, user: Any, filters: CustomerFilters, retry: bool = True
                  ) -> tuple[QuerySet[Customer], search.ParsedQuery]:
    qs = customers_visible_to(user)
    if filters.branch_id:
        qs = qs.filter(branch_id=filters.branch_id)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.segment and ":" in filters.segment:
        name, value = filters.segment.split(":", 1)
        if name in SEGMENT_FIELDS:
            qs = qs.filter(**{name: value})
    if filters.consent:
        purpose, _sep, state = filters.consent.partition(":")
        if purpose in ConsentPurpose.values:
            given = Exists(Consent.objects.filter(customer=OuterRef("pk"), purpose=purpose,
                                                  granted=True))
            qs = qs.filter(~given if state == "no" else given)
    if filters.created_from:
        qs = qs.filter(created_at__date__gte=filters.created_from)
    if filters.created_to:
        qs = qs.filter(created_at__date__lte=filters.created_to)
    qs, parsed = search.search(qs, filters.q, retry=retry)
    order = SORTS.get(filters.sort, SORTS["name"])
    if search.WordResults.usable(parsed) and connection.vendor == "postgresql":
        return qs.select_related("branch").order_by(*_matches_first(order)), parsed
    return qs.select_related("branch").order_by(*order), parsed


def customer_results(*, user: Any, filters: CustomerFilters
                     ) -> tuple[QuerySet[Customer] | search.WordResults, search.ParsedQuery]:
    """What a list page or the API pages through: :func:`customer_list`, or for a plain
    word search ordered by name the faster :class:`search.WordResults` (same rows)."""
    plain = not (filters.kind or filters.segment or filters.consent or filters.created_from
                 or filters.created_to)
    if not (plain and filters.sort in ("name", "-name")
            and search.WordResults.usable(search.parse(filters.q))):
        return customer_list(user=user, filters=filters)
    _qs, parsed = customer_list(user=user, filters=filters, retry=False)
    allowed = org_perms.access_of(user).branches_for(perms.CUSTOMER_VIEW.code)
    branches: list[int] | None = None if allowed is None else list(allowed)
    if filters.branch_id:
        wanted = filters.branch_id if 0 < filters.branch_id < 2**63 else None
        branches = [b for b in (branches if branches is not None else [wanted])
                    if b is not None and b == wanted]
    return search.WordResults(parsed, branches=branches,
                              descending=filters.sort == "-name"), parsed


def _matches_first(order: tuple[str, ...]) -> list[Any]:
    """The same order, written so that PostgreSQL cannot walk the sort index.

    With a word search the planner cannot estimate how many rows ``LIKE '%word%'`` keeps
    (several alternatives for a misspelt word make it guess thousands) and, to fill a page
    of 25, walks the name or date index filtering row by row — 0.6 million rows and
    seconds when the matches sort late. Ordering by an expression leaves it one plan:
    collect the matches from the trigram index, then sort them (the capped count reads
    the same matches anyway)."""
    out: list[Any] = []
    for field in order:
        name = field.lstrip("-")
        if name == "sort_key":
            expr: Any = Concat(F(name), Value(""))
        elif name == "created_at":
            expr = ExpressionWrapper(F(name) + Value(datetime.timedelta(0)),
                                     output_field=DateTimeField())
        else:
            out.append(field)
            continue
        out.append(expr.desc() if field.startswith("-") else expr.asc())
    return out


def customer_get(*, user: Any, customer_id: int, include_closed: bool = True) -> Customer:
    customer = customers_visible_to(user, include_closed=include_closed).select_related(
        "branch", "created_by", "merged_into").filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(_("Customer not found."))
    return customer


def consent_state(customer: Customer) -> list[dict[str, Any]]:
    """One row per purpose: given / withdrawn / never asked, with the last change."""
    current = {c.purpose: c for c in Consent.objects.filter(customer=customer).select_related(
        "last_event", "last_event__employee", "last_event__text")}
    rows = []
    for purpose in ConsentPurpose:
        c = current.get(purpose.value)
        rows.append({"purpose": purpose.value, "label": purpose.label,
                     "granted": None if c is None else c.granted,
                     "event": c.last_event if c else None})
    return rows


def consent_history(*, customer: Customer, limit: int = 200) -> list[ConsentEvent]:
    return list(ConsentEvent.objects.filter(customer=customer).select_related(
        "employee", "text", "branch")[:limit])


def has_consent(customer_id: int, purpose: str) -> bool:
    """The state messaging reads at send time (C14)."""
    return Consent.objects.filter(customer_id=customer_id, purpose=purpose,
                                  granted=True).exists()


def timeline(*, customer: Customer, kind: str = "", before: tuple[str, int] | None = None,
             limit: int = 30) -> list[TimelineEntry]:
    """Newest first; ``before`` = (occurred_at ISO, id) of the last entry shown (keyset)."""
    qs = TimelineEntry.objects.filter(customer=customer).select_related("actor", "branch")
    if kind:
        qs = qs.filter(kind=kind)
    if before is not None:
        at, pk = before
        qs = qs.filter(Q(occurred_at__lt=at) | Q(occurred_at=at, pk__lt=pk))
    return list(qs.order_by("-occurred_at", "-id")[:limit])
