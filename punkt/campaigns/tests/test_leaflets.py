"""Leaflets made locally (an uploaded print-ready PDF approved by the manager, four eyes)
and the leaflets' stock norms: the rules, every step from every state, the PDF checked by
its bytes, only approved leaflets printed or handed out, the pages by role, the API, the
dashboard panel."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from punkt.campaigns.models import Leaflet, LeafletSource, LeafletStatus
from punkt.campaigns.services import leaflets as svc
from punkt.campaigns.services import print_order_move
from punkt.campaigns.services.distribution import distribution_record
from punkt.campaigns.tests import factories as f
from punkt.campaigns.workflows import LEAFLET_FLOW
from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed
from punkt.core.models import AuditEvent
from punkt.inventory.models import StockLevel
from punkt.inventory.selectors import below_norm_count

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _own_files(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path


def pdf(data: bytes = PDF, name: str = "ulotka-ruczaj.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def files_on_disk(settings: Any) -> list[str]:
    folder = Path(settings.VAR_DIR) / svc.AREA
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def upload(world: Any, camp: Any = None, *, actor: Any = None, **data: Any) -> Leaflet:
    camp = camp or f.campaign(world)
    values: dict[str, Any] = {"branch_id": world.a.pk, "title": "Światłowód na Ruczaju",
                              "code": camp.code.lower(), "pdf": pdf(), **data}
    return svc.leaflet_upload(actor=actor or world.service_a, campaign_id=camp.pk, **values)


def refused(call: Any, field: str) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as exc:
        call()
    assert exc.value.field == field, exc.value.message
    return exc.value


# -- upload ----------------------------------------------------------------------------------

def test_an_upload_waits_for_the_manager(world: Any, settings: Any) -> None:
    lf = upload(world)
    assert (lf.source, lf.status, lf.round) == (LeafletSource.LOCAL, LeafletStatus.SUBMITTED, 1)
    assert lf.code == lf.campaign.code and lf.template_id is None
    assert lf.uploaded_by_id == world.service_a.pk and lf.file_size == len(PDF)
    assert lf.file_name == "ulotka-ruczaj.pdf"
    assert files_on_disk(settings) == [lf.stored]
    assert svc.pdf_bytes(lf) == PDF
    assert lf.product.kind == "leaflet" and not lf.product.is_active
    assert AuditEvent.objects.filter(action="campaigns.leaflet.upload").count() == 1


@pytest.mark.parametrize(("data", "why"), [
    (b"GIF89a not a pdf", "not a PDF"),
    (b"%PDF-1.4\n1 0 obj << >> endobj\n", "cut short"),
    (b"", "empty"),
])
def test_only_a_whole_pdf_is_taken_and_nothing_stays(world: Any, settings: Any,
                                                     data: bytes, why: str) -> None:
    refused(lambda: upload(world, pdf=pdf(data, "ulotka.pdf")), "pdf")
    assert Leaflet.objects.count() == 0 and files_on_disk(settings) == []


def test_the_size_limit(world: Any, settings: Any) -> None:
    big = PDF[:-6] + b" " * svc.MAX_PDF_SIZE + b"%%EOF\n"
    refused(lambda: upload(world, pdf=pdf(big)), "pdf")
    refused(lambda: upload(world, pdf=None), "pdf")
    assert files_on_disk(settings) == []


def test_the_code_printed_must_be_the_campaigns(world: Any, settings: Any) -> None:
    camp = f.campaign(world, code="RUCZAJ-26")
    exc = refused(lambda: upload(world, camp, code="INNY-KOD"), "code")
    assert "RUCZAJ-26" in exc.message
    refused(lambda: upload(world, camp, code=""), "code")
    refused(lambda: upload(world, camp, title=""), "title")
    assert files_on_disk(settings) == []
    assert upload(world, camp, code=" ruczaj-26 ").code == "RUCZAJ-26"


def test_where_and_who_may_upload(world: Any) -> None:
    camp = f.campaign(world)  # A's own
    refused(lambda: upload(world, camp, branch_id=world.b.pk), "branch")
    with pytest.raises(NotFound):
        upload(world, camp, actor=world.service_b, branch_id=world.b.pk)
    hq = f.campaign(world, actor=world.expert, code="HQ-JESIEN")
    with pytest.raises(ActionDenied):
        upload(world, hq, actor=world.service_b, branch_id=world.a.pk)
    assert upload(world, hq, actor=world.service_b, branch_id=world.b.pk).branch_id == world.b.pk
    with pytest.raises(ActionDenied):
        upload(world, camp, actor=world.retention_a)


def test_a_closed_campaign_takes_no_upload(world: Any) -> None:
    from punkt.campaigns.services import campaign_move

    camp = f.campaign(world)
    campaign_move(actor=world.manager_a, campaign_id=camp.pk, action="cancel", reason="x")
    with pytest.raises(Conflict):
        upload(world, camp)


# -- approval: four eyes, every step from every state ----------------------------------------

def test_the_manager_approves_and_the_uploader_cannot(world: Any) -> None:
    lf = upload(world)
    assert svc.allowed_actions(lf, world.service_a) == []
    assert svc.allowed_actions(lf, world.manager_a) == ["approve", "return"]
    with pytest.raises(ActionDenied):
        svc.leaflet_move(actor=world.service_a, leaflet_id=lf.pk, action="approve")
    with pytest.raises(NotFound):
        svc.leaflet_move(actor=world.manager_b, leaflet_id=lf.pk, action="approve")
    done = svc.leaflet_move(actor=world.manager_a, leaflet_id=lf.pk, action="approve")
    assert done.status == LeafletStatus.APPROVED and done.decided_by_id == world.manager_a.pk
    with pytest.raises(Conflict):
        svc.leaflet_move(actor=world.manager_a, leaflet_id=lf.pk, action="approve")


def test_a_manager_never_approves_his_own_upload(world: Any) -> None:
    lf = upload(world, actor=world.manager_a)
    assert svc.allowed_actions(lf, world.manager_a) == []
    with pytest.raises(ActionDenied):
        svc.leaflet_move(actor=world.manager_a, leaflet_id=lf.pk, action="approve")
    with pytest.raises(ActionDenied):
        svc.leaflet_move(actor=world.manager_a, leaflet_id=lf.pk, action="return",
                         reason="x")
    assert svc.leaflet_move(actor=world.admin, leaflet_id=lf.pk,
                            action="approve").status == LeafletStatus.APPROVED


def test_returned_with_a_reason_then_replaced(world: Any, settings: Any) -> None:
    from punkt.work.models import Notification

    lf = upload(world)
    refused(lambda: svc.leaflet_move(actor=world.manager_a, leaflet_id=lf.pk,
                                     action="return", reason="  "), "reason")
    back = svc.leaflet_move(actor=world.manager_a, leaflet_id=lf.pk, action="return",
                            reason="Brak adresu salonu")
    assert (back.status, back.return_reason) == (LeafletStatus.RETURNED, "Brak adresu salonu")
    note = Notification.objects.get(recipient=world.service_a)
    assert "Brak adresu salonu" in note.title and str(lf.pk) in note.url
    assert svc.allowed_actions(back, world.service_a) == ["replace"]
    with pytest.raises(Conflict):
        f.print_order(world, back)
    refused(lambda: svc.leaflet_replace(actor=world.service_a, leaflet_id=lf.pk,
                                        pdf=pdf(b"nope")), "pdf")
    first = back.stored
    again = svc.leaflet_replace(actor=world.service_a, leaflet_id=lf.pk,
                                pdf=pdf(PDF, "ulotka-v2.pdf"), title="Ruczaj: 600 Mb/s")
    assert (again.status, again.round, again.title) == (LeafletStatus.SUBMITTED, 2,
                                                        "Ruczaj: 600 Mb/s")
    assert again.file_name == "ulotka-v2.pdf" and again.stored != first
    assert again.decided_by_id is None
    assert sorted(files_on_disk(settings)) == sorted([first, again.stored])
    with pytest.raises(Conflict):  # only a returned leaflet is replaced
        svc.leaflet_replace(actor=world.service_a, leaflet_id=lf.pk, pdf=pdf())
    assert svc.leaflet_move(actor=world.manager_a, leaflet_id=lf.pk,
                            action="approve").status == LeafletStatus.APPROVED


@pytest.mark.parametrize("state", LeafletStatus.values)
@pytest.mark.parametrize("action", ["approve", "return", "replace"])
def test_every_step_from_every_state(world: Any, state: str, action: str) -> None:
    lf = upload(world)
    Leaflet.objects.filter(pk=lf.pk).update(status=state, return_reason="r")
    allowed = state in LEAFLET_FLOW.transition(action).sources
    actor = world.service_a if action == "replace" else world.manager_a

    def step() -> Leaflet:
        if action == "replace":
            return svc.leaflet_replace(actor=actor, leaflet_id=lf.pk, pdf=pdf())
        return svc.leaflet_move(actor=actor, leaflet_id=lf.pk, action=action, reason="r")

    if allowed:
        assert step().status == LEAFLET_FLOW.transition(action).target
    else:
        with pytest.raises(Conflict):
            step()
        assert Leaflet.objects.get(pk=lf.pk).status == state


def test_template_leaflets_are_approved_and_print_the_code(world: Any) -> None:
    lf = f.leaflet(world)
    assert (lf.source, lf.status, lf.code) == ("template", "approved", lf.campaign.code)
    assert svc.allowed_actions(lf, world.manager_a) == []


# -- only an approved leaflet is printed or handed out --------------------------------------

def test_only_an_approved_local_leaflet_is_ordered_and_handed_out(world: Any) -> None:
    from django.core import mail

    from punkt.campaigns import services
    from punkt.campaigns.models import PrintOrderMail

    lf = upload(world)
    StockLevel.objects.create(branch=world.a, product_id=lf.product_id, quantity=50)
    with pytest.raises(Conflict) as exc:
        f.print_order(world, lf)
    assert exc.value.code == "leaflet_not_approved"
    with pytest.raises(Conflict):
        distribution_record(actor=world.service_a, leaflet_id=lf.pk, kind="counter",
                            quantity=5)
    svc.leaflet_move(actor=world.manager_a, leaflet_id=lf.pk, action="approve")
    order = f.print_order(world, lf)
    services.send_now(PrintOrderMail.objects.get(order=order).pk)
    assert mail.outbox[-1].attachments[0][1] == PDF  # the shop gets the uploaded PDF
    row = distribution_record(actor=world.service_a, leaflet_id=lf.pk, kind="counter",
                              quantity=5)
    assert row.quantity == 5


# -- norms -----------------------------------------------------------------------------------

def test_a_leaflet_norm_is_the_branchs_stock_norm(world: Any) -> None:
    lf = f.leaflet(world)
    order = f.print_order(world, lf, quantity=500)
    print_order_move(actor=world.service_a, order_id=order.pk, action="deliver")
    before = below_norm_count(user=world.manager_a, branch_id=world.a.pk)
    with pytest.raises(ActionDenied):  # norms are the manager's
        svc.leaflet_norm_set(actor=world.service_a, leaflet_id=lf.pk, min_norm=800)
    refused(lambda: svc.leaflet_norm_set(actor=world.manager_a, leaflet_id=lf.pk,
                                         min_norm="-1"), "min_norm")
    st = svc.leaflet_norm_set(actor=world.manager_a, leaflet_id=lf.pk, min_norm=800)
    assert (st.quantity, st.min_norm, st.below_norm) == (500, 800, True)
    assert StockLevel.objects.get(branch=world.a, product_id=lf.product_id).min_norm == 800
    assert below_norm_count(user=world.manager_a, branch_id=world.a.pk) == before + 1
    with pytest.raises(NotFound):
        svc.leaflet_norm_set(actor=world.manager_b, leaflet_id=lf.pk, min_norm=1)


def test_leaflets_below_norm_are_not_sent_to_the_hq_order(world: Any, client_as: Any) -> None:
    """The manager's panel and the stock page count leaflets apart from goods: goods are
    ordered from HQ, leaflets printed for their campaign."""
    from punkt.inventory.selectors import below_norm_split

    lf = f.leaflet(world)
    order = f.print_order(world, lf, quantity=500)
    print_order_move(actor=world.service_a, order_id=order.pk, action="deliver")
    goods, printed = below_norm_split(user=world.manager_a, branch_id=world.a.pk)
    svc.leaflet_norm_set(actor=world.manager_a, leaflet_id=lf.pk, min_norm=800)
    assert below_norm_split(user=world.manager_a, branch_id=world.a.pk) == (goods, printed + 1)
    manager = client_as(world.manager_a)
    panel = manager.get("/").content.decode()
    assert 'data-testid="panel-below-leaflets"' in panel and "kind=leaflet" in panel
    stock = manager.get(f"/stock/?branch={world.a.pk}&below=1&kind=leaflet").content.decode()
    assert 'data-testid="below-norm-leaflets"' in stock and lf.product.code in stock
    goods_only = manager.get(f"/stock/?branch={world.a.pk}&kind=goods").content.decode()
    assert lf.product.code not in goods_only


# -- pages by role ---------------------------------------------------------------------------

def test_pages_upload_approve_by_role(world: Any, client_as: Any) -> None:
    camp = f.campaign(world)
    service = client_as(world.service_a)
    url = reverse("campaigns:leaflet_upload", args=[camp.pk])
    page = service.get(url)
    assert page.status_code == 200 and camp.code in page.content.decode()
    assert f'name="branch" value="{world.a.pk}"' in page.content.decode()  # the only one
    bad = service.post(url, {"branch": world.a.pk, "title": "Ulotka", "code": camp.code,
                             "pdf": pdf(b"MZ not a pdf", "ulotka.pdf")})
    assert bad.status_code == 200 and 'id="id_pdf_error"' in bad.content.decode()
    ok = service.post(url, {"branch": world.a.pk, "title": "Ulotka osiedlowa",
                            "code": camp.code, "pdf": pdf()})
    assert ok.status_code == 302
    lf = Leaflet.objects.get()
    detail = reverse("campaigns:leaflet_detail", args=[lf.pk])
    assert ok["Location"] == detail
    body = service.get(detail).content.decode()
    assert 'data-testid="leaflet-waiting"' in body and 'data-testid="leaflet-approve"' not in body
    assert 'data-testid="leaflet-order"' not in body
    assert service.get(reverse("campaigns:order_new", args=[lf.pk])).status_code == 302
    pdf_page = service.get(reverse("campaigns:leaflet_pdf", args=[lf.pk]))
    assert pdf_page["Content-Type"] == "application/pdf"
    assert b"".join(pdf_page.streaming_content) == PDF
    camp_page = service.get(reverse("campaigns:campaign_detail", args=[camp.pk]))
    assert 'data-testid="leaflets-to-approve"' in camp_page.content.decode()
    manager = client_as(world.manager_a)
    assert 'data-testid="panel-leaflets-to-approve"' in manager.get("/").content.decode()
    body = manager.get(detail).content.decode()
    assert 'data-testid="leaflet-approve"' in body
    moved = manager.post(reverse("campaigns:leaflet_act", args=[lf.pk, "approve"]))
    assert moved.status_code == 302
    assert Leaflet.objects.get().status == LeafletStatus.APPROVED
    assert 'data-testid="leaflet-order"' in service.get(detail).content.decode()
    other = client_as(world.manager_b)
    assert other.get(detail).status_code == 404
    assert other.get(reverse("campaigns:leaflet_pdf", args=[lf.pk])).status_code == 404
    assert client_as(world.cashier_a).get(url).status_code == 403


def test_pages_return_and_replace(world: Any, client_as: Any) -> None:
    lf = upload(world)
    manager = client_as(world.manager_a)
    act = reverse("campaigns:leaflet_act", args=[lf.pk, "return"])
    manager.post(act, {"reason": ""})
    assert Leaflet.objects.get().status == LeafletStatus.SUBMITTED
    manager.post(act, {"reason": "Zły kod QR"})
    assert Leaflet.objects.get().status == LeafletStatus.RETURNED
    service = client_as(world.service_a)
    detail = reverse("campaigns:leaflet_detail", args=[lf.pk])
    body = service.get(detail).content.decode()
    assert "Zły kod QR" in body and 'data-testid="leaflet-replace-form"' in body
    service.post(reverse("campaigns:leaflet_replace", args=[lf.pk]),
                 {"title": lf.title, "text": "", "pdf": pdf(PDF, "v2.pdf")})
    assert (Leaflet.objects.get().status, Leaflet.objects.get().round) == ("submitted", 2)


def test_norm_on_the_pages_and_the_panel(world: Any, client_as: Any) -> None:
    from punkt.campaigns.services import campaign_move

    lf = f.leaflet(world)
    campaign_move(actor=world.manager_a, campaign_id=lf.campaign_id, action="start")
    order = f.print_order(world, lf, quantity=500)
    print_order_move(actor=world.service_a, order_id=order.pk, action="deliver")
    manager = client_as(world.manager_a)
    r = manager.post(reverse("campaigns:leaflet_norm", args=[lf.pk]),
                     {"min_norm": "900", "back": "campaign"})
    assert r["Location"] == reverse("campaigns:campaign_detail", args=[lf.campaign_id])
    page = manager.get(r["Location"]).content.decode()
    assert 'data-testid="leaflets-below-norm"' in page
    service = client_as(world.service_a)
    home = service.get("/").content.decode()
    assert 'data-testid="panel-campaign-leaflets"' in home
    assert 'data-testid="panel-hand-out"' in home and ">500<" in home
    assert service.post(reverse("campaigns:leaflet_norm", args=[lf.pk]),
                        {"min_norm": "1"}).status_code == 403  # the manager's
    assert StockLevel.objects.get(product_id=lf.product_id).min_norm == 900
    stock = manager.get(reverse("inventory:stock") + f"?branch={world.a.pk}&below=1")
    assert lf.product.name in stock.content.decode()


# -- API -------------------------------------------------------------------------------------

def _api(client: Any, method: str, path: str, body: Any = None) -> Any:
    return client.generic(method, path, json.dumps(body) if body is not None else "",
                          content_type="application/json")


def test_api_upload_decide_replace_norm(world: Any, client_as: Any) -> None:
    camp = f.campaign(world)
    service = client_as(world.service_a)
    url = f"/api/v1/campaigns/{camp.pk}/local-leaflets"
    r = service.post(url, {"branch_id": world.a.pk, "title": "Ulotka", "code": "ZLY-KOD",
                           "pdf": pdf()})
    assert r.status_code == 422 and r.json()["field"] == "code"
    r = service.post(url, {"branch_id": world.a.pk, "title": "Ulotka", "code": camp.code,
                           "pdf": pdf()})
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["source"], body["status"], body["actions"]) == ("local", "submitted", [])
    lid = body["id"]
    r = _api(service, "POST", f"/api/v1/leaflets/{lid}/moves", {"action": "approve"})
    assert r.status_code == 403
    manager = client_as(world.manager_a)
    r = _api(manager, "POST", f"/api/v1/leaflets/{lid}/moves", {"action": "return"})
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = _api(manager, "POST", f"/api/v1/leaflets/{lid}/moves",
             {"action": "return", "reason": "Za mały kod QR"})
    assert r.status_code == 200 and r.json()["return_reason"] == "Za mały kod QR"
    r = service.post(f"/api/v1/leaflets/{lid}/replacement", {"pdf": pdf()})
    assert r.status_code == 200 and (r.json()["status"], r.json()["round"]) == ("submitted", 2)
    r = _api(manager, "POST", f"/api/v1/leaflets/{lid}/moves", {"action": "approve"})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    r = _api(manager, "PUT", f"/api/v1/leaflets/{lid}/norm", {"min_norm": 300})
    assert r.status_code == 200 and (r.json()["min_norm"], r.json()["below_norm"]) == (300,
                                                                                      True)
    assert _api(service, "PUT", f"/api/v1/leaflets/{lid}/norm",
                {"min_norm": 1}).status_code == 403
    other = client_as(world.manager_b)
    assert other.get(f"/api/v1/leaflets/{lid}").status_code == 404
    listed = service.get(f"/api/v1/campaigns/{camp.pk}/leaflets").json()
    assert [x["id"] for x in listed] == [lid]
