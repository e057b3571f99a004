"""``punkt analytics_refresh [--months N] [--rebuild]``: refresh the customer analytics
now (and, with ``--months``, the history of the last N months first; with ``--rebuild``,
the kept month table built again from every settlement first)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from punkt.analytics import kept, refresh


class Command(BaseCommand):
    help = "Refresh customer categories and ABC/XYZ classes now (docs/analytics.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--months", type=int, default=0,
                            help="also compute the last N months' history (as of their ends)")
        parser.add_argument("--rebuild", action="store_true",
                            help="build the kept month table again from every settlement")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            mark = kept.build(refresh._end_of(timezone.localdate()))
            self.stdout.write(f"Month table built up to {mark.covered_until:%Y-%m-%d %H:%M}.")
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
