"""Reads of the surveys area, each starting from ``visible_to`` (a branch sees its own
invitations, answers and follow-ups; HQ every branch's)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.organization.actors import Actor
from punkt.organization.models import Employee
from punkt.surveys import permissions as perms
from punkt.surveys.models import (
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
    #: the branch's id on a branch's row (the page links it to its own results)
    key: Any = None

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
    #: employees left out of ``employees`` (``employees_limit``)
    employees_more: int = 0
    #: branches left out of ``branches`` (``branches_limit``)
    branches_more: int = 0


def results(*, user: Actor, questionnaire: Questionnaire, branch_id: int | None = None,
            employees_limit: int | None = None,
            branches_limit: int | None = None) -> Results:
    """R14's figures for one questionnaire, over the branches ``user`` sees (narrowed to
    ``branch_id``): the kept figures up to the last refresh (``figures.py``) plus what
    happened since, counted live — a fixed number of grouped queries, whatever the number
    of answers. ``employees_limit``, ``branches_limit``: only the employees who served
    most, the branches that invited most (the page's lists; the CSV has all)."""
    from punkt.organization.models import Branch
    from punkt.surveys import figures
    from punkt.surveys.models import BranchMonthFigure, EmployeeFigure, ScoreFigure

    def scoped(model: Any) -> Any:
        return model.objects.visible_to(user, perms.RESULTS_VIEW, branch_id=branch_id)

    upto = figures.watermark()
    q = questionnaire
    by_branch: dict[Any, figures.Totals] = {}
    by_month: dict[int, figures.Totals] = {}
    by_employee: dict[Any, figures.Totals] = {}
    counts: dict[tuple[int, int], int] = {}
    sums = {"invited": Sum("invited"), "answered": Sum("answered"), "low": Sum("low"),
            "score_sum": Sum("score_sum"), "score_n": Sum("score_n")}

    def keep(into: dict[Any, figures.Totals], key: Any, row: dict[str, Any]) -> None:
        t = into.setdefault(key, figures.Totals())
        for name in sums:
            setattr(t, name, getattr(t, name) + (row[name] or 0))

    kept = scoped(BranchMonthFigure).filter(questionnaire=q).order_by()
    for row in kept.values("branch_id").annotate(**sums):
        keep(by_branch, row["branch_id"], row)
    for row in kept.values("month").annotate(**sums):
        keep(by_month, row["month"], row)
    people_kept: Any = (scoped(EmployeeFigure).filter(questionnaire=q).order_by()
                        .values("employee_id").annotate(**sums))
    cut = False
    if employees_limit is not None:  # the top in SQL: HQ has thousands of employees
        n_kept = people_kept.count()
        cut = n_kept > employees_limit
        people_kept = people_kept.order_by("-invited", "employee_id")[:employees_limit]
    for row in people_kept:
        keep(by_employee, row["employee_id"], row)
    top_kept = set(by_employee)
    for qid, value, n in (scoped(ScoreFigure).filter(questionnaire=q).order_by()
                          .values("question_id", "value").annotate(n=Sum("n"))
                          .values_list("question_id", "value", "n")):
        counts[qid, value] = counts.get((qid, value), 0) + (n or 0)
    # what happened after the watermark (everything, before the first refresh)
    live = figures.sources(
        since=upto,
        invitations=scoped(Invitation).filter(questionnaire=q),
        responses=scoped(Response).filter(invitation__questionnaire=q),
        scores=scoped(Score).filter(response__invitation__questionnaire=q))
    for source, qs in live.items():
        for _q, b, e, m, n, *rest in qs:
            s = rest[0] if rest else None
            for into, key in ((by_branch, b), (by_month, m), (by_employee, e)):
                # when the kept list was cut, an employee outside its top is left out
                # (their kept rows were not read) until the next refresh ranks them
                if key is not None and not (into is by_employee and cut
                                            and key not in top_kept):
                    into.setdefault(key, figures.Totals()).add(source, n, s)
    for _q, _b, qid, value, n in figures.distribution(
            since=upto, scores=scoped(Score).filter(response__invitation__questionnaire=q)):
        counts[qid, value] = counts.get((qid, value), 0) + n
    total = figures.Totals()
    for t in by_branch.values():
        for name in sums:
            setattr(total, name, getattr(total, name) + getattr(t, name))
    questions = []
    for x in q.questions.all():
        per = [counts.get((x.pk, v), 0) for v in SCALE]
        n = sum(per)
        questions.append(QuestionResult(
            x.position, x.text_pl, sum(v * c for v, c in zip(SCALE, per, strict=True)) / n
            if n else None, n, [(v, c, c * 100 / n if n else 0) for v, c in
                                zip(SCALE, per, strict=True)]))
    names = dict(Branch.objects.filter(pk__in=list(by_branch)).values_list("pk", "name"))
    branches = sorted((Line(str(names.get(b, "—")), t.invited, t.answered, t.low, t.average,
                            key=b) for b, t in by_branch.items()),
                      key=lambda x: (-x.invited, x.label))
    branches_more = 0
    if branches_limit is not None and len(branches) > branches_limit:
        branches_more = len(branches) - branches_limit
        branches = branches[:branches_limit]
    top = sorted(by_employee.items(), key=lambda kv: (-kv[1].invited, kv[0]))
    more = 0
    if employees_limit is not None:
        everyone = n_kept if cut else len(top)
        top = top[:employees_limit]
        more = everyone - len(top)
    people = {e.pk: e.full_name or e.email
              for e in Employee.objects.filter(pk__in=[k for k, _t in top])}
    employees = sorted((Line(people.get(k, "—"), t.invited, t.answered, t.low, t.average)
                        for k, t in top), key=lambda x: (-x.invited, x.label))
    months = [Line(figures.month_label(m), answered=t.answered, low=t.low, average=t.average)
              for m, t in sorted(by_month.items()) if t.answered]
    return Results(Line("", total.invited, total.answered, total.low, total.average),
                   questions, branches, employees, months, employees_more=more,
                   branches_more=branches_more)


def answered(*, user: Actor, questionnaire: Questionnaire, branch_id: int | None = None
             ) -> QuerySet[Response]:
    """The completed questionnaires (R16), newest first."""
    return (Response.objects.visible_to(user, perms.RESULTS_VIEW, branch_id=branch_id)
            .filter(invitation__questionnaire=questionnaire,
                    invitation__answered_at__isnull=False)  # always: the index's condition
            .select_related("invitation__customer", "invitation__branch")
            # the invitation's moment of answer (the same as the response's) is on the
            # invitation's index with its questionnaire and branch: the newest page is read
            # in index order, not by sorting every answer
            .order_by("-invitation__answered_at", "-invitation__id"))


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
