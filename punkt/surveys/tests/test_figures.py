"""The results' kept figures (``figures.py``): the page gives the same figures before and
after a refresh, adds what happened after it, keeps to the reader's branches, and reads
the same number of statements whatever the number of answers."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from punkt.surveys import figures, selectors, services
from punkt.surveys.models import (
    BranchMonthFigure,
    EmployeeFigure,
    FiguresState,
    Invitation,
    ScoreFigure,
)
from punkt.surveys.tests.factories import invitation, questionnaire, scores


def _answered(world: Any, q: Any, values: tuple[int, int], branch: Any = None) -> Any:
    inv, token = invitation(world, q, branch=branch)
    services.answer_submit(token=token, scores=scores(q, *values), comment="")
    return inv


def _shape(r: selectors.Results) -> Any:
    """The figures as plain values (the dataclasses compared field by field)."""
    def line(x: selectors.Line) -> tuple[Any, ...]:
        return (x.label, x.invited, x.answered, x.low,
                None if x.average is None else round(x.average, 6))

    return (line(r.total), [(x.position, x.answers, x.distribution) for x in r.questions],
            [line(x) for x in r.branches], [line(x) for x in r.employees],
            [line(x) for x in r.months])


def _after_everything() -> datetime.datetime:
    return timezone.now() + figures.SETTLE + datetime.timedelta(minutes=1)


def test_the_figures_are_the_same_live_and_kept_and_new_answers_are_added(world: Any) -> None:
    q = questionnaire(world)
    _answered(world, q, (2, 5))
    _answered(world, q, (4, 4))
    _answered(world, q, (5, 3), branch=world.b)
    invitation(world, q)  # invited, not answered
    live = selectors.results(user=world.expert, questionnaire=q)
    assert (live.total.invited, live.total.answered, live.total.low) == (4, 3, 2)
    assert round(live.total.average or 0, 2) == round(23 / 6, 2)

    done = figures.refresh(now=_after_everything())
    assert done["month_rows"] > 0 and ScoreFigure.objects.exists()
    kept = selectors.results(user=world.expert, questionnaire=q)
    assert _shape(kept) == _shape(live)
    # a second refresh replaces the rows, it does not add to them
    figures.refresh(now=_after_everything())
    assert _shape(selectors.results(user=world.expert, questionnaire=q)) == _shape(live)

    # the refresh counted everything made so far; the next answer comes after its watermark
    FiguresState.objects.filter(pk=1).update(upto=timezone.now())
    _answered(world, q, (1, 1))  # counted live on top of the kept rows
    now = selectors.results(user=world.expert, questionnaire=q)
    assert (now.total.invited, now.total.answered, now.total.low) == (5, 4, 3)
    assert [x.distribution[0][1] for x in now.questions] == [1, 1]  # the two 1s


def test_a_branch_reads_only_its_own_kept_figures(world: Any) -> None:
    q = questionnaire(world)
    _answered(world, q, (2, 5))
    _answered(world, q, (5, 5), branch=world.b)
    figures.refresh(now=_after_everything())
    mine = selectors.results(user=world.manager_a, questionnaire=q)
    assert (mine.total.invited, mine.total.answered, mine.total.low) == (1, 1, 1)
    assert [b.label for b in mine.branches] == [world.a.name]
    assert sum(x.answers for x in mine.questions) == 2
    assert selectors.results(user=world.expert, questionnaire=q).total.invited == 2


def test_the_page_reads_as_many_statements_for_one_answer_as_for_many(world: Any) -> None:
    q = questionnaire(world)
    _answered(world, q, (2, 5))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            selectors.results(user=world.expert, questionnaire=q, employees_limit=100)
        return len(ctx.captured_queries)

    one = count()
    for values, branch in (((4, 4), world.a), ((5, 5), world.b), ((3, 3), world.b)):
        _answered(world, q, values, branch=branch)
    assert count() == one
    figures.refresh(now=_after_everything())
    _answered(world, q, (1, 2), branch=world.b)
    assert count() == one


def test_the_employee_list_is_cut_and_says_how_many_more(world: Any) -> None:
    q = questionnaire(world)
    _answered(world, q, (2, 5))
    other = _answered(world, q, (5, 5), branch=world.b)
    Invitation.objects.filter(pk=other.pk).update(employee=world.manager_b)
    r = selectors.results(user=world.expert, questionnaire=q, employees_limit=1)
    assert len(r.employees) == 1 and r.employees_more == 1
    assert len(selectors.results(user=world.expert, questionnaire=q).employees) == 2
    # from the kept figures: the top chosen in SQL, the count of the others the same
    figures.refresh(now=_after_everything())
    kept = selectors.results(user=world.expert, questionnaire=q, employees_limit=1)
    assert [x.label for x in kept.employees] == [x.label for x in r.employees]
    assert kept.employees_more == 1


def test_the_branch_list_is_cut_and_each_branch_opens_its_own_results(
        world: Any, client_as: Any) -> None:
    from django.urls import reverse

    from punkt.surveys import views

    q = questionnaire(world)
    _answered(world, q, (2, 5))
    _answered(world, q, (5, 5), branch=world.b)
    _answered(world, q, (4, 4), branch=world.b)
    r = selectors.results(user=world.expert, questionnaire=q, branches_limit=1)
    assert [(x.key, x.invited) for x in r.branches] == [(world.b.pk, 2)]
    assert r.branches_more == 1
    assert len(selectors.results(user=world.expert, questionnaire=q).branches) == 2
    views.BRANCHES_SHOWN, shown = 1, views.BRANCHES_SHOWN
    try:
        page = client_as(world.expert).get(reverse("surveys:results"),
                                            {"questionnaire": q.pk}).content.decode()
    finally:
        views.BRANCHES_SHOWN = shown
    assert 'data-testid="survey-branches-more"' in page
    assert f'href="?questionnaire={q.pk}&amp;branch={world.b.pk}"' in page


def test_the_refresh_job_runs_once_per_slot(world: Any) -> None:
    """(C9)"""
    from punkt.core.jobs import run_due_jobs
    from punkt.core.models import ScheduledRun

    now = timezone.now()
    assert "surveys.figures" in run_due_jobs(now)
    assert "surveys.figures" not in run_due_jobs(now)
    assert ScheduledRun.objects.filter(job="surveys.figures").count() == 1


def test_the_refresh_on_an_empty_database_keeps_nothing_and_sets_the_watermark(db: Any) -> None:
    figures.refresh()
    assert not BranchMonthFigure.objects.exists() and not EmployeeFigure.objects.exists()
    assert FiguresState.objects.get(pk=1).upto < timezone.now()
