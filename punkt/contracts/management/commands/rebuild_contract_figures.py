from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from punkt.contracts import figures


class Command(BaseCommand):
    help = ("Recompute the contract figures per branch and month (contract reports, churn) "
            "from the contracts. Run it after an upgrade or a restore, or with --check to "
            "compare the kept figures with the contracts; contracts cannot change while "
            "it runs.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true",
                            help="Only compare; exit with status 1 if they differ.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        if options["check"]:
            kept, want = figures.stored(), figures.expected()
            wrong = sorted(k for k in kept.keys() | want.keys() if kept.get(k) != want.get(k))
            for branch_id, month in wrong[:20]:
                self.stdout.write(f"branch {branch_id} {month:%Y-%m}: kept "
                                  f"{kept.get((branch_id, month))}, contracts say "
                                  f"{want.get((branch_id, month))}")
            if wrong:
                self.stderr.write(f"{len(wrong)} branch-months differ: run "
                                  "`punkt rebuild_contract_figures`.")
                raise SystemExit(1)
            self.stdout.write(f"contract figures match the contracts ({len(kept)} rows)")
            return
        rows = figures.rebuild()
        self.stdout.write(f"contract figures rebuilt: {rows} branch-months in "
                          f"{time.monotonic() - started:.1f} s")
