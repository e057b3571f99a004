"""Demo organisation: HQ, three branches, one user per role, hours and an absence."""

from __future__ import annotations

import datetime

from django.utils import timezone

from punkt.core.demo import DEMO_PASSWORD, seeder
from punkt.core.roles import Role
from punkt.organization import services
from punkt.organization.actors import Actor
from punkt.organization.models import Absence, Branch, BranchKind, Employee

BRANCHES = [
    # code, name, street, postal code, city, kind
    ("HQ", "Centrala", "ul. Marszałkowska 100", "00-026", "Warszawa", BranchKind.HQ),
    ("KRK-01", "Kraków Rynek", "Rynek Główny 12", "31-042", "Kraków", BranchKind.BRANCH),
    ("LDZ-01", "Łódź Piotrkowska", "ul. Piotrkowska 85", "90-423", "Łódź", BranchKind.BRANCH),
    ("GDA-01", "Gdańsk Wrzeszcz", "al. Grunwaldzka 141", "80-264", "Gdańsk", BranchKind.BRANCH),
]
USERS = [
    # e-mail, first name, last name, role, branch code
    ("admin@demo.punkt.pl", "Anna", "Administratorska", Role.ADMIN, "HQ"),
    ("ekspert@demo.punkt.pl", "Edward", "Ekspercki", Role.HQ_EXPERT, "HQ"),
    ("kierownik@demo.punkt.pl", "Katarzyna", "Kierownik", Role.MANAGER, "KRK-01"),
    ("obsluga@demo.punkt.pl", "Olga", "Obsługowa", Role.SERVICE, "KRK-01"),
    ("retencja@demo.punkt.pl", "Robert", "Retencki", Role.RETENTION, "KRK-01"),
    ("kasjer@demo.punkt.pl", "Kazimierz", "Kasjerski", Role.CASHIER, "KRK-01"),
    ("kierownik.lodz@demo.punkt.pl", "Łucja", "Łódzka", Role.MANAGER, "LDZ-01"),
    ("obsluga.lodz@demo.punkt.pl", "Żaneta", "Źdźbło", Role.SERVICE, "LDZ-01"),
    ("kierownik.gdansk@demo.punkt.pl", "Grzegorz", "Gdański", Role.MANAGER, "GDA-01"),
]
OPENING = [{"weekday": d, "opens": "09:00", "closes": "18:00"} for d in range(5)] + [
    {"weekday": 5, "opens": "10:00", "closes": "14:00"}]
SHIFT = [{"weekday": d, "starts": "09:00", "ends": "17:00"} for d in range(5)]


@seeder(10)
def seed_organization(actor: Actor) -> list[str]:
    branches: dict[str, Branch] = {}
    for code, name, street, postal, city, kind in BRANCHES:
        branch = Branch.objects.filter(code=code).first()
        if branch is None:
            branch = services.branch_create(actor=actor, kind=kind, code=code, name=name,
                                            street=street, postal_code=postal, city=city,
                                            phone="+48 22 100 20 30",
                                            email=f"{code.lower()}@demo.punkt.pl")
            services.opening_hours_set(actor=actor, branch_id=branch.pk, hours=OPENING)
        branches[code] = branch
    lines = []
    for email, first, last, role, code in USERS:
        employee = Employee.objects.filter(email=email).first()
        if employee is None:
            employee = services.employee_create(
                actor=actor, email=email, first_name=first, last_name=last,
                password=DEMO_PASSWORD, memberships=[(branches[code].pk, role)])
            if role not in (Role.ADMIN, Role.HQ_EXPERT):
                services.working_hours_set(actor=actor, employee_id=employee.pk,
                                           branch_id=branches[code].pk, hours=SHIFT)
        lines.append(f"  {email:<34} {Role(role).label}  ({code})")
    retention = Employee.objects.get(email="retencja@demo.punkt.pl")
    if not Absence.objects.filter(employee=retention).exists():
        start = timezone.localdate() + datetime.timedelta(days=7)
        services.absence_create(
            actor=actor, employee_id=retention.pk, branch_id=branches["KRK-01"].pk,
            kind="leave", starts_on=start, ends_on=start + datetime.timedelta(days=4),
            substitute_id=Employee.objects.get(email="obsluga@demo.punkt.pl").pk,
            note="Urlop wypoczynkowy")
    return [f"Demo sign-ins (password: {DEMO_PASSWORD}):", *lines]
