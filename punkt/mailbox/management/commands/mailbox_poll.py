"""``punkt mailbox_poll [--mailbox ID]``: fetch the new mail now (the scheduler does it
every minute)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from punkt.core.management.base import PunktCommand
from punkt.mailbox.models import Mailbox
from punkt.mailbox.services import poll


class Command(PunktCommand):
    help = "Fetch the new mail of the active mailboxes (or of one) now."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--mailbox", type=int, help="only this mailbox (its id)")

    def handle(self, *args: Any, **options: Any) -> None:
        boxes = Mailbox.objects.filter(is_active=True).order_by("pk")
        if options["mailbox"]:
            boxes = Mailbox.objects.filter(pk=options["mailbox"])
            if not boxes.exists():
                raise CommandError(f"No mailbox {options['mailbox']}")
        failed = False
        for box in boxes:
            result = poll(box.pk)
            counts = ", ".join(f"{k}: {v}" for k, v in sorted(result.taken.items())) or "-"
            state = "busy (another poll runs)" if result.skipped else (
                f"error: {result.error}" if result.error else "ok")
            self.stdout.write(f"{box.address}: {state}; {counts}")
            failed = failed or bool(result.error)
        if failed:
            raise CommandError("Some mailboxes could not be read.")
