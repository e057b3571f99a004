"""``punkt analytics_refresh [--months N]``: refresh the customer analytics now (and, with
``--months``, the history of the last N months first)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from punkt.analytics import refresh


class Command(BaseCommand):
    help = "Refresh customer categories and ABC/XYZ classes now (docs/analytics.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--months", type=int, default=0,
                            help="also compute the last N months' history (as of their ends)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["months"]:
            done = refresh.backfill(max(0, min(options["months"], 36)))
        else:
            snap = refresh.refresh()
            done = [snap] if snap else []
        if not done:
            self.stdout.write("Another refresh is running; nothing done.")
        for snap in done:
            self.stdout.write(f"{snap.as_of}: {snap.customers} customers in "
                              f"{snap.seconds:.1f} s")
