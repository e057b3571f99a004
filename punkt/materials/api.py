"""API for HQ materials: the branch inbox, files, and HQ's publishing and delivery report."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from punkt.core import files
from punkt.core.api import Strict, errors
from punkt.core.routes import scoped
from punkt.materials import selectors, services
from punkt.materials.models import MaterialVersion
from punkt.materials.workflows import VERSION_FLOW
from punkt.organization.actors import Actor

router = Router(tags=["materials"])



class VersionOut(Schema):
    id: int
    material_id: int
    number: int
    status: str
    note: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    all_branches: bool
    file_name: str
    content_type: str
    size: int
    published_at: datetime.datetime | None
    file_url: str
    allowed_actions: list[str] = []


class MaterialOut(Schema):
    id: int
    kind: str
    title: str
    description: str


class InboxItemOut(Schema):
    material: MaterialOut
    version: VersionOut
    is_new: bool


class InboxOut(Schema):
    current: list[InboxItemOut]
    upcoming: list[InboxItemOut]


class MaterialDetailOut(MaterialOut):
    versions: list[VersionOut]


class MaterialIn(Strict):
    kind: str = Field(max_length=20)
    title: str = Field(max_length=200)
    description: str = Field("", max_length=5000)


class WithdrawIn(Strict):
    reason: str = Field(max_length=500)


class DeliveryOut(Schema):
    branch_id: int
    branch_code: str
    delivered_at: datetime.datetime
    received_at: datetime.datetime | None
    opened_at: datetime.datetime | None


class DeliveryReportOut(Schema):
    version_id: int
    branches: int
    received: int
    opened: int
    within_goal: int
    goal_minutes: int
    median_minutes: float | None
    slowest_minutes: float | None
    deliveries: list[DeliveryOut]


def _version(v: MaterialVersion, user: Actor | None = None) -> dict[str, Any]:
    return {**{f: getattr(v, f) for f in (
        "id", "material_id", "number", "status", "note", "valid_from", "valid_to",
        "all_branches", "file_name", "content_type", "size", "published_at")},
        "file_url": f"/api/v1/material-versions/{v.pk}/file",
        "allowed_actions": VERSION_FLOW.allowed_actions(v, user) if user else []}


def _item(item: selectors.InboxItem) -> dict[str, Any]:
    return {"material": item.material, "version": _version(item.version),
            "is_new": item.is_new}


@router.get("/materials/inbox", response={200: InboxOut, **errors()},
            operation_id="material_inbox")
@scoped("list")
def material_inbox(request: HttpRequest, kind: str = "") -> dict[str, Any]:
    """What is in force at the caller's branches (newest version per material) and what
    comes into force later. Reading records nothing (C21); opening a version
    (``material_version_opened``) records the branch's receipt and first opening."""
    box = selectors.inbox(user=request.user, kind=kind)
    return {"current": [_item(i) for i in box.current],
            "upcoming": [_item(i) for i in box.upcoming]}


class ReceivedIn(Strict):
    #: The versions the client showed (from ``material_inbox``).
    version_ids: list[int] = Field(..., min_length=1, max_length=500)


class ReceivedOut(Schema):
    received: int


@router.post("/materials/inbox/received", response={200: ReceivedOut, **errors()},
             operation_id="material_inbox_received")
@scoped("self")  # the caller's own branches, nothing of another branch's is read or shown
def material_inbox_received(request: HttpRequest, payload: ReceivedIn) -> dict[str, Any]:
    """Record that the inbox's versions reached the caller's branches (a client calls this
    once it has shown them, as the inbox page does): ``received`` counts the deliveries
    received now; those received before, other branches' and HQ's calls count nothing."""
    return {"received": services.versions_received(user=request.user,
                                                   version_ids=payload.version_ids)}


@router.get("/material-versions/{version_id}/file", response={200: None, **errors(404)},
            operation_id="material_version_file")
@scoped("branch")
def material_version_file(request: HttpRequest, version_id: int) -> FileResponse:
    v = services.version_get(user=request.user, version_id=version_id)
    return files.response_for(v.stored_name, v.file_name, v.content_type)


class OpenedIn(Strict):
    #: The branch it is opened for; may be left out by a user of one branch.
    branch_id: int | None = None


@router.post("/material-versions/{version_id}/opened", response={204: None, **errors(404)},
             operation_id="material_version_opened")
