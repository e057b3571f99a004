"""The contract's life: prepared from the template in force, signed, the manager's batch
and check, HQ's finalisation; no step skipped or done twice; four eyes (C11)."""

from __future__ import annotations

import datetime
import subprocess
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from punkt.contracts import documents, services
from punkt.contracts.models import Contract, ContractBatch, ContractEvent, ContractStatus
from punkt.contracts.tests import factories as f
from punkt.contracts.workflows import CONTRACT_FLOW
from punkt.core import files
from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed
from punkt.core.models import AuditEvent
from punkt.customers.models import TimelineEntry
from punkt.materials import services as materials
from punkt.organization.permissions import SystemActor

S = ContractStatus


@pytest.fixture(autouse=True)
def _files(settings: Any, tmp_path: Any) -> Any:
    settings.VAR_DIR = tmp_path
    with translation.override("en"):
        yield


def pdf_text(contract: Contract) -> str:
    path = files.path_of(contract.pdf_stored, area=documents.AREA)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def signed(world: Any, **kw: Any) -> Contract:
    c = f.prepared(world, **kw)
    return services.contract_sign(actor=world.service_a, contract_id=c.pk)


def test_the_whole_path_with_a_return(world: Any) -> None:
    c = f.prepared(world, render=False)
    assert c.status == S.PREPARED and c.number.startswith("U") and not c.pdf_ready
    assert c.ends_on == documents.end_of_term(c.starts_on, 24)
    # The PDF is rendered by the queued task, for this revision.
    task = DBTaskResult.objects.get(task_path__endswith="render_contract_pdf")
    assert task.args_kwargs["args"] == [c.pk, 1]
    with pytest.raises(Conflict) as exc:  # nothing to print yet: cannot be signed
        services.contract_sign(actor=world.service_a, contract_id=c.pk)
    assert exc.value.code == "pdf_not_ready"
    assert services.store_pdf(contract_id=c.pk, revision=1)
    assert not services.store_pdf(contract_id=c.pk, revision=1)  # a retry does nothing
    c.refresh_from_db()
    text = pdf_text(c)
    assert c.number in text and "Zofia Żółkiewska" in text and "Internet 300" in text
    assert "308,99 zł" in text and "Kraków" in text

    services.contract_sign(actor=world.service_a, contract_id=c.pk)
    batch = services.batch_collect(actor=world.manager_a, branch_id=world.a.pk)
    assert batch is not None and batch.size == 1
    assert services.batch_collect(actor=world.manager_a, branch_id=world.a.pk) is None
    services.contract_review(actor=world.manager_a, contract_id=c.pk, approve=False,
                             problems=["Brak podpisu"], note="Podpis klienta na str. 2")
    c.refresh_from_db()
    assert c.status == S.RETURNED and "Brak podpisu" in c.reasons

    services.contract_fix(actor=world.service_a, contract_id=c.pk, term_months=12)
    c.refresh_from_db()
    assert (c.status, c.revision, c.term_months, c.reasons) == (S.PREPARED, 2, 12, "")
    assert not c.pdf_ready  # the old document may not be signed again
    services.store_pdf(contract_id=c.pk, revision=2)
    services.contract_sign(actor=world.service_a, contract_id=c.pk)
    services.batch_collect(actor=world.manager_a, branch_id=world.a.pk)
    services.contract_review(actor=world.manager_a, contract_id=c.pk, approve=True,
                             signatures=["Klient", "Pracownik"])
    services.contract_finalise(actor=world.expert, contract_id=c.pk, approve=True)
    c.refresh_from_db()
    assert c.status == S.ACTIVE and c.finalised_by == world.expert
    assert c.ends_on == documents.end_of_term(c.starts_on, 12)
    assert [e.action for e in c.events.all()] == [
        "prepare", "sign", "submit", "return", "fix", "sign", "submit", "approve", "finalise"]
    assert TimelineEntry.objects.filter(customer_id=c.customer_id, kind="contract").count() == 9
    assert AuditEvent.objects.filter(action="contracts.contract.approve").count() == 1
    assert CONTRACT_FLOW.allowed_actions(c, world.expert) == []


