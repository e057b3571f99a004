"""API of the segment × product matrix: /api/v1/analytics/segments… — the same selectors
as the pages (``punkt/analytics/segment_matrix.py``)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Schema
from pydantic import Field

from punkt.analytics import permissions as perms
from punkt.analytics import segment_matrix as sm
from punkt.analytics import segments as seg
from punkt.analytics.api import router  # the area's router: the operations are added to it
from punkt.analytics.models import Segment, SegmentProduct
from punkt.core.api import Page, errors, known_id, page_slice
from punkt.core.errors import NotFound
from punkt.core.routes import scoped
from punkt.customers.models import Customer
from punkt.organization import permissions as org_perms

State = Literal["none", "offered", "refused", "applied", "signed"]


class TargetOut(Schema):
    product_id: int
    product_code: str
    product_name: str
    position: int
    value: Decimal


class SegmentOut(Schema):
    id: int
    name: str
    position: int
    rules: dict[str, list[str]]
    rules_text: str
    products: list[TargetOut]


class SegmentListOut(Schema):
    items: list[SegmentOut]


class CellOut(Schema):
    product_id: int
    state: str
    on: datetime.date | None
    record: str
    url: str
    reason: str


class MatrixRowOut(Schema):
    customer_id: int
    customer_number: str
    customer_name: str
    branch_id: int
    products_used: int
    products_targeted: int
    maturity_percent: Decimal
    cells: list[CellOut]


class SegmentMatrixOut(Schema):
    segment: SegmentOut
    items: list[MatrixRowOut]
    page: Page


class MatrixQuery(Schema):
    branch_id: int | None = Field(None, ge=1, le=2**62)
    state: State | None = None
    sort: Literal["maturity", "-maturity", "name", "-name"] = "-maturity"
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


class AverageOut(Schema):
    segment_id: int
    segment_name: str
    customers: int
    products_targeted: int
    products_used: int
    maturity_percent: Decimal


class AveragesOut(Schema):
    branch_id: int | None
    items: list[AverageOut]


class BranchQuery(Schema):
    branch_id: int | None = Field(None, ge=1, le=2**62)


class SuggestionOut(Schema):
    customer_id: int
    customer_name: str
    branch_id: int
    segment_id: int
    product_id: int
    product_code: str
    product_name: str
    abc: str
    value: Decimal
    state: str
    start_url: str


class SuggestionListOut(Schema):
    items: list[SuggestionOut]
    page: Page


class SuggestionQuery(Schema):
    branch_id: int | None = Field(None, ge=1, le=2**62)
    segment_id: int | None = Field(None, ge=1, le=2**62)
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


class CustomerSegmentOut(Schema):
    segment: SegmentOut | None
    products_used: int
    products_targeted: int
    maturity_percent: Decimal
    cells: list[CellOut]
    to_sell: list[int]


def _segment(s: Segment, targets: list[SegmentProduct]) -> dict[str, Any]:
    return {"id": s.pk, "name": s.name, "position": s.position, "rules": s.rules,
            "rules_text": seg.rules_text(s.rules),
            "products": [{"product_id": t.product_id, "product_code": t.product.code,
                          "product_name": t.product.name, "position": t.position,
                          "value": t.value} for t in targets]}


def _cell(c: sm.Cell) -> dict[str, Any]:
    return {"product_id": c.product_id, "state": c.state, "on": c.on, "record": c.record,
            "url": c.url, "reason": c.reason}


@router.get("/analytics/segments", response={200: SegmentListOut, **errors()},
            operation_id="analytics_segments")
@scoped("global")
def analytics_segments(request: HttpRequest) -> dict[str, Any]:
    """The segments in their order (the first matching wins) with their ideal sets."""
    org_perms.ensure(request.user, perms.SEGMENTS_VIEW.code)
    segments = seg.ordered()
    sets: dict[int, list[SegmentProduct]] = {s.pk: [] for s in segments}
    for t in (SegmentProduct.objects.filter(segment__in=segments).select_related("product")
              .order_by("position", "id")):
        sets[t.segment_id].append(t)
    return {"items": [_segment(s, sets[s.pk]) for s in segments]}


@router.get("/analytics/segments/maturity", response={200: AveragesOut, **errors()},
            operation_id="analytics_segments_maturity")
@scoped("list")
def analytics_segments_maturity(request: HttpRequest, q: Query[BranchQuery]) -> dict[str, Any]:
    """The average maturity of each segment's customers (one branch, or every branch the
    reader sees)."""
    org_perms.ensure(request.user, perms.SEGMENTS_VIEW.code)
    found = sm.averages(request.user, seg.ordered(), branch_id=q.branch_id)
    return {"branch_id": q.branch_id, "items": [
        {"segment_id": a.segment.pk, "segment_name": a.segment.name, "customers": a.customers,
         "products_targeted": a.targets, "products_used": a.used,
         "maturity_percent": a.maturity} for a in found]}


@router.get("/analytics/segments/cross-sell", response={200: SuggestionListOut, **errors()},
            operation_id="analytics_segments_cross_sell")
@scoped("list")
def analytics_segments_cross_sell(request: HttpRequest,
                                  q: Query[SuggestionQuery]) -> dict[str, Any]:
    """Target products still to sell, the most valuable first (expected value × ABC
    weight)."""
    org_perms.ensure(request.user, perms.SEGMENTS_VIEW.code)
    segments = seg.ordered()
    union = sm.suggestions_queryset(request.user, segments, branch_id=q.branch_id,
                                    segment_id=q.segment_id)
    rows, page = page_slice(union, q.page, q.per_page, cap=10_000)
    found = sm.suggestions_for(rows, segments)
    return {"items": [
        {"customer_id": s.customer.pk, "customer_name": s.customer.display_name,
         "branch_id": s.customer.branch_id, "segment_id": s.segment.pk,
         "product_id": s.product.pk, "product_code": s.product.code,
         "product_name": s.product.name, "abc": s.abc, "value": s.value,
         "state": s.cell.state, "start_url": s.start_url} for s in found], "page": page}


@router.get("/analytics/segments/customers/{customer_id}",
            response={200: CustomerSegmentOut, **errors(404)},
            operation_id="analytics_segments_customer")
@scoped("branch")
def analytics_segments_customer(request: HttpRequest, customer_id: int) -> dict[str, Any]:
    """One customer's segment, maturity, cells and what else to sell (product ids, in the
    segment's order)."""
    known_id(customer_id)
    customer = (Customer.objects.visible_to(request.user, perms.SEGMENTS_VIEW)
                .filter(pk=customer_id).first())
    if customer is None:
        raise NotFound("Customer not found.")
    found = sm.customer_profile(customer)
    return {"segment": _segment(found.segment, [t for t, _c in found.rows])
            if found.segment else None,
            "products_used": found.used, "products_targeted": found.targets,
            "maturity_percent": found.maturity, "cells": [_cell(c) for _t, c in found.rows],
            "to_sell": [t.product_id for t, _c in found.to_sell]}


