"""Backup and restore (C27): one tar holding a manifest, the database and the stored files.

``punkt backup FILE`` writes ``manifest.json`` (format, Punkt version, creation time, the
database vendor, the applied migrations, the row count of every table, a SHA-256 of every
member), the database — PostgreSQL: ``pg_dump --format=custom`` of one exported snapshot,
the same snapshot the counts were taken in; SQLite: a copy made with SQLite's online
backup API, counted in the copy — and the stored files (every area directory under
``PUNKT_VAR_DIR``: materials, contracts, imports …; not the database, logs or static
files).

``punkt restore FILE`` checks everything before it writes anything: the manifest and the
checksums, that the target is the same kind of database, that it is fresh (no table; a
non-empty one only with ``--force``, which empties it first) and that no stored file would
be overwritten (again unless ``--force``). Then it loads the database (``pg_restore
--single-transaction``; SQLite's backup API), unpacks the files and checks the result:
the applied migrations equal the manifest's (and those of this version of Punkt missing
from the backup are listed: run ``punkt migrate``), and every table holds as many rows as
the manifest says.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = 1
MANIFEST = "manifest.json"
PG_MEMBER = "database.pgdump"
SQLITE_MEMBER = "database.sqlite3"
FILES_PREFIX = "files/"
#: Directories under ``VAR_DIR`` that hold no stored files of the areas.
NOT_STORED = frozenset({"static", "tools", "test", "mail", "backups", "tmp"})


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class RestoreReport:
    manifest: dict[str, Any]
    files: int = 0
    pending_migrations: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# --- helpers -----------------------------------------------------------------------------

def punkt_version() -> str:
    try:
        from importlib.metadata import version

        return version("punkt")
    except Exception:  # noqa: BLE001 - not installed as a distribution
        return "unknown"


def vendor_of(db: Mapping[str, Any]) -> str:
    engine = str(db.get("ENGINE", ""))
    if engine.endswith("postgresql"):
        return "postgresql"
    if engine.endswith("sqlite3"):
        return "sqlite"
    raise BackupError(f"Unsupported database engine {engine!r}: PostgreSQL or SQLite only.")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_env(db: Mapping[str, Any]) -> dict[str, str]:
    """libpq's environment for pg_dump / pg_restore: no password on the command line."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                     ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")):
        if db.get(key):
            env[var] = str(db[key])
    sslmode = (db.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env


def _run_pg_tool(tool: str, args: list[str], db: Mapping[str, Any]) -> None:
    path = shutil.which(tool)
    if path is None:
        raise BackupError(f"{tool} was not found: install the PostgreSQL client "
                          "(Debian: postgresql-client), of the server's major version or newer.")
    result = subprocess.run([path, *args], env=_pg_env(db),  # noqa: S603 - fixed tool, our args
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = result.stderr.strip() or result.stdout.strip()
        hint = ""
        if "version mismatch" in detail:
            hint = (f" The {tool} client is older than the server: install the client of "
                    "the server's major version.")
        raise BackupError(f"{tool} failed ({result.returncode}): {detail}{hint}")


def _pg_connect(db: Mapping[str, Any]) -> Any:
    import psycopg

    kwargs = {k: v for k, v in {
        "host": db.get("HOST") or None, "port": db.get("PORT") or None,
        "user": db.get("USER") or None, "password": db.get("PASSWORD") or None,
        "dbname": db.get("NAME")}.items() if v}
    sslmode = (db.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        kwargs["sslmode"] = sslmode
    try:
        return psycopg.connect(**kwargs)
    except psycopg.Error as exc:
        raise BackupError(f"Cannot connect to the PostgreSQL database "
                          f"{db.get('NAME')!r}: {exc}".strip()) from None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _pg_tables(cursor: Any) -> list[str]:
    cursor.execute("""
        SELECT c.relname FROM pg_class c
        WHERE c.relkind IN ('r', 'p') AND c.relnamespace = current_schema()::regnamespace
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
        ORDER BY 1""")
    return [r[0] for r in cursor.fetchall()]


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                        "AND name NOT LIKE 'sqlite_%' ORDER BY name").fetchall()
    return [r[0] for r in rows]


def _counts(cursor: Any, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 - quoted name
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _migrations(cursor: Any, tables: list[str]) -> dict[str, list[str]]:
    if "django_migrations" not in tables:
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    found: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        found.setdefault(app, []).append(name)
    return found


def stored_file_dirs(var_dir: Path) -> list[Path]:
    if not var_dir.is_dir():
        return []
    return sorted(p for p in var_dir.iterdir()
                  if p.is_dir() and not p.name.startswith(".") and p.name not in NOT_STORED)


def _stored_files(var_dir: Path) -> Iterator[tuple[Path, str]]:
    for area in stored_file_dirs(var_dir):
        for path in sorted(area.rglob("*")):
            if path.is_file() and not path.is_symlink() and not path.name.endswith(".part"):
                yield path, FILES_PREFIX + path.relative_to(var_dir).as_posix()


# --- backup ------------------------------------------------------------------------------

def create_backup(target: Path, *, alias: str = "default",
                  var_dir: Path | None = None) -> dict[str, Any]:
    """Write the backup tar to ``target`` (atomically: a partial file never carries the
    name) and return its manifest."""
    from django.conf import settings
    from django.db import connections

    var_dir = Path(var_dir or settings.VAR_DIR)
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} exists already: choose a new file name.")
    if not target.parent.is_dir():
        raise BackupError(f"The directory {target.parent} does not exist.")
    connection = connections[alias]
    vendor = vendor_of(connection.settings_dict)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".punkt-backup-") as tmp:
        work = Path(tmp)
        if vendor == "postgresql":
            member = PG_MEMBER
            counts, migrations, server = _dump_postgresql(connection, work / member)
        else:
            member = SQLITE_MEMBER
            counts, migrations, server = _dump_sqlite(connection, work / member)
        files = list(_stored_files(var_dir))
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "punkt_version": punkt_version(),
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "database": {"vendor": vendor, "member": member, "server_version": server},
            "migrations": migrations,
            "counts": counts,
            "files": {"count": len(files), "bytes": sum(p.stat().st_size for p, _ in files)},
            "sha256": {member: _sha256(work / member)},
        }
        for path, name in files:
            manifest["sha256"][name] = _sha256(path)
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True),
                                     encoding="utf-8")
        partial = work / "backup.tar.gz"
        with tarfile.open(partial, "w:gz", compresslevel=1) as tar:
            tar.add(work / MANIFEST, arcname=MANIFEST)
            tar.add(work / member, arcname=member)
            for path, name in files:
                tar.add(path, arcname=name)
        os.replace(partial, target)
    return manifest