def test_no_step_is_skipped_or_done_twice(world: Any) -> None:
    c = signed(world)
    with pytest.raises(Conflict):
        services.contract_sign(actor=world.service_a, contract_id=c.pk)
    with pytest.raises(Conflict):  # not yet handed to the manager
        services.contract_review(actor=world.manager_a, contract_id=c.pk, approve=True,
                                 signatures=["Klient", "Pracownik"])
    with pytest.raises(Conflict):
        services.contract_finalise(actor=world.expert, contract_id=c.pk, approve=True)
    services.batch_collect(actor=world.manager_a, branch_id=world.a.pk)
    services.contract_review(actor=world.manager_a, contract_id=c.pk, approve=True,
                             signatures=["Klient", "Pracownik"])
    with pytest.raises(Conflict) as exc:
        services.contract_review(actor=world.manager_a, contract_id=c.pk, approve=True,
                                 signatures=["Klient", "Pracownik"])
    assert "approved" in exc.value.message
    with pytest.raises(Conflict):  # approved contracts are no longer cancelled at the branch
        services.contract_cancel(actor=world.service_a, contract_id=c.pk, reason="rezygnacja")
    assert ContractEvent.objects.filter(contract=c, action="approve").count() == 1


def test_roles_and_branches(world: Any) -> None:
    c = signed(world)
    services.batch_collect(actor=world.manager_a, branch_id=world.a.pk)
    for actor in (world.service_a, world.cashier_a, world.manager_b, world.expert):
        with pytest.raises(ActionDenied):
            services.contract_review(actor=actor, contract_id=c.pk, approve=True,
                                     signatures=["Klient", "Pracownik"])
    with pytest.raises(ActionDenied):
        services.batch_collect(actor=world.manager_b, branch_id=world.a.pk)
    services.contract_review(actor=world.manager_a, contract_id=c.pk, approve=True,
                             signatures=["Klient", "Pracownik"])
    for actor in (world.manager_a, world.service_a, world.admin):
        with pytest.raises(ActionDenied):
            services.contract_finalise(actor=actor, contract_id=c.pk, approve=True)
    with pytest.raises(ValidationFailed) as exc:
        services.contract_finalise(actor=world.expert, contract_id=c.pk, approve=False)
    assert exc.value.field == "reason"
    services.contract_finalise(actor=world.expert, contract_id=c.pk, approve=False,
                               reason="Brak zgody na cesję")
    c.refresh_from_db()
    assert c.status == S.REJECTED and c.reasons == "Brak zgody na cesję"
    with pytest.raises(ActionDenied):  # a cashier prepares no contract
        f.prepared(world, actor=world.cashier_a)


def test_the_author_cannot_approve_a_valuable_contract(world: Any, settings: Any) -> None:
    from punkt.core.roles import Role
    from tests.world import make_user

    settings.PUNKT_FOUR_EYES_THRESHOLD = "300.00"
    small = signed(world, actor=world.manager_a)  # 308.99 zł gross: above the threshold
    services.batch_collect(actor=world.manager_a, branch_id=world.a.pk)
    with pytest.raises(ActionDenied) as exc:
        services.contract_review(actor=world.manager_a, contract_id=small.pk, approve=True,
                                 signatures=["Klient", "Pracownik"])
    assert "another manager" in exc.value.message
    other = make_user("zastepca.a@test.pl", Role.MANAGER, world.a)
    services.contract_review(actor=other, contract_id=small.pk, approve=True,
                             signatures=["Klient", "Pracownik"])
    settings.PUNKT_FOUR_EYES_THRESHOLD = "1000.00"  # below it the author may approve
    own = f.prepared(world, actor=world.manager_a)
    services.contract_sign(actor=world.manager_a, contract_id=own.pk)
    services.batch_collect(actor=world.manager_a, branch_id=world.a.pk)
    services.contract_review(actor=world.manager_a, contract_id=own.pk, approve=True,
                             signatures=["Klient", "Pracownik"])


