"""The end of a contract: "ended" at the end of its term (the daily job, batched and
idempotent, C9), "terminated" early by the manager with a reason and a date; who left
(churn) decided once per customer; the monthly figures kept in step with every change
equal the figures rebuilt from the contracts."""

from __future__ import annotations

import datetime
import random
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from punkt.contracts import figures, services
from punkt.contracts.models import Contract, ContractEvent, ContractStatus, MonthlyFigures
from punkt.contracts.tests import factories as f
from punkt.core.errors import ActionDenied, Conflict, ValidationFailed
from punkt.core.models import AuditEvent
from punkt.customers.models import TimelineEntry

S = ContractStatus
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _today() -> None:
    """Today as the test runs, not as the module was imported: a run may cross midnight."""
    global TODAY
    TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _env(settings: Any, tmp_path: Any) -> Any:
    settings.VAR_DIR = tmp_path
    with translation.override("en"):
        yield


def active(world: Any, *, cust: Any = None, renews: Contract | None = None) -> Contract:
    c = f.prepared(world, cust=cust)
    if renews is not None:
        Contract.objects.filter(pk=c.pk).update(renews=renews)
    services.contract_sign(actor=world.service_a, contract_id=c.pk)
    services.batch_collect(actor=world.manager_a, branch_id=c.branch_id)
    services.contract_review(actor=world.manager_a, contract_id=c.pk, approve=True,
                             signatures=["Klient", "Pracownik"])
    services.contract_finalise(actor=world.expert, contract_id=c.pk, approve=True)
    return Contract.objects.get(pk=c.pk)


def after_term(c: Contract, days: int = 1) -> datetime.date:
    return c.ends_on + datetime.timedelta(days=days)


def assert_figures_match() -> None:
    kept, want = figures.stored(), figures.expected()
    wrong = {k: (kept.get(k), want.get(k)) for k in kept.keys() | want.keys()
             if kept.get(k) != want.get(k)}
    assert not wrong, repr(wrong)


def test_the_manager_terminates_with_a_reason_and_a_date(world: Any) -> None:
    c = active(world)
    with pytest.raises(ActionDenied):  # the employee may not, nor another branch
        services.contract_terminate(actor=world.service_a, contract_id=c.pk,
                                    reason="klient rezygnuje", terminated_on=TODAY)
    with pytest.raises(ActionDenied):
        services.contract_terminate(actor=world.manager_b, contract_id=c.pk,
                                    reason="klient rezygnuje", terminated_on=TODAY)
    for reason, day, field in [
            ("", TODAY, "reason"), ("x", None, "terminated_on"), ("x", "1.02.2026",
                                                                  "terminated_on"),
            ("x", TODAY + datetime.timedelta(days=1), "terminated_on"),
            ("x", TODAY - datetime.timedelta(days=1), "terminated_on")]:  # before active
        with pytest.raises(ValidationFailed) as exc:
            services.contract_terminate(actor=world.manager_a, contract_id=c.pk,
                                        reason=reason, terminated_on=day)
        assert exc.value.field == field
    assert Contract.objects.get(pk=c.pk).status == S.ACTIVE  # nothing half-written
    done = services.contract_terminate(actor=world.manager_a, contract_id=c.pk,
                                       reason="Przeprowadzka za granicę",
                                       terminated_on=TODAY.isoformat())
    c.refresh_from_db()
    assert (c.status, c.terminated_on, c.left_on) == (S.TERMINATED, TODAY, TODAY)
    assert done.reasons == "Przeprowadzka za granicę"
    event = ContractEvent.objects.filter(contract=c).last()
    assert event is not None
    assert (event.action, event.from_status, event.to_status) == ("terminate", "active",
                                                                  "terminated")
    assert AuditEvent.objects.filter(action="contracts.contract.terminate").count() == 1
    assert TimelineEntry.objects.filter(subject__contains="terminated early").count() == 1
    with pytest.raises(Conflict):  # once
        services.contract_terminate(actor=world.manager_a, contract_id=c.pk, reason="x",
                                    terminated_on=TODAY)
    assert_figures_match()