@router.get("/analytics/segments/{segment_id}/matrix",
            response={200: SegmentMatrixOut, **errors(404)},
            operation_id="analytics_segment_matrix")
@scoped("list")
def analytics_segment_matrix(request: HttpRequest, segment_id: int,
                             q: Query[MatrixQuery]) -> dict[str, Any]:
    """A segment's customers with their cells and maturity, sorted and filtered as the
    page is."""
    org_perms.ensure(request.user, perms.SEGMENTS_VIEW.code)
    known_id(segment_id)
    segments = seg.ordered()
    segment = next((s for s in segments if s.pk == segment_id), None)
    if segment is None:
        raise NotFound("Segment not found.")
    targets = sm.targets_of(segment)
    qs = sm.matrix_queryset(request.user, segment, segments, targets, branch_id=q.branch_id,
                            state=q.state or "", sort=q.sort)
    customers, page = page_slice(qs, q.page, q.per_page, cap=10_000)
    rows = sm.rows_for(customers, targets)
    return {"segment": _segment(segment, targets), "page": page, "items": [
        {"customer_id": r.customer.pk, "customer_number": r.customer.number,
         "customer_name": r.customer.display_name, "branch_id": r.customer.branch_id,
         "products_used": r.used, "products_targeted": r.targets,
         "maturity_percent": r.maturity, "cells": [_cell(c) for c in r.cells]}
        for r in rows]}