def test_the_manager_confirms_every_signature_and_gives_reasons(world: Any) -> None:
    c = signed(world)
    services.batch_collect(actor=world.manager_a, branch_id=world.a.pk)
    with pytest.raises(ValidationFailed) as exc:
        services.contract_review(actor=world.manager_a, contract_id=c.pk, approve=True,
                                 signatures=["Klient"])
    assert exc.value.field == "signatures" and "Pracownik" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        services.contract_review(actor=world.manager_a, contract_id=c.pk, approve=False)
    assert exc.value.field == "note"
    assert Contract.objects.get(pk=c.pk).status == S.IN_REVIEW


def test_preparing_names_the_problem(world: Any) -> None:
    prices, template = f.hq_materials(world)
    offer = f.accepted_offer(world, prices)
    cases: list[tuple[dict[str, Any], str]] = [
             ({"term_months": 0}, "term_months"), ({"term_months": "dwa lata"}, "term_months"),
             ({"term_months": 121}, "term_months"),
             ({"starts_on": timezone.localdate() - datetime.timedelta(days=1)}, "starts_on"),
             ({"starts_on": "31.12.2026"}, "starts_on"),
             ({"template_version_id": prices.pk}, "template"),
             ({"template_version_id": "x"}, "template")]
    for change, field in cases:
        args = {"template_version_id": template.pk, "term_months": 24} | change
        with pytest.raises(ValidationFailed) as exc:
            services.contract_prepare(actor=world.service_a, offer_id=offer.pk, **args)
        assert exc.value.field == field, change
    assert not Contract.objects.exists()
    # The template asks for the e-mail: a customer without one cannot get this contract.
    no_mail = f.accepted_offer(world, prices, cust=f.customer(world, email=""))
    with pytest.raises(ValidationFailed) as exc:
        services.contract_prepare(actor=world.service_a, offer_id=no_mail.pk,
                                  template_version_id=template.pk, term_months=24)
    assert exc.value.field == "customer" and "e-mail" in exc.value.message
    contract = services.contract_prepare(actor=world.service_a, offer_id=offer.pk,
                                         template_version_id=template.pk, term_months=24)
    with pytest.raises(Conflict) as conflict:
        services.contract_prepare(actor=world.service_a, offer_id=offer.pk,
                                  template_version_id=template.pk, term_months=24)
    assert conflict.value.code == "exists"
    assert Contract.objects.get() == contract


def test_superseded_template_or_price_list_cannot_be_used(world: Any) -> None:
    prices, template = f.hq_materials(world)
    offer = f.accepted_offer(world, prices)
    f.publish(world, "contract_template", f.TEMPLATE, "umowa2.txt",
              material_id=template.material_id)
    with pytest.raises(Conflict) as exc:
        services.contract_prepare(actor=world.service_a, offer_id=offer.pk,
                                  template_version_id=template.pk, term_months=24)
    assert exc.value.code == "superseded"
    f.publish(world, "price_list", f.PRICES.replace(b"59,99", b"54,99"), "cennik2.csv",
              material_id=prices.material_id)
    newest = template.material.versions.order_by("-number").first()
    assert newest is not None
    with pytest.raises(Conflict) as exc:
        services.contract_prepare(actor=world.service_a, offer_id=offer.pk,
                                  template_version_id=newest.pk, term_months=24)
    assert exc.value.code == "superseded" and exc.value.field == "offer"


def test_a_correction_takes_the_template_in_force(world: Any) -> None:
    c = signed(world)
    services.batch_collect(actor=world.manager_a, branch_id=world.a.pk)
    services.contract_review(actor=world.manager_a, contract_id=c.pk, approve=False,
                             note="zły adres")
    newer = f.publish(world, "contract_template", f.TEMPLATE, "umowa2.txt",
                      material_id=c.template.material_id)
    fixed = services.contract_fix(actor=world.service_a, contract_id=c.pk)
    assert fixed.template_id == newer.pk and fixed.revision == 2
    # The first revision's PDF task finding revision 2 does nothing.
    assert not services.store_pdf(contract_id=c.pk, revision=1)
    materials.version_withdraw(actor=world.expert, version_id=newer.pk, reason="błąd")
    assert services.store_pdf(contract_id=c.pk, revision=2)


