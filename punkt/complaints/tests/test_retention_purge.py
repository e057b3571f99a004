"""C28: a closed complaint is kept while a consumer's claims are not time-barred, then the
retention purge removes what names the customer and keeps the figures."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from punkt.complaints import letters, services
from punkt.complaints.models import Complaint, ComplaintAttachment, ComplaintLetter
from punkt.complaints.tests.factories import complaint
from punkt.core import files
from punkt.privacy import purge

pytestmark = pytest.mark.django_db

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"
       b"\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe"
       b"\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


def closed_on(world: Any, day: datetime.datetime) -> Complaint:
    c = complaint(world)
    services.attachment_add(actor=world.service_a, complaint_id=c.pk, kind="photo",
                            uploaded=SimpleUploadedFile("zdjecie.png", PNG, "image/png"))
    letters.completion_request(actor=world.service_a, complaint_id=c.pk, channel="in_person",
                               missing="Kopia paragonu.")
    Complaint.objects.filter(pk=c.pk).update(status="closed", closed_at=day)
    return c


def test_closed_six_years_ago_loses_its_texts_files_and_letters(
        world: Any, settings: Any, tmp_path: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    settings.VAR_DIR = tmp_path
    old = closed_on(world, datetime.datetime(2019, 12, 31, 12, tzinfo=datetime.UTC))
    recent = closed_on(world, datetime.datetime(2020, 1, 2, 12, tzinfo=datetime.UTC))
    photo = ComplaintAttachment.objects.get(complaint=old)
    letter = ComplaintLetter.objects.get(complaint=old)
    assert files.path_of(photo.stored, area="complaints").exists()
    pdf = files.path_of(letter.pdf_stored, area="complaints")
    assert pdf.exists()

    dry = purge.run(dry_run=True, codes=["complaints.closed"],
                    today=datetime.date(2026, 12, 7))
    assert dry.report[0]["count"] == 1
    assert Complaint.objects.get(pk=old.pk).customer_account != "—"

    with django_capture_on_commit_callbacks(execute=True):  # the files go after the commit
        done = purge.run(dry_run=False, codes=["complaints.closed"],
                         today=datetime.date(2026, 12, 7))
    assert done.report[0]["purged"] == 1
    old.refresh_from_db()
    assert (old.customer_account, old.employee_opinion) == ("—", "")
    assert old.number and old.kind == "consumer_goods" and old.status == "closed"
    assert not ComplaintAttachment.objects.filter(complaint=old).exists()
    assert not files.path_of(photo.stored, area="complaints").exists()
    letter.refresh_from_db()
    assert (letter.body, letter.pdf_stored) == ("—", "") and not pdf.exists()
    assert not old.events.exclude(note="").exists()
    # closed in 2020: kept until the end of 2026
    assert Complaint.objects.get(pk=recent.pk).customer_account != "—"
    again = purge.run(dry_run=False, codes=["complaints.closed"],
                      today=datetime.date(2026, 12, 7))
    assert again.report[0]["count"] == 0


def test_an_open_complaint_is_never_purged(world: Any) -> None:
    c = complaint(world)
    Complaint.objects.filter(pk=c.pk).update(
        received_at=datetime.datetime(2015, 1, 5, tzinfo=datetime.UTC))
    done = purge.run(dry_run=False, codes=["complaints.closed"],
                     today=datetime.date(2026, 12, 7))
    assert done.report[0]["count"] == 0
    assert Complaint.objects.get(pk=c.pk).customer_account != "—"
