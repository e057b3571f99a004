"""The leaflet PDF for real (poppler's pdftotext and pdfinfo) and the print order's
e-mail through SMTP with the PDF attached."""

from __future__ import annotations

import re
import subprocess
import tempfile
from typing import Any

import pytest

from punkt.campaigns import documents, services
from punkt.campaigns.models import MailStatus, PrintOrderMail
from punkt.campaigns.tests import factories as f

pytestmark = pytest.mark.django_db

MM = 72 / 25.4


def pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


def boxes(data: bytes) -> dict[str, list[float]]:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(data)
        tmp.flush()
        out = subprocess.run(["pdfinfo", "-box", tmp.name], capture_output=True, check=True,
                             text=True).stdout
    found = {}
    for line in out.splitlines():
        m = re.match(r"^(\w+Box):\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)", line)
        if m:
            found[m.group(1)] = [float(m.group(i)) for i in range(2, 6)]
    pages = re.search(r"^Pages:\s+(\d+)", out, re.M)
    found["pages"] = [float(pages.group(1))] if pages else [0.0]
    return found


def test_the_leaflet_prints_branch_offer_prices_and_code(world: Any) -> None:
    world.a.street, world.a.postal_code, world.a.city, world.a.phone = (
        "ul. Długa 5", "31-147", "Kraków", "+48 12 345 67 89")
    world.a.save()
    lf = f.leaflet(world, f.campaign(world, code="JESIEN-24"))
    text = pdf_text(documents.leaflet_pdf(lf))
    for needle in ("Ulotka jesienna", "Zapraszamy do salonu po jesienne nowości!",
                   "Oddział A", "ul. Długa 5, 31-147 Kraków", "+48 12 345 67 89",
                   "Router Wi-Fi 6", "199,00 zł", "Pakiet TV Komfort", "49,99 zł",
                   "JESIEN-24", "Twój kod kampanii"):
        assert needle in text, needle
    html = documents.leaflet_html(lf)
    assert html.count("<svg") == 1 and "<path" in html  # the QR code, drawn inline


def test_the_leaflet_is_a5_with_3mm_bleed_and_crop_marks(world: Any) -> None:
    data = documents.leaflet_pdf(f.leaflet(world))
    found = boxes(data)
    assert found["pages"] == [1.0]
    x0, y0, x1, y1 = found["TrimBox"]
    assert round((x1 - x0) / MM) == 148 and round((y1 - y0) / MM) == 210
    bx0, by0, bx1, by1 = found["BleedBox"]
    assert round((x0 - bx0) / MM, 1) == 3.0 and round((by1 - y1) / MM, 1) == 3.0
    assert found["MediaBox"][2] - found["MediaBox"][0] >= bx1 - bx0


def test_values_are_escaped_in_the_leaflet(world: Any) -> None:
    lf = f.leaflet(world)
    lf.title = "<img src=http://evil.example/x.png>"
    assert "<img" not in documents.leaflet_html(lf)


def test_the_order_goes_to_the_shop_by_smtp_with_the_pdf(world: Any, settings: Any,
                                                         django_capture_on_commit_callbacks: Any
                                                         ) -> None:
    from punkt.core.testing import smtp_sink

    order = f.print_order(world, quantity=2500, lf=f.leaflet(world, f.campaign(
        world, budget="1000,00")))
    queued = PrintOrderMail.objects.get(order=order)
    assert queued.status == MailStatus.QUEUED
    with smtp_sink(settings) as sink:
        assert services.send_now(queued.pk) == MailStatus.SENT
        assert services.send_now(queued.pk) == MailStatus.SENT  # not sent twice
    assert len(sink.messages) == 1
    message = sink.messages[0]
    assert message["To"] == "zamowienia@drukarnia.example.pl"
    assert order.number in message["Subject"] and "2500" in message["Subject"]
    body = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    text = body.get_payload(decode=True).decode()
    assert "380,00" in text and "Oddział A" in text
    pdf = next(p for p in message.walk() if p.get_content_type() == "application/pdf")
    assert pdf.get_filename().startswith("ulotka-") and pdf.get_filename().endswith(".pdf")
    assert order.campaign.code in pdf_text(pdf.get_payload(decode=True))
    queued.refresh_from_db()
    assert queued.status == MailStatus.SENT and queued.sent_at is not None


def test_a_failed_send_is_tried_again(world: Any, settings: Any) -> None:
    import datetime

    from django.utils import timezone

    from punkt.core.testing import free_port, smtp_sink

    order = f.print_order(world)
    queued = PrintOrderMail.objects.get(order=order)
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": free_port()}}}
    assert services.send_now(queued.pk) == MailStatus.FAILED
    with smtp_sink(settings) as sink:
        assert services.resend(now=timezone.now() + datetime.timedelta(minutes=6)) == {
            "sent": 1}
    assert len(sink.messages) == 1
