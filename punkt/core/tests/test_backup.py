"""C27: ``punkt backup`` / ``punkt restore`` on the database the suite runs on (SQLite or
PostgreSQL): a round trip into a fresh database, refusals before anything is written,
and the migrations and row-count checks after."""

from __future__ import annotations

import io
import json
import tarfile
import tempfile
import uuid
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from punkt.core import backup
from punkt.core.backup import BackupError, create_backup, restore_backup
from punkt.customers.tests.factories import CustomerFactory
from tests.world import make_world

pytestmark = pytest.mark.django_db(transaction=True)
PG = connection.vendor == "postgresql"


@pytest.fixture
def fresh() -> Iterator[Any]:
    """``fresh()`` → a new, empty database of the suite's kind to restore into."""
    made: list[str] = []
    base = dict(connection.settings_dict)
    admin: dict[str, Any] = {
        k: v for k, v in {"host": base.get("HOST"), "port": base.get("PORT"),
                          "user": base.get("USER"), "password": base.get("PASSWORD"),
                          "dbname": "postgres"}.items() if v}

    def make() -> dict[str, Any]:
        if not PG:
            return {"ENGINE": "django.db.backends.sqlite3",
                    "NAME": str(Path(tempfile.mkdtemp()) / "restored.db")}
        import psycopg

        name = f"punkt_data_protect_restore_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return {**base, "NAME": name}

    yield make
    if made:
        import psycopg

        with psycopg.connect(**admin, autocommit=True) as conn:
            for name in made:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_db(fresh: Any) -> dict[str, Any]:
    return dict(fresh())


def _seed(var: Path) -> Any:
    world = make_world()
    for last in ("Nowak", "Wiśniewska", "Zając"):
        CustomerFactory.create(actor=world.service_a, branch=world.a, last_name=last)
    (var / "materials").mkdir(parents=True)
    (var / "materials" / "cennik.csv").write_text("kod;cena\nA;1,00\n", encoding="utf-8")
    (var / "static").mkdir()
    (var / "static" / "app.css").write_text("body{}")  # not a stored file
    return world


def test_round_trip_into_a_fresh_database(tmp_path: Path, fresh_db: dict[str, Any]) -> None:
    src, dst = tmp_path / "var-src", tmp_path / "var-dst"
    _seed(src)
    manifest = create_backup(tmp_path / "b.tar.gz", var_dir=src)
    assert manifest["database"]["vendor"] == ("postgresql" if PG else "sqlite")
    assert manifest["counts"]["customers_customer"] == 3
    assert manifest["counts"]["organization_employee"] == 8
    assert "0001_initial" in manifest["migrations"]["customers"]
    assert manifest["files"]["count"] == 1 and manifest["created_at"].endswith("+00:00")
    with tarfile.open(tmp_path / "b.tar.gz") as tar:
        names = tar.getnames()
    assert names[0] == "manifest.json" and "files/materials/cennik.csv" in names
    assert not any("static" in n for n in names)

    report = restore_backup(tmp_path / "b.tar.gz", db=fresh_db, var_dir=dst)
    assert report.ok, report.problems
    assert report.pending_migrations == [] and report.files == 1
    assert (dst / "materials" / "cennik.csv").read_text(encoding="utf-8").startswith("kod")
    # The restored database answers like the original one.
    counts, migrations = backup.database_state(fresh_db)
    assert counts == manifest["counts"] and migrations == manifest["migrations"]


def test_restore_refuses_a_non_empty_database_unless_forced(
        tmp_path: Path, fresh: Any) -> None:
    src = tmp_path / "var-src"
    _seed(src)
    create_backup(tmp_path / "b.tar.gz", var_dir=src)
    first = fresh()
    assert restore_backup(tmp_path / "b.tar.gz", db=first, var_dir=tmp_path / "d1").ok
    with pytest.raises(BackupError, match="not empty"):
        restore_backup(tmp_path / "b.tar.gz", db=first, var_dir=tmp_path / "d2")
    # A fresh database, but the stored files are there already.
    second = fresh()
    with pytest.raises(BackupError, match="stored files exist already"):
        restore_backup(tmp_path / "b.tar.gz", db=second, var_dir=tmp_path / "d1")
    assert backup._target_tables(second, backup.vendor_of(second)) == []
    # --force replaces the database's contents and overwrites the files.
    report = restore_backup(tmp_path / "b.tar.gz", db=first, var_dir=tmp_path / "d1",
                            force=True)
    assert report.ok, report.problems
    assert backup.database_state(first)[0]["customers_customer"] == 3


