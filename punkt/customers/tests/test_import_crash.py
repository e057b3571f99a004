"""Issue 15: an unexpected exception in a customer import's check or run ends the job
FAILED, logged, with the reason on its page (it stayed "queued" for ever)."""

from __future__ import annotations

import csv
import io
import logging
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from punkt.customers.models import Customer, CustomerImport, ImportStatus

pytestmark = pytest.mark.django_db


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)
    return out.getvalue().encode("utf-8")


def test_a_crashing_import_check_ends_failed_logged_with_the_reason_shown(
        world: Any, client_as: Any, settings: Any, tmp_path: Any, monkeypatch: Any,
        caplog: Any) -> None:
    """An unexpected exception on a row (a bug, injected here on the row "Awaria"): the
    job ends FAILED with the reason on its page and the traceback in the log; the same
    in the run, where rows written before stay."""
    from punkt.customers import services
    from punkt.customers.tasks import import_check_task, import_run_task

    settings.VAR_DIR = tmp_path
    clean = services.clean_customer

    def crashing(data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if data.get("last_name") == "Awaria":
            raise KeyError("a bug")
        return clean(data, **kwargs)

    def upload(rows: list[list[str]]) -> CustomerImport:
        client_as(world.manager_a).post(reverse("customers:import_start"), {
            "branch": world.a.pk, "basis_confirmed": "on",
            "file": SimpleUploadedFile("k.csv", _csv(rows), content_type="text/csv")})
        return CustomerImport.objects.latest("pk")

    header = ["kind", "first_name", "last_name"]
    job = upload([header, ["osoba", "Anna", "Nowak"], ["osoba", "Jan", "Awaria"]])
    monkeypatch.setattr(services, "clean_customer", crashing)
    with caplog.at_level(logging.ERROR, logger="punkt.imports"):
        import_check_task.call(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.errors[0]["field"] == "file"
    assert any("KeyError" in (r.exc_text or "") for r in caplog.records)
    page = client_as(world.manager_a).get(reverse("customers:import_detail", args=[job.pk]))
    assert "nieoczekiwany błąd: nic nie zaimportowano" in page.content.decode()
    assert list((tmp_path / "imports").iterdir()) == []

    monkeypatch.setattr(services, "clean_customer", clean)
    job = upload([header, ["osoba", "Ewa", "Lis"]])
    import_check_task.call(job.pk)
    client_as(world.manager_a).post(reverse("customers:import_detail", args=[job.pk]))
    (tmp_path / "imports" / f"{job.stored_name}.checked.json").unlink()  # checked again
    monkeypatch.setattr(services, "clean_customer", lambda data, **kw: {}[data["x"]])
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="punkt.imports"):
        import_run_task.call(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "nieoczekiwany" in job.errors[0]["message"]
    assert caplog.records and not Customer.objects.exists()
