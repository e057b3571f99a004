"""Display guidance and tasks: who issues what for which branches, the HQ material and
campaign rules, photos checked by their bytes, every step of the task from every state,
four eyes (C11), branch isolation (C1) and the daily overdue reminder (C9)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from punkt.core import files
from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed
from punkt.displays import selectors, services
from punkt.displays.models import DisplayTask, Guidance, ReferencePhoto, TaskPhoto, TaskStatus
from punkt.displays.tests import factories as f
from punkt.displays.workflows import TASK_FLOW
from punkt.work.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_files(settings: Any, tmp_path: Any) -> None:
    """Each test stores its photos in its own directory: "no file stays" is checked
    against it, not against another process's uploads."""
    settings.VAR_DIR = tmp_path


def refused(call: Any, field: str) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as exc:
        call()
    assert exc.value.field == field, exc.value.message
    return exc.value


def stored_files() -> set[str]:
    return {p.name for p in files.area_dir(services.AREA).iterdir()}


# -- issuing ---------------------------------------------------------------------------------

def test_hq_guidance_for_all_branches_makes_one_task_per_branch(world: Any) -> None:
    version = f.guide(world)
    g = f.guidance(world, version=version, photos=[f.photo("wzor.png")])
    tasks = {t.branch_id: t for t in g.tasks.all()}
    assert set(tasks) == {world.a.pk, world.b.pk}
    assert all(t.status == TaskStatus.TODO and t.material_version_id == version.pk
               and t.due_on == g.due_on for t in tasks.values())
    assert g.branch_id == world.hq.pk and g.all_branches
    assert ReferencePhoto.objects.get(guidance=g).content_type == "image/png"


def test_hq_guidance_for_chosen_branches(world: Any) -> None:
    g = f.guidance(world, branch_ids=[world.b.pk])
    assert list(g.tasks.values_list("branch_id", flat=True)) == [world.b.pk]


def test_a_manager_issues_for_the_branch_only(world: Any) -> None:
    g = f.guidance(world, actor=world.manager_a, branch_ids=[world.b.pk], all_branches=True)
    assert g.branch_id == world.a.pk and not g.all_branches
    assert list(g.tasks.values_list("branch_id", flat=True)) == [world.a.pk]


@pytest.mark.parametrize("who", ["service_a", "cashier_a", "retention_a"])
def test_staff_cannot_issue_guidance(world: Any, who: str) -> None:
    version = f.guide(world)
    with pytest.raises(ActionDenied):
        f.guidance(world, actor=getattr(world, who), version=version)
    assert not Guidance.objects.exists()


def test_the_material_must_be_of_a_display_kind(world: Any) -> None:
    from punkt.contracts.tests.factories import publish

    price_list = publish(world, "price_list", b"kod;nazwa;cena brutto;VAT\nX;Y;1,00;23\n",
                         "cennik.csv")
    refused(lambda: f.guidance(world, version=price_list), "material")
    promo = f.guide(world, kind="promo", title="Plakat promocji")
    assert f.guidance(world, version=promo).material_id == promo.material_id


def test_the_material_must_be_in_force_at_every_branch_named(world: Any) -> None:
    only_a = f.guide(world, branch=world.a)
    e = refused(lambda: f.guidance(world, version=only_a), "material")
    assert world.b.name in e.message and world.a.name not in e.message
    assert not Guidance.objects.exists() and not DisplayTask.objects.exists()
    assert f.guidance(world, version=only_a, branch_ids=[world.a.pk]).tasks.count() == 1


def test_the_campaign_must_run_at_every_branch(world: Any) -> None:
    from punkt.campaigns.tests import factories as campaigns

    own_a = campaigns.campaign(world)  # A's own campaign runs at A only
    e = refused(lambda: f.guidance(world, campaign=own_a.pk), "campaign")
    assert world.b.name in e.message
    g = f.guidance(world, actor=world.manager_a, campaign=own_a.pk)
    assert g.campaign_id == own_a.pk
    own_b = campaigns.campaign(world, actor=world.manager_b, code="BBB-KAMP")
    refused(lambda: f.guidance(world, actor=world.manager_a, campaign=own_b.pk), "campaign")


@pytest.mark.parametrize("data, field", [
    ({"title": " "}, "title"), ({"instructions": ""}, "instructions"),
    ({"due_on": ""}, "due_on"), ({"due_on": "jutro"}, "due_on"),
    ({"due_on": "2020-01-01"}, "due_on"), ({"material": "abc"}, "material"),
    ({"material": None}, "material"), ({"all_branches": False}, "branch_ids"),
    ({"all_branches": False, "branch_ids": [999999]}, "branch_ids"),
])
def test_bad_input_is_refused_on_its_field_and_nothing_saved(world: Any, data: dict[str, Any],
                                                             field: str) -> None:
    version = f.guide(world)
    refused(lambda: f.guidance(world, version=version, **data), field)
    assert not Guidance.objects.exists()


