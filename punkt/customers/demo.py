"""Demo customers: people and businesses in each demo branch, with consents and history."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from punkt.core.demo import seeder
from punkt.customers import services, timeline
from punkt.customers.models import Customer, Direction, TimelineEntry, TimelineKind
from punkt.organization.actors import Actor
from punkt.organization.models import Branch, BranchKind, Employee

PEOPLE = [
    ("Jan", "Kowalski", "85010112345"), ("Anna", "Nowak", "90021554321"),
    ("Łukasz", "Wiśniewski", ""), ("Małgorzata", "Wójcik", "78111298765"),
    ("Piotr", "Kamiński", ""), ("Zofia", "Lewandowska", "02270812344"),
    ("Grzegorz", "Zieliński", ""), ("Katarzyna", "Szymańska", ""),
    ("Paweł", "Woźniak", "67030455555"), ("Agnieszka", "Dąbrowska", ""),
    ("Tomasz", "Kozłowski", ""), ("Ewa", "Jankowska", ""), ("Michał", "Mazur", ""),
    ("Barbara", "Kwiatkowska", ""), ("Krzysztof", "Krawczyk", ""),
]
COMPANIES = [
    ("Piekarnia Złoty Kłos sp. z o.o.", "5260250274", "food", "small"),
    ("Transbud S.A.", "7740001454", "construction", "large"),
    ("Biuro Rachunkowe Żak", "6462933516", "services", "micro"),
]
STREETS = {"Kraków": ("31-042", ["ul. Floriańska", "ul. Długa", "ul. Karmelicka"]),
           "Łódź": ("90-423", ["ul. Piotrkowska", "ul. Narutowicza", "al. Kościuszki"]),
           "Gdańsk": ("80-264", ["ul. Długa", "al. Grunwaldzka", "ul. Mariacka"])}
NOTES = ["Klient pytał o nową ofertę internetu światłowodowego.",
         "Prosi o kontakt po 16:00.", "Zainteresowany pakietem rodzinnym.",
         "Reklamował fakturę za październik — wyjaśnione."]


def _valid_pesel(seed: str, rng: random.Random) -> str:
    from stdnum.pl import pesel

    base = seed[:10] if seed else f"{rng.randint(50, 99):02d}{rng.randint(1, 12):02d}" \
                                  f"{rng.randint(1, 28):02d}{rng.randint(1000, 9999)}"
    return base + pesel.calc_check_digit(base)


@seeder(20)
def seed_customers(actor: Actor) -> list[str]:
    if Customer.objects.exists():
        return []
    rng = random.Random(2026)
    staff = {e.email: e for e in Employee.objects.all()}
    branches = list(Branch.objects.filter(kind=BranchKind.BRANCH).order_by("code"))
    created = 0
    for i, branch in enumerate(branches):
        post, streets = STREETS.get(branch.city, ("00-950", ["ul. Marszałkowska"]))
        author = staff.get("obsluga@demo.punkt.pl") if branch.code == "KRK-01" else None
        for j, (first, last, pesel) in enumerate(PEOPLE[i::1][:12]):
            data = {"kind": "person", "first_name": first, "last_name": last,
                    "pesel": _valid_pesel(pesel, rng) if pesel or j % 2 == 0 else "",
                    "phone": f"+486{rng.randint(10000000, 99999999)}",
                    "email": f"{first}.{last}{i}{j}@example.pl".lower().translate(
                        str.maketrans("łśńżźćęąó", "lsnzzceao")),
                    "street": f"{rng.choice(streets)} {rng.randint(1, 120)}",
                    "postal_code": post, "city": branch.city,
                    "income_band": rng.choice(["", "low", "middle", "high"]),
                    "education": rng.choice(["", "secondary", "higher"])}
            consents = [{"purpose": "contract", "granted": True}]
            if j % 3 != 2:
                consents.append({"purpose": "marketing_email", "granted": True})
            if j % 4 == 0:
                consents.append({"purpose": "marketing_sms", "granted": True})
            c = services.customer_create(actor=author or actor, branch_id=branch.pk,
                                         data=data, consents=consents,
                                         confirm_duplicate=True)
            created += 1
            when = timezone.now() - datetime.timedelta(days=rng.randint(1, 300))
            timeline.contact_log(actor=author or actor, customer_id=c.pk,
                                 kind=TimelineKind.VISIT, direction=Direction.INBOUND,
                                 subject="Wizyta w punkcie", body=rng.choice(NOTES),
                                 occurred_at=when)
            timeline.note_add(actor=author or actor, customer_id=c.pk, body=rng.choice(NOTES))
        name, nip, industry, size = COMPANIES[i % len(COMPANIES)]
        services.customer_create(
            actor=author or actor, branch_id=branch.pk,
            data={"kind": "company", "company_name": name, "nip": nip, "industry": industry,
                  "company_size": size, "phone": f"+4812{rng.randint(1000000, 9999999)}",
                  "street": f"{streets[0]} {rng.randint(1, 50)}", "postal_code": post,
                  "city": branch.city},
            consents=[{"purpose": "contract", "granted": True}], confirm_duplicate=True)
        created += 1
    # The demo wants realistic dates: spread registrations over the last year.
    for c in Customer.objects.all():
        Customer.objects.filter(pk=c.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=rng.randint(30, 365)))
    TimelineEntry.objects.filter(kind=TimelineKind.SYSTEM).update(
        occurred_at=timezone.now() - datetime.timedelta(days=365))
    return [f"{created} customers with consents and timelines"]
