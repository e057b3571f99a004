"""Materials through the pages and the API: permissions, errors, files, delivery."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from punkt.materials.models import Delivery, Material, MaterialVersion, VersionStatus

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _files(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path


def test_hq_publishes_and_the_branch_opens(world: Any, client_as: Any) -> None:
    hq = client_as(world.expert)
    response = hq.post(reverse("materials:manage"), {"kind": "promo",
                                                     "title": "Cennik usług 2027"})
    material = Material.objects.get()
    assert response.status_code == 302
    response = hq.post(reverse("materials:version_add", args=[material.pk]), {
        "file": SimpleUploadedFile("Cennik łącza światłowodowego.pdf", PDF),
        "valid_from": timezone.localdate().isoformat(), "all_branches": "on",
        "note": "Nowe ceny <script>alert(1)</script>"})
    version = MaterialVersion.objects.get()
    assert response.status_code == 302 and version.status == VersionStatus.DRAFT
    assert not client_as(world.service_a).get(reverse("materials:inbox")).context["box"].current
    hq.post(reverse("materials:version_publish", args=[version.pk]))
    hq.post(reverse("materials:version_publish", args=[version.pk]))  # a double click
    assert Delivery.objects.filter(version=version).count() == 2

    branch = client_as(world.service_a)
    page = branch.get(reverse("materials:inbox")).content.decode()
    assert "Cennik usług 2027" in page and "<script>alert(1)</script>" not in page
    assert Delivery.objects.get(version=version, branch=world.a).received_at is None  # C21
    branch.post(reverse("materials:inbox"))  # what the page posts once shown
    assert Delivery.objects.get(version=version, branch=world.a).received_at is not None
    response = branch.post(reverse("materials:version_open", args=[version.pk]), follow=True)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=utf-8''Cennik%20%C5%82%C4%85cza" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert Delivery.objects.get(version=version, branch=world.a).opened_by == world.service_a
    report = hq.get(reverse("materials:delivery_report", args=[version.pk]))
    assert report.status_code == 200 and world.a.code in report.content.decode()


def test_branch_staff_cannot_publish_and_errors_name_the_field(world: Any,
                                                               client_as: Any) -> None:
    manager = client_as(world.manager_a)
    assert manager.get(reverse("materials:manage")).status_code == 403
    assert manager.post(reverse("materials:manage"), {"kind": "promo",
                                                      "title": "X"}).status_code == 403
    assert not Material.objects.exists()
    hq = client_as(world.expert)
    hq.post(reverse("materials:manage"), {"kind": "promo", "title": "Ulotka"})
    material = Material.objects.get()
    response = hq.post(reverse("materials:version_add", args=[material.pk]), {
        "file": SimpleUploadedFile("ulotka.pdf", b"MZ\x90\x00binary"),
        "valid_from": timezone.localdate().isoformat(), "all_branches": "on"})
    assert response.status_code == 422
    page = response.content.decode()  # Polish first: the UI language of a new session
    assert 'id="id_file_error"' in page and "nie jest przyjmowany" in page
    assert not MaterialVersion.objects.exists()


def test_api_publish_inbox_and_report(world: Any, client_as: Any) -> None:
    import json

    hq = client_as(world.expert)
    response = hq.post("/api/v1/materials", json.dumps({"kind": "manual", "title": "Router X"}),
                       content_type="application/json")
    assert response.status_code == 201
    mid = response.json()["id"]
    response = hq.post(f"/api/v1/materials/{mid}/versions", {
        "file": SimpleUploadedFile("router.pdf", PDF), "valid_from": "2026-01-01",
        "all_branches": "false", "branch_ids": [world.b.pk]})
    assert response.status_code == 201, response.content
    vid = response.json()["id"]
    assert set(response.json()["allowed_actions"]) == {"edit", "delete", "publish"}
    response = hq.post(f"/api/v1/materials/{mid}/versions", {
        "file": SimpleUploadedFile("router.pdf", PDF), "valid_from": "2026-02-30"})
    assert response.status_code == 422 and response.json()["field"] == "valid_from"
    assert hq.post(f"/api/v1/material-versions/{vid}/publish").status_code == 200
    again = hq.post(f"/api/v1/material-versions/{vid}/publish")
    assert again.status_code == 409 and again.json()["code"] == "invalid_state"
    branch_b = client_as(world.service_b)
    inbox = branch_b.get("/api/v1/materials/inbox").json()
    assert [i["version"]["id"] for i in inbox["current"]] == [vid]
    assert inbox["current"][0]["is_new"] is True
    assert branch_b.get(f"/api/v1/material-versions/{vid}/file").status_code == 200
    assert branch_b.post(f"/api/v1/material-versions/{vid}/opened", "{}",
                         content_type="application/json").status_code == 204
    assert client_as(world.service_a).get(f"/api/v1/material-versions/{vid}/file"
                                          ).status_code == 404
    assert client_as(world.manager_b).post(f"/api/v1/material-versions/{vid}/withdraw",
                                           json.dumps({"reason": "x"}),
                                           content_type="application/json").status_code == 403
    report = hq.get(f"/api/v1/material-versions/{vid}/deliveries").json()
    assert (report["branches"], report["opened"], report["goal_minutes"]) == (1, 1, 60)
