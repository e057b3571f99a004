"""API of tasks and notifications: /api/v1/work/…"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from punkt.core.api import Page, Strict, errors, page_slice
from punkt.core.routes import scoped
from punkt.work import selectors, services
from punkt.work.models import Notification, Task

router = Router(tags=["tasks and notifications"])

TaskAction = Literal["complete", "cancel", "reopen"]


class TaskIn(Strict):
    title: str = Field(min_length=1, max_length=services.TITLE_MAX)
    assignee_id: int | None = Field(None, ge=1, le=2**62)
    branch_id: int | None = Field(None, ge=1, le=2**62)
    due_at: datetime.datetime | None = None
    remind_at: datetime.datetime | None = None
    notes: str = Field("", max_length=services.NOTES_MAX)
    customer_id: int | None = Field(None, ge=1, le=2**62)
    subject_type: str = Field("", max_length=60)
    subject_id: str = Field("", max_length=18, pattern=r"^[0-9]*$")


class TaskPatch(Strict):
    title: str | None = Field(None, min_length=1, max_length=services.TITLE_MAX)
    progress: int | None = Field(None, ge=0, le=100)
    notes: str | None = Field(None, max_length=services.NOTES_MAX)
    due_at: datetime.datetime | None = None
    remind_at: datetime.datetime | None = None


class TaskOut(Schema):
    id: int
    title: str
    notes: str
    status: str
    progress: int
    branch_id: int
    assignee_id: int
    created_by_id: int | None
    customer_id: int | None
    subject_type: str
    subject_id: str
    due_at: datetime.datetime | None
    remind_at: datetime.datetime | None
    done_at: datetime.datetime | None
    overdue: bool
    url: str


class TaskListOut(Schema):
    items: list[TaskOut]
    page: Page


class TaskQuery(Schema):
    status: Literal["open", "done", "cancelled"] = "open"
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    url: str
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class NotificationListOut(Schema):
    items: list[NotificationOut]
    unread: int
    page: Page


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


def _task(t: Task) -> dict[str, Any]:
    data = {f: getattr(t, f) for f in TaskOut.model_fields if f not in ("overdue", "url")}
    data["overdue"] = t.is_overdue()
    data["url"] = services.task_url(t)
    return data


def _note(n: Notification) -> dict[str, Any]:
    return {f: getattr(n, f) for f in NotificationOut.model_fields}


@router.get("/work/tasks", response={200: TaskListOut, **errors()}, operation_id="work_task_list")
@scoped("self")
def task_list(request: HttpRequest, q: Query[TaskQuery]) -> dict[str, Any]:
    """The caller's tasks, earliest deadline first (those without one last)."""
    qs = selectors.my_tasks(request.user, status=q.status).order_by("due_at", "id")
    items, page = page_slice(qs, q.page, q.per_page)
    return {"items": [_task(t) for t in items], "page": page}


@router.post("/work/tasks", response={201: TaskOut, **errors(404)},
             operation_id="work_task_create")
@scoped("self")
def task_create(request: HttpRequest, payload: TaskIn) -> Status[Any]:
    """A task for oneself, or for a colleague of a branch where the caller manages tasks."""
    return Status(201, _task(services.task_create(actor=request.user, **payload.dict())))


@router.get("/work/tasks/{task_id}", response={200: TaskOut, **errors(404)},
            operation_id="work_task_get")
@scoped("branch")
def task_get(request: HttpRequest, task_id: int) -> dict[str, Any]:
    return _task(selectors.task_get(user=request.user, task_id=task_id))


@router.patch("/work/tasks/{task_id}", response={200: TaskOut, **errors(404)},
              operation_id="work_task_update")
@scoped("branch")
def task_update(request: HttpRequest, task_id: int, payload: TaskPatch) -> dict[str, Any]:
    selectors.task_get(user=request.user, task_id=task_id)
    given = payload.dict(exclude_unset=True)
    for name in ("due_at", "remind_at"):
        given.setdefault(name, ...)
    return _task(services.task_update(actor=request.user, task_id=task_id, **given))


@router.post("/work/tasks/{task_id}/{action}", response={200: TaskOut, **errors(404, 409)},
             operation_id="work_task_move")
@scoped("branch")
def task_move(request: HttpRequest, task_id: int, action: TaskAction) -> dict[str, Any]:
    selectors.task_get(user=request.user, task_id=task_id)
    return _task(services.task_move(actor=request.user, task_id=task_id, action=action))


@router.get("/work/notifications", response={200: NotificationListOut, **errors()},
            operation_id="work_notification_list")
@scoped("self")
def notification_list(request: HttpRequest, q: Query[PageQuery]) -> dict[str, Any]:
    """The caller's notifications, newest first, and how many are unread."""
    items, page = page_slice(selectors.notifications(request.user).order_by("-id"),
                             q.page, q.per_page)
    return {"items": [_note(n) for n in items], "page": page,
            "unread": selectors.unread_count(request.user)}


@router.post("/work/notifications/{notification_id}/read",
             response={200: NotificationOut, **errors(404)},
             operation_id="work_notification_read")
@scoped("self")
def notification_read(request: HttpRequest, notification_id: int) -> dict[str, Any]:
    services.notification_open(actor=request.user, notification_id=notification_id)
    return _note(selectors.notification_of(request.user, notification_id))
