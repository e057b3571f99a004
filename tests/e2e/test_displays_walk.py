"""Browser: HQ's display guidance reaches the Kraków branch; its service employee finds
the window on the dashboard ("Witryny do zrobienia"), opens the task with HQ's reference
photo, completes it with a photo of the window (uploaded from the page, shown back as a
thumbnail); the manager signs in, opens the task and accepts it; HQ's overview counts the
branch among those with the current display (issue 20's "Must hold")."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.e2e.test_dashboard_walk import open_menu_for, seed_demo, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]


def _setup() -> Any:
    from punkt.displays import services as displays
    from punkt.displays.images import png
    from punkt.materials import services as materials
    from punkt.organization.models import Branch, Employee

    seed_demo()
    expert = Employee.objects.get(email="ekspert@demo.punkt.pl")
    material = materials.material_create(actor=expert, kind="display_guide",
                                         title="Witryna zimowa — wzór")
    version = materials.version_create(
        actor=expert, material_id=material.pk, valid_from=timezone.localdate(),
        uploaded=SimpleUploadedFile("wzor.png", png(64, 48, (30, 90, 160))))
    materials.version_publish(actor=expert, version_id=version.pk)
    return displays.guidance_issue(actor=expert, data={
        "title": "Zimowa witryna", "instructions": "Plakat na środku szyby.",
        "material": material.pk, "due_on": timezone.localdate() + datetime.timedelta(days=3),
        "branch_ids": [Branch.objects.get(code="KRK-01").pk]},
        photos=[SimpleUploadedFile("plakat.png", png(48, 32, (200, 60, 60)))])


def _thumbs_loaded(page: Any, testid: str) -> int:
    """How many thumbnails in the block were fetched and decoded by the browser."""
    return int(page.eval_on_selector_all(
        f"[data-testid={testid}] img", "imgs => imgs.filter(i => i.complete && "
        "i.naturalWidth > 0).length"))


def test_a_window_task_completed_with_a_photo_and_accepted(
        page: Any, problems: Any, settings: Any, tmp_path: Any) -> None:
    from punkt.displays.images import png
    from punkt.displays.models import DisplayTask, TaskStatus

    settings.VAR_DIR = tmp_path
    guidance = _setup()
    task = DisplayTask.objects.get(guidance=guidance)
    sign_in(page, "obsluga@demo.punkt.pl")
    panel = page.locator("[data-testid=panel-displays]")
    assert "Zimowa witryna" in panel.inner_text()
    with page.expect_navigation():
        panel.locator("a", has_text="Zimowa witryna").click()
    assert "Plakat na środku szyby." in page.locator("[data-testid=task-instructions]").inner_text()
    page.wait_for_load_state("load")
    assert _thumbs_loaded(page, "reference-photos") == 2  # HQ's material and the photo
    photo = tmp_path / "witryna-krakow.png"
    photo.write_bytes(png(120, 80, (40, 140, 90)))
    form = page.locator("[data-testid=task-complete]")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()  # no photo: refused on the field
    assert page.locator("#id_photos_error").count() == 1
    form = page.locator("[data-testid=task-complete]")
    form.locator("input[name=photos]").set_input_files(str(photo))
    form.locator("textarea[name=comment]").fill("Plakat wisi, ulotki przy wejściu.")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "do sprawdzenia" in page.locator("h1").inner_text()
    page.wait_for_load_state("load")
    assert _thumbs_loaded(page, "task-photos") == 1
    assert page.locator("[data-testid=task-accept]").count() == 0  # not hers to check

    page.click("[data-testid=user-menu]")
    with page.expect_navigation():
        page.click("[data-testid=logout]")
    sign_in(page, "kierownik@demo.punkt.pl")
    open_menu_for(page, "/displays/")
    with page.expect_navigation():
        page.click('nav.mainnav a[href="/displays/"]')
    page.select_option("[data-testid=status-filter]", "completed")
    page.wait_for_selector(f"[data-testid=display-task-table] a:has-text('{task.number}')")
    with page.expect_navigation():
        page.click(f"[data-testid=display-task-table] a:has-text('{task.number}')")
    assert "Plakat wisi" in page.locator("[data-testid=task-evidence]").inner_text()
    with page.expect_navigation():
        page.click("[data-testid=task-accept] button")
    assert "przyjęte" in page.locator("h1").inner_text()
    assert DisplayTask.objects.get(pk=task.pk).status == TaskStatus.ACCEPTED
    with page.expect_navigation():
        page.click("text=Wszystkie oddziały tych wytycznych")
    assert page.locator("[data-testid=accepted-count]").inner_text() == "1"
    problems.assert_clean()
