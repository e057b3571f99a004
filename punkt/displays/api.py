"""API of shop windows and interiors: /api/v1/displays/… — the same services as the
pages. Completing a task sends its photos as a multipart form (fields ``photos``, one or
more files, and ``comment``)."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import FileResponse, HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from punkt.core import files
from punkt.core.api import Page, Strict, errors, page_slice
from punkt.core.routes import scoped
from punkt.displays import selectors, services
from punkt.displays.models import DisplayTask, Guidance

router = Router(tags=["shop windows"])
MAX_ID = 2**62


class GuidanceIn(Strict):
    title: str = Field(min_length=1, max_length=services.TITLE_MAX)
    instructions: str = Field(min_length=1, max_length=services.INSTRUCTIONS_MAX)
    material_id: int = Field(ge=1, le=MAX_ID, description="An HQ material of kind "
                             "display_guide or promo in force at every branch it is for")
    campaign_id: int | None = Field(None, ge=1, le=MAX_ID)
    due_on: datetime.date
    branch_id: int | None = Field(None, ge=1, le=MAX_ID, description="The issuing branch "
                                  "(HQ for HQ roles); default: the only one the caller has")
    all_branches: bool = False
    branch_ids: list[int] = Field([], max_length=1000,
                                  description="HQ guidance: the branches it is for")


class GuidanceOut(Schema):
    id: int
    title: str
    instructions: str
    branch_id: int
    material_id: int
    campaign_id: int | None
    due_on: datetime.date
    all_branches: bool
    task_ids: list[int]
    reference_photos: list[str]
    url: str


class GuidanceListItem(Schema):
    id: int
    title: str
    branch_id: int
    material_id: int
    campaign_id: int | None
    due_on: datetime.date
    tasks: int
    accepted: int
    to_check: int
    overdue: int
    url: str


class GuidanceListOut(Schema):
    items: list[GuidanceListItem]
    page: Page


class GuidanceQuery(Schema):
    q: str = Field("", max_length=100)
    branch_id: int | None = Field(None, ge=1, le=MAX_ID)
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


class PhotoOut(Schema):
    id: int
    round: int
    name: str
    url: str


class TaskOut(Schema):
    id: int
    number: str
    guidance_id: int
    title: str
    branch_id: int
    material_version_id: int
    due_on: datetime.date
    status: str
    overdue: bool
    round: int
    completed_at: datetime.datetime | None
    completed_by_id: int | None
    comment: str
    checked_at: datetime.datetime | None
    checked_by_id: int | None
    return_reason: str
    photos: list[PhotoOut]
    actions: list[str]
    url: str


class TaskListItem(Schema):
    id: int
    number: str
    guidance_id: int
    title: str
    branch_id: int
    due_on: datetime.date
    status: str
    overdue: bool
    url: str


class TaskListOut(Schema):
    items: list[TaskListItem]
    page: Page


class TaskQuery(Schema):
    status: Literal["open", "todo", "completed", "accepted", "returned", "overdue",
                    "all"] = "open"
    guidance_id: int | None = Field(None, ge=1, le=MAX_ID)
    branch_id: int | None = Field(None, ge=1, le=MAX_ID)
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


class ReturnIn(Strict):
    reason: str = Field(min_length=1, max_length=services.REASON_MAX)


def _guidance_out(g: Guidance, user: Any) -> dict[str, Any]:
    from django.urls import reverse

    return {"id": g.pk, "title": g.title, "instructions": g.instructions,
            "branch_id": g.branch_id, "material_id": g.material_id,
            "campaign_id": g.campaign_id, "due_on": g.due_on, "all_branches": g.all_branches,
            "task_ids": [t.pk for t in selectors.overview(user=user, guidance=g).tasks],
            "reference_photos": [reverse("displays:guidance_photo", args=[g.pk, p.pk])
                                 for p in g.photos.all()],
            "url": services.guidance_url(g)}


def _task_out(t: DisplayTask, user: Any) -> dict[str, Any]:
    from django.urls import reverse

    return {"id": t.pk, "number": t.number, "guidance_id": t.guidance_id,
            "title": t.guidance.title, "branch_id": t.branch_id,
            "material_version_id": t.material_version_id, "due_on": t.due_on,
            "status": t.status, "overdue": t.is_overdue(), "round": t.round,
            "completed_at": t.completed_at, "completed_by_id": t.completed_by_id,
            "comment": t.comment, "checked_at": t.checked_at,
            "checked_by_id": t.checked_by_id, "return_reason": t.return_reason,
            "photos": [{"id": p.pk, "round": p.round, "name": p.name,
                        "url": reverse("api:display_task_photo", args=[t.pk, p.pk])}
                       for p in selectors.task_photos(t)],
            "actions": services.allowed_actions(t, user), "url": services.task_url(t)}


@router.get("/displays/guidance", response={200: GuidanceListOut, **errors()},
            operation_id="display_guidance_list")
@scoped("list")
def display_guidance_list(request: HttpRequest, q: Query[GuidanceQuery]) -> dict[str, Any]:
    """The guidance issued to the caller's branches (HQ: all), with its tasks counted."""
    qs = selectors.guidance_list(user=request.user, q=q.q, branch_id=q.branch_id)
    items, page = page_slice(qs, q.page, q.per_page)
    return {"items": [{"id": g.pk, "title": g.title, "branch_id": g.branch_id,
                       "material_id": g.material_id, "campaign_id": g.campaign_id,
                       "due_on": g.due_on, "tasks": g.task_count,
                       "accepted": g.accepted_count, "to_check": g.to_check_count,
                       "overdue": g.overdue_count, "url": services.guidance_url(g)}
                      for g in items], "page": page}


