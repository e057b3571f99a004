"""Demo campaigns: HQ's leaflet template and two print shops; Kraków's own campaign
running with a leaflet, a run delivered into stock and another ordered, leaflets handed
out at the counter and by two distributors on contracts of mandate (one to confirm), the
leaflet's minimum norm (stock below it), a leaflet made locally waiting for the manager's
approval, two customers registered with its code; and an HQ campaign planned for every
branch. Built through the
services (audit, budget, stock movement)."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from punkt.campaigns import services
from punkt.campaigns.models import Campaign
from punkt.catalog.models import Product, ProductKind
from punkt.core.demo import seeder
from punkt.customers import services as customers
from punkt.materials import services as materials
from punkt.materials.demo import _pdf
from punkt.organization.actors import Actor
from punkt.organization.models import Branch, Employee


@seeder(87)
def seed_campaigns(actor: Actor) -> list[str]:
    service = Employee.objects.filter(email="obsluga@demo.punkt.pl").first()
    manager = Employee.objects.filter(email="kierownik@demo.punkt.pl").first()
    expert = Employee.objects.filter(email="ekspert@demo.punkt.pl").first()
    krakow = Branch.objects.filter(code="KRK-01").first()
    if not (service and manager and expert and krakow) or Campaign.objects.exists():
        return []
    today = timezone.localdate()
    material = materials.material_create(
        actor=expert, kind="leaflet_template", title="Jesienna oferta w Twoim salonie",
        description="Przyjdź do nas i sprawdź nowości. Z tą ulotką podpiszesz umowę szybciej.")
    version = materials.version_create(
        actor=expert, material_id=material.pk, valid_from=today - datetime.timedelta(days=2),
        uploaded=SimpleUploadedFile("wzor-ulotki-a5.pdf", _pdf("Wzor ulotki A5")),
        note="Układ A5, kolory firmowe")
    materials.version_publish(actor=expert, version_id=version.pk)
    shop = services.shop_save(actor=expert, data={
        "name": "Drukarnia Wisła", "email": "zamowienia@drukarnia-wisla.example.pl",
        "prices": "500; 120,00\n1000; 190,00\n2500; 380,00\n5000; 690,00",
        "note": "Dostawa w 3 dni robocze"})
    services.shop_save(actor=expert, data={
        "name": "Poligrafia Kraków", "email": "biuro@poligrafia.example.pl",
        "prices": "1000; 210,00\n3000; 520,00"})
    promoted = [p.pk for p in Product.objects.filter(is_active=True)
                .exclude(kind=ProductKind.LEAFLET).order_by("name")[:3]]
    own = services.campaign_create(actor=manager, data={
        "branch": krakow.pk, "name": "Światłowód na osiedlu Ruczaj",
        "goal": "Nowi klienci internetu światłowodowego w okolicy salonu",
        "starts_on": today - datetime.timedelta(days=7),
        "ends_on": today + datetime.timedelta(days=21), "budget": "800,00",
        "code": "RUCZAJ-26", "product_ids": promoted})
    services.campaign_move(actor=manager, campaign_id=own.pk, action="start")
    leaflet = services.leaflet_create(actor=service, campaign_id=own.pk, branch_id=krakow.pk,
                                      template_id=version.pk,
                                      title="Światłowód 600 Mb/s na Ruczaju")
    delivered = services.print_order_create(actor=service, leaflet_id=leaflet.pk,
                                            shop_id=shop.pk, quantity=1000,
                                            note="Papier kredowy 130 g")
    services.print_order_move(actor=service, order_id=delivered.pk, action="confirm")
    services.print_order_move(actor=service, order_id=delivered.pk, action="deliver")
    services.print_order_create(actor=service, leaflet_id=leaflet.pk, shop_id=shop.pk,
                                quantity=500)
    from punkt.campaigns.services import distribution

    distribution.distribution_record(actor=service, leaflet_id=leaflet.pk, kind="counter",
                                     quantity=120)
    done = distribution.distribution_record(
        actor=service, leaflet_id=leaflet.pk, kind="mandate", quantity=400,
        day=today - datetime.timedelta(days=2), distributor="Kacper Zieliński",
        area="ul. Ruczaj, ul. Czerwone Maki, ul. Bobrzyńskiego", pay="120,00")
    distribution.distribution_move(actor=manager, distribution_id=done.pk, action="confirm")
    distribution.distribution_record(
        actor=service, leaflet_id=leaflet.pk, kind="mandate", quantity=300, day=today,
        distributor="Julia Mazur", area="os. Europejskie, przystanek Norymberska",
        pay="90,00")
    # the leaflets' norm: below it (180 left of 600), the stock page and the panels say so
    from punkt.campaigns.services import leaflets

    leaflets.leaflet_norm_set(actor=manager, leaflet_id=leaflet.pk, min_norm=600)
    # a leaflet the branch made itself, waiting for the manager's approval
    leaflets.leaflet_upload(
        actor=service, campaign_id=own.pk, branch_id=krakow.pk,
        title="Ruczaj: światłowód dla sąsiadów", code="RUCZAJ-26",
        text="Ulotka salonu na tablice ogłoszeń osiedla",
        pdf=SimpleUploadedFile("ulotka-osiedle-ruczaj.pdf",
                               _pdf("Swiatlowod na Ruczaju - kod RUCZAJ-26")))
    for first, last, phone in (("Marta", "Ruczajska", "+48601700101"),
                               ("Paweł", "Osiedlowy", "+48601700102")):
        customers.customer_create(
            actor=service, branch_id=krakow.pk,
            data={"kind": "person", "first_name": first, "last_name": last, "phone": phone,
                  "city": "Kraków"},
            consents=[{"purpose": "contract", "granted": True}], confirm_duplicate=True,
            campaign_code="RUCZAJ-26")
    services.campaign_create(actor=expert, data={
        "name": "Zimowa promocja telewizji", "goal": "Pakiety TV do świąt",
        "starts_on": today + datetime.timedelta(days=14),
        "ends_on": today + datetime.timedelta(days=45), "budget": "5000,00",
        "all_branches": True, "product_ids": promoted[1:]})
    return ["2 campaigns (Kraków's running with leaflets — one made locally to approve — "
            "print orders, distribution and new customers; HQ's planned), 2 print shops"]


@seeder(88)
def seed_mailings(actor: Actor) -> list[str]:
    """Kraków's e-mail mailing sent to the consenting customers with the campaign code (the
    mail goes to the demo's mail backend), and a draft SMS mailing of HQ for every
    branch's regular customers."""
    from punkt.campaigns.models import Mailing
    from punkt.campaigns.services import mailing as svc

    manager = Employee.objects.filter(email="kierownik@demo.punkt.pl").first()
    expert = Employee.objects.filter(email="ekspert@demo.punkt.pl").first()
    campaign = Campaign.objects.filter(code="RUCZAJ-26").first()
    if not (manager and expert and campaign) or Mailing.objects.exists():
        return []
    sent = svc.mailing_create(actor=manager, data={
        "name": "Światłowód na Ruczaju — zaproszenie", "channel": "email",
        "campaign": campaign.pk,
        "subject": "{{ klient }}, światłowód 600 Mb/s na Ruczaju",
        "body": "Dzień dobry {{ klient }},\n\nzapraszamy do salonu {{ oddzial }} "
                "(tel. {{ telefon_oddzialu }}). Z kodem {{ kod_kampanii }} podpiszesz "
                "umowę na światłowód szybciej i taniej.\n\nDo zobaczenia!",
        "segment": {"city": "Kraków"}})
    svc.mailing_move(actor=manager, mailing_id=sent.pk, action="send")
    for _ in range(20):
        if svc.step(sent.pk).next_at is None:
            break
    svc.mailing_create(actor=expert, data={
        "name": "Zimowa promocja TV — SMS", "channel": "sms",
        "body": "{{ oddzial }}: pakiety TV do świąt taniej. Zadzwoń: {{ telefon_oddzialu }}",
        "segment": {"kind": "person"}})
    return ["2 mailings (Kraków's e-mail sent to consenting customers, HQ's SMS draft)"]