def test_daily_batch_runs_once_per_branch(world: Any) -> None:
    first, second = signed(world), signed(world)
    f.prepared(world)  # prepared, not signed: stays with the employee
    assert services.collect_day(actor=SystemActor("scheduler")) == 1
    assert services.collect_day(actor=SystemActor("scheduler")) == 0
    batch = ContractBatch.objects.get()
    assert batch.size == 2 and batch.created_by is None
    assert set(batch.contracts.values_list("pk", flat=True)) == {first.pk, second.pk}
    event = ContractEvent.objects.get(contract=first, action="submit")
    assert event.actor is None and event.actor_label == "scheduler"


def test_nothing_escapes_a_rolled_back_preparation(world: Any) -> None:
    prices, template = f.hq_materials(world)
    offer = f.accepted_offer(world, prices)
    tasks_before = DBTaskResult.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.contract_prepare(actor=world.service_a, offer_id=offer.pk,
                                  template_version_id=template.pk, term_months=24)
        raise RuntimeError("after the enqueue")
    assert not Contract.objects.exists() and DBTaskResult.objects.count() == tasks_before


def test_scan_upload_checks_the_content(world: Any, tmp_path: Any,
                                        django_capture_on_commit_callbacks: Any) -> None:
    c = f.prepared(world)
    with pytest.raises(ValidationFailed) as exc:
        services.contract_sign(actor=world.service_a, contract_id=c.pk,
                               scan=SimpleUploadedFile("skan.pdf", b"MZ\x90\x00binary\x00"))
    assert exc.value.field == "file"
    with pytest.raises(ValidationFailed):  # text is not a scan
        services.contract_sign(actor=world.service_a, contract_id=c.pk,
                               scan=SimpleUploadedFile("skan.pdf", b"just text"))
    assert Contract.objects.get(pk=c.pk).status == S.PREPARED
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 64
    done = services.contract_sign(actor=world.service_a, contract_id=c.pk,
                                  scan=SimpleUploadedFile("../../podpisana umowa.jpg", jpeg))
    assert done.scan_name == "podpisana umowa.jpg" and done.scan_type == "image/jpeg"
    first = done.scan_stored
    with django_capture_on_commit_callbacks(execute=True):
        services.contract_attach_scan(
            actor=world.service_a, contract_id=c.pk,
            scan=SimpleUploadedFile("lepszy.pdf", b"%PDF-1.4\n%%EOF\n"))
    assert not files.path_of(first, area=documents.AREA).exists()  # replaced, not kept
    assert len(list((tmp_path / "contracts").glob("*"))) == 2  # the PDF and the new scan


def test_hostile_data_are_printed_as_typed(world: Any) -> None:
    cust = f.customer(world, first_name="<script>alert(1)</script>", last_name="{{7*7}}")
    c = f.prepared(world, cust=cust)
    text = pdf_text(c)
    assert "<script>alert(1)</script> {{7*7}}" in text and "49" not in text.split("Klient:")[1][:40]


def test_a_customer_moved_to_another_branch_needs_a_new_offer(world: Any) -> None:
    from punkt.customers.models import Customer

    prices, template = f.hq_materials(world)
    offer = f.accepted_offer(world, prices)
    Customer.objects.filter(pk=offer.customer_id).update(branch=world.b)
    with pytest.raises(Conflict) as exc:
        services.contract_prepare(actor=world.manager_a, offer_id=offer.pk,
                                  template_version_id=template.pk, term_months=24)
    assert exc.value.code == "branch_changed"


