"""Server-side paging and sorting for list pages and the API."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist, ValidationError
from django.core.paginator import EmptyPage, InvalidPage, Page, PageNotAnInteger, Paginator
from django.db.models import Field, Q, QuerySet
from django.db.models.query import ModelIterable
from django.http import HttpRequest
from django.utils.functional import cached_property

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 200


def capped_count(rows: Any, cap: int) -> int:
    """How many rows, counting at most ``cap + 1`` (a result object may count itself)."""
    if hasattr(rows, "capped_count"):
        return int(rows.capped_count(cap))
    return int(rows.order_by()[: cap + 1].count())  # the order does not change a count


class CappedPaginator(Paginator):
    """Counts at most ``cap`` rows (``COUNT(*)`` over a million rows costs more than the page
    itself); beyond that the page says "more than …" and the user narrows the search."""

    def __init__(self, object_list: Any, per_page: int, *, cap: int) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap
        self.capped = False

    @cached_property
    def count(self) -> int:
        key = _over_cap_key(self.object_list, self.cap)
        if key is not None and cache.get(key):
            self.capped = True
            return self.cap
        n = capped_count(self.object_list, self.cap)
        self.capped = n > self.cap
        if self.capped and key is not None:
            cache.set(key, True, OVER_CAP_SECONDS)
        return min(n, self.cap)


#: how long a list once found longer than its cap is taken to be so without counting
OVER_CAP_SECONDS = 300


def _over_cap_key(rows: Any, cap: int) -> str | None:
    """A cache key naming the statement of ``rows`` (the user's scope and filters are in
    it). Counting up to the cap reads ``cap`` index entries on every page view of a long
    list (3 ms of a branch's 20,000 customers); a list that long stays longer than the cap
    for minutes, while a short one is counted every time (it is cheap and must be exact)."""
    if not isinstance(rows, QuerySet):
        return None
    try:
        sql, params = rows.order_by().query.sql_with_params()
    except EmptyResultSet:
        return None
    text = f"{rows.db}:{cap}:{sql}:{params!r}"
    return "paging:over-cap:" + hashlib.sha256(text.encode()).hexdigest()


#: The query parameters of a page reached by its "next" / "previous" link (keyset paging).
AFTER, BEFORE = "after", "before"


def keyset_order(qs: Any) -> list[tuple[Field[Any, Any], bool]] | None:
    """The list's order as (field, descending) pairs when its pages can be read by key
    instead of by offset: model rows ordered by the model's own non-null columns, all in
    one direction, ending with the primary key (so the order is total). None otherwise
    (expressions, related fields, values() lists, unions …: those page by offset)."""
    if not isinstance(qs, QuerySet) or qs._iterable_class is not ModelIterable \
            or qs.query.combinator or qs.query.distinct:
        return None
    order = list(qs.query.order_by) or list(qs.model._meta.ordering or ())
    out: list[tuple[Field[Any, Any], bool]] = []
    for item in order:
        if not isinstance(item, str) or "__" in item or item.lstrip("-") in qs.query.annotations:
            return None
        name = item.lstrip("-")
        try:
            found = qs.model._meta.pk if name == "pk" else qs.model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if not isinstance(found, Field) or not found.concrete or found.null:
            return None
        out.append((found, item.startswith("-")))
    if not out or not out[-1][0].primary_key or len({desc for _f, desc in out}) != 1:
        return None
    return out


def cursor_of(obj: Any, order: list[tuple[Field[Any, Any], bool]]) -> str:
    values = [f.value_to_string(obj) for f, _desc in order]
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor_values(text: str, order: list[tuple[Field[Any, Any], bool]]) -> list[Any] | None:
    """The key a cursor carries, each value as its field's Python value; None when the
    cursor was not made for this order (edited, or from another sort)."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(order) \
                or not all(isinstance(v, str) for v in values):
            return None
        return [f.to_python(v) for (f, _desc), v in zip(order, values, strict=True)]
    except (binascii.Error, ValueError, ValidationError, TypeError):
        return None


def _beyond(order: list[tuple[Field[Any, Any], bool]], values: list[Any], *,
            forward: bool) -> Q:
    """Rows after (``forward``) or before the key in the list's order. The first column's
    ``>=`` (or ``<=``) lets the database start in the index at the key."""
    descending = order[0][1]
    up = forward != descending
    op, op_eq = ("gt", "gte") if up else ("lt", "lte")
    cond = Q()
    for i, (f, _desc) in enumerate(order):
        equal = {order[j][0].attname: values[j] for j in range(i)}
        cond |= Q(**equal, **{f"{f.attname}__{op}": values[i]})
    return Q(**{f"{order[0][0].attname}__{op_eq}": values[0]}) & cond


def _keyset_page(paginator: Paginator, qs: QuerySet[Any], number: int,
                 order: list[tuple[Field[Any, Any], bool]], values: list[Any], *,
                 forward: bool) -> Page | None:
    """Page ``number`` read as the rows just after (or before) the key: as fast on page 400
    as on page 2, where an offset would read and drop all the rows before it."""
    try:
        number = paginator.validate_number(number)
    except InvalidPage:
        return None
    size = paginator.per_page
    rows = qs.filter(_beyond(order, values, forward=forward))
    found = list(rows[:size]) if forward else list(rows.reverse()[:size])[::-1]
    if not found and number > 1:
        return None  # the rows moved meanwhile: the page by offset instead
    return Page(found, number, paginator)


@dataclass
class Listing:
    page: Page
    sort: str
    params: dict[str, str]
    #: The order pages are read by key in (None: by offset).
    order: list[tuple[Field[Any, Any], bool]] | None = field(default=None, repr=False)

    @property
    def next_url(self) -> str:
        """The next page's address; with a key, the next page starts right after this one's
        last row."""
        number = self.page.next_page_number()
        rows = list(self.page.object_list)
        if self.order and rows:
            return self.url_for(page=number, **{AFTER: cursor_of(rows[-1], self.order)})
        return self.url_for(page=number)

    @property
    def previous_url(self) -> str:
        number = self.page.previous_page_number()
        rows = list(self.page.object_list)
        if self.order and rows and number > 1:
            return self.url_for(page=number, **{BEFORE: cursor_of(rows[0], self.order)})
        return self.url_for(page=number)

    @property
    def capped(self) -> bool:
        return getattr(self.page.paginator, "capped", False)

    def url_for(self, **changes: Any) -> str:
        params = {**self.params, **{k: str(v) for k, v in changes.items() if v is not None}}
        params = {k: v for k, v in params.items() if v not in ("", None)}
        return "?" + urlencode(params)

    def sort_url(self, key: str) -> str:
        new = f"-{key}" if self.sort == key else key
        return self.url_for(sort=new, page=1)

    def sort_state(self, key: str) -> str:
        if self.sort == key:
            return "ascending"
        if self.sort == f"-{key}":
            return "descending"
        return "none"


def paginate(request: HttpRequest, qs: QuerySet[Any], *, sort: str, per_page: int | None = None,
             cap: int | None = None) -> Listing:
    try:
        size = int(request.GET.get("per_page", per_page or DEFAULT_PER_PAGE))
    except ValueError:
        size = DEFAULT_PER_PAGE
    size = max(1, min(size, MAX_PER_PAGE))
    paginator = Paginator(qs, size) if cap is None else CappedPaginator(qs, size, cap=cap)
    order = keyset_order(qs)
    page: Page | None = None
    cursor = request.GET.get(AFTER) or request.GET.get(BEFORE)
    if order and cursor and (values := _cursor_values(cursor, order)) is not None:
        try:
            number = int(request.GET.get("page", ""))
        except ValueError:
            number = 0
        page = _keyset_page(paginator, qs, number, order, values,
                            forward=bool(request.GET.get(AFTER)))
    if page is None:
        try:
            page = paginator.page(request.GET.get("page", 1))
        except PageNotAnInteger:
            page = paginator.page(1)
        except EmptyPage:
            page = paginator.page(paginator.num_pages)
    params = {k: str(v) for k, v in request.GET.items() if k not in ("page", AFTER, BEFORE)}
    return Listing(page=page, sort=sort, params=params, order=order)
