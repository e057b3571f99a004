from __future__ import annotations

import os
from typing import Any

from django.core.management.base import CommandError, CommandParser

from punkt.core.management.base import PunktCommand
from punkt.core.roles import Role
from punkt.organization import services
from punkt.organization.models import Branch


class Command(PunktCommand):
    help = ("Add an employee with a role at a branch. The password is read from the "
            "environment variable named by --password-env (default PUNKT_PASSWORD), never "
            "from an argument.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--first-name", required=True)
        parser.add_argument("--last-name", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--branch", required=True,
                            help="Branch code (use the HQ's code for hq_expert and admin)")
        parser.add_argument("--password-env", default="PUNKT_PASSWORD",
                            help="Environment variable holding the password")

    def handle(self, *args: Any, **o: Any) -> None:
        password = os.environ.get(o["password_env"], "")
        if not password:
            raise CommandError(f"Set the password in the environment variable "
                               f"{o['password_env']}.")
        branch = Branch.objects.filter(code=o["branch"].upper()).first()
        if branch is None:
            raise CommandError(f"No branch with code {o['branch']!r} (field: branch)")
        employee = services.employee_create(
            actor=self.actor, email=o["email"], first_name=o["first_name"],
            last_name=o["last_name"], password=password,
            memberships=[(branch.pk, o["role"])])
        self.stdout.write(f"Created {employee.email} (id {employee.pk}) as {o['role']} at "
                          f"{branch.code}")
