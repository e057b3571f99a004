"""Demo shop windows: HQ's display guide (a photo) published to every branch and HQ's
guidance for all branches tied to the winter TV campaign — Kraków's window done with two
photos and accepted, Łódź's returned to redo, Gdańsk's still to do — and the Kraków
manager's own guidance for the interior, left overdue so the dashboard shows it. Built
through the services (audit, notifications); photos are small generated PNGs."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from punkt.campaigns.models import Campaign
from punkt.core.demo import seeder
from punkt.displays import services
from punkt.displays.images import png
from punkt.displays.models import DisplayTask, Guidance
from punkt.materials import services as materials
from punkt.organization.actors import Actor
from punkt.organization.models import Branch, Employee


def _photo(name: str, rgb: tuple[int, int, int]) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png(96, 64, rgb), content_type="image/png")


@seeder(93)
def seed_displays(actor: Actor) -> list[str]:
    people = {e.email: e for e in Employee.objects.filter(email__in=[
        "ekspert@demo.punkt.pl", "kierownik@demo.punkt.pl", "obsluga@demo.punkt.pl",
        "kierownik.lodz@demo.punkt.pl", "obsluga.lodz@demo.punkt.pl"])}
    branches = {b.code: b for b in Branch.objects.filter(code__in=["KRK-01", "LDZ-01"])}
    if len(people) < 5 or len(branches) < 2 or Guidance.objects.exists():
        return []
    expert = people["ekspert@demo.punkt.pl"]
    manager = people["kierownik@demo.punkt.pl"]
    today = timezone.localdate()
    material = materials.material_create(
        actor=expert, kind="display_guide", title="Witryna: zimowa telewizja",
        description="Układ witryny na zimową promocję telewizji: plakat, dekoder, ulotki.")
    version = materials.version_create(
        actor=expert, material_id=material.pk, valid_from=today - datetime.timedelta(days=1),
        uploaded=_photo("witryna-wzor.png", (30, 90, 160)), note="Wzór ułożenia witryny")
    materials.version_publish(actor=expert, version_id=version.pk)
    campaign = Campaign.objects.filter(all_branches=True).order_by("pk").first()
    hq_guidance = services.guidance_issue(actor=expert, data={
        "title": "Zimowa witryna z telewizją",
        "instructions": "1. Plakat A1 na środku szyby.\n2. Dekoder i pilot na podeście po "
                        "lewej.\n3. Stojak z ulotkami kampanii przy wejściu.",
        "material": material.pk, "campaign": campaign.pk if campaign else None,
        "due_on": today + datetime.timedelta(days=5), "all_branches": True},
        photos=[_photo("plakat-szyba.png", (200, 60, 60))])
    tasks = {t.branch_id: t for t in hq_guidance.tasks.all()}
    krk = tasks[branches["KRK-01"].pk]
    services.task_complete(actor=people["obsluga@demo.punkt.pl"], task_id=krk.pk,
                           photos=[_photo("witryna-krakow-1.png", (40, 140, 90)),
                                   _photo("witryna-krakow-2.png", (60, 120, 150))],
                           comment="Plakat i dekoder ustawione, ulotki przy wejściu.")
    services.task_check(actor=manager, task_id=krk.pk, action="accept")
    ldz = tasks[branches["LDZ-01"].pk]
    services.task_complete(actor=people["obsluga.lodz@demo.punkt.pl"], task_id=ldz.pk,
                           photos=[_photo("witryna-lodz.png", (150, 150, 60))])
    services.task_check(actor=people["kierownik.lodz@demo.punkt.pl"], task_id=ldz.pk,
                        action="return", reason="Brak stojaka z ulotkami przy wejściu.")
    own = services.guidance_issue(actor=manager, data={
        "title": "Ekspozycja routerów przy kasie",
        "instructions": "Trzy routery na półce przy kasie, cenówki z cennika.",
        "material": material.pk, "due_on": today})
    # a day late: the demo's dashboard shows an overdue window (the service refuses a past
    # due date, so the demo moves it back after issuing)
    DisplayTask.objects.filter(guidance=own).update(due_on=today - datetime.timedelta(days=1))
    Guidance.objects.filter(pk=own.pk).update(due_on=today - datetime.timedelta(days=1))
    return ["2 display guidances (HQ's for every branch: accepted in Kraków, returned in "
            "Łódź; Kraków's own, overdue)"]