def test_the_daily_job_ends_contracts_in_batches_once(world: Any) -> None:
    """C9: a second run ends nothing twice."""
    contracts = [active(world) for _ in range(3)]
    day = after_term(contracts[0])
    assert services.contracts_end_due(today=contracts[0].ends_on) == 0  # last day in force
    assert services.contracts_end_due(today=day, batch_size=2) == 3
    assert services.contracts_end_due(today=day, batch_size=2) == 0
    assert set(Contract.objects.values_list("status", flat=True)) == {S.ENDED}
    assert ContractEvent.objects.filter(action="end").count() == 3
    assert AuditEvent.objects.filter(action="contracts.contract.end").count() == 3
    for c in Contract.objects.all():
        assert c.left_on == c.ends_on  # each customer had this one contract
    assert_figures_match()
    (row,) = MonthlyFigures.objects.filter(month=contracts[0].ends_on.replace(day=1))
    assert (row.ended, row.left) == (3, 3)


def test_a_customer_leaves_once_and_a_renewal_keeps_them(world: Any) -> None:
    cust = f.customer(world)
    first, second = active(world, cust=cust), active(world, cust=cust)
    kept = active(world)
    renewal = f.prepared(world, cust=kept.customer)
    Contract.objects.filter(pk=renewal.pk).update(renews=kept)
    services.contracts_end_due(today=after_term(first))
    for c in (first, second, kept):
        c.refresh_from_db()
    # Two contracts of one customer: the customer left once; the renewed one stays.
    assert sorted([first.left_on is None, second.left_on is None]) == [False, True]
    assert kept.status == S.ENDED and kept.left_on is None
    # The renewal is cancelled after the end: the customer left after all, today.
    services.contract_cancel(actor=world.service_a, contract_id=renewal.pk,
                             reason="klient się rozmyślił")
    kept.refresh_from_db()
    assert kept.left_on == TODAY
    assert_figures_match()


def test_terminating_one_of_two_contracts_is_not_leaving(world: Any) -> None:
    cust = f.customer(world)
    one, other = active(world, cust=cust), active(world, cust=cust)
    services.contract_terminate(actor=world.manager_a, contract_id=one.pk, reason="x",
                                terminated_on=TODAY)
    assert Contract.objects.get(pk=one.pk).left_on is None
    services.contract_terminate(actor=world.manager_a, contract_id=other.pk, reason="y",
                                terminated_on=TODAY)
    assert Contract.objects.get(pk=other.pk).left_on == TODAY
    assert_figures_match()


def test_the_end_is_a_job_step_not_an_employees(world: Any) -> None:
    from punkt.contracts.workflows import CONTRACT_FLOW

    c = active(world)
    assert "end" not in CONTRACT_FLOW.allowed_actions(c, world.admin)
    assert "terminate" in CONTRACT_FLOW.allowed_actions(c, world.manager_a)
    assert "terminate" not in CONTRACT_FLOW.allowed_actions(c, world.expert)


