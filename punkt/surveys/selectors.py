"""Reads of the surveys area, each starting from ``visible_to`` (a branch sees its own
invitations, answers and follow-ups; HQ every branch's)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.organization.actors import Actor
from punkt.organization.models import Employee
from punkt.surveys import permissions as perms
from punkt.surveys.models import (
    LOW_SCORE,
    SCALE,
    FollowUp,
    FollowUpStatus,
    Invitation,
    Questionnaire,
    Response,
    Score,
)


def questionnaires() -> QuerySet[Questionnaire]:
    return (Questionnaire.objects.select_related("product", "previous")
            .annotate(n_questions=Count("questions", distinct=True))
            .order_by("-is_active", "name", "-version"))


def invited_counts(user: Actor, ids: list[int]) -> dict[int, tuple[int, int]]:
    """questionnaire id → (invited, answered) among the branches ``user`` sees results of."""
    rows = (Invitation.objects.visible_to(user, perms.RESULTS_VIEW)
            .filter(questionnaire_id__in=ids).values("questionnaire_id")
            .annotate(n=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False))))
    return {r["questionnaire_id"]: (r["n"], r["answered"]) for r in rows}


@dataclass
class Line:
    """One row of a breakdown (a branch, an employee, a month)."""

    label: str
    invited: int = 0
    answered: int = 0
    low: int = 0
    average: float | None = None

    @property
    def rate(self) -> float | None:
        return self.answered * 100 / self.invited if self.invited else None

    @property
    def low_share(self) -> float | None:
        return self.low * 100 / self.answered if self.answered else None


@dataclass
class QuestionResult:
    position: int
    text: str
    average: float | None
    answers: int
    distribution: list[tuple[int, int, float]] = field(default_factory=list)


@dataclass
class Results:
    total: Line
    questions: list[QuestionResult]
    branches: list[Line]
    employees: list[Line]
    months: list[Line]


def _lines(invitations: QuerySet[Invitation], responses: QuerySet[Response],
           scores: QuerySet[Score], key: str, label: str) -> list[Line]:
    """A breakdown by ``key`` (a path from the invitation): counts, lows and the average."""
    lines: dict[Any, Line] = {}
    for r in invitations.values(key, label).annotate(
            n=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False))):
        lines[r[key]] = Line(str(r[label] or "—"), r["n"], r["answered"])
    for r in responses.values(f"invitation__{key}").annotate(
            low=Count("pk", filter=Q(lowest__lte=LOW_SCORE))):
        if r[f"invitation__{key}"] in lines:
            lines[r[f"invitation__{key}"]].low = r["low"]
    for r in scores.values(f"response__invitation__{key}").annotate(avg=Avg("value")):
        if r[f"response__invitation__{key}"] in lines:
            lines[r[f"response__invitation__{key}"]].average = r["avg"]
    return sorted(lines.values(), key=lambda line: (-line.invited, line.label))


def results(*, user: Actor, questionnaire: Questionnaire, branch_id: int | None = None
            ) -> Results:
    """R14's figures for one questionnaire, over the branches ``user`` sees (narrowed to
    ``branch_id``): a fixed number of grouped queries, whatever the number of answers."""
    invitations = Invitation.objects.visible_to(user, perms.RESULTS_VIEW, branch_id=branch_id
                                                ).filter(questionnaire=questionnaire)
    responses = Response.objects.visible_to(user, perms.RESULTS_VIEW, branch_id=branch_id
                                            ).filter(invitation__questionnaire=questionnaire)
    scores = Score.objects.visible_to(user, perms.RESULTS_VIEW, branch_id=branch_id
                                      ).filter(response__invitation__questionnaire=questionnaire)
    t = invitations.aggregate(n=Count("pk"),
                              answered=Count("pk", filter=Q(answered_at__isnull=False)))
    total = Line("", t["n"], t["answered"],
                 responses.filter(lowest__lte=LOW_SCORE).count(),
                 scores.aggregate(avg=Avg("value"))["avg"])
    counts: dict[tuple[int, int], int] = {}
    for r in scores.values("question_id", "value").annotate(n=Count("pk")):
        counts[r["question_id"], r["value"]] = r["n"]
    questions = []
    for q in questionnaire.questions.all():
        per = [counts.get((q.pk, v), 0) for v in SCALE]
        n = sum(per)
        questions.append(QuestionResult(
            q.position, q.text_pl, sum(v * c for v, c in zip(SCALE, per, strict=True)) / n
            if n else None, n, [(v, c, c * 100 / n if n else 0) for v, c in
                                zip(SCALE, per, strict=True)]))
    months: dict[Any, Line] = {}
    for m in (responses.annotate(month=TruncMonth("submitted_at")).values("month")
              .annotate(n=Count("pk"), low=Count("pk", filter=Q(lowest__lte=LOW_SCORE)))):
        months[m["month"]] = Line(m["month"].strftime("%m.%Y"), answered=m["n"], low=m["low"])
    for a in (scores.annotate(month=TruncMonth("response__submitted_at")).values("month")
              .annotate(avg=Avg("value"))):
        if a["month"] in months:
            months[a["month"]].average = a["avg"]
    employees = _lines(invitations.filter(employee__isnull=False),
                       responses.filter(invitation__employee__isnull=False),
                       scores.filter(response__invitation__employee__isnull=False),
                       "employee_id", "employee__email")
    names = {e.email: e.full_name or e.email for e in Employee.objects.filter(
        email__in=[line.label for line in employees])}
    for line in employees:
        line.label = names.get(line.label, line.label)
    return Results(
        total, questions,
        _lines(invitations, responses, scores, "branch_id", "branch__name"), employees,
        [months[k] for k in sorted(months)])


def answered(*, user: Actor, questionnaire: Questionnaire, branch_id: int | None = None
             ) -> QuerySet[Response]:
    """The completed questionnaires (R16), newest first."""
    return (Response.objects.visible_to(user, perms.RESULTS_VIEW, branch_id=branch_id)
            .filter(invitation__questionnaire=questionnaire)
            .select_related("invitation__customer", "invitation__branch")
            .order_by("-submitted_at", "-pk"))


def followups(*, user: Actor, status: str = FollowUpStatus.OPEN, mine: bool = False,
              branch_id: int | None = None) -> QuerySet[FollowUp]:
    qs = (FollowUp.objects.visible_to(user, perms.FOLLOWUP_HANDLE, branch_id=branch_id)
          .select_related("customer", "branch", "assignee", "response__invitation__questionnaire"))
    if status in FollowUpStatus.values:
        qs = qs.filter(status=status)
    if mine:
        qs = qs.filter(Q(assignee_id=getattr(user, "pk", None)) | Q(assignee__isnull=True))
    return qs.order_by("created_at", "pk")


def followup(*, user: Actor, followup_id: int) -> FollowUp:
    from punkt.organization import permissions as org_perms

    org_perms.ensure(user, perms.FOLLOWUP_HANDLE.code)  # the role first (403), then the row
    return (FollowUp.objects.visible_to(user, perms.FOLLOWUP_HANDLE)
            .select_related("customer", "branch", "assignee", "closed_by", "task", "complaint",
                            "response__invitation__questionnaire",
                            "response__invitation__employee")
            .get_or_not_found(followup_id, missing=_("Follow-up not found.")))


def invitations(*, user: Actor, questionnaire_id: int | None = None,
                customer_id: int | None = None, branch_id: int | None = None
                ) -> QuerySet[Invitation]:
    qs = (Invitation.objects.visible_to(user, perms.SURVEY_VIEW, branch_id=branch_id)
          .select_related("questionnaire", "customer", "branch", "response"))
    if questionnaire_id:
        qs = qs.filter(questionnaire_id=questionnaire_id)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    return qs.order_by("-created_at", "-pk")


def figures_rows(found: Results) -> Iterator[list[Any]]:
    """The CSV of :func:`results`: the total, then per branch, employee and month."""
    def row(section: str, line: Line) -> list[Any]:
        return [section, line.label, line.invited if section != month else "", line.answered,
                _round(line.rate), _round(line.average, 2), line.low, _round(line.low_share)]

    month = str(_("month"))
    yield row(str(_("total")), found.total)
    for section, lines in ((str(_("branch")), found.branches),
                           (str(_("employee")), found.employees), (month, found.months)):
        for line in lines:
            yield row(section, line)


def _round(value: float | None, places: int = 1) -> Decimal | str:
    if value is None:
        return ""
    return Decimal(str(round(value, places)))


def answer_rows(*, user: Actor, questionnaire: Questionnaire, branch_id: int | None,
                questions: list[Any]) -> Iterator[list[Any]]:
    """One row per completed questionnaire (newest first): every score in the order of
    ``questions`` (blank where a question was not answered), the lowest and the comment;
    read in chunks (two queries per 2,000 answers)."""
    qs = (answered(user=user, questionnaire=questionnaire, branch_id=branch_id)
          .select_related("invitation__employee"))
    chunk: list[Response] = []

    def flush(rows: list[Response]) -> Iterator[list[Any]]:
        scores: dict[tuple[int, int], int] = {}
        for response_id, question_id, value in Score.objects.filter(
                response__in=[r.pk for r in rows]).values_list("response_id", "question_id",
                                                               "value"):
            scores[response_id, question_id] = value
        for r in rows:
            inv = r.invitation
            yield [timezone.localtime(r.submitted_at).strftime("%Y-%m-%d %H:%M"),
                   inv.branch.code, inv.customer.number, inv.customer.display_name,
                   inv.employee.full_name if inv.employee else "",
                   *[scores.get((r.pk, x.pk), "") for x in questions], r.lowest, r.comment]

    for response in qs.iterator(chunk_size=2000):
        chunk.append(response)
        if len(chunk) == 2000:
            yield from flush(chunk)
            chunk = []
    if chunk:
        yield from flush(chunk)