def test_missing_contract_is_not_found(world: Any) -> None:
    with pytest.raises(NotFound):
        services.contract_sign(actor=world.service_a, contract_id=999999)


def test_end_of_term() -> None:
    assert documents.end_of_term(datetime.date(2026, 12, 1), 24) == datetime.date(2028, 11, 30)
    assert documents.end_of_term(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert documents.end_of_term(datetime.date(2026, 1, 28), 1) == datetime.date(2026, 2, 27)
    assert documents.end_of_term(datetime.date(2028, 2, 29), 12) == datetime.date(2029, 2, 28)
    assert documents.money(Decimal("1234.5")) == "1\u00a0234,50\u00a0zł"


def test_four_eyes_counts_whoever_corrected_or_signed(world: Any, settings: Any) -> None:
    settings.PUNKT_FOUR_EYES_THRESHOLD = "300.00"
    c = signed(world)  # prepared and signed by the service employee: 308.99 zł
    services.batch_collect(actor=world.manager_a, branch_id=world.a.pk)
    services.contract_review(actor=world.manager_a, contract_id=c.pk, approve=False,
                             note="termin")
    services.contract_fix(actor=world.manager_a, contract_id=c.pk, term_months=120)
    services.store_pdf(contract_id=c.pk, revision=2)
    services.contract_sign(actor=world.manager_a, contract_id=c.pk)
    services.batch_collect(actor=world.manager_a, branch_id=world.a.pk)
    with pytest.raises(ActionDenied):
        services.contract_review(actor=world.manager_a, contract_id=c.pk, approve=True,
                                 signatures=["Klient", "Pracownik"])


def test_a_correction_voids_the_old_document_and_scan(world: Any, client_as: Any,
                                                     django_capture_on_commit_callbacks: Any
                                                     ) -> None:
    from django.urls import reverse

    c = f.prepared(world)
    services.contract_sign(actor=world.service_a, contract_id=c.pk,
                           scan=SimpleUploadedFile("s.pdf", b"%PDF-1.4\n%%EOF\n"))
    services.batch_collect(actor=world.manager_a, branch_id=world.a.pk)
    with pytest.raises(Conflict):  # no swapping the scan while the manager checks
        services.contract_attach_scan(actor=world.service_a, contract_id=c.pk,
                                      scan=SimpleUploadedFile("t.pdf", b"%PDF-1.4\n%%EOF\n"))
    services.contract_review(actor=world.manager_a, contract_id=c.pk, approve=False,
                             note="skan nieczytelny")
    old_scan = Contract.objects.get(pk=c.pk).scan_stored
    with django_capture_on_commit_callbacks(execute=True):
        services.contract_fix(actor=world.service_a, contract_id=c.pk)
    c.refresh_from_db()
    assert c.scan_stored == "" and not files.path_of(old_scan, area=documents.AREA).exists()
    url = reverse("contracts:contract_pdf", args=[c.pk])
    assert client_as(world.service_a).get(url).status_code == 404  # revision 1 is void
    services.store_pdf(contract_id=c.pk, revision=2)
    response = client_as(world.service_a).get(url)
    assert response.status_code == 200 and "wersja-2" in response["Content-Disposition"]
    assert "(wersja 2)" in pdf_text(Contract.objects.get(pk=c.pk))


def test_the_dashboard_counts_match_the_queue_and_the_signed(world: Any) -> None:
    from punkt.contracts import selectors

    first, second = signed(world), signed(world)
    services.batch_collect(actor=world.manager_a, branch_id=world.a.pk)
    signed(world)  # after the batch: waits for the next one
    assert Contract.objects.get(pk=first.pk).status == S.IN_REVIEW
    assert Contract.objects.get(pk=second.pk).status == S.IN_REVIEW
    counts = selectors.approval_counts(user=world.manager_a)
    assert counts == (selectors.review_queue(user=world.manager_a).count(),
                      sum(selectors.signed_waiting(user=world.manager_a).values())) == (2, 1)
    assert selectors.approval_counts(user=world.manager_b) == (0, 0)
