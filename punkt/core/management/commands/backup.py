from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from punkt.core.backup import BackupError, create_backup
from punkt.core.management.base import PunktCommand


class Command(PunktCommand):
    requires_system_checks: list[str] = []  # quick; the drill runs `check` itself
    help = ("Back up the database (PostgreSQL: pg_dump custom format; SQLite: online "
            "backup) and the stored files into one tar with a manifest (C27).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the backup file to write (must not exist)")

    def handle(self, *args: Any, **options: Any) -> None:
        from punkt.core.audit import audit_record

        target = Path(options["file"])
        try:
            manifest = create_backup(target)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(manifest["counts"].values())
        audit_record(action="core.backup.create", actor=self.actor, changes={
            "file": str(target.resolve()), "tables": len(manifest["counts"]), "rows": rows,
            "files": manifest["files"]["count"]})
        self.stdout.write(
            f"Backup written to {target}: {manifest['database']['vendor']} database, "
            f"{len(manifest['counts'])} tables, {rows} rows, "
            f"{manifest['files']['count']} stored files.")
