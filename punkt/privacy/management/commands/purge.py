"""``punkt purge [--dry-run] [--category CODE …]``: the retention purge (docs/retention.md)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = ("Anonymise or delete personal data whose retention period has ended; "
            "--dry-run only reports, per data category, how many rows and the oldest.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true",
                            help="report what would be purged, change nothing")
        parser.add_argument("--category", action="append", default=[],
                            help="only this category (repeatable)")
        parser.add_argument("--batch", type=int, default=500,
                            help="rows per transaction (default 500)")

    def handle(self, *args: Any, **options: Any) -> None:
        from punkt.privacy import purge

        if not 1 <= options["batch"] <= 10_000:
            raise CommandError("--batch: give a number from 1 to 10000")
        try:
            record = purge.run(dry_run=options["dry_run"], actor_label="cli:purge",
                               codes=options["category"] or None, batch=options["batch"])
        except (ValueError, ImproperlyConfigured) as exc:
            raise CommandError(str(exc)) from exc
        if options["dry_run"]:
            self.stdout.write("Dry run: no data changed (the run itself is recorded).")
        self.stdout.write(purge.format_report(record.report, dry_run=options["dry_run"]))
