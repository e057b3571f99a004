"""``punkt bounce_record FILE [FILE …]`` (``-`` for standard input): delivery status
notifications (RFC 3464) given to us by the mail server's pipe or by hand; the mass
messages they report are marked bounced (``punkt/messaging/bounces.py``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from punkt.core.management.base import PunktCommand
from punkt.messaging import bounces


class Command(PunktCommand):
    help = "Record delivery status notifications (bounces) of mass e-mails."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("files", nargs="+", help="raw e-mail files, - for stdin")

    def handle(self, *args: Any, **options: Any) -> None:
        for name in options["files"]:
            raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
            marked = bounces.record(raw)
            self.stdout.write(f"{name}: " + (", ".join(
                f"message {m.pk} bounced ({m.error})" for m in marked) or "no message of ours"))