def _dump_postgresql(connection: Any, out: Path) -> tuple[dict[str, int],
                                                         dict[str, list[str]], str]:
    """Counts, migrations and the dump all from one snapshot (pg_export_snapshot)."""
    from django.db import transaction

    connection.ensure_connection()
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot, server = cursor.fetchone()
        tables = _pg_tables(cursor)
        counts = _counts(cursor, tables)
        migrations = _migrations(cursor, tables)
        _run_pg_tool("pg_dump", ["--format=custom", "--no-owner", "--no-privileges",
                                 f"--snapshot={snapshot}", f"--file={out}"],
                     connection.settings_dict)
    return counts, migrations, str(server)


def _dump_sqlite(connection: Any, out: Path) -> tuple[dict[str, int],
                                                     dict[str, list[str]], str]:
    """SQLite's online backup API, then counts read from the copy itself."""
    connection.ensure_connection()
    copy = sqlite3.connect(out)
    try:
        connection.connection.backup(copy)
        tables = _sqlite_tables(copy)
        cursor = copy.cursor()
        return _counts(cursor, tables), _migrations(cursor, tables), sqlite3.sqlite_version
    finally:
        copy.close()


# --- restore -----------------------------------------------------------------------------

def read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.getmember(MANIFEST)
    except KeyError:
        raise BackupError("This is not a Punkt backup: it has no manifest.json.") from None
    handle = tar.extractfile(member)
    if handle is None:
        raise BackupError("manifest.json is not a file.")
    try:
        manifest = json.loads(handle.read().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"manifest.json is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict):
        raise BackupError("manifest.json is not an object.")
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r} "
                          f"(this Punkt reads format {FORMAT}).")
    for key in ("database", "migrations", "counts", "sha256"):
        if not isinstance(manifest.get(key), dict):
            raise BackupError(f"manifest.json lacks {key!r}.")
    database = manifest["database"]
    expected = {"postgresql": PG_MEMBER, "sqlite": SQLITE_MEMBER}.get(database.get("vendor"))
    if expected is None or database.get("member") != expected \
            or expected not in manifest["sha256"]:
        raise BackupError("manifest.json names no database of a known kind "
                          f"({database.get('vendor')!r}, {database.get('member')!r}).")
    return manifest


