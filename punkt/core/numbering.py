"""Numbers that run per year (``ZG/2026/000123``): one counter row per year, bumped by
a single locked ``UPDATE … RETURNING`` (PostgreSQL and SQLite ≥ 3.35), so two clerks
registering at once never get the same number and a rolled-back transaction leaves no
gap behind a committed one."""

from __future__ import annotations

from django.db import connection, models


def next_in_year(counter: type[models.Model], year: int, prefix: str) -> str:
    """The year's next ``<prefix>/<year>/<n:06d>``; ``counter`` is a model with ``year``
    (unique) and ``last`` columns, its row for the year made on the year's first number."""
    table, last, year_col = (connection.ops.quote_name(n) for n in (
        counter._meta.db_table, "last", "year"))
    for _attempt in range(2):
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET {last} = {last} + 1 "  # noqa: S608 (names)
                           f"WHERE {year_col} = %s RETURNING {last}", [year])
            row = cursor.fetchone()
        if row is not None:
            return f"{prefix}/{year}/{row[0]:06d}"
        counter._default_manager.get_or_create(year=year)
    raise RuntimeError(f"no {counter._meta.label} row for {year}")


def reserve_in_year(counter: type[models.Model], year: int, prefix: str, n: int) -> list[str]:
    """``n`` consecutive numbers of the year at once (an import): the counter moved by
    ``n`` in one locked UPDATE, as :func:`next_in_year` moves it by one."""
    if n <= 0:
        return []
    table, last, year_col = (connection.ops.quote_name(name) for name in (
        counter._meta.db_table, "last", "year"))
    for _attempt in range(2):
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET {last} = {last} + %s "  # noqa: S608 (names)
                           f"WHERE {year_col} = %s RETURNING {last}", [n, year])
            row = cursor.fetchone()
        if row is not None:
            top = int(row[0])
            return [f"{prefix}/{year}/{k:06d}" for k in range(top - n + 1, top + 1)]
        counter._default_manager.get_or_create(year=year)
    raise RuntimeError(f"no {counter._meta.label} row for {year}")
