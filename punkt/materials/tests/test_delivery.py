"""Delivery to branches (R3.2): branches opened after a publication, opening per branch by
an explicit POST, reads that write nothing (C21), the one-hour clock from creation."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from punkt.core.errors import NotFound, ValidationFailed
from punkt.core.roles import Role
from punkt.materials import selectors, services
from punkt.materials.models import Delivery, MaterialVersion
from punkt.materials.tests.test_services import PDF, PRICES, pdf, published
from punkt.organization import services as org
from punkt.organization.models import Membership

NEW_BRANCH = {"code": "waw-02", "name": "Warszawa Mokotów", "street": "ul. Puławska 1",
              "postal_code": "02-515", "city": "Warszawa"}


@pytest.fixture(autouse=True)
def _files(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path


def two_branch_manager(world: Any) -> Any:
    """Kierownik A also manages branch B."""
    Membership.objects.create(employee=world.manager_a, branch=world.b, role=Role.MANAGER)
    return world.manager_a


def test_a_branch_opened_later_gets_the_versions_in_force(world: Any) -> None:
    in_force = published(world, "Cennik internetu")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    upcoming = published(world, "Cennik 2027", valid_from=tomorrow)
    only_b = published(world, "Ulotka B", all_branches=False, branch_ids=[world.b.pk])
    branch = org.branch_create(actor=world.admin, **NEW_BRANCH)
    got = set(Delivery.objects.filter(branch=branch).values_list("version_id", flat=True))
    assert got == {in_force.pk, upcoming.pk}  # not B's own leaflet
    services.ensure_current(version_id=in_force.pk, branch_id=branch.pk)  # can offer now
    services.ensure_current(version_id=upcoming.pk, branch_id=branch.pk, on=tomorrow)
    assert only_b.pk not in got
    # Closed while HQ published, reopened later: it gets what it missed, nothing twice.
    org.branch_update(actor=world.admin, branch_id=branch.pk, is_active=False)
    missed = published(world, "Wzór umowy")
    org.branch_update(actor=world.admin, branch_id=branch.pk, is_active=True)
    assert Delivery.objects.filter(branch=branch, version=missed).count() == 1
    assert Delivery.objects.filter(branch=branch).count() == 3
    assert services.deliver_in_force(branch) == 0  # a second call adds nothing


def test_opening_is_recorded_for_the_branch_it_is_opened_for(world: Any) -> None:
    v = published(world)
    manager = two_branch_manager(world)
    assert services.version_get(user=manager, version_id=v.pk) == v  # reading records nothing
    assert not Delivery.objects.filter(opened_at__isnull=False).exists()
    with pytest.raises(ValidationFailed) as exc:
        services.version_opened(user=manager, version_id=v.pk)  # which branch?
    assert exc.value.field == "branch"
    services.version_opened(user=manager, version_id=v.pk, branch_id=world.b.pk)
    opened = Delivery.objects.filter(version=v, opened_at__isnull=False)
    assert list(opened.values_list("branch_id", flat=True)) == [world.b.pk]
    assert opened.get().received_at is not None and opened.get().opened_by == manager
    services.version_opened(user=world.service_a, version_id=v.pk)  # one branch: hers
    assert Delivery.objects.get(version=v, branch=world.a).opened_by == world.service_a
    with pytest.raises(ValidationFailed) as exc:
        services.version_opened(user=world.service_a, version_id=v.pk, branch_id=world.b.pk)
    assert exc.value.field == "branch"
    only_b = published(world, "Ulotka B", all_branches=False, branch_ids=[world.b.pk])
    with pytest.raises(NotFound):
        services.version_opened(user=world.service_a, version_id=only_b.pk)


def test_delay_is_measured_from_the_versions_creation(world: Any) -> None:
    material = services.material_create(actor=world.expert, kind="promo", title="Cennik")
    draft = services.version_create(actor=world.expert, material_id=material.pk,
                                    uploaded=pdf(), valid_from=timezone.localdate())
    MaterialVersion.objects.filter(pk=draft.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=2))  # a draft kept two hours
    v = services.version_publish(actor=world.expert, version_id=draft.pk)
    services.version_opened(user=world.service_a, version_id=v.pk)  # at once after publishing
    branch = org.branch_create(actor=world.admin, **NEW_BRANCH)  # opened later
    newcomer = Delivery.objects.get(version=v, branch=branch)
    Delivery.objects.filter(pk=newcomer.pk).update(opened_at=newcomer.delivered_at
                                                   + datetime.timedelta(minutes=5))
    report = selectors.delivery_report(user=world.expert, version_id=v.pk)
    assert (report.opened, report.within_goal) == (2, 1)  # A: two hours after creation
    assert report.slowest_minutes is not None and report.slowest_minutes >= 120


def _writes(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries
            if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
            and "django_session" not in q["sql"]]


def test_reading_materials_writes_nothing_and_posts_record(world: Any,
                                                          client_as: Any) -> None:
    """C21 on the materials routes, with real ids, for a branch of one and of two."""
    v = published(world)
    price_list = services.material_create(actor=world.expert, kind="price_list",
                                          title="Cennik usług")
    draft = services.version_create(
        actor=world.expert, material_id=price_list.pk, valid_from=timezone.localdate(),
        uploaded=pdf("cennik.csv", PRICES.encode("cp1250")))
    priced = services.version_publish(actor=world.expert, version_id=draft.pk)
    reads = [reverse("materials:inbox"), reverse("materials:version_detail", args=[v.pk]),
             reverse("materials:version_file", args=[v.pk]), "/api/v1/materials/inbox",
             f"/api/v1/material-versions/{v.pk}/file",
             f"/api/v1/material-versions/{priced.pk}/items", reverse("core:dashboard")]
    for user in (world.service_a, two_branch_manager(world)):
        client = client_as(user)
        client.get("/")  # settle the session's last-seen stamp
        for url in reads:
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            assert response.status_code == 200, url
            assert not _writes(ctx), (url, _writes(ctx))
    assert not Delivery.objects.filter(received_at__isnull=False).exists()

    branch = client_as(world.service_a)
    page = branch.get(reverse("materials:inbox")).content.decode()
    assert f'action="{reverse("materials:version_open", args=[v.pk])}"' in page
    assert 'hx-trigger="load"' in page
    assert branch.post(reverse("materials:inbox")).status_code == 204
    assert set(Delivery.objects.filter(received_at__isnull=False)
               .values_list("branch_id", flat=True)) == {world.a.pk}
    response = branch.post(reverse("materials:version_open", args=[v.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("materials:version_file", args=[v.pk])
    assert b"".join(branch.get(response["Location"]).streaming_content) == PDF
    assert Delivery.objects.get(version=v, branch=world.a).opened_by == world.service_a
    response = branch.post(reverse("materials:version_open", args=[priced.pk]))
    assert response["Location"] == reverse("materials:version_detail", args=[priced.pk])

    manager = client_as(world.manager_a)
    page = manager.get(reverse("materials:inbox")).content.decode()
    assert re.search(rf'<select name="branch"[^>]*>\s*<option\s+value="{world.a.pk}">'
                     rf'{world.a.code}</option><option\s+value="{world.b.pk}">', page), page
    response = manager.post(reverse("materials:version_open", args=[priced.pk]),
                            {"branch": "nope"}, follow=True)
    assert "Wybierz oddział, dla którego otwierasz" in response.content.decode()
    response = manager.post(f"/api/v1/material-versions/{priced.pk}/opened",
                            json.dumps({"branch_id": world.b.pk}),
                            content_type="application/json")
    assert response.status_code == 204
    assert Delivery.objects.get(version=priced, branch=world.b).opened_by == world.manager_a
    assert Delivery.objects.get(version=priced, branch=world.a).opened_by == world.service_a


def test_the_api_records_the_inbox_received_for_the_callers_branches(world: Any,
                                                                     client_as: Any) -> None:
    v = published(world)
    url = "/api/v1/materials/inbox/received"
    branch = client_as(world.service_a)
    inbox = branch.get("/api/v1/materials/inbox").json()
    shown = [item["version"]["id"] for item in inbox["current"]]
    assert v.pk in shown
    assert not Delivery.objects.filter(received_at__isnull=False).exists()  # reading: nothing
    refused = branch.post(url, json.dumps({"version_ids": []}), content_type="application/json")
    assert refused.status_code == 422 and refused.json()["field"] == "version_ids"
    hq = client_as(world.expert).post(url, json.dumps({"version_ids": shown}),
                                      content_type="application/json")
    assert hq.status_code == 200 and hq.json() == {"received": 0}
    done = branch.post(url, json.dumps({"version_ids": shown}), content_type="application/json")
    assert done.status_code == 200 and done.json()["received"] >= 1
    assert set(Delivery.objects.filter(received_at__isnull=False)
               .values_list("branch_id", flat=True)) == {world.a.pk}
    again = branch.post(url, json.dumps({"version_ids": shown}), content_type="application/json")
    assert again.json() == {"received": 0}
