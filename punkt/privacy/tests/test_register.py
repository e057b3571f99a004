"""The register of processing activities (GDPR art. 30): every area declares its
activities; the page, CSV and PDF show each declaration in full."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from punkt.core.processing import ACTIVITIES
from punkt.privacy import register

pytestmark = pytest.mark.django_db

#: Areas that hold personal data and so must declare at least one activity.
MUST_DECLARE = {"organization", "customers", "contracts", "cashdesk", "retention",
                "messaging", "sales", "privacy", "servicedesk", "webform",
                "complaints", "pipeline", "surveys"}


def test_every_area_with_personal_data_declares_its_processing() -> None:
    assert {a.area for a in ACTIVITIES.values()} >= MUST_DECLARE
    for a in ACTIVITIES.values():
        for attr, _label in register.COLUMNS:
            assert str(getattr(a, attr)).strip(), f"{a.code}: {attr} is empty"


def test_page_csv_and_pdf(world: Any, client_as: Any) -> None:
    c = client_as(world.expert)
    page = c.get(reverse("privacy:register"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Rejestr czynności przetwarzania" in text and "customers.records" in text
    csv = b"".join(c.get(reverse("privacy:register_csv")).streaming_content).decode()
    lines = csv.strip().splitlines()
    assert len(lines) == len(ACTIVITIES) + 1 and "Cel" in lines[0]
    pdf = c.get(reverse("privacy:register_pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    for user in (world.manager_a, world.cashier_a):
        assert client_as(user).get(reverse("privacy:register")).status_code == 403
        assert client_as(user).get(reverse("privacy:register_csv")).status_code == 403
