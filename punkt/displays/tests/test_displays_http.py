"""Display pages and API through HTTP: roles, the branch completing a task with photos
uploaded from the page, the check with four eyes, photos served only through their own
branch's record, errors next to the field they name."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from punkt.displays.models import DisplayTask, Guidance, TaskPhoto, TaskStatus
from punkt.displays.tests import factories as f

pytestmark = pytest.mark.django_db


def test_roles_on_the_pages(world: Any, client_as: Any) -> None:
    g = f.guidance(world)
    task = DisplayTask.objects.get(guidance=g, branch=world.a)
    for name in ("displays:task_list", "displays:guidance_list"):
        assert client_as(world.cashier_a).get(reverse(name)).status_code == 403
        assert client_as(world.service_a).get(reverse(name)).status_code == 200
    assert client_as(world.service_a).get(reverse("displays:guidance_new")).status_code == 403
    assert client_as(world.manager_a).get(reverse("displays:guidance_new")).status_code == 200
    page = client_as(world.service_a).get(reverse("displays:task_detail", args=[task.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="task-complete"' in html
    assert g.title in html and reverse("materials:version_detail",
                                       args=[task.material_version_id]) in html
    b_task = DisplayTask.objects.get(guidance=g, branch=world.b)
    assert client_as(world.manager_a).get(
        reverse("displays:task_detail", args=[b_task.pk])).status_code == 404
    overview = client_as(world.expert).get(reverse("displays:guidance_detail", args=[g.pk]))
    assert world.a.name in overview.content.decode() and world.b.name in overview.content.decode()


def test_the_menu_and_the_dashboard_panel(world: Any, client_as: Any) -> None:
    f.guidance(world)
    home = client_as(world.service_a).get("/").content.decode()
    assert reverse("displays:task_list") in home
    assert 'data-testid="panel-displays"' in home and "Witryny do zrobienia" in home
    cashier = client_as(world.cashier_a).get("/").content.decode()
    assert 'data-testid="panel-displays"' not in cashier


def test_complete_from_the_page_and_accept(world: Any, client_as: Any) -> None:
    task = f.task(world)
    url = reverse("displays:task_complete", args=[task.pk])
    bad = client_as(world.service_a).post(url, {"comment": "bez zdjęć"})
    assert bad.status_code == 200 and 'id="id_photos_error"' in bad.content.decode()
    response = client_as(world.service_a).post(url, {
        "comment": "Gotowe", "photos": [f.photo("a.png"), f.photo("b.png")]})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.COMPLETED and task.photos.count() == 2
    page = client_as(world.manager_a).get(reverse("displays:task_detail", args=[task.pk]))
    html = page.content.decode()
    photo = task.photos.first()
    assert photo is not None
    assert f'src="{reverse("displays:task_photo", args=[task.pk, photo.pk])}"' in html
    assert 'data-testid="task-accept"' in html
    client_as(world.manager_a).post(reverse("displays:task_act", args=[task.pk, "accept"]))
    task.refresh_from_db()
    assert task.status == TaskStatus.ACCEPTED and task.checked_by_id == world.manager_a.pk


def test_four_eyes_on_the_page(world: Any, client_as: Any) -> None:
    task = f.task(world)
    client = client_as(world.manager_a)
    client.post(reverse("displays:task_complete", args=[task.pk]), {"photos": [f.photo()]})
    html = client.get(reverse("displays:task_detail", args=[task.pk])).content.decode()
    assert 'data-testid="four-eyes"' in html and 'data-testid="task-accept"' not in html
    response = client.post(reverse("displays:task_act", args=[task.pk, "accept"]))
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.status == TaskStatus.COMPLETED


def test_photos_are_served_only_to_their_branch(world: Any, client_as: Any) -> None:
    b_task = f.task(world, "completed", branch=world.b)
    photo = TaskPhoto.objects.get(task=b_task)
    url = reverse("displays:task_photo", args=[b_task.pk, photo.pk])
    served = client_as(world.manager_b).get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served["Content-Security-Policy"]
    assert client_as(world.manager_a).get(url).status_code == 404
    a_task = DisplayTask.objects.get(guidance=b_task.guidance, branch=world.a)
    assert client_as(world.manager_a).get(reverse(
        "displays:task_photo", args=[a_task.pk, photo.pk])).status_code == 404
    assert client_as(world.manager_a).get(
        f"/api/v1/displays/tasks/{b_task.pk}/photos/{photo.pk}").status_code == 404


def test_issue_from_the_form_with_a_reference_photo(world: Any, client_as: Any) -> None:
    version = f.guide(world)
    client = client_as(world.expert)
    form = {"title": "Witryna wiosenna", "instructions": "Kwiaty i plakat",
            "material": version.material_id, "due_on": "2020-01-01", "all_branches": "on"}
    page = client.post(reverse("displays:guidance_new"), form)
    assert page.status_code == 200 and 'id="id_due_on_error"' in page.content.decode()
    assert not Guidance.objects.exists()
    from django.utils import timezone

    form["due_on"] = timezone.localdate().isoformat()
    bad = client.post(reverse("displays:guidance_new"), {
        **form, "photos": [SimpleUploadedFile("x.png", b"MZ\x90\x00 not an image")]})
    assert 'id="id_photos_error"' in bad.content.decode() and not Guidance.objects.exists()
    response = client.post(reverse("displays:guidance_new"), {**form, "photos": [f.photo()]})
    g = Guidance.objects.get()
    assert response["Location"] == reverse("displays:guidance_detail", args=[g.pk])
    assert g.tasks.count() == 2 and g.photos.count() == 1
    ref = g.photos.get()
    assert client_as(world.service_b).get(reverse(
        "displays:guidance_photo", args=[g.pk, ref.pk])).status_code == 200


# -- API -------------------------------------------------------------------------------------

def test_the_api_walk(world: Any, client_as: Any) -> None:
    version = f.guide(world)
    expert, service, manager = (client_as(world.expert), client_as(world.service_a),
                                client_as(world.manager_a))
    body = {"title": "Witryna API", "instructions": "Plakat", "material_id": version.material_id,
            "due_on": "2099-01-01", "all_branches": True}
    far = expert.post("/api/v1/displays/guidance", json.dumps(body),
                      content_type="application/json")
    assert far.status_code == 422 and far.json()["field"] == "due_on"
    from django.utils import timezone

    body["due_on"] = timezone.localdate().isoformat()
    assert service.post("/api/v1/displays/guidance", json.dumps(body),
                        content_type="application/json").status_code == 403
    created = expert.post("/api/v1/displays/guidance", json.dumps(body),
                          content_type="application/json")
    assert created.status_code == 201, created.content
    g = created.json()
    assert len(g["task_ids"]) == 2
    listed = service.get("/api/v1/displays/tasks").json()["items"]
    assert [t["branch_id"] for t in listed] == [world.a.pk]
    task_id = listed[0]["id"]
    assert service.get("/api/v1/displays/guidance").json()["items"][0]["tasks"] == 1
    empty = service.post(f"/api/v1/displays/tasks/{task_id}/completion", {"comment": "x"})
    assert empty.status_code == 422 and empty.json()["field"] == "photos"
    done = service.post(f"/api/v1/displays/tasks/{task_id}/completion",
                        {"comment": "Gotowe", "photos": [f.photo()]})
    assert done.status_code == 200 and done.json()["status"] == "completed"
    photo_url = done.json()["photos"][0]["url"]
    assert service.get(photo_url)["Content-Type"] == "image/png"
    assert done.json()["actions"] == []  # the service employee does not check
    returned = manager.post(f"/api/v1/displays/tasks/{task_id}/return",
                            json.dumps({"reason": "Brak ulotek"}),
                            content_type="application/json")
    assert returned.json()["status"] == "returned"
    again = manager.post(f"/api/v1/displays/tasks/{task_id}/acceptance")
    assert again.status_code == 409
    service.post(f"/api/v1/displays/tasks/{task_id}/completion", {"photos": [f.photo()]})
    accepted = manager.post(f"/api/v1/displays/tasks/{task_id}/acceptance")
    assert accepted.json()["status"] == "accepted" and accepted.json()["round"] == 2
    b_task = DisplayTask.objects.get(guidance_id=g["id"], branch=world.b)
    assert manager.get(f"/api/v1/displays/tasks/{b_task.pk}").status_code == 404
    assert manager.post(f"/api/v1/displays/tasks/{b_task.pk}/acceptance").status_code == 404
