"""Writing many rows at once: PostgreSQL ``COPY`` where it counts, ``bulk_create`` elsewhere.

Imports write hundreds of thousands of rows; Django's ``bulk_create`` builds one SQL
statement with a parameter per value, which costs more Python time than the database
spends storing them. :func:`insert` takes the same unsaved model instances and, on
PostgreSQL, streams them with ``COPY`` (ids drawn from the table's sequence first, so the
instances get their primary keys as with ``bulk_create``). Values go through each field's
``pre_save`` and ``get_db_prep_save`` exactly as in an ``INSERT``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections, models
from django.db.models.fields.related import ForeignKey

#: Fields whose value psycopg takes as it is: skip Django's per-value preparation (which
#: for these only checks the type). Anything else goes through get_db_prep_save.
PLAIN = (models.CharField, models.TextField, models.IntegerField, models.BooleanField,
         models.DateField, models.DecimalField, ForeignKey)


def _allocate_ids(connection: Any, model: type[models.Model], n: int) -> list[int]:
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cur:
        cur.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                    "FROM generate_series(1, %s)", [table, column, n])
        return [row[0] for row in cur.fetchall()]


def insert[M: models.Model](objs: Sequence[M], *, batch_size: int = 1000,
                            using: str = "default") -> Sequence[M]:
    """Insert unsaved instances of one model; afterwards each has its primary key."""
    if not objs:
        return objs
    model = type(objs[0])
    connection = connections[using]
    if connection.vendor != "postgresql" or model._meta.parents:  # (multi-table: Django's)
        model._default_manager.bulk_create(objs, batch_size=batch_size)
        return objs
    pk = model._meta.pk
    if isinstance(pk, models.AutoField | models.BigAutoField | models.SmallAutoField):
        missing = [o for o in objs if o.pk is None]
        for obj, new_id in zip(missing, _allocate_ids(connection, model, len(missing)),
                               strict=True):
            obj.pk = new_id
    fields = [f for f in model._meta.concrete_fields if not f.generated]
    values = [_reader(f, connection) for f in fields]
    qn = connection.ops.quote_name
    sql = (f"COPY {qn(model._meta.db_table)} "
           f"({', '.join(qn(str(f.column)) for f in fields)}) FROM STDIN")
    for obj in objs:  # an unsaved related object is an error, as in bulk_create
        obj._prepare_related_fields_for_save(operation_name="bulk.insert")  # type: ignore[attr-defined]
    with (connection.wrap_database_errors, connection.cursor() as cur,
          cur.cursor.copy(sql) as copy):
        for obj in objs:
            copy.write_row([value(obj) for value in values])
            obj._state.adding = False
            obj._state.db = connection.alias
    return objs


def _reader(field: Any, connection: Any) -> Callable[[models.Model], Any]:
    """How to read one field's database value from an instance (as an INSERT would)."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)
    attname = field.attname
    if isinstance(field, PLAIN) and not isinstance(field, models.DateTimeField):
        plain: tuple[type, ...] | None = None
        if isinstance(field, models.BooleanField):
            plain = (bool, type(None))
        elif isinstance(field, models.CharField | models.TextField):
            plain = (str, type(None))
        elif not isinstance(field, models.DateField | models.DecimalField):
            plain = (int, type(None))  # integers and foreign keys

        def read(obj: models.Model) -> Any:
            value = getattr(obj, attname)
            if plain is not None and type(value) in plain:
                return value
            return field.get_db_prep_save(value, connection)
        return read
    return lambda obj: field.get_db_prep_save(getattr(obj, attname), connection)
