"""The register of processing activities (GDPR art. 30(1)), built from the declarations
each area makes with :func:`punkt.core.processing.activity`, as a page, CSV and PDF."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from punkt.core.pdf import render_pdf
from punkt.core.processing import ACTIVITIES, Activity

#: The register's columns: attribute, heading (art. 30(1)(a)–(g)).
COLUMNS: list[tuple[str, Any]] = [
    ("name", gettext_lazy("Processing activity")),
    ("purpose", gettext_lazy("Purpose")),
    ("legal_basis", gettext_lazy("Legal basis")),
    ("subjects", gettext_lazy("Categories of data subjects")),
    ("data", gettext_lazy("Categories of personal data")),
    ("recipients", gettext_lazy("Recipients")),
    ("retention", gettext_lazy("Retention period")),
    ("measures", gettext_lazy("Security measures")),
]


def activities() -> list[Activity]:
    from django.apps import apps

    order = {c.name.split(".")[-1]: i for i, c in enumerate(apps.get_app_configs())}
    return sorted(ACTIVITIES.values(), key=lambda a: (order.get(a.area, 999), a.code))


def rows() -> list[list[str]]:
    return [[a.code, *[str(getattr(a, attr)) for attr, _label in COLUMNS]]
            for a in activities()]


def header() -> list[str]:
    return [_("Code"), *[str(label) for _attr, label in COLUMNS]]


def controller() -> dict[str, str]:
    return {"name": settings.PUNKT_SELLER_NAME or _("(set PUNKT_SELLER_NAME)"),
            "nip": settings.PUNKT_SELLER_NIP}


def pdf() -> bytes:
    html = render_to_string("privacy/register_pdf.html", {
        "activities": activities(), "columns": COLUMNS, "controller": controller(),
        "today": timezone.localdate()})
    return render_pdf(html, extra_css="@page { size: A4 landscape; margin: 12mm; }")
