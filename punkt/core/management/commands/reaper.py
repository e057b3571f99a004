from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from punkt.core.jobs import reap_stale_tasks


class Command(BaseCommand):
    help = "Requeue tasks left RUNNING by a worker that stopped sending heartbeats."

    def handle(self, *args: Any, **options: Any) -> None:
        result = reap_stale_tasks()
        self.stdout.write(f"requeued {result['requeued']}, failed {result['failed']}")
