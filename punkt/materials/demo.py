"""Demo materials: a price list, a contract template and a promotional leaflet, published
to every branch by the demo HQ expert; Kraków has already opened the price list."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from punkt.core.demo import seeder
from punkt.materials import services
from punkt.materials.models import Material
from punkt.organization.actors import Actor
from punkt.organization.models import Employee

PRICE_LIST = """kod;nazwa;cena brutto;VAT
INT-300;Internet światłowodowy 300 Mb/s;59,99;23%
INT-600;Internet światłowodowy 600 Mb/s;69,99;23%
TV-START;Telewizja Start (80 kanałów);39,99;8%
MOB-S;Abonament komórkowy S;29,99;23%
"""
TEMPLATE = """UMOWA O ŚWIADCZENIE USŁUG TELEKOMUNIKACYJNYCH nr {{ numer }}
zawarta w dniu {{ data }} w miejscowości {{ miejscowość }} pomiędzy Punkt S.A.
a {{ klient }}, PESEL/NIP {{ identyfikator }}, adres: {{ adres }}.
§1. Przedmiot umowy: {{ pozycje }}.
§2. Łączna opłata miesięczna: {{ razem }}.
Umowa zawarta na {{ okres }} miesięcy, do {{ data_konca }}.
§3. Umowę przygotował(a): {{ pracownik }}, oddział {{ oddział }}.
[[podpis: Klient]] [[podpis: Pracownik Punkt S.A.]]
"""


def _pdf(text: str) -> bytes:
    """A one-page PDF with one line of text (ASCII), enough for a demo leaflet."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
               b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


@seeder(30)
def seed_materials(actor: Actor) -> list[str]:
    if Material.objects.exists():
        return []
    expert = Employee.objects.filter(email="ekspert@demo.punkt.pl").first() or actor
    today = timezone.localdate()
    made = []
    for kind, title, name, data, note in (
        ("price_list", "Cennik usług — zima 2026/27", "cennik-zima-2026.csv",
         PRICE_LIST.encode(), "Nowe ceny internetu 600 Mb/s"),
        ("contract_template", "Umowa o świadczenie usług (wzór)", "wzor-umowy.txt",
         TEMPLATE.encode(), ""),
        ("promo", "Ulotka: światłowód w promocji", "ulotka-swiatlowod.pdf",
         _pdf("Swiatlowod 600 Mb/s - 3 miesiace za 1 zl"), "Promocja do końca stycznia"),
    ):
        material = services.material_create(actor=expert, kind=kind, title=title)
        version = services.version_create(
            actor=expert, material_id=material.pk, uploaded=SimpleUploadedFile(name, data),
            valid_from=today - datetime.timedelta(days=3), note=note)
        services.version_publish(actor=expert, version_id=version.pk)
        made.append(version)
    opener = Employee.objects.filter(email="obsluga@demo.punkt.pl").first()
    if opener is not None:
        services.version_opened(user=opener, version_id=made[0].pk)
    return [f"{len(made)} HQ materials published to every branch"]