@contextmanager
def _open_archive(source: Path) -> Iterator[tarfile.TarFile]:
    if not Path(source).is_file():
        raise BackupError(f"{source} does not exist or is not a file.")
    try:
        tar = tarfile.open(source, "r:*")  # noqa: SIM115 - closed by the ``with`` below
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{source} is not a readable backup (tar): {exc}") from None
    with tar:
        yield tar


def _extract_checked(tar: tarfile.TarFile, manifest: dict[str, Any], work: Path) -> Path:
    """Unpack every member into ``work``, refusing anything the manifest does not vouch
    for (checksum) or that would land outside it."""
    expected = dict(manifest["sha256"])
    for member in tar.getmembers():
        if member.name == MANIFEST:
            continue
        if member.name not in expected:
            raise BackupError(f"The backup holds {member.name!r}, which its manifest does "
                              "not list: refusing it.")
        if not member.isfile():
            raise BackupError(f"{member.name!r} is not a regular file: refusing it.")
        tar.extract(member, work, filter="data")
        if _sha256(work / member.name) != expected.pop(member.name):
            raise BackupError(f"{member.name!r} is damaged (its checksum differs from the "
                              "manifest's).")
    if expected:
        raise BackupError(f"The backup is incomplete: {sorted(expected)[0]!r} is missing.")
    return work


def _target_tables(db: Mapping[str, Any], vendor: str) -> list[str]:
    if vendor == "postgresql":
        with _pg_connect(db) as conn, conn.cursor() as cursor:
            return _pg_tables(cursor)
    name = str(db.get("NAME", ""))
    if not name or name == ":memory:" or "mode=memory" in name:
        raise BackupError("Restore needs an SQLite database file, not an in-memory one.")
    if not Path(name).exists():
        return []
    conn = sqlite3.connect(name)
    try:
        return _sqlite_tables(conn)
    finally:
        conn.close()


def _empty_postgresql(db: Mapping[str, Any]) -> None:
    """``--force``: drop what a restore would recreate (tables, sequences, functions and
    extensions of the current schema), keeping the schema and its grants."""
    with _pg_connect(db) as conn, conn.cursor() as cursor:
        cursor.execute("""
            SELECT quote_ident(relname), relkind FROM pg_class c
            WHERE relkind IN ('r', 'p', 'v', 'm', 'S')
              AND relnamespace = current_schema()::regnamespace
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid
                              AND d.deptype = 'e')""")
        by_kind: dict[str, list[str]] = {}
        for name, relkind in cursor.fetchall():
            by_kind.setdefault(relkind, []).append(name)
        for relkind, kind in (("v", "VIEW"), ("m", "MATERIALIZED VIEW"), ("r", "TABLE"),
                              ("p", "TABLE"), ("S", "SEQUENCE")):
            if by_kind.get(relkind):
                cursor.execute(f"DROP {kind} IF EXISTS {', '.join(by_kind[relkind])} CASCADE")
        cursor.execute("""
            SELECT p.oid::regprocedure::text FROM pg_proc p
            WHERE pronamespace = current_schema()::regnamespace
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid
                              AND d.deptype = 'e')""")
        for (proc,) in cursor.fetchall():
            cursor.execute(f"DROP ROUTINE IF EXISTS {proc} CASCADE")
        cursor.execute("SELECT quote_ident(extname) FROM pg_extension WHERE extnamespace = "
                       "current_schema()::regnamespace AND extname <> 'plpgsql'")
        for (ext,) in cursor.fetchall():
            cursor.execute(f"DROP EXTENSION IF EXISTS {ext} CASCADE")


