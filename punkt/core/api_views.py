from __future__ import annotations

import datetime
import uuid

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from punkt.core import access as perms
from punkt.core.api import errors
from punkt.core.errors import NotFound
from punkt.core.models import JobProgress
from punkt.core.routes import scoped

router = Router(tags=["me"])


class MembershipBrief(Schema):
    branch_id: int
    role: str
    delegated: bool


class MeOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    roles: list[str]
    hq: bool
    memberships: list[MembershipBrief]
    actions: list[str]


@router.get("/me", response={200: MeOut, **errors()}, operation_id="me")
@scoped("self")
def me(request: HttpRequest) -> dict[str, object]:
    from punkt.core import permissions as registry

    user = request.user
    access = perms.access_of(user)
    return {
        "id": user.pk, "email": user.email, "first_name": user.first_name,  # type: ignore[union-attr]
        "last_name": user.last_name,  # type: ignore[union-attr]
        "roles": sorted(access.roles), "hq": access.is_hq,
        "memberships": [{"branch_id": b, "role": r, "delegated": (b, r) in access.delegated}
                        for b, r in sorted(access.pairs)],
        "actions": sorted(code for code in registry.REGISTRY if access.can(code)),
    }


class JobOut(Schema):
    id: uuid.UUID
    kind: str
    status: str
    total: int
    done: int
    percent: int
    message: str
    result: dict[str, object]
    created_at: datetime.datetime
    updated_at: datetime.datetime


@router.get("/jobs/{job_id}", response={200: JobOut, **errors(404)}, operation_id="job_get",
            tags=["jobs"])
@scoped("self")
def job_get(request: HttpRequest, job_id: uuid.UUID) -> JobProgress:
    job = JobProgress.objects.filter(pk=job_id, owner_id=request.user.pk).first()
    if job is None:
        raise NotFound(_("Job not found."))
    return job
