from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from punkt.core.jobs import PERIODIC, reap_stale_tasks, run_due_jobs


class Command(BaseCommand):
    help = ("Enqueue periodic jobs once per time slot and reap tasks of dead workers. "
            "Safe to run twice: each slot is claimed once.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One pass, then exit")
        parser.add_argument("--interval", type=float, default=15.0)

    def handle(self, *args: Any, **o: Any) -> None:
        self.stdout.write("Periodic jobs: " + ", ".join(
            f"{j.name} every {j.every}" for j in PERIODIC.values()))
        while True:
            close_old_connections()
            started = run_due_jobs()
            reaped = reap_stale_tasks()
            if started or any(reaped.values()):
                self.stdout.write(f"enqueued={started} reaped={reaped}")
            if o["once"]:
                return
            time.sleep(o["interval"])
