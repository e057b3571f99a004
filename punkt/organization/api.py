from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from punkt.core.api import MAX_ID, Page, Strict, errors, page_slice
from punkt.core.routes import scoped
from punkt.organization import filters as lists
from punkt.organization import permissions as perms
from punkt.organization import selectors, services
from punkt.organization.actors import employee_of
from punkt.organization.models import ApiToken, Membership

router = Router(tags=["organisation"])



class OpeningHoursOut(Schema):
    weekday: int
    opens: datetime.time
    closes: datetime.time


class BranchOut(Schema):
    id: int
    kind: str
    code: str
    name: str
    street: str
    postal_code: str
    city: str
    phone: str
    email: str
    is_active: bool


class BranchDetailOut(BranchOut):
    opening_hours: list[OpeningHoursOut]


class BranchPage(Schema):
    items: list[BranchOut]
    page: Page


class BranchIn(Strict):
    code: str = Field(max_length=20)
    name: str = Field(max_length=200)
    street: str = Field(max_length=200)
    postal_code: str = Field(max_length=6)
    city: str = Field(max_length=100)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    is_active: bool = True


class BranchPatch(Strict):
    code: str | None = Field(None, max_length=20)
    name: str | None = Field(None, max_length=200)
    street: str | None = Field(None, max_length=200)
    postal_code: str | None = Field(None, max_length=6)
    city: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, max_length=20)
    email: str | None = Field(None, max_length=254)
    is_active: bool | None = None


class OpeningHoursIn(Strict):
    weekday: int = Field(ge=0, le=6)
    opens: datetime.time
    closes: datetime.time


class BranchFilter(Schema):
    q: str = Field("", max_length=100)
    active: bool | None = None
    kind: str = Field("", max_length=10)
    sort: str = Field("name", max_length=20)
    page: int = Field(1, ge=1, le=100000)
    per_page: int = Field(50, ge=1, le=200)


@router.get("/branches", response={200: BranchPage, **errors()}, operation_id="branch_list")
@scoped("list")
def branch_list(request: HttpRequest, filters: Query[BranchFilter]) -> dict[str, Any]:
    perms.ensure(request.user, perms.BRANCH_VIEW.code)
    qs = selectors.branch_list(user=request.user, q=filters.q, active=filters.active,
                               kind=filters.kind, sort=filters.sort)
    items, page = page_slice(qs, filters.page, filters.per_page)
    return {"items": items, "page": page}


@router.get("/branches/{branch_id}", response={200: BranchDetailOut, **errors(404)},
            operation_id="branch_get")
@scoped("branch")
def branch_get(request: HttpRequest, branch_id: int) -> Any:
    branch = selectors.branch_get(user=request.user, branch_id=branch_id)
    branch.opening_hours_list = list(branch.opening_hours.all())  # type: ignore[attr-defined]
    return {**BranchOut.from_orm(branch).dict(),
            "opening_hours": branch.opening_hours_list}  # type: ignore[attr-defined]


@router.post("/branches", response={201: BranchOut, **errors()}, operation_id="branch_create")
@scoped("global")
def branch_create(request: HttpRequest, payload: BranchIn) -> Status[Any]:
    return Status(201, services.branch_create(actor=request.user, **payload.dict()))


@router.patch("/branches/{branch_id}", response={200: BranchOut, **errors(404)},
              operation_id="branch_update")
@scoped("branch")
def branch_update(request: HttpRequest, branch_id: int, payload: BranchPatch) -> Any:
    selectors.branch_get(user=request.user, branch_id=branch_id)
    return services.branch_update(actor=request.user, branch_id=branch_id,
                                  **payload.dict(exclude_unset=True, exclude_none=True))


@router.put("/branches/{branch_id}/opening-hours",
            response={200: list[OpeningHoursOut], **errors(404)},
            operation_id="branch_opening_hours_set")
@scoped("branch")
def opening_hours_set(request: HttpRequest, branch_id: int,
                      payload: list[OpeningHoursIn]) -> Any:
    selectors.branch_get(user=request.user, branch_id=branch_id)
    return services.opening_hours_set(actor=request.user, branch_id=branch_id,
                                      hours=[p.dict() for p in payload])


class MembershipOut(Schema):
    id: int
    branch_id: int
    branch_code: str = Field(alias="branch.code")
    role: str
    is_active: bool


class EmployeeOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    phone: str
    language: str
    is_active: bool
    memberships: list[MembershipOut] = Field(alias="active_memberships")


class EmployeePage(Schema):
    items: list[EmployeeOut]
    page: Page


class EmployeeFilter(Schema):
    q: str = Field("", max_length=100)
    branch: int | None = Field(None, ge=1, le=MAX_ID)
    role: str = Field("", max_length=20)
    active: bool | None = None
    sort: str = Field("name", max_length=20)
    page: int = Field(1, ge=1, le=100000)
    per_page: int = Field(50, ge=1, le=200)


