"""Two employees answering the same offer at once (C10): one answer counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from punkt.contracts import services
from punkt.contracts.models import OfferStatus
from punkt.core.errors import DomainError
from punkt.customers.models import TimelineEntry
from punkt.organization.tests.test_concurrency import _race
from tests.world import make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite serialises writers; row locks need PostgreSQL"),
]


def test_two_answers_at_once_one_wins(settings: Any, tmp_path: Any) -> None:
    from punkt.contracts.tests.test_offers import customer, publish

    settings.VAR_DIR = tmp_path
    w = make_world()
    prices = publish(w)
    offer = services.offer_create(actor=w.service_a, customer_id=customer(w).pk,
                                  lines=[{"price_item_id": prices.items.first().pk}])
    answers = iter([True, False, True, False])
    results = _race(4, lambda: services.offer_decide(
        actor=w.manager_a, offer_id=offer.pk, accepted=next(answers), reason="za drogo"))
    assert len([r for r in results if isinstance(r, DomainError)]) == 3
    offer.refresh_from_db()
    assert offer.status in (OfferStatus.ACCEPTED, OfferStatus.DECLINED)
    assert TimelineEntry.objects.filter(customer_id=offer.customer_id, kind="offer").count() == 2


def test_two_managers_approving_at_once_one_wins(settings: Any, tmp_path: Any) -> None:
    from punkt.contracts import services
    from punkt.contracts.models import Contract, ContractEvent, ContractStatus
    from punkt.contracts.tests.factories import prepared
    from punkt.core.roles import Role
    from tests.world import make_user

    settings.VAR_DIR = tmp_path
    w = make_world()
    deputy = make_user("zastepca.a@test.pl", Role.MANAGER, w.a)
    c = prepared(w)
    services.contract_sign(actor=w.service_a, contract_id=c.pk)
    services.batch_collect(actor=w.manager_a, branch_id=w.a.pk)
    managers = iter([w.manager_a, deputy, w.manager_a, deputy])
    results = _race(4, lambda: services.contract_review(
        actor=next(managers), contract_id=c.pk, approve=True,
        signatures=["Klient", "Pracownik"]))
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 3 and all("zatwierdzona" in r.message or "approved" in r.message
                                     for r in refused)
    assert Contract.objects.get(pk=c.pk).status == ContractStatus.APPROVED
    assert ContractEvent.objects.filter(contract=c, action="approve").count() == 1
    assert TimelineEntry.objects.filter(customer_id=c.customer_id, kind="contract",
                                        subject__contains="zatwierdzona").count() == 1


def test_two_workers_rendering_one_revision_keep_one_file(settings: Any, tmp_path: Any) -> None:
    from punkt.contracts import services
    from punkt.contracts.tests.factories import prepared

    settings.VAR_DIR = tmp_path
    w = make_world()
    c = prepared(w, render=False)
    results = _race(2, lambda: services.store_pdf(contract_id=c.pk, revision=1))
    assert sorted(results) == [False, True]
    assert len(list((tmp_path / "contracts").glob("*.pdf"))) == 1


def test_end_jobs_and_a_termination_at_once_count_each_contract_once(
        settings: Any, tmp_path: Any) -> None:
    """Two daily jobs (skip_locked batches) and the manager terminating at once: every
    contract ends once, one event each, the customer of two contracts leaves once, and
    the kept figures (concurrent upserts) equal the rebuild (C9, C10)."""
    import datetime

    from django.utils import timezone

    from punkt.contracts import figures
    from punkt.contracts.models import Contract, ContractEvent, ContractStatus
    from punkt.contracts.tests.factories import customer
    from punkt.contracts.tests.test_ending import active

    settings.VAR_DIR = tmp_path
    w = make_world()
    shared = customer(w)
    contracts = [active(w, cust=shared), active(w, cust=shared)] + [active(w) for _ in range(4)]
    victim = contracts[-1]
    day = max(c.ends_on for c in contracts) + datetime.timedelta(days=1)
    today = timezone.localdate()
    jobs = iter([lambda: services.contracts_end_due(today=day, batch_size=2),
                 lambda: services.contracts_end_due(today=day, batch_size=2),
                 lambda: services.contract_terminate(
                     actor=w.manager_a, contract_id=victim.pk, reason="wyjazd",
                     terminated_on=today)])
    _race(3, lambda: next(jobs)())
    states = dict(Contract.objects.values_list("pk", "status"))
    assert set(states.values()) <= {ContractStatus.ENDED, ContractStatus.TERMINATED}
    assert ContractEvent.objects.filter(action__in=("end", "terminate")).count() == 6
    assert Contract.objects.filter(customer=shared).exclude(left_on=None).count() == 1
    assert figures.stored() == figures.expected()