@scoped("branch")
def material_version_opened(request: HttpRequest, version_id: int,
                            payload: OpenedIn) -> Status[None]:
    """Record that the caller opened the version for one of their branches (the first
    opening per branch is kept; HQ's openings are not recorded)."""
    services.version_opened(user=request.user, version_id=version_id,
                            branch_id=payload.branch_id)
    return Status(204, None)


class PriceItemOut(Schema):
    position: int
    code: str
    name: str
    unit: str
    price_gross: Decimal
    vat_rate: str


@router.get("/material-versions/{version_id}/items", response={200: list[PriceItemOut],
            **errors(404)}, operation_id="material_version_items")
@scoped("branch")
def material_version_items(request: HttpRequest, version_id: int) -> Any:
    """The positions of a price-list version (empty for other materials)."""
    v = services.version_get(user=request.user, version_id=version_id)
    return list(v.items.all())


@router.get("/materials", response={200: list[MaterialOut], **errors()},
            operation_id="material_list")
@scoped("global")
def material_list(request: HttpRequest, kind: str = "", q: str = "") -> Any:
    return list(selectors.material_list(user=request.user, kind=kind, q=q)[:500])


@router.post("/materials", response={201: MaterialOut, **errors()},
             operation_id="material_create")
@scoped("global")
def material_create(request: HttpRequest, payload: MaterialIn) -> Status[Any]:
    return Status(201, services.material_create(actor=request.user, **payload.dict()))


@router.get("/materials/{material_id}", response={200: MaterialDetailOut, **errors(404)},
            operation_id="material_get")
@scoped("global")
def material_get(request: HttpRequest, material_id: int) -> Any:
    m = selectors.material_get(user=request.user, material_id=material_id)
    return {"id": m.pk, "kind": m.kind, "title": m.title, "description": m.description,
            "versions": [_version(v, request.user) for v in m.versions.order_by("-number")]}


@router.post("/materials/{material_id}/versions", response={201: VersionOut, **errors(404)},
             operation_id="material_version_create")
@scoped("global")
def material_version_create(
        request: HttpRequest, material_id: int, file: File[UploadedFile],
        valid_from: Form[str], valid_to: Form[str] = "", note: Form[str] = "",
        all_branches: Form[bool] = True, branch_ids: Form[list[int]] = []) -> Status[Any]:  # noqa: B006
    """A draft version with its file (multipart form); publish it separately."""
    selectors.material_get(user=request.user, material_id=material_id)
    v = services.version_create(actor=request.user, material_id=material_id, uploaded=file,
                                valid_from=valid_from, valid_to=valid_to or None, note=note,
                                all_branches=all_branches, branch_ids=branch_ids)
    return Status(201, _version(v, request.user))


@router.post("/material-versions/{version_id}/publish", response={200: VersionOut,
             **errors(404, 409)}, operation_id="material_version_publish")
@scoped("global")
def material_version_publish(request: HttpRequest, version_id: int) -> Any:
    services.version_get_for_manage(user=request.user, version_id=version_id)
    return _version(services.version_publish(actor=request.user, version_id=version_id),
                    request.user)


@router.post("/material-versions/{version_id}/withdraw", response={200: VersionOut,
             **errors(404, 409)}, operation_id="material_version_withdraw")
@scoped("global")
def material_version_withdraw(request: HttpRequest, version_id: int,
                              payload: WithdrawIn) -> Any:
    services.version_get_for_manage(user=request.user, version_id=version_id)
    return _version(services.version_withdraw(actor=request.user, version_id=version_id,
                                              reason=payload.reason), request.user)


@router.get("/material-versions/{version_id}/deliveries",
            response={200: DeliveryReportOut, **errors(404)},
            operation_id="material_version_deliveries")
@scoped("global")
def material_version_deliveries(request: HttpRequest, version_id: int) -> Any:
    r = selectors.delivery_report(user=request.user, version_id=version_id)
    return {"version_id": r.version.pk, "branches": r.branches, "received": r.received,
            "opened": r.opened, "within_goal": r.within_goal,
            "goal_minutes": int(selectors.GOAL.total_seconds() // 60),
            "median_minutes": r.median_minutes, "slowest_minutes": r.slowest_minutes,
            "deliveries": [{"branch_id": d.branch_id, "branch_code": d.branch.code,
                            "delivered_at": d.delivered_at, "received_at": d.received_at,
                            "opened_at": d.opened_at} for d in r.rows]}