def _random_walk(world: Any, rng: random.Random, steps: int) -> None:
    """Random steps on a few contracts, from every state, on random days."""
    contracts: list[int] = []
    for _ in range(steps):
        live = list(Contract.objects.filter(pk__in=contracts))
        c = rng.choice(live) if live and rng.random() < 0.8 else None
        if c is None:
            renews = rng.choice(live) if live and rng.random() < 0.3 else None
            new = f.prepared(world, cust=renews.customer if renews else None)
            if renews is not None:
                Contract.objects.filter(pk=new.pk).update(renews=renews)
            contracts.append(new.pk)
            continue
        action = rng.choice(["sign", "submit", "approve", "return", "fix", "finalise",
                             "reject", "cancel", "terminate", "end"])
        try:
            if action == "sign":
                services.contract_sign(actor=world.service_a, contract_id=c.pk)
            elif action == "submit":
                services.batch_collect(actor=world.manager_a, branch_id=c.branch_id)
            elif action in ("approve", "return"):
                services.contract_review(actor=world.manager_a, contract_id=c.pk,
                                         approve=action == "approve",
                                         signatures=["Klient", "Pracownik"], note="popraw")
            elif action == "fix":
                services.contract_fix(actor=world.service_a, contract_id=c.pk)
                services.store_pdf(contract_id=c.pk, revision=c.revision + 1)
            elif action in ("finalise", "reject"):
                services.contract_finalise(actor=world.expert, contract_id=c.pk,
                                           approve=action == "finalise", reason="powód")
            elif action == "cancel":
                services.contract_cancel(actor=world.service_a, contract_id=c.pk,
                                         reason="rezygnacja")
            elif action == "terminate":
                services.contract_terminate(actor=world.manager_a, contract_id=c.pk,
                                            reason="wypowiedzenie", terminated_on=TODAY)
            else:
                services.contracts_end_due(today=c.ends_on + datetime.timedelta(
                    days=rng.randint(-3, 3)))
        except (Conflict, ValidationFailed):
            pass  # a step its state does not allow: refused, nothing changed


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_figures_after_random_steps_equal_the_rebuild(world: Any, seed: int) -> None:
    _random_walk(world, random.Random(seed), 45)
    kept = figures.stored()
    assert kept == figures.expected()
    assert figures.rebuild() == len(kept)
    assert figures.stored() == kept
    call_command("rebuild_contract_figures", "--check")


def test_rebuild_repairs_figures_lost_by_a_restore(world: Any) -> None:
    active(world)
    MonthlyFigures.objects.all().delete()
    with pytest.raises(SystemExit):
        call_command("rebuild_contract_figures", "--check")
    call_command("rebuild_contract_figures")
    assert_figures_match()
    (row,) = MonthlyFigures.objects.all()
    assert (row.state_active, row.started, row.signed, row.activated) == (1, 1, 1, 1)


def test_the_terminate_page_and_the_api(world: Any, client_as: Any) -> None:
    import json

    from django.urls import reverse

    c = active(world)
    url = reverse("contracts:contract_terminate", args=[c.pk])
    assert client_as(world.service_a).get(url).status_code == 403
    assert client_as(world.manager_b).get(url).status_code == 404
    manager = client_as(world.manager_a)
    detail = manager.get(reverse("contracts:contract_detail", args=[c.pk])).content.decode()
    assert 'data-testid="terminate-link"' in detail
    page = manager.get(url)
    assert page.status_code == 200 and 'data-testid="terminate-form"' in page.content.decode()
    refused = manager.post(url, {"reason": "", "terminated_on": TODAY.isoformat()})
    assert refused.status_code == 422
    assert "Podaj, dlaczego umowa jest wypowiadana" in refused.content.decode()
    assert Contract.objects.get(pk=c.pk).status == S.ACTIVE
    done = manager.post(url, {"reason": "Wyjazd", "terminated_on": TODAY.isoformat()})
    assert done.status_code == 302
    assert Contract.objects.get(pk=c.pk).status == S.TERMINATED
    assert manager.get(url).status_code == 409  # once
    # The API: the same step, the date named when it is missing.
    other = active(world)
    api = client_as(world.manager_a)
    path = f"/api/v1/contracts/{other.pk}/actions"
    missing = api.post(path, json.dumps({"action": "terminate", "reason": "x"}),
                       content_type="application/json")
    assert missing.status_code == 422 and missing.json()["field"] == "terminated_on"
    ok = api.post(path, json.dumps({"action": "terminate", "reason": "x",
                                    "terminated_on": TODAY.isoformat()}),
                  content_type="application/json")
    assert ok.status_code == 200, ok.content
    body = ok.json()
    assert (body["status"], body["terminated_on"], body["left_on"]) == (
        "terminated", TODAY.isoformat(), TODAY.isoformat())
    assert_figures_match()
