"""Browser: a branch's service employee opens the manager's campaign, prepares a leaflet
from HQ's template, orders a run from a print shop on HQ's list (the e-mail goes out with
the PDF), checks the delivery in, finds the leaflets in the branch's stock, records those
handed out at the counter and by a distributor on a contract of mandate; the manager
confirms the distribution from the dashboard and the campaign page counts them. A leaflet
made locally (an uploaded PDF) is returned, replaced, approved by the manager, then
ordered."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.e2e.test_dashboard_walk import open_menu_for, seed_demo, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]


def _setup() -> Any:
    from punkt.campaigns import services as campaigns
    from punkt.materials import services as materials
    from punkt.organization.models import Branch, Employee

    seed_demo()
    expert = Employee.objects.get(email="ekspert@demo.punkt.pl")
    manager = Employee.objects.get(email="kierownik@demo.punkt.pl")
    material = materials.material_create(actor=expert, kind="leaflet_template",
                                         title="Ulotka salonu A5",
                                         description="Zapraszamy do salonu!")
    version = materials.version_create(
        actor=expert, material_id=material.pk, valid_from=timezone.localdate(),
        uploaded=SimpleUploadedFile("wzor.pdf", b"%PDF-1.4\n%%EOF\n"))
    materials.version_publish(actor=expert, version_id=version.pk)
    campaigns.shop_save(actor=expert, data={"name": "Drukarnia Wisła",
                                            "email": "druk@example.pl",
                                            "prices": "500; 120,00\n1000; 190,00"})
    today = timezone.localdate()
    branch = Branch.objects.get(code="KRK-01")
    return campaigns.campaign_create(actor=manager, data={
        "branch": branch.pk, "name": "Światłowód na Ruczaju", "starts_on": today,
        "ends_on": today + datetime.timedelta(days=20), "budget": "300,00",
        "code": "RUCZAJ-26"})


def test_a_branch_orders_leaflets_from_an_hq_template_and_checks_them_in(
        page: Any, problems: Any, settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path
    campaign = _setup()
    sign_in(page, "obsluga@demo.punkt.pl")
    open_menu_for(page, "/campaigns/")
    page.click('nav.mainnav a[href="/campaigns/"]')
    page.click(f"text={campaign.name}")
    assert "RUCZAJ-26" in page.locator("[data-testid=campaign-code]").inner_text()
    form = page.locator("[data-testid=leaflet-form]")
    form.locator("input[name=title]").fill("Światłowód 600 Mb/s na Ruczaju")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.url.endswith("/order/")
    page.fill("input[name=quantity]", "2500")
    with page.expect_navigation():
        page.click("[data-testid=order-form] button[type=submit]")
    assert page.locator("#id_quantity_error").count() == 1  # not on the list of runs
    page.fill("input[name=quantity]", "1000")
    with page.expect_navigation():
        page.click("[data-testid=order-form] button[type=submit]")
    assert "zamówione" in page.locator("h1").inner_text()
    from punkt.campaigns import services
    from punkt.campaigns.models import PrintOrderMail

    services.send_now(PrintOrderMail.objects.get().pk)  # the worker's part
    assert mail.outbox[-1].to == ["druk@example.pl"]
    assert mail.outbox[-1].attachments[0][2] == "application/pdf"
    page.reload()
    assert "wysłana" in page.locator("[data-testid=order-mail]").inner_text()
    with page.expect_navigation():
        page.click("[data-testid=order-confirm] button")
    with page.expect_navigation():
        page.click("[data-testid=order-deliver] button")
    assert "+1000" in page.locator("[data-testid=order-stock]").inner_text()
    assert page.locator("[data-testid=order-deliver]").count() == 0
    page.click("[data-testid=order-stock] a")
    assert "Światłowód 600 Mb/s na Ruczaju" in page.locator("main").inner_text()
    page.goto(f"/campaigns/{campaign.pk}/")
    assert "190,00" in page.locator("[data-testid=budget-spent]").inner_text()
    assert "110,00" in page.locator("[data-testid=budget-left]").inner_text()
    # distribution: 150 at the counter, 400 by a distributor paid 60 zł
    with page.expect_navigation():
        page.click("[data-testid=leaflet-hand-out]")
    page.fill("input[name=quantity]", "150")
    with page.expect_navigation():
        page.click("[data-testid=distribution-form] button[type=submit]")
    assert "850" in page.locator("[data-testid=campaign-distribution] "
                                 "[data-testid=leaflet-stock]").inner_text()
    with page.expect_navigation():
        page.click("[data-testid=leaflet-hand-out]")
    page.check("input[name=kind][value=mandate]")
    page.fill("input[name=quantity]", "400")
    page.fill("input[name=distributor]", "Kacper Zieliński")
    page.fill("input[name=pay]", "60,00")
    with page.expect_navigation():
        page.click("[data-testid=distribution-form] button[type=submit]")
    assert page.locator("#id_area_error").count() == 1  # where they went is required
    page.fill("input[name=area]", "ul. Ruczaj, ul. Czerwone Maki")
    with page.expect_navigation():
        page.click("[data-testid=distribution-form] button[type=submit]")
    assert "450" in page.locator("[data-testid=campaign-distribution] "
                                 "[data-testid=leaflet-stock]").inner_text()
    assert "50,00" in page.locator("[data-testid=budget-left]").inner_text()
    assert page.locator("[data-testid=distribution-confirm]").count() == 0  # the manager's
    page.context.clear_cookies()
    sign_in(page, "kierownik@demo.punkt.pl")
    with page.expect_navigation():
        page.click("[data-testid=panel-distribution-to-confirm] a")
    assert "Kacper Zieliński" in page.locator("[data-testid=distribution-table]").inner_text()
    with page.expect_navigation():
        page.click("[data-testid=distribution-confirm] button")
    assert "Kacper Zieliński" not in page.locator("main").inner_text()
    # the campaign page counts what left the stock: printed, at the counter, on mandate
    page.goto(f"/campaigns/{campaign.pk}/")
    totals = page.locator("[data-testid=campaign-distribution]")
    assert totals.locator("[data-testid=leaflet-printed]").inner_text() == "1000"
    assert totals.locator("[data-testid=leaflet-counter]").inner_text() == "150"
    assert totals.locator("[data-testid=leaflet-mandate]").inner_text() == "400"
    assert totals.locator("[data-testid=leaflet-stock]").inner_text() == "450"
    records = page.locator("[data-testid=distribution-records]").inner_text()
    assert "Kacper Zieliński" in records and "potwierdzona" in records
    assert page.locator("[data-testid=distribution-confirm]").count() == 0
    problems.assert_clean()


def test_a_leaflet_made_locally_is_approved_by_the_manager_then_ordered(
        page: Any, problems: Any, settings: Any, tmp_path: Any) -> None:
    """The service employee uploads the branch's own PDF; it cannot be ordered until the
    manager approves it (a returned one is replaced); then it is ordered like any."""
    settings.VAR_DIR = tmp_path
    campaign = _setup()
    artwork = tmp_path / "ulotka-ruczaj.pdf"
    artwork.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
    sign_in(page, "obsluga@demo.punkt.pl")
    page.goto(f"/campaigns/{campaign.pk}/")
    with page.expect_navigation():
        page.click("[data-testid=leaflet-upload]")
    form = page.locator("[data-testid=leaflet-upload-form]")
    form.locator("input[name=title]").fill("Ruczaj: światłowód dla sąsiadów")
    form.locator("input[name=code]").fill("ruczaj-26")
    form.locator("input[name=pdf]").set_input_files(str(artwork))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "do zatwierdzenia" in page.locator("h1").inner_text()
    assert page.locator("[data-testid=leaflet-order]").count() == 0
    assert page.locator("[data-testid=leaflet-approve]").count() == 0  # not one's own
    detail = page.url
    page.context.clear_cookies()
    sign_in(page, "kierownik@demo.punkt.pl")
    with page.expect_navigation():
        page.click("[data-testid=panel-leaflets-to-approve] a")
    assert page.url == detail
    page.fill("[data-testid=leaflet-return] input[name=reason]", "Dodaj adres salonu")
    with page.expect_navigation():
        page.click("[data-testid=leaflet-return] button")
    assert "Dodaj adres salonu" in page.locator("[data-testid=leaflet-returned]").inner_text()
    page.context.clear_cookies()
    sign_in(page, "obsluga@demo.punkt.pl")
    page.goto(detail)
    form = page.locator("[data-testid=leaflet-replace-form]")
    form.locator("input[name=pdf]").set_input_files(str(artwork))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "do zatwierdzenia" in page.locator("h1").inner_text()
    page.context.clear_cookies()
    sign_in(page, "kierownik@demo.punkt.pl")
    page.goto(detail)
    with page.expect_navigation():
        page.click("[data-testid=leaflet-approve] button")
    assert "zatwierdzona" in page.locator("h1").inner_text()
    with page.expect_navigation():
        page.click("[data-testid=leaflet-order]")
    page.fill("input[name=quantity]", "500")
    with page.expect_navigation():
        page.click("[data-testid=order-form] button[type=submit]")
    assert "zamówione" in page.locator("h1").inner_text()
    problems.assert_clean()
