"""Server-side paging and sorting for list pages and the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet
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
        n = capped_count(self.object_list, self.cap)
        self.capped = n > self.cap
        return min(n, self.cap)


@dataclass
class Listing:
    page: Page
    sort: str
    params: dict[str, str]

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
    try:
        page = paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        page = paginator.page(1)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    params = {k: str(v) for k, v in request.GET.items() if k != "page"}
    return Listing(page=page, sort=sort, params=params)