def _rewrite(source: Path, target: Path, change: Any) -> None:
    """Copy a backup, passing each (name, bytes) through ``change``."""
    with tarfile.open(source) as src, tarfile.open(target, "w:gz") as out:
        for member in src.getmembers():
            handle = src.extractfile(member)
            data = handle.read() if handle else b""
            result = change(member.name, data)
            if result is None:
                continue
            info = tarfile.TarInfo(member.name)
            info.size = len(result)
            out.addfile(info, io.BytesIO(result))


def test_bad_archives_are_refused_before_anything_is_written(
        tmp_path: Path, fresh_db: dict[str, Any]) -> None:
    _seed(tmp_path / "var-src")
    good = tmp_path / "b.tar.gz"
    create_backup(good, var_dir=tmp_path / "var-src")
    dst = tmp_path / "var-dst"

    (tmp_path / "junk.tar.gz").write_bytes(b"not a tar at all")
    cases: list[tuple[Path, str]] = [(tmp_path / "junk.tar.gz", "not a readable backup"),
                                     (tmp_path / "missing.tar.gz", "does not exist")]

    def manifest_edit(edit: Any) -> Any:
        def change(name: str, data: bytes) -> bytes:
            if name != "manifest.json":
                return data
            manifest = json.loads(data)
            edit(manifest)
            return json.dumps(manifest).encode()
        return change

    variants = {
        "no-manifest": (lambda n, d: None if n == "manifest.json" else d, "no manifest"),
        "damaged": (lambda n, d: d + b"x" if n.startswith("database") else d, "damaged"),
        "format": (manifest_edit(lambda m: m.update(format=99)), "Unknown backup format"),
        "vendor": (manifest_edit(_other_vendor), "Restore it into"),
        "member": (manifest_edit(lambda m: m["database"].update(member="../../etc/passwd")),
                   "names no database"),
        "extra": (manifest_edit(lambda m: m["sha256"].pop("files/materials/cennik.csv")),
                  "does not list"),
    }
    for label, (change, _message) in variants.items():
        _rewrite(good, tmp_path / f"{label}.tar.gz", change)
        cases.append((tmp_path / f"{label}.tar.gz", _message))
    for path, message in cases:
        with pytest.raises(BackupError, match=message):
            restore_backup(path, db=fresh_db, var_dir=dst)
    # Nothing was written: the target has no table and no stored file.
    assert backup._target_tables(fresh_db, backup.vendor_of(fresh_db)) == []
    assert not (dst / "materials").exists()


def _other_vendor(manifest: dict[str, Any]) -> None:
    """As if the backup had been made on the other kind of database."""
    vendor, member = ("sqlite", "database.sqlite3") if PG else ("postgresql", "database.pgdump")
    manifest["sha256"][member] = manifest["sha256"].pop(manifest["database"]["member"])
    manifest["database"].update(vendor=vendor, member=member)


def test_counts_that_differ_from_the_manifest_are_reported(
        tmp_path: Path, fresh_db: dict[str, Any]) -> None:
    _seed(tmp_path / "var-src")
    create_backup(tmp_path / "b.tar.gz", var_dir=tmp_path / "var-src")

    def change(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["counts"]["customers_customer"] = 4
        return json.dumps(manifest).encode()

    _rewrite(tmp_path / "b.tar.gz", tmp_path / "edited.tar.gz", change)
    report = restore_backup(tmp_path / "edited.tar.gz", db=fresh_db,
                            var_dir=tmp_path / "var-dst")
    assert report.problems == ["Table customers_customer: 3 rows, the manifest says 4."]


def test_migration_state_lists_pending_and_unknown_migrations(tmp_path: Path) -> None:
    create_backup(tmp_path / "b.tar.gz", var_dir=tmp_path)
    with tarfile.open(tmp_path / "b.tar.gz") as tar:
        applied = backup.read_manifest(tar)["migrations"]
    assert backup.migration_state(applied) == ([], [])
    last = applied["customers"].pop()
    applied.setdefault("core", []).append("9999_from_the_future")
    pending, unknown = backup.migration_state(applied)
    assert pending == [f"customers.{last}"] and unknown == ["core.9999_from_the_future"]


def test_cli_backup_and_restore(tmp_path: Path, settings: Any) -> None:
    settings.VAR_DIR = tmp_path / "var"
    _seed(tmp_path / "var")
    out = StringIO()
    call_command("backup", str(tmp_path / "b.tar.gz"), stdout=out)
    assert "1 stored files" in out.getvalue()
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", str(tmp_path / "b.tar.gz"), stdout=StringIO())
    # The suite's own database is not fresh: refused, with the way out named.
    with pytest.raises(CommandError, match="--force|in-memory"):
        call_command("restore", str(tmp_path / "b.tar.gz"), stdout=StringIO())
    with pytest.raises(CommandError, match="not a readable backup"):
        (tmp_path / "x.tar").write_text("x")
        call_command("restore", str(tmp_path / "x.tar"), stdout=StringIO())
