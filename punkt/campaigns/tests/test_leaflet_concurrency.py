"""Races on PostgreSQL (C10): the manager approving and another returning the same local
leaflet at once — one wins, the other is refused and changes nothing; approving while the
uploader replaces a returned leaflet cannot approve the old file."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from punkt.campaigns.models import Leaflet, LeafletStatus
from punkt.campaigns.services import leaflets as svc
from punkt.campaigns.tests import factories as f
from punkt.core.errors import DomainError
from punkt.core.models import AuditEvent
from punkt.organization.tests.test_concurrency import _race
from tests.world import make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite serialises writers; row locks need PostgreSQL"),
]

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def _own_files(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path


def _uploaded(w: Any) -> Leaflet:
    camp = f.campaign(w)
    return svc.leaflet_upload(actor=w.service_a, campaign_id=camp.pk, branch_id=w.a.pk,
                              title="Ulotka osiedlowa", code=camp.code,
                              pdf=SimpleUploadedFile("u.pdf", PDF))


def test_approve_and_return_at_once_one_wins() -> None:
    w = make_world()
    lf = _uploaded(w)
    steps = iter([(w.manager_a, "approve"), (w.admin, "return")])

    def decide() -> Leaflet:
        actor, action = next(steps)
        return svc.leaflet_move(actor=actor, leaflet_id=lf.pk, action=action,
                                reason="Zły kod")

    results = _race(2, decide)
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1 and refused[0].status == 409
    after = Leaflet.objects.get(pk=lf.pk)
    assert after.status in (LeafletStatus.APPROVED, LeafletStatus.RETURNED)
    assert (after.return_reason == "Zły kod") == (after.status == LeafletStatus.RETURNED)
    assert AuditEvent.objects.filter(action__in=("campaigns.leaflet.approve",
                                                 "campaigns.leaflet.return")).count() == 1


def test_two_approvals_at_once_record_one() -> None:
    w = make_world()
    lf = _uploaded(w)
    actors = iter([w.manager_a, w.admin])
    results = _race(2, lambda: svc.leaflet_move(actor=next(actors), leaflet_id=lf.pk,
                                                action="approve"))
    assert len([r for r in results if isinstance(r, DomainError)]) == 1
    assert AuditEvent.objects.filter(action="campaigns.leaflet.approve").count() == 1
