from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from punkt.core.management.base import PunktCommand
from punkt.organization import services
from punkt.organization.models import BranchKind


class Command(PunktCommand):
    help = "Add a branch (or the headquarters with --hq)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", required=True, help="Unique short code, e.g. WAW-01")
        parser.add_argument("--name", required=True)
        parser.add_argument("--street", required=True, help="Street and number")
        parser.add_argument("--postal-code", required=True, help="NN-NNN")
        parser.add_argument("--city", required=True)
        parser.add_argument("--phone", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--hq", action="store_true", help="This is the headquarters")

    def handle(self, *args: Any, **o: Any) -> None:
        branch = services.branch_create(
            actor=self.actor, kind=BranchKind.HQ if o["hq"] else BranchKind.BRANCH,
            code=o["code"], name=o["name"], street=o["street"], postal_code=o["postal_code"],
            city=o["city"], phone=o["phone"], email=o["email"])
        self.stdout.write(f"Created {branch.get_kind_display()} {branch.code} (id {branch.pk})")