@router.post("/displays/guidance", response={201: GuidanceOut, **errors(409)},
             operation_id="display_guidance_create")
@scoped("self")
def display_guidance_create(request: HttpRequest, payload: GuidanceIn) -> Status[Any]:
    """Issue guidance: one display task per branch (reference photos are added on the
    page)."""
    data = payload.dict()
    data["branch"] = data.pop("branch_id")
    data["material"] = data.pop("material_id")
    data["campaign"] = data.pop("campaign_id")
    guidance = services.guidance_issue(actor=request.user, data=data)
    return Status(201, _guidance_out(guidance, request.user))


@router.get("/displays/guidance/{guidance_id}", response={200: GuidanceOut, **errors(404)},
            operation_id="display_guidance_get")
@scoped("branch")
def display_guidance_get(request: HttpRequest, guidance_id: int) -> dict[str, Any]:
    return _guidance_out(selectors.guidance_get(user=request.user, guidance_id=guidance_id),
                         request.user)


@router.get("/displays/tasks", response={200: TaskListOut, **errors()},
            operation_id="display_task_list")
@scoped("list")
def display_task_list(request: HttpRequest, q: Query[TaskQuery]) -> dict[str, Any]:
    """The caller's branches' display tasks (HQ: every branch's)."""
    qs = selectors.task_list(user=request.user, status=q.status, branch_id=q.branch_id,
                             guidance_id=q.guidance_id)
    items, page = page_slice(qs, q.page, q.per_page)
    return {"items": [{"id": t.pk, "number": t.number, "guidance_id": t.guidance_id,
                       "title": t.guidance.title, "branch_id": t.branch_id,
                       "due_on": t.due_on, "status": t.status, "overdue": t.is_overdue(),
                       "url": services.task_url(t)} for t in items], "page": page}


@router.get("/displays/tasks/{task_id}", response={200: TaskOut, **errors(404)},
            operation_id="display_task_get")
@scoped("branch")
def display_task_get(request: HttpRequest, task_id: int) -> dict[str, Any]:
    return _task_out(selectors.task_get(user=request.user, task_id=task_id), request.user)


@router.post("/displays/tasks/{task_id}/completion", response={200: TaskOut,
             **errors(404, 409)}, operation_id="display_task_complete")
@scoped("branch")
def display_task_complete(request: HttpRequest, task_id: int) -> dict[str, Any]:
    """The display is arranged: a multipart form with ``photos`` (1–10 JPG or PNG files,
    10 MB each) and ``comment``."""
    selectors.task_get(user=request.user, task_id=task_id)
    services.task_complete(actor=request.user, task_id=task_id,
                           photos=request.FILES.getlist("photos"),
                           comment=request.POST.get("comment", ""))
    return _task_out(selectors.task_get(user=request.user, task_id=task_id), request.user)


@router.post("/displays/tasks/{task_id}/acceptance", response={200: TaskOut,
             **errors(404, 409)}, operation_id="display_task_accept")
@scoped("branch")
def display_task_accept(request: HttpRequest, task_id: int) -> dict[str, Any]:
    """Accept the completed display (not one's own)."""
    selectors.task_get(user=request.user, task_id=task_id)
    services.task_check(actor=request.user, task_id=task_id, action="accept")
    return _task_out(selectors.task_get(user=request.user, task_id=task_id), request.user)


@router.post("/displays/tasks/{task_id}/return", response={200: TaskOut, **errors(404, 409)},
             operation_id="display_task_return")
@scoped("branch")
def display_task_return(request: HttpRequest, task_id: int, payload: ReturnIn
                        ) -> dict[str, Any]:
    """Return the completed display to the branch to redo, with the reason."""
    selectors.task_get(user=request.user, task_id=task_id)
    services.task_check(actor=request.user, task_id=task_id, action="return",
                        reason=payload.reason)
    return _task_out(selectors.task_get(user=request.user, task_id=task_id), request.user)


@router.get("/displays/tasks/{task_id}/photos/{photo_id}", response={200: None,
            **errors(404)}, operation_id="display_task_photo")
@scoped("branch")
def display_task_photo(request: HttpRequest, task_id: int, photo_id: int) -> FileResponse:
    """One photo of the task (the image itself)."""
    row = selectors.task_photo(user=request.user, task_id=task_id, photo_id=photo_id)
    return files.response_for(row.stored, row.name, row.content_type, area=services.AREA)
