from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.db import connections

from punkt.core.backup import BackupError, restore_backup
from punkt.core.management.base import PunktCommand


class Command(PunktCommand):
    requires_system_checks: list[str] = []  # quick; the drill runs `check` itself
    help = ("Restore a backup made by `punkt backup` into a fresh database (DATABASE_URL) "
            "and PUNKT_VAR_DIR, then check its migrations and row counts (C27).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the backup file")
        parser.add_argument("--force", action="store_true",
                            help="replace the contents of a non-empty database and "
                                 "overwrite stored files of the same name")

    def handle(self, *args: Any, **options: Any) -> None:
        from punkt.core.audit import audit_record

        source = Path(options["file"])
        connections.close_all()
        db = dict(connections["default"].settings_dict)
        try:
            report = restore_backup(source, db=db, var_dir=Path(settings.VAR_DIR),
                                    force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        manifest = report.manifest
        if not report.ok:
            raise CommandError("The restore does not match the backup:\n  "
                               + "\n  ".join(report.problems))
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            f"Restored {source} (made {manifest['created_at']}, Punkt "
            f"{manifest['punkt_version']}): {len(manifest['counts'])} tables, {rows} rows "
            f"and {report.files} stored files; migrations and row counts match the manifest.")
        if report.pending_migrations:
            self.stdout.write(
                f"{len(report.pending_migrations)} migrations of this version are not applied "
                f"yet (e.g. {report.pending_migrations[0]}): run `punkt migrate` (as the "
                "database owner).")
        else:
            audit_record(action="core.backup.restore", actor=self.actor, changes={
                "file": str(source.resolve()), "created_at": manifest["created_at"],
                "tables": len(manifest["counts"]), "rows": rows})