def test_a_reference_that_is_not_a_photo_is_refused_and_no_file_stays(world: Any) -> None:
    version = f.guide(world)
    before = stored_files()
    e = refused(lambda: f.guidance(world, version=version, photos=[
        f.photo("ok.png"), SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%%EOF\n")]), "photos")
    assert "plan.pdf" in e.message
    assert stored_files() == before and not Guidance.objects.exists()


# -- the task's steps ------------------------------------------------------------------------

STATES = [s.value for s in TaskStatus]
STEPS = {"complete": {"todo", "returned"}, "accept": {"completed"}, "return": {"completed"}}


def _step(world: Any, task: DisplayTask, action: str) -> DisplayTask:
    if action == "complete":
        return services.task_complete(actor=world.service_a, task_id=task.pk,
                                      photos=[f.photo()], comment="Zrobione")
    return services.task_check(actor=world.manager_a, task_id=task.pk, action=action,
                               reason="Popraw plakat")


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", sorted(STEPS))
def test_every_step_from_every_state(world: Any, state: str, action: str) -> None:
    """The table allows exactly its sources; any other state is refused, unchanged."""
    assert {t.action: set(t.sources) for t in TASK_FLOW.transitions.values()} == STEPS
    task = f.task(world, state)
    if state in STEPS[action]:
        moved = _step(world, task, action)
        assert moved.status == TASK_FLOW.transition(action).target
    else:
        with pytest.raises(Conflict):
            _step(world, task, action)
        task.refresh_from_db()
        assert task.status == state


def test_completing_needs_a_photo(world: Any) -> None:
    task = f.task(world)
    refused(lambda: services.task_complete(actor=world.service_a, task_id=task.pk,
                                           photos=[]), "photos")
    task.refresh_from_db()
    assert task.status == TaskStatus.TODO and task.round == 0


@pytest.mark.parametrize("name, data", [
    ("witryna.png", b"%PDF-1.4\n%%EOF\n"),            # a PDF named as a photo
    ("witryna.jpg", b"<html><script>x</script>"),       # text
    ("witryna.png", b"GIF89a\x01\x00\x01\x00"),         # an image kind not accepted
    ("witryna.png", b""),                               # empty
])
def test_a_photo_is_told_by_its_bytes(world: Any, name: str, data: bytes) -> None:
    task = f.task(world)
    before = stored_files()
    refused(lambda: services.task_complete(actor=world.service_a, task_id=task.pk,
                                           photos=[f.photo(), f.photo(name, data)]), "photos")
    assert stored_files() == before and not TaskPhoto.objects.exists()
    task.refresh_from_db()
    assert task.status == TaskStatus.TODO


def test_a_jpeg_is_accepted_and_kept_as_jpeg(world: Any) -> None:
    task = f.task(world)
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
    services.task_complete(actor=world.service_a, task_id=task.pk,
                           photos=[f.photo("okno.exe", jpeg)])
    row = TaskPhoto.objects.get(task=task)
    assert row.content_type == "image/jpeg" and row.name == "okno.jpg"


def test_too_large_and_too_many_photos_are_refused(world: Any) -> None:
    task = f.task(world)
    big = f.photo("duze.png", f.png() + b"\x00" * services.MAX_PHOTO_SIZE)
    e = refused(lambda: services.task_complete(actor=world.service_a, task_id=task.pk,
                                               photos=[big]), "photos")
    assert "10 MB" in e.message
    refused(lambda: services.task_complete(
        actor=world.service_a, task_id=task.pk,
        photos=[f.photo(f"{i}.png") for i in range(services.MAX_PHOTOS + 1)]), "photos")


def test_return_needs_a_reason_and_tells_who_did_it(world: Any) -> None:
    task = f.task(world, "completed")
    refused(lambda: services.task_check(actor=world.manager_a, task_id=task.pk,
                                        action="return", reason=" "), "reason")
    services.task_check(actor=world.manager_a, task_id=task.pk, action="return",
                        reason="Brak ulotek przy wejściu")
    note = Notification.objects.get(recipient=world.service_a, kind="displays.returned")
    assert "Brak ulotek" in note.title and note.url == services.task_url(task)


def test_redoing_keeps_the_photos_of_each_attempt(world: Any) -> None:
    task = f.task(world, "returned")
    moved = services.task_complete(actor=world.manager_a, task_id=task.pk,
                                   photos=[f.photo("drugie.png")])
    assert moved.round == 2 and moved.status == TaskStatus.COMPLETED
    assert moved.completed_by_id == world.manager_a.pk and moved.checked_by_id is None
    assert sorted(TaskPhoto.objects.filter(task=task).values_list("round", flat=True)) == [1, 2]


# -- four eyes (C11) -------------------------------------------------------------------------

def test_the_one_who_completed_it_cannot_check_it(world: Any) -> None:
    """Four eyes (C11): the manager who arranged the window does not accept it himself."""
    task = f.task(world)
    services.task_complete(actor=world.manager_a, task_id=task.pk, photos=[f.photo()])
    task.refresh_from_db()
    assert services.allowed_actions(task, world.manager_a) == []
    for action in ("accept", "return"):
        with pytest.raises(ActionDenied):
            services.task_check(actor=world.manager_a, task_id=task.pk, action=action,
                                reason="x")
    task.refresh_from_db()
    assert task.status == TaskStatus.COMPLETED
    assert services.allowed_actions(task, world.expert) == ["accept", "return"]
    assert services.task_check(actor=world.expert, task_id=task.pk,
                               action="accept").status == TaskStatus.ACCEPTED


@pytest.mark.parametrize("who", ["service_a", "cashier_a"])
def test_staff_cannot_check(world: Any, who: str) -> None:
    task = f.task(world, "completed")
    with pytest.raises((ActionDenied, NotFound)):
        services.task_check(actor=getattr(world, who), task_id=task.pk, action="accept")


# -- isolation (C1, C2) ----------------------------------------------------------------------

def test_another_branch_task_is_not_found(world: Any) -> None:
    """C1: A's people never reach B's task, its photos or guidance made only for B."""
    b_task = f.task(world, "completed", branch=world.b)
    photo = TaskPhoto.objects.get(task=b_task)
    for call in (
        lambda: selectors.task_get(user=world.manager_a, task_id=b_task.pk),
        lambda: selectors.task_photo(user=world.manager_a, task_id=b_task.pk,
                                     photo_id=photo.pk),
        lambda: services.task_check(actor=world.manager_a, task_id=b_task.pk,
                                    action="accept"),
        lambda: services.task_complete(actor=world.service_a, task_id=b_task.pk,
                                       photos=[f.photo()]),
    ):
        with pytest.raises(NotFound):
            call()
    a_task = f.task(world, "completed", g=b_task.guidance)
    with pytest.raises(NotFound):  # B's photo through A's task
        selectors.task_photo(user=world.manager_a, task_id=a_task.pk, photo_id=photo.pk)
    only_b = f.guidance(world, branch_ids=[world.b.pk], title="Tylko B")
    with pytest.raises(NotFound):
        selectors.guidance_get(user=world.manager_a, guidance_id=only_b.pk)
    titles = [g.title for g in selectors.guidance_list(user=world.manager_a)]
    assert "Tylko B" not in titles and b_task.guidance.title in titles


def test_the_overview_counts_the_branches(world: Any) -> None:
    g = f.guidance(world)
    f.task(world, "accepted", g=g)
    view = selectors.overview(user=world.expert, guidance=g)
    assert view.total == 2 and view.counts["accepted"] == 1 and view.counts["todo"] == 1
    assert selectors.overview(user=world.manager_b, guidance=g).total == 1
    row: Any = selectors.guidance_list(user=world.expert).get(pk=g.pk)
    assert (row.task_count, row.accepted_count, row.overdue_count) == (2, 1, 0)


# -- the daily reminder (C9) -----------------------------------------------------------------

def test_overdue_tasks_remind_the_branch_once_a_day(world: Any) -> None:
    """C9: run twice on a day, the branch hears once; the next day, again."""
    g = f.guidance(world)
    f.task(world, "accepted", g=g, branch=world.b)  # done: never reminded
    today = g.due_on + datetime.timedelta(days=1)
    assert services.remind_overdue(g.due_on) == {"tasks": 0, "notified": 0}
    first = services.remind_overdue(today)
    assert first["tasks"] == 1
    people = set(Notification.objects.filter(kind="displays.overdue")
                 .values_list("recipient_id", flat=True))
    assert people == {world.manager_a.pk, world.service_a.pk}
    assert services.remind_overdue(today) == {"tasks": 0, "notified": 0}
    assert Notification.objects.filter(kind="displays.overdue").count() == 2
    assert services.remind_overdue(today + datetime.timedelta(days=1))["tasks"] == 1
    assert Notification.objects.filter(kind="displays.overdue").count() == 4


def test_the_dashboard_lists_what_is_to_do_and_marks_overdue(world: Any) -> None:
    g = f.guidance(world)
    DisplayTask.objects.filter(guidance=g).update(
        due_on=timezone.localdate() - datetime.timedelta(days=1))
    rows: list[Any] = selectors.to_do(user=world.service_a)
    assert [r.branch_id for r in rows] == [world.a.pk] and rows[0].overdue
    f.task(world, "completed", g=g)
    assert selectors.to_check_count(user=world.manager_a) == 1
    assert selectors.to_check_count(user=world.manager_b) == 0
