"""API of mass mailings: /api/v1/mailings/… — the same services as the pages
(``services/mailing.py``)."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Schema, Status
from pydantic import Field

from punkt.campaigns import permissions as perms

# The operations join the campaigns router (one router per area: ``punkt/api.py``).
from punkt.campaigns.api import router  # noqa: E402
from punkt.campaigns.models import Mailing
from punkt.campaigns.services import mailing as svc
from punkt.core.api import Page, Strict, errors, page_slice
from punkt.core.routes import scoped
from punkt.organization import permissions as org_perms
from punkt.organization.models import Branch, BranchKind

MAX_ID = 2**62


class SegmentIn(Strict):
    branch_id: int | None = Field(None, ge=1, le=MAX_ID,
                                  description="HQ: one branch's customers (empty: all)")
    kind: Literal["", "person", "company", "sole_trader"] = ""
    city: str = Field("", max_length=100)
    segment: str = Field("", max_length=60, description="field:value, as the customer list")
    created_from: datetime.date | None = None
    created_to: datetime.date | None = None
    abc: list[Literal["A", "B", "C"]] = Field([], max_length=3)
    xyz: list[Literal["X", "Y", "Z"]] = Field([], max_length=3)
    category: list[Literal["potential", "new", "regular", "lost", "restored"]] = Field(
        [], max_length=5)


class MailingIn(Strict):
    name: str = Field(min_length=1, max_length=svc.NAME_MAX)
    channel: Literal["email", "sms"]
    subject: str = Field("", max_length=svc.SUBJECT_MAX)
    body: str = Field(min_length=1, max_length=svc.BODY_MAX)
    campaign_id: int | None = Field(None, ge=1, le=MAX_ID)
    send_at: datetime.datetime | None = None
    branch_id: int | None = Field(None, ge=1, le=MAX_ID, description="The planning branch "
                                  "(HQ for HQ roles); default: the only one the caller has")
    segment: SegmentIn = Field(default_factory=SegmentIn)  # type: ignore[arg-type]


class CountIn(Strict):
    channel: Literal["email", "sms"]
    branch_id: int | None = Field(None, ge=1, le=MAX_ID)
    segment: SegmentIn = Field(default_factory=SegmentIn)  # type: ignore[arg-type]


class CountOut(Schema):
    total: int
    consenting: int
    reachable: int


class MoveIn(Strict):
    action: Literal["send", "cancel"]


class TestIn(Strict):
    to: str = Field("", max_length=20, description="SMS: your phone number (e-mail: your "
                    "account's address)")


class TestOut(Schema):
    to: str


class BounceIn(Strict):
    raw: str = Field(min_length=1, max_length=2_000_000,
                     description="The delivery status notification as received (RFC 3464)")


class BounceOut(Schema):
    bounced: list[int]


class ProgressOut(Schema):
    queued: int
    sent: int
    skipped: int
    failed: int
    bounced: int
    #: SMS confirmed delivered by the gateway's report (e-mails: 0, no such report)
    delivered: int
    cancelled: int


class MailingOut(Schema):
    id: int
    number: str
    name: str
    channel: str
    status: str
    branch_id: int
    campaign_id: int | None
    subject: str
    body: str
    segment: dict[str, Any]
    send_at: datetime.datetime | None
    queued: int
    queued_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    progress: ProgressOut
    actions: list[str]
    url: str


class MailingListOut(Schema):
    items: list[MailingOut]
    page: Page


class MailingQuery(Schema):
    status: Literal["", "draft", "scheduled", "sending", "sent", "cancelled"] = ""
    branch_id: int | None = Field(None, ge=1, le=MAX_ID)
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


def _out(m: Mailing, user: Any) -> dict[str, Any]:
    return {"id": m.pk, "number": m.number, "name": m.name, "channel": m.channel,
            "status": m.status, "branch_id": m.branch_id, "campaign_id": m.campaign_id,
            "subject": m.subject, "body": m.body, "segment": m.segment, "send_at": m.send_at,
            "queued": m.queued, "queued_at": m.queued_at, "finished_at": m.finished_at,
            "progress": svc.progress(m), "actions": svc.allowed_actions(m, user),
            "url": svc.mailing_url(m)}


def _data(payload: MailingIn) -> dict[str, Any]:
    data = payload.model_dump()
    data["branch"] = data.pop("branch_id")
    return data


@router.get("/mailings", response={200: MailingListOut, **errors()},
            operation_id="mailing_list")
@scoped("list")
def mailing_list(request: HttpRequest, q: Query[MailingQuery]) -> dict[str, Any]:
    """Mailings of the caller's branches (HQ's for HQ roles)."""
    qs = svc.mailing_list(user=request.user, status=q.status, branch_id=q.branch_id)
    items, page = page_slice(qs, q.page, q.per_page)
    return {"items": [_out(m, request.user) for m in items], "page": page}


@router.post("/mailings", response={201: MailingOut, **errors(404, 409)},
             operation_id="mailing_create")
@scoped("self")
def mailing_create(request: HttpRequest, payload: MailingIn) -> Status[Any]:
    """A draft; ``POST …/moves`` with ``send`` sends it (now or at ``send_at``)."""
    return Status(201, _out(svc.mailing_create(actor=request.user, data=_data(payload)),
                            request.user))


@router.post("/mailings/count", response={200: CountOut, **errors(404)},
             operation_id="mailing_count")
@scoped("self")
def mailing_count(request: HttpRequest, payload: CountIn) -> dict[str, int]:
    """The segment's size, how many gave the channel's marketing consent, and how many
    of those have an address that has not bounced (who would get it now)."""
    return svc.segment_counts(actor=request.user, channel=payload.channel,
                              segment=payload.segment.model_dump(),
                              branch_id=payload.branch_id)


@router.post("/mailings/bounces", response={200: BounceOut, **errors()},
             operation_id="mailing_bounce")
@scoped("global")
def mailing_bounce(request: HttpRequest, payload: BounceIn) -> dict[str, list[int]]:
    """A returned e-mail (DSN) handed over by the mail server: the message it reports is
    marked bounced; a hard bounce keeps the address out of later mailings."""
    from punkt.messaging import bounces

    hq = Branch.objects.filter(kind=BranchKind.HQ).first()
    org_perms.ensure(request.user, perms.MAILING_MANAGE.code, hq.pk if hq else None)
    return {"bounced": [m.pk for m in bounces.record(payload.raw.encode("utf-8",
                                                                        "surrogateescape"))]}


@router.get("/mailings/{mailing_id}", response={200: MailingOut, **errors(404)},
            operation_id="mailing_get")
@scoped("branch")
def mailing_get(request: HttpRequest, mailing_id: int) -> dict[str, Any]:
    return _out(svc.mailing_get(user=request.user, mailing_id=mailing_id), request.user)


@router.post("/mailings/{mailing_id}/moves", response={200: MailingOut, **errors(404, 409)},
             operation_id="mailing_move")
@scoped("branch")
def mailing_move(request: HttpRequest, mailing_id: int, payload: MoveIn) -> dict[str, Any]:
    """``send``: the job queues the segment's consenting customers when due and sends them
    at the gateway's rate; ``cancel``: what is still queued is not sent."""
    svc.mailing_get(user=request.user, mailing_id=mailing_id)
    return _out(svc.mailing_move(actor=request.user, mailing_id=mailing_id,
                                 action=payload.action), request.user)


@router.post("/mailings/{mailing_id}/test", response={200: TestOut, **errors(404)},
             operation_id="mailing_test")
@scoped("branch")
def mailing_test(request: HttpRequest, mailing_id: int, payload: TestIn) -> dict[str, str]:
    """A sample to the caller (e-mail: their address; SMS: ``to``)."""
    return {"to": svc.mailing_test(actor=request.user, mailing_id=mailing_id, to=payload.to)}