class MembershipIn(Strict):
    branch_id: int = Field(ge=1, le=MAX_ID)
    role: str = Field(max_length=20)


class EmployeeIn(Strict):
    email: str = Field(max_length=254)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    phone: str = Field("", max_length=20)
    language: str = Field("pl", max_length=5)
    memberships: list[MembershipIn] = Field(default_factory=list, max_length=20)


class EmployeePatch(Strict):
    email: str | None = Field(None, max_length=254)
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, max_length=20)
    language: str | None = Field(None, max_length=5)
    is_active: bool | None = None


@router.get("/employees", response={200: EmployeePage, **errors()}, operation_id="employee_list")
@scoped("list")
def employee_list(request: HttpRequest, filters: Query[EmployeeFilter]) -> dict[str, Any]:
    perms.ensure(request.user, perms.EMPLOYEE_VIEW.code)
    found = lists.EmployeeFilter(filters.dict(),
                                 queryset=selectors.employee_list(user=request.user))
    items, page = page_slice(found.qs, filters.page, filters.per_page)
    return {"items": items, "page": page}


@router.get("/employees/{employee_id}", response={200: EmployeeOut, **errors(404)},
            operation_id="employee_get")
@scoped("branch")
def employee_get(request: HttpRequest, employee_id: int) -> Any:
    perms.ensure(request.user, perms.EMPLOYEE_VIEW.code)
    return selectors.employee_get(user=request.user, employee_id=employee_id)


@router.post("/employees", response={201: EmployeeOut, **errors()},
             operation_id="employee_create")
@scoped("global")
def employee_create(request: HttpRequest, payload: EmployeeIn) -> Status[Any]:
    data = payload.dict()
    memberships = [(m["branch_id"], m["role"]) for m in data.pop("memberships")]
    employee = services.employee_create(actor=request.user, memberships=memberships, **data)
    return Status(201, selectors.employee_get(user=request.user, employee_id=employee.pk))


@router.patch("/employees/{employee_id}", response={200: EmployeeOut, **errors(404)},
              operation_id="employee_update")
@scoped("branch")
def employee_update(request: HttpRequest, employee_id: int, payload: EmployeePatch) -> Any:
    perms.ensure(request.user, perms.EMPLOYEE_VIEW.code)
    selectors.employee_get(user=request.user, employee_id=employee_id)
    services.employee_update(actor=request.user, employee_id=employee_id,
                             **payload.dict(exclude_unset=True, exclude_none=True))
    return selectors.employee_get(user=request.user, employee_id=employee_id)


class MembershipCreateIn(MembershipIn):
    employee_id: int = Field(ge=1, le=MAX_ID)


@router.post("/memberships", response={201: MembershipOut, **errors(404)},
             operation_id="membership_create")
@scoped("branch")
def membership_create(request: HttpRequest, payload: MembershipCreateIn) -> Status[Any]:
    perms.ensure(request.user, perms.EMPLOYEE_VIEW.code)
    selectors.employee_get(user=request.user, employee_id=payload.employee_id)
    membership = services.membership_add(actor=request.user, employee_id=payload.employee_id,
                                         branch_id=payload.branch_id, role=payload.role)
    return Status(201, Membership.objects.visible_to(request.user, perms.EMPLOYEE_VIEW)
                  .select_related("branch").get(pk=membership.pk))


@router.delete("/memberships/{membership_id}", response={204: None, **errors(404, 409)},
               operation_id="membership_delete")
@scoped("branch")
def membership_delete(request: HttpRequest, membership_id: int) -> Status[None]:
    perms.ensure(request.user, perms.EMPLOYEE_VIEW.code)
    selectors.membership_get(user=request.user, membership_id=membership_id)
    services.membership_remove(actor=request.user, membership_id=membership_id)
    return Status(204, None)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    expires_at: datetime.datetime | None
    revoked_at: datetime.datetime | None


class TokenCreatedOut(TokenOut):
    secret: str


class TokenIn(Strict):
    name: str = Field(max_length=100)
    expires_in_days: int | None = Field(None, ge=1, le=730)


@router.get("/tokens", response={200: list[TokenOut], **errors()}, operation_id="token_list",
            tags=["tokens"])
@scoped("self")
def token_list(request: HttpRequest) -> Any:
    return list(ApiToken.objects.filter(employee=employee_of(request.user))[:100])


@router.post("/tokens", response={201: TokenCreatedOut, **errors()}, operation_id="token_create",
             tags=["tokens"])
@scoped("self")
def token_create(request: HttpRequest, payload: TokenIn) -> Status[Any]:
    token, secret = services.api_token_create(actor=request.user, **payload.dict())
    return Status(201, {**TokenOut.from_orm(token).dict(), "secret": secret})


@router.delete("/tokens/{token_id}", response={204: None, **errors(404)},
               operation_id="token_revoke", tags=["tokens"])
@scoped("self")
def token_revoke(request: HttpRequest, token_id: int) -> Status[None]:
    services.api_token_revoke(actor=request.user, token_id=token_id)
    return Status(204, None)
