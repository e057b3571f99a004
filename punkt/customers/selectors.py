"""Reading customers, branch scoping first (``visible_to``). Lists, the API, exports all
start here."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection
from django.db.models import DateTimeField, ExpressionWrapper, F, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext as _

from punkt.core.scoping import BranchScopedQuerySet
from punkt.core.web import MAX_ID
from punkt.customers import permissions as perms
from punkt.customers import search
from punkt.customers.filters import CustomerFilter, CustomerFilters
from punkt.customers.models import (
    Consent,
    ConsentEvent,
    ConsentPurpose,
    Customer,
    CustomerQuerySet,
    CustomerWord,
    TimelineEntry,
)
from punkt.organization.actors import Actor

SORTS = {
    "name": ("sort_key", "id"), "-name": ("-sort_key", "-id"),
    "created": ("created_at", "id"), "-created": ("-created_at", "-id"),
}


def customers_visible_to(user: Actor, *, include_closed: bool = False,
                         branch_id: int | None = None) -> CustomerQuerySet:
    """The customers of the branches where ``user`` sees customers (narrowed to
    ``branch_id``); active ones unless ``include_closed``."""
    qs = Customer.objects.all() if include_closed else Customer.objects.active()
    return _in_scope(qs, user, branch_id)


def _in_scope[Q: BranchScopedQuerySet[Any]](qs: Q, user: Actor, branch_id: int | None) -> Q:
    """``visible_to`` for the customer lists; a branch id no branch can have (a caller's
    unchecked input) finds nothing."""
    if branch_id and not 0 < branch_id <= MAX_ID:
        return qs.none()
    return qs.visible_to(user, perms.CUSTOMER_VIEW, branch_id=branch_id)


def customer_list(*, user: Actor, filters: CustomerFilters, retry: bool = True
                  ) -> tuple[QuerySet[Customer], search.ParsedQuery]:
    qs = CustomerFilter.narrow(customers_visible_to(user, branch_id=filters.branch_id), filters)
    qs, parsed = search.search(qs, filters.q, retry=retry)
    order = SORTS.get(filters.sort, SORTS["name"])
    if search.WordResults.usable(parsed) and connection.vendor == "postgresql":
        return qs.select_related("branch").order_by(*_matches_first(order)), parsed
    return qs.select_related("branch").order_by(*order), parsed


def customer_results(*, user: Actor, filters: CustomerFilters
                     ) -> tuple[QuerySet[Customer] | search.WordResults, search.ParsedQuery]:
    """What a list page or the API pages through: :func:`customer_list`, or for a plain
    word search ordered by name the faster :class:`search.WordResults` (same rows)."""
    plain = not (filters.kind or filters.segment or filters.consent or filters.created_from
                 or filters.created_to)
    if not (plain and filters.sort in ("name", "-name")
            and search.WordResults.usable(search.parse(filters.q))):
        return customer_list(user=user, filters=filters)
    _qs, parsed = customer_list(user=user, filters=filters, retry=False)
    words = _in_scope(CustomerWord.objects.all(), user, filters.branch_id)
    return search.WordResults(parsed, words=words,
                              customers=customers_visible_to(user, branch_id=filters.branch_id),
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


def customer_get(*, user: Actor, customer_id: int, include_closed: bool = True) -> Customer:
    return (customers_visible_to(user, include_closed=include_closed)
            .select_related("branch", "created_by", "merged_into")
            .get_or_not_found(customer_id, missing=_("Customer not found.")))


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


def consented(customer_ids: list[int], purpose: str) -> set[int]:
    """:func:`has_consent` for many customers at once (a chunk of messages at send time)."""
    return set(Consent.objects.filter(customer_id__in=customer_ids, purpose=purpose,
                                      granted=True).values_list("customer_id", flat=True))


def timeline(*, customer: Customer, kind: str = "", kinds: list[str] | None = None,
             before: tuple[str, int] | None = None, limit: int = 30) -> list[TimelineEntry]:
    """Newest first; ``kind`` one kind or ``kinds`` several; ``before`` = (occurred_at ISO,
    id) of the last entry shown (keyset)."""
    qs = TimelineEntry.objects.filter(customer=customer).select_related("actor", "branch")
    if kind:
        qs = qs.filter(kind=kind)
    if kinds is not None:
        qs = qs.filter(kind__in=kinds)
    if before is not None:
        at, pk = before
        qs = qs.filter(Q(occurred_at__lt=at) | Q(occurred_at=at, pk__lt=pk))
    return list(qs.order_by("-occurred_at", "-id")[:limit])