def restore_backup(source: Path, *, db: Mapping[str, Any], var_dir: Path,
                   force: bool = False) -> RestoreReport:
    """Restore ``source`` into the database ``db`` (a Django settings dict) and the stored
    files into ``var_dir``; the report lists what does not match (empty: all is well)."""
    vendor = vendor_of(db)
    var_dir = Path(var_dir)
    with _open_archive(Path(source)) as tar, \
            tempfile.TemporaryDirectory(prefix=".punkt-restore-",
                                        dir=var_dir if var_dir.is_dir() else None) as tmp:
        manifest = read_manifest(tar)
        backed_up = manifest["database"].get("vendor")
        if backed_up != vendor:
            raise BackupError(
                f"This backup holds a {backed_up} database; the target is {vendor}. Restore "
                f"it into a {backed_up} database (DATABASE_URL).")
        tables = _target_tables(db, vendor)
        if tables and not force:
            raise BackupError(
                f"The target database is not empty ({len(tables)} tables, e.g. {tables[0]}): "
                "restore into a fresh database, or add --force to replace its contents.")
        work = _extract_checked(tar, manifest, Path(tmp))
        files = sorted(p for p in (work / FILES_PREFIX).rglob("*") if p.is_file()) \
            if (work / FILES_PREFIX).is_dir() else []
        clashes = [p for p in files
                   if (var_dir / p.relative_to(work / FILES_PREFIX)).exists()]
        if clashes and not force:
            raise BackupError(
                f"{len(clashes)} stored files exist already in {var_dir}, e.g. "
                f"{clashes[0].relative_to(work / FILES_PREFIX)}: restore into an empty "
                "PUNKT_VAR_DIR, or add --force to overwrite them.")
        member = work / manifest["database"]["member"]
        if vendor == "postgresql":
            if tables:
                _empty_postgresql(db)
            _run_pg_tool("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error",
                                        "--single-transaction", f"--dbname={db['NAME']}",
                                        str(member)], db)
        else:
            _restore_sqlite(member, Path(str(db["NAME"])))
        for path in files:
            dest = var_dir / path.relative_to(work / FILES_PREFIX)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)
    report = RestoreReport(manifest=manifest, files=len(files))
    verify(db, manifest, report)
    return report


def _restore_sqlite(member: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(member)
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)
    finally:
        dest.close()
        source.close()


def database_state(db: Mapping[str, Any]) -> tuple[dict[str, int], dict[str, list[str]]]:
    """(row count per table, applied migrations per app) of the database ``db``."""
    if vendor_of(db) == "postgresql":
        with _pg_connect(db) as conn, conn.cursor() as cursor:
            tables = _pg_tables(cursor)
            return _counts(cursor, tables), _migrations(cursor, tables)
    conn = sqlite3.connect(str(db["NAME"]))
    try:
        cursor = conn.cursor()
        tables = _sqlite_tables(conn)
        return _counts(cursor, tables), _migrations(cursor, tables)
    finally:
        conn.close()


def verify(db: Mapping[str, Any], manifest: dict[str, Any], report: RestoreReport) -> None:
    """After a restore: migrations as in the manifest (and known to this Punkt), every
    table's row count as in the manifest."""
    counts, applied = database_state(db)
    if applied != manifest["migrations"]:
        report.problems.append("The restored database's migrations differ from the "
                               "manifest's.")
    pending, unknown = migration_state(applied)
    report.pending_migrations = pending
    if unknown:
        report.problems.append(
            f"The backup has {len(unknown)} migrations this version of Punkt does not know "
            f"(e.g. {unknown[0]}): it comes from a newer Punkt; install that version first.")
    expected: dict[str, int] = manifest["counts"]
    for table in sorted(set(expected) | set(counts)):
        if expected.get(table) != counts.get(table):
            report.problems.append(f"Table {table}: {counts.get(table, 'missing')} rows, "
                                   f"the manifest says {expected.get(table, 'none')}.")


def migration_state(applied: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """(migrations of this code not applied, applied migrations this code does not have)."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    on_disk = set(loader.disk_migrations)
    done = {(app, name) for app, names in applied.items() for name in names}
    replaced = {key for m in loader.disk_migrations.values() for key in m.replaces}
    pending = [f"{a}.{n}" for a, n in sorted(on_disk - done)
               if (a, n) not in replaced
               and not (loader.disk_migrations[(a, n)].replaces
                        and set(loader.disk_migrations[(a, n)].replaces) <= done)]
    apps = {app for app, _name in on_disk}
    unknown = [f"{a}.{n}" for a, n in sorted(done - on_disk) if a in apps]
    return pending, unknown
