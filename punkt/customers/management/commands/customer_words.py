from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from punkt.customers import search
from punkt.customers.models import Customer


class Command(BaseCommand):
    help = ("Rebuild the search words of every customer (after a restore, a bulk change made "
            "outside Punkt, or customers saved by an older version during an upgrade). "
            "Safe to run at any time; customers stay searchable meanwhile.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args: Any, **options: Any) -> None:
        last, done = 0, 0
        while True:
            with transaction.atomic():
                batch = list(Customer.objects.select_for_update().filter(pk__gt=last)
                             .order_by("pk")[:options["batch"]])
                if not batch:
                    break
                search.index_customers(batch)
            last, done = batch[-1].pk, done + len(batch)
            if options["verbosity"] > 1:
                self.stdout.write(f"  {done} customers")
        self.stdout.write(f"search words rebuilt for {done} customers")
