"""API of satisfaction surveys: questionnaires (read), invitations with their answers, and
the follow-ups of low scores (list, one, moves) — the same services as the pages."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from punkt.core.api import MAX_ID, Page, Strict, errors, page_slice
from punkt.core.routes import scoped
from punkt.organization import permissions as org_perms
from punkt.surveys import permissions as perms
from punkt.surveys import selectors, services
from punkt.surveys.models import FollowUpOutcome, Invitation, Questionnaire
from punkt.surveys.workflows import FOLLOWUP_FLOW

router = Router(tags=["surveys"])


class QuestionOut(Schema):
    id: int
    position: int
    text_pl: str
    text_en: str


class QuestionnaireOut(Schema):
    id: int
    name: str
    version: int
    previous_id: int | None
    product_id: int | None
    title_pl: str
    title_en: str
    comment_box: bool
    is_active: bool
    promotes_offers: bool
    rules: list[str]
    quiet_days: int
    reminder_days: int
    valid_days: int
    questions: list[QuestionOut]


def _questionnaire(q: Questionnaire) -> dict[str, Any]:
    return {"id": q.pk, "name": q.name, "version": q.version, "previous_id": q.previous_id,
            "product_id": q.product_id, "title_pl": q.title_pl, "title_en": q.title_en,
            "comment_box": q.comment_box, "is_active": q.is_active,
            "promotes_offers": q.promotes_offers, "rules": list(q.rules),
            "quiet_days": q.quiet_days, "reminder_days": q.reminder_days,
            "valid_days": q.valid_days,
            "questions": [{"id": x.pk, "position": x.position, "text_pl": x.text_pl,
                           "text_en": x.text_en} for x in q.questions.all()]}


def _can_read_questionnaires(request: HttpRequest) -> None:
    if not (org_perms.can(request.user, perms.QUESTIONNAIRE_MANAGE.code)
            or org_perms.can(request.user, perms.RESULTS_VIEW.code)
            or org_perms.can(request.user, perms.SURVEY_VIEW.code)):
        org_perms.ensure(request.user, perms.SURVEY_VIEW.code)


@router.get("/surveys", response={200: list[QuestionnaireOut], **errors()},
            operation_id="survey_questionnaire_list")
@scoped("global")
def questionnaire_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Every questionnaire with its questions (company-wide: HQ designs them)."""
    _can_read_questionnaires(request)
    return [_questionnaire(q) for q in
            selectors.questionnaires().prefetch_related("questions")[:200]]


@router.get("/surveys/{questionnaire_id}", response={200: QuestionnaireOut, **errors(404)},
            operation_id="survey_questionnaire_get")
@scoped("global")
def questionnaire_get(request: HttpRequest, questionnaire_id: int) -> dict[str, Any]:
    _can_read_questionnaires(request)
    return _questionnaire(Questionnaire.objects.get_or_not_found(
        questionnaire_id, missing=_("Questionnaire not found.")))


class InvitationQuery(Schema):
    questionnaire_id: int | None = Field(None, ge=1, le=MAX_ID)
    customer_id: int | None = Field(None, ge=1, le=MAX_ID)
    branch_id: int | None = Field(None, ge=1, le=MAX_ID)
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


class ScoreOut(Schema):
    question_id: int
    value: int


class InvitationOut(Schema):
    id: int
    questionnaire_id: int
    customer_id: int
    customer_name: str
    branch_id: int
    rule: str
    source_type: str
    source_id: str
    employee_id: int | None
    channel: str
    state: str
    created_at: datetime.datetime
    expires_at: datetime.datetime
    reminded_at: datetime.datetime | None
    answered_at: datetime.datetime | None
    lowest: int | None
    comment: str
    scores: list[ScoreOut]


class InvitationsOut(Schema):
    items: list[InvitationOut]
    page: Page


def _invitation(inv: Invitation) -> dict[str, Any]:
    response = getattr(inv, "response", None) if inv.answered_at else None
    return {"id": inv.pk, "questionnaire_id": inv.questionnaire_id,
            "customer_id": inv.customer_id, "customer_name": inv.customer.display_name,
            "branch_id": inv.branch_id, "rule": inv.rule, "source_type": inv.source_type,
            "source_id": inv.source_id, "employee_id": inv.employee_id, "channel": inv.channel,
            "state": inv.state, "created_at": inv.created_at, "expires_at": inv.expires_at,
            "reminded_at": inv.reminded_at, "answered_at": inv.answered_at,
            "lowest": response.lowest if response else None,
            "comment": response.comment if response else "",
            "scores": [{"question_id": s.question_id, "value": s.value}
                       for s in response.scores.all()] if response else []}


