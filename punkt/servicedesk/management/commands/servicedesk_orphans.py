"""``punkt servicedesk_orphans [--dry-run]``: the orphan check now (``servicedesk/orphans``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

WHY = {"unassigned": "no assignee", "inactive": "assignee inactive",
       "not_member": "assignee not in the team"}


class Command(BaseCommand):
    help = ("Route again the open tickets without an owner (none, an inactive one, or one "
            "no longer in the team); --dry-run prints what it would do and changes nothing.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true",
                            help="print what would be done, change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        from punkt.servicedesk import orphans

        dry = bool(options["dry_run"])
        fixes = orphans.check(dry_run=dry)
        verb = "would go to" if dry else "went to"
        for f in fixes:
            self.stdout.write(f"{f.number}\t{f.team}\t{WHY[f.why]}\t{verb} "
                              f"{f.after_name or '(the team queue, unassigned)'}")
        summary = f"{len(fixes)} ticket(s) without an owner"
        self.stdout.write(f"Dry run: {summary} found, nothing changed." if dry
                          else f"{summary} handed over.")
