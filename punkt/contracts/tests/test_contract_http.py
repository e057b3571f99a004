"""Contract pages: the path through the HTTP layer, refusals, errors in Polish."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from punkt.contracts import services
from punkt.contracts.models import Contract, ContractStatus
from punkt.contracts.tests import factories as f
from punkt.core.models import AuditEvent

S = ContractStatus


@pytest.fixture(autouse=True)
def _files(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path


def act(client: Any, contract: Contract, action: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(reverse("contracts:contract_action", args=[contract.pk, action]),
                       data or {}, follow=True)


def test_prepare_sign_check_and_finalise_through_the_pages(world: Any, client_as: Any) -> None:
    prices, template = f.hq_materials(world)
    offer = f.accepted_offer(world, prices)
    service = client_as(world.service_a)
    page = service.get(reverse("contracts:offer_detail", args=[offer.pk]))
    assert reverse("contracts:contract_prepare", args=[offer.pk]) in page.content.decode()
    url = reverse("contracts:contract_prepare", args=[offer.pk])
    form = service.get(url)
    assert "Umowa abonencka" in form.content.decode()
    bad = service.post(url, {"template": template.pk, "term_months": "0"})
    assert bad.status_code == 422 and "Okres musi wynosić od 1 do 120 miesięcy" in (
        bad.content.decode())
    done = service.post(url, {"template": template.pk, "term_months": "24"})
    contract = Contract.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse(
        "contracts:contract_detail", args=[contract.pk])
    detail = service.get(done["Location"]).content.decode()
    assert "Dokument jest przygotowywany" in detail and contract.number in detail
    part = service.get(done["Location"] + "?part=document", HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 2s"' in part.content.decode()
    assert "Dokument umowy jest w trakcie" in act(service, contract, "sign").content.decode()

    services.store_pdf(contract_id=contract.pk, revision=1)
    part = service.get(done["Location"] + "?part=document", HTTP_HX_REQUEST="true")
    assert reverse("contracts:contract_pdf", args=[contract.pk]) in part.content.decode()
    pdf = service.get(reverse("contracts:contract_pdf", args=[contract.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.getvalue().startswith(b"%PDF")
    assert f"umowa-{contract.number}.pdf" in pdf["Content-Disposition"]
    response = service.post(reverse("contracts:contract_action", args=[contract.pk, "sign"]),
                            {"file": SimpleUploadedFile("skan.jpg", b"\xff\xd8\xff\xe0xx")},
                            follow=True)
    assert "Umowa oznaczona jako podpisana" in response.content.decode()

    manager = client_as(world.manager_a)
    desk = manager.get(reverse("contracts:review")).content.decode()
    assert "Podpisane, jeszcze nieprzekazane" in desk
    taken = manager.post(reverse("contracts:review_collect"), {"branch": world.a.pk},
                         follow=True).content.decode()
    assert "1 umowa przekazana do sprawdzenia" in taken and contract.number in taken
    refused = act(manager, contract, "approve", {"signature": ["Klient"]}).content.decode()
    assert "Potwierdź każdy podpis" in refused
    act(manager, contract, "approve", {"signature": ["Klient", "Pracownik"]})
    contract.refresh_from_db()
    assert contract.status == S.APPROVED

    hq = client_as(world.expert)
    queue = hq.get(reverse("contracts:contract_list") + "?status=approved").content.decode()
    assert contract.number in queue
    act(hq, contract, "finalise")
    contract.refresh_from_db()
    history = hq.get(reverse("contracts:contract_detail", args=[contract.pk])).content.decode()
    assert contract.status == S.ACTIVE and "aktywna" in history
    scan = hq.get(reverse("contracts:contract_scan", args=[contract.pk]))
    assert scan["Content-Type"] == "image/jpeg"
    assert AuditEvent.objects.filter(action="contracts.contract.scan_view").count() == 1


def test_roles_are_refused_with_403(world: Any, client_as: Any) -> None:
    c = f.prepared(world)
    services.contract_sign(actor=world.service_a, contract_id=c.pk)
    services.batch_collect(actor=world.manager_a, branch_id=world.a.pk)
    service = client_as(world.service_a)
    response = service.post(reverse("contracts:contract_action", args=[c.pk, "approve"]),
                            {"signature": ["Klient", "Pracownik"]})
    assert response.status_code == 403
    assert service.get(reverse("contracts:review")).status_code == 403
    assert client_as(world.cashier_a).get(reverse("contracts:contract_list")).status_code == 403
    assert client_as(world.manager_b).post(reverse("contracts:review_collect"),
                                           {"branch": world.a.pk}).status_code == 403
    assert Contract.objects.get(pk=c.pk).status == S.IN_REVIEW
    # Another branch's manager does not even learn it exists.
    assert client_as(world.manager_b).get(
        reverse("contracts:contract_detail", args=[c.pk])).status_code == 404


def test_the_manager_returns_with_reasons_and_the_employee_sees_them(world: Any,
                                                                     client_as: Any) -> None:
    c = f.prepared(world)
    services.contract_sign(actor=world.service_a, contract_id=c.pk)
    services.batch_collect(actor=world.manager_a, branch_id=world.a.pk)
    manager = client_as(world.manager_a)
    empty = act(manager, c, "return").content.decode()
    assert "Napisz, co trzeba poprawić" in empty
    act(manager, c, "return", {"problem": ["Brak podpisu"], "note": "str. 2"})
    page = client_as(world.service_a).get(
        reverse("contracts:contract_detail", args=[c.pk])).content.decode()
    assert "Brak podpisu" in page and "str. 2" in page and 'data-testid="fix-form"' in page
    listing = manager.get(reverse("contracts:contract_list") + f"?q={c.pk}").content.decode()
    assert c.number in listing and "zwrócona do poprawy" in listing


def test_reports_count_states_and_time_to_activation(world: Any, client_as: Any) -> None:
    from punkt.contracts import reports

    c = f.prepared(world)
    f.prepared(world)
    services.contract_sign(actor=world.service_a, contract_id=c.pk)
    services.batch_collect(actor=world.manager_a, branch_id=world.a.pk)
    services.contract_review(actor=world.manager_a, contract_id=c.pk, approve=True,
                             signatures=["Klient", "Pracownik"])
    services.contract_finalise(actor=world.expert, contract_id=c.pk, approve=True)
    from django.utils import timezone

    today = timezone.localdate()
    report = reports.contract_report(user=world.manager_a, since=today, until=today)
    (row,) = report.rows
    assert row.states == {"active": 1, "prepared": 1} and row.total == 2
    assert row.activated == 1 and row.within_3_days == 1 and row.avg_hours is not None
    assert (row.signed, row.started, row.active_at_end) == (1, 1, 1)
    assert report.company.states == row.states
    assert reports.contract_report(user=world.manager_b, since=today, until=today).rows == []
    page = client_as(world.expert).get(reverse("contracts:report")).content.decode()
    assert "Oddział A" in page and 'data-testid="report-deliveries"' in page
    assert client_as(world.service_a).get(reverse("contracts:report")).status_code == 403


def test_refused_approval_stays_on_the_contract_with_one_full_stop(world: Any,
                                                                   client_as: Any) -> None:
    """Approving from the queue without every signature keeps the manager on the contract
    with the error (the way back to the queue kept), and a place ending in "S.A." does not
    end the message with ".." (issue 15, bug 10)."""
    f.hq_materials(world)
    f.publish(world, "contract_template",
              f.TEMPLATE.replace(b"[[podpis: Pracownik]]", b"[[podpis: Pracownik Punkt S.A.]]"),
              "umowa.txt", title="Umowa S.A.")
    contract = f.prepared(world)
    services.contract_sign(actor=world.service_a, contract_id=contract.pk)
    services.batch_collect(actor=world.manager_a, branch_id=world.a.pk)
    manager = client_as(world.manager_a)
    url = reverse("contracts:contract_action", args=[contract.pk, "approve"])
    detail = reverse("contracts:contract_detail", args=[contract.pk])
    refused = manager.post(url, {"signature": ["Klient"], "next": "review"})
    assert refused.status_code == 302 and refused["Location"] == detail + "?next=review"
    page = manager.get(refused["Location"]).content.decode()
    error = page.split('<p class="msg msg-error">')[1].split("</p>")[0]
    assert error == "Potwierdź każdy podpis przed zatwierdzeniem: „Pracownik Punkt S.A.”."
    assert 'name="next" value="review"' in page
    done = manager.post(url, {"signature": ["Klient", "Pracownik Punkt S.A."],
                              "next": "review"})
    assert done["Location"] == reverse("contracts:review")
    contract.refresh_from_db()
    assert contract.status == S.APPROVED
