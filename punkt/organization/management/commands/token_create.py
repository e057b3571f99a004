from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from punkt.core.management.base import PunktCommand
from punkt.organization import services
from punkt.organization.models import Employee


class Command(PunktCommand):
    help = "Create a personal API token for an employee and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", required=True, help="What the token is for")
        parser.add_argument("--days", type=int, default=None, help="Valid for N days")

    def handle(self, *args: Any, **o: Any) -> None:
        employee = Employee.objects.filter(email__iexact=o["email"], is_active=True).first()
        if employee is None:
            raise CommandError(f"No active employee with e-mail {o['email']!r} (field: email)")
        _token, secret = services.api_token_create(actor=employee, name=o["name"],
                                                   expires_in_days=o["days"])
        self.stdout.write(secret)
