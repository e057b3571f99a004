"""Server-side paging and sorting for list pages and the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 200


@dataclass
class Listing:
    page: Page
    sort: str
    params: dict[str, str]

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


def paginate(request: HttpRequest, qs: QuerySet[Any], *, sort: str, per_page: int | None = None
             ) -> Listing:
    try:
        size = int(request.GET.get("per_page", per_page or DEFAULT_PER_PAGE))
    except ValueError:
        size = DEFAULT_PER_PAGE
    size = max(1, min(size, MAX_PER_PAGE))
    paginator = Paginator(qs, size)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        page = paginator.page(1)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    params = {k: v for k, v in request.GET.items() if k != "page"}
    return Listing(page=page, sort=sort, params=params)
