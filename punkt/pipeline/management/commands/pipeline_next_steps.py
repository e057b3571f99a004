"""``punkt pipeline_next_steps``: recompute every customer's kept next step (R11.5) from
their sales and control dates — after a bulk load or a restore; each change keeps it
otherwise (``punkt/pipeline/next_steps.py``)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from punkt.pipeline import next_steps
from punkt.pipeline.models import NextStep


class Command(BaseCommand):
    help = "Recompute every customer's next step in the sales cycle (R11.5)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        total = next_steps.rebuild()
        none = NextStep.objects.filter(state="none").count()
        self.stdout.write(f"{total} customers, {none} with no next step, "
                          f"in {time.monotonic() - started:.1f} s")
