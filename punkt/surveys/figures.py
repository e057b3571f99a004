"""The survey results' kept figures (issue 17's speed goal: the results page ≤ 300 ms with
millions of answers).

The refresh (``surveys.figures`` job, hourly) counts every invitation, answer and score
up to a watermark ``upto`` into three small tables — per questionnaire, branch and month
(:class:`~punkt.surveys.models.BranchMonthFigure`), per employee who served
(:class:`~punkt.surveys.models.EmployeeFigure`) and per question and score
(:class:`~punkt.surveys.models.ScoreFigure`) — each event counted at its own moment: an
invitation when made, an answer when given. The results page sums those rows and adds
what happened after ``upto``, counted live from the same sources (a few index-range
reads), so it is exact at every moment without waiting for the next refresh.

Set-based: each source is one ``INSERT … SELECT`` of the ORM's compiled grouping (the
same on SQLite and PostgreSQL), all of them and the watermark in one transaction — a
reader sees the old figures or the new, never a half. A key may have several rows (one
per source); readers always add them up.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, ExpressionWrapper, F, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from punkt.surveys.models import (
    LOW_SCORE,
    BranchMonthFigure,
    EmployeeFigure,
    FiguresState,
    Invitation,
    Response,
    Score,
    ScoreFigure,
)

#: Events younger than this are left to the live count: a transaction that wrote an
#: answer a moment before the refresh began may commit after it read.
SETTLE = datetime.timedelta(minutes=5)


def month_of(field: str) -> Any:
    """``year * 12 + month - 1`` of a moment in the current time zone (Warsaw)."""
    return ExpressionWrapper(ExtractYear(field) * Value(12) + ExtractMonth(field) - Value(1),
                             output_field=IntegerField())


def month_label(index: int) -> str:
    return f"{index % 12 + 1:02d}.{index // 12}"


def _window(field: str, since: datetime.datetime | None,
            until: datetime.datetime | None) -> Q:
    q = Q()
    if since is not None:
        q &= Q(**{f"{field}__gt": since})
    if until is not None:
        q &= Q(**{f"{field}__lte": until})
    return q


def sources(since: datetime.datetime | None = None, until: datetime.datetime | None = None,
            invitations: QuerySet[Invitation] | None = None,
            responses: QuerySet[Response] | None = None,
            scores: QuerySet[Score] | None = None) -> dict[str, QuerySet[Any]]:
    """The events between ``since`` (excluded) and ``until`` (included), grouped by
    questionnaire, branch, employee and month, as value lists of (q, b, e, m, count[,
    sum]): invitations made, invitations answered, low responses, scores. The querysets
    given narrow them (a reader's scope)."""
    inv = invitations if invitations is not None else Invitation.objects.all()
    res = responses if responses is not None else Response.objects.all()
    sco = scores if scores is not None else Score.objects.all()
    key = ("q", "b", "e", "m")
    return {
        "invited": inv.filter(_window("created_at", since, until)).order_by()
        .annotate(q=F("questionnaire_id"), b=F("branch_id"), e=F("employee_id"),
                  m=month_of("created_at")).values(*key).annotate(n=Count("pk"))
        .values_list(*key, "n"),
        "answered": inv.filter(_window("answered_at", since, until),
                               answered_at__isnull=False).order_by()
        .annotate(q=F("questionnaire_id"), b=F("branch_id"), e=F("employee_id"),
                  m=month_of("answered_at")).values(*key).annotate(n=Count("pk"))
        .values_list(*key, "n"),
        "low": res.filter(_window("submitted_at", since, until), lowest__lte=LOW_SCORE)
        .order_by().annotate(q=F("invitation__questionnaire_id"), b=F("invitation__branch_id"),
                             e=F("invitation__employee_id"), m=month_of("submitted_at"))
        .values(*key).annotate(n=Count("pk")).values_list(*key, "n"),
        "scores": sco.filter(_window("response__submitted_at", since, until)).order_by()
        .annotate(q=F("response__invitation__questionnaire_id"),
                  b=F("response__invitation__branch_id"), e=F("response__invitation__employee_id"),
                  m=month_of("response__submitted_at"))
        .values(*key).annotate(n=Count("pk"), s=Sum("value")).values_list(*key, "n", "s"),
    }


def distribution(since: datetime.datetime | None = None,
                 until: datetime.datetime | None = None,
                 scores: QuerySet[Score] | None = None) -> QuerySet[Any]:
    """(q, b, question, value, count) of the scores given in the window."""
    sco = scores if scores is not None else Score.objects.all()
    key = ("q", "b", "question_id", "value")
    return (sco.filter(_window("response__submitted_at", since, until)).order_by()
            .annotate(q=F("response__invitation__questionnaire_id"),
                      b=F("response__invitation__branch_id"))
            .values(*key).annotate(n=Count("pk")).values_list(*key, "n"))


#: the kept tables' columns each source fills: (count column, sum column)
_COLUMNS = {"invited": ("invited", None), "answered": ("answered", None),
            "low": ("low", None), "scores": ("score_n", "score_sum")}


def _compiled(qs: QuerySet[Any]) -> tuple[str, list[Any]]:
    sql, params = qs.query.sql_with_params()
    return sql, list(params)


def refresh(now: datetime.datetime | None = None) -> dict[str, Any]:
    """Count everything up to ``now - SETTLE`` into the kept tables, replacing them, and
    move the watermark — one transaction. Returns what it did (for the job's log)."""
    started = time.monotonic()
    upto = (now or timezone.now()) - SETTLE
    month_t = connection.ops.quote_name(BranchMonthFigure._meta.db_table)
    employee_t = connection.ops.quote_name(EmployeeFigure._meta.db_table)
    score_t = connection.ops.quote_name(ScoreFigure._meta.db_table)
    with transaction.atomic(), connection.cursor() as cur:
        # the watermark row first, locked: a second refresh at the same time waits here
        state = FiguresState.objects.select_for_update().filter(pk=1).first()
        for table in (month_t, employee_t, score_t):
            cur.execute(f"DELETE FROM {table}")  # noqa: S608 (the models' own tables)
        for name, qs in sources(until=upto).items():
            sql, params = _compiled(qs)
            # every count column named, the source's filled and the others zero
            filled = dict.fromkeys(("invited", "answered", "low", "score_sum", "score_n"), "0")
            count, total = _COLUMNS[name]
            filled[count] = "SUM(u.n)"
            if total:
                filled[total] = "SUM(u.s)"
            cols, sums = ", ".join(filled), ", ".join(filled.values())
            # only the models' column names and the ORM's compiled SELECT go into the text
            cur.execute(f"INSERT INTO {month_t} (questionnaire_id, branch_id, month, {cols}) "  # noqa: S608
                        f"SELECT u.q, u.b, u.m, {sums} FROM ({sql}) u GROUP BY u.q, u.b, u.m",
                        params)
            cur.execute(f"INSERT INTO {employee_t} (questionnaire_id, branch_id, employee_id, "  # noqa: S608
                        f"{cols}) SELECT u.q, u.b, u.e, {sums} FROM ({sql}) u "
                        "WHERE u.e IS NOT NULL GROUP BY u.q, u.b, u.e", params)
        sql, params = _compiled(distribution(until=upto))
        cur.execute(f"INSERT INTO {score_t} (questionnaire_id, branch_id, question_id, value, n) "  # noqa: S608
                    f"SELECT u.q, u.b, u.question_id, u.value, u.n FROM ({sql}) u", params)
        seconds = time.monotonic() - started
        values = {"upto": upto, "refreshed_at": timezone.now(), "seconds": seconds}
        if state is None:
            FiguresState.objects.create(pk=1, **values)
        else:
            FiguresState.objects.filter(pk=1).update(**values)
    return {"upto": upto.isoformat(), "seconds": round(seconds, 2),
            "month_rows": BranchMonthFigure.objects.count(),
            "employee_rows": EmployeeFigure.objects.count(),
            "score_rows": ScoreFigure.objects.count()}


def watermark() -> datetime.datetime | None:
    return FiguresState.objects.filter(pk=1).values_list("upto", flat=True).first()


@dataclass
class Totals:
    """Counts of one line (a branch, an employee, a month, the whole)."""

    invited: int = 0
    answered: int = 0
    low: int = 0
    score_sum: int = 0
    score_n: int = 0

    def add(self, source: str, n: int, s: int | None = None) -> None:
        if source == "scores":
            self.score_n += n
            self.score_sum += s or 0
        else:
            setattr(self, source, getattr(self, source) + n)

    @property
    def average(self) -> float | None:
        return self.score_sum / self.score_n if self.score_n else None
