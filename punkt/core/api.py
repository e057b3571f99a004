"""Shared pieces of the JSON API: the one error body, ids, strict bodies, paging.

(Authentication is the organisation area's: ``punkt/organization/api_auth.py``.)"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator, ConfigDict
from pydantic_core import PydanticCustomError

from punkt.core.access import can
from punkt.core.errors import NotFound
from punkt.core.paging import capped_count

#: The largest id a database row can have (BIGINT): bound every id a client sends.
MAX_ID = 2**63 - 1


def known_id(value: int) -> int:
    """A path id a row could have; any other is simply not found (never a database error)."""
    if not 0 < value <= MAX_ID:
        raise NotFound()
    return value


def known_branch(user: Any, branch_id: int, permission: str) -> int:
    """A branch id (path or query) where ``user`` holds ``permission``; any other branch is
    simply not found — another branch's data answers 404, like its pages."""
    if not 0 < branch_id <= MAX_ID or not can(user, permission, branch_id):
        raise NotFound("Branch not found.")
    return branch_id


_AMOUNT_TEXT = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def _amount_as_sent(value: Any) -> Any:
    """An amount sent as text must look like a JSON number: ASCII digits and a dot. Python
    reads ``"1_000"``, ``"١٢"``, ``" 12 "`` and ``"1e3"`` as numbers too; a client's typo is
    refused, never guessed."""
    if isinstance(value, str) and not _AMOUNT_TEXT.fullmatch(value):
        raise PydanticCustomError("number", "Give a number with a dot and at most 2 "
                                  "decimals, e.g. 120.50.")
    return value


#: A money amount (or a percent) in a request body: a JSON number, or text holding one
#: (``"120.50"``). Bound it with ``Field(gt=…, le=…, decimal_places=2)``.
Amount = Annotated[Decimal, BeforeValidator(_amount_as_sent)]


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


def errors(*statuses: int) -> dict[int, Any]:
    """Error responses of an operation: those every operation may give (415: a body not
    sent as UTF-8 JSON, see ``punkt/api.py``), plus ``statuses``."""
    return {s: ErrorOut for s in (400, 401, 403, 415, 422, *statuses)}


class Strict(Schema):
    """Request bodies refuse unknown fields (a typo is an error, not silently ignored)."""

    model_config = ConfigDict(extra="forbid")


class Page(Schema):
    count: int
    page: int
    per_page: int
    pages: int
    #: True when there are more rows than ``count`` says (counting stops at a cap).
    capped: bool = False


def page_slice(qs: Any, page: int, per_page: int, *, cap: int | None = None
               ) -> tuple[list[Any], Page]:
    per_page = max(1, min(per_page, 200))
    capped = False
    if cap is None:
        count = qs.count()
    else:
        count = capped_count(qs, cap)
        capped = count > cap
        count = min(count, cap)
    pages = max(1, (count + per_page - 1) // per_page)
    page = max(1, min(page, pages))
    start = (page - 1) * per_page
    return list(qs[start:start + per_page]), Page(count=count, page=page, per_page=per_page,
                                                  pages=pages, capped=capped)