@router.get("/survey-invitations", response={200: InvitationsOut, **errors()},
            operation_id="survey_invitation_list")
@scoped("list")
def invitation_list(request: HttpRequest, q: Query[InvitationQuery]) -> dict[str, Any]:
    """Invitations of your branches, newest first, with their answers."""
    org_perms.ensure(request.user, perms.SURVEY_VIEW.code)
    qs = selectors.invitations(user=request.user, questionnaire_id=q.questionnaire_id,
                               customer_id=q.customer_id, branch_id=q.branch_id
                               ).prefetch_related("response__scores")
    items, page = page_slice(qs, q.page, q.per_page, cap=10_000)
    return {"items": [_invitation(i) for i in items], "page": page}


@router.get("/survey-invitations/{invitation_id}", response={200: InvitationOut, **errors(404)},
            operation_id="survey_invitation_get")
@scoped("branch")
def invitation_get(request: HttpRequest, invitation_id: int) -> dict[str, Any]:
    org_perms.ensure(request.user, perms.SURVEY_VIEW.code)  # the role first (403)
    inv = (Invitation.objects.visible_to(request.user, perms.SURVEY_VIEW)
           .select_related("customer", "response")
           .get_or_not_found(invitation_id, missing=_("Invitation not found.")))
    return _invitation(inv)


class FollowUpQuery(Schema):
    status: Literal["open", "closed", "all"] = "open"
    branch_id: int | None = Field(None, ge=1, le=MAX_ID)
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


class FollowUpOut(Schema):
    id: int
    number: str
    status: str
    branch_id: int
    customer_id: int
    customer_name: str
    assignee_id: int | None
    task_id: int | None
    invitation_id: int
    lowest: int
    outcome: str
    note: str
    complaint_id: int | None
    created_at: datetime.datetime
    closed_at: datetime.datetime | None
    allowed_actions: list[str]


class FollowUpsOut(Schema):
    items: list[FollowUpOut]
    page: Page


if TYPE_CHECKING:
    Outcome = str
else:
    Outcome = Literal[tuple(FollowUpOutcome.values)]


class MoveIn(Strict):
    action: Literal["close", "reopen"]
    outcome: Outcome | Literal[""] = ""
    note: str = Field("", max_length=2000)
    complaint_id: int | None = Field(None, description="the complaint registered during "
                                     "the call: required with the outcome `complaint`")


def _followup(request: HttpRequest, f: Any) -> dict[str, Any]:
    return {"id": f.pk, "number": f.number, "status": f.status, "branch_id": f.branch_id,
            "customer_id": f.customer_id, "customer_name": f.customer.display_name,
            "assignee_id": f.assignee_id, "task_id": f.task_id,
            "invitation_id": f.response.invitation_id, "lowest": f.response.lowest,
            "outcome": f.outcome, "note": f.note, "complaint_id": f.complaint_id,
            "created_at": f.created_at,
            "closed_at": f.closed_at,
            "allowed_actions": FOLLOWUP_FLOW.allowed_actions(f, request.user)}


@router.get("/survey-followups", response={200: FollowUpsOut, **errors()},
            operation_id="survey_followup_list")
@scoped("list")
def followup_list(request: HttpRequest, q: Query[FollowUpQuery]) -> dict[str, Any]:
    """Follow-ups of low scores in your branches, oldest first."""
    org_perms.ensure(request.user, perms.FOLLOWUP_HANDLE.code)
    qs = selectors.followups(user=request.user,
                             status="" if q.status == "all" else q.status,
                             branch_id=q.branch_id)
    items, page = page_slice(qs, q.page, q.per_page, cap=10_000)
    return {"items": [_followup(request, f) for f in items], "page": page}


@router.get("/survey-followups/{followup_id}", response={200: FollowUpOut, **errors(404)},
            operation_id="survey_followup_get")
@scoped("branch")
def followup_get(request: HttpRequest, followup_id: int) -> dict[str, Any]:
    return _followup(request, selectors.followup(user=request.user, followup_id=followup_id))


@router.post("/survey-followups/{followup_id}/moves",
             response={200: FollowUpOut, **errors(404, 409)},
             operation_id="survey_followup_move")
@scoped("branch")
def followup_move(request: HttpRequest, followup_id: int, payload: MoveIn) -> dict[str, Any]:
    """``close`` with the call's ``outcome`` (and a ``note``), or ``reopen``."""
    services.followup_move(actor=request.user, followup_id=followup_id, **payload.dict())
    return _followup(request, selectors.followup(user=request.user, followup_id=followup_id))


