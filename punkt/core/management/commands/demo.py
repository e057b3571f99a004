from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction

from punkt.core.demo import SEEDERS
from punkt.core.management.base import PunktCommand


class Command(PunktCommand):
    help = "Load demo data (idempotent). Only in demo mode: PUNKT_DEMO=1."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("Demo accounts exist only in demo mode: set PUNKT_DEMO=1.")
        lines: list[str] = []
        with transaction.atomic():
            for _order, seed in SEEDERS:
                lines.extend(seed(self.actor))
        self.stdout.write("\n".join(lines))
