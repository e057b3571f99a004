"""Writing many rows at once: PostgreSQL ``COPY`` where it counts, ``bulk_create`` elsewhere.

Imports write hundreds of thousands of rows; Django's ``bulk_create`` builds one SQL
statement with a parameter per value, which costs more Python time than the database
spends storing them. :func:`insert` takes the same unsaved model instances and, on
PostgreSQL, streams them with ``COPY`` (ids drawn from the table's sequence first, so the
instances get their primary keys as with ``bulk_create``). Values go through each field's
``pre_save`` and ``get_db_prep_save`` exactly as in an ``INSERT``.

:func:`insert_rows` writes plain rows (``{field: value}``) without building a model
instance per row — half the Python time of an import's write went into ``Model.__init__``
for rows nothing reads back. Fields a row leaves out get what a new instance would have
(the field's default, ``auto_now`` times); elsewhere than on PostgreSQL it builds the
instances and calls ``bulk_create``, so both give the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from types import SimpleNamespace
from typing import Any

from django.db import connections, models
from django.db.models import F, Lookup, QuerySet
from django.db.models.fields import NOT_PROVIDED
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


def insert_rows(model: type[models.Model], rows: Sequence[dict[str, Any]], *,
                return_ids: bool = True, batch_size: int = 1000,
                using: str = "default") -> list[Any]:
    """Insert rows of ``model`` given as ``{attname: value}`` (``customer_id``, not
    ``customer``; every row the same keys) without building instances; returns their
    primary keys in order (``return_ids=False``: an empty list, and on PostgreSQL the
    database numbers the rows itself — no round trip for ids nobody reads). A field left
    out gets what ``model()`` would give it: its default (a callable one called per row),
    ``timezone.now()`` for ``auto_now`` / ``auto_now_add``; a primary key left out is
    drawn from the table's sequence."""
    if not rows:
        return []
    keys = rows[0].keys()
    fields = [f for f in model._meta.concrete_fields if not f.generated]
    known = {f.attname for f in fields}
    if unknown := sorted(set(keys) - known):
        raise TypeError(f"{model.__name__} has no field {unknown[0]!r} (give attnames)")
    if any(row.keys() != keys for row in rows):
        raise ValueError("insert_rows: every row needs the same fields")
    connection = connections[using]
    missing_db_default = any(f.attname not in keys and f.db_default is not NOT_PROVIDED
                             for f in fields)
    if connection.vendor != "postgresql" or model._meta.parents or missing_db_default:
        objs = [model(**row) for row in rows]
        model._default_manager.using(using).bulk_create(objs, batch_size=batch_size)
        return [o.pk for o in objs] if return_ids else []
    pk = model._meta.pk
    ids: list[Any] | None = None
    if pk.attname not in keys:
        if not isinstance(pk, models.AutoField | models.BigAutoField | models.SmallAutoField):
            raise TypeError(f"insert_rows: give {model.__name__}'s primary key")
        if return_ids:
            ids = _allocate_ids(connection, model, len(rows))
        else:  # the column's own default (identity) numbers the rows
            fields = [f for f in fields if f is not pk]
    readers = [_row_reader(f, keys, connection) for f in fields]
    qn = connection.ops.quote_name
    sql = (f"COPY {qn(model._meta.db_table)} "
           f"({', '.join(qn(str(f.column)) for f in fields)}) FROM STDIN")
    pk_index = fields.index(pk) if ids is not None else -1
    with (connection.wrap_database_errors, connection.cursor() as cur,
          cur.cursor.copy(sql) as copy):
        for n, row in enumerate(rows):
            values = [read(row) for read in readers]
            if ids is not None:
                values[pk_index] = ids[n]
            copy.write_row(values)
    if not return_ids:
        return []
    return ids if ids is not None else [row[pk.attname] for row in rows]


def _row_reader(field: Any, keys: Any, connection: Any) -> Callable[[dict[str, Any]], Any]:
    """How to get one field's database value for a plain row (as :func:`insert` reads it
    from an instance; fields the rows leave out as a new instance would have them)."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        # pre_save of a new instance: the time now (also when a value was given); it sets
        # the value on the object it is given, here a scratch one.
        return lambda row: field.get_db_prep_save(field.pre_save(_SCRATCH, True),
                                                  connection)
    attname = field.attname
    if attname not in keys:
        if field.primary_key:
            return lambda row: None  # filled from the sequence
        if field.has_default() and callable(field.default):
            return lambda row: field.get_db_prep_save(field.get_default(), connection)
        fixed = field.get_db_prep_save(field.get_default(), connection)
        return lambda row: fixed
    prep = _prep(field, connection)
    return lambda row: prep(row[attname])


#: Stands for the new instance in an auto_now field's ``pre_save(obj, add=True)``.
_SCRATCH = SimpleNamespace()


def _reader(field: Any, connection: Any) -> Callable[[models.Model], Any]:
    """How to read one field's database value from an instance (as an INSERT would)."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)
    attname = field.attname
    prep = _prep(field, connection)
    return lambda obj: prep(getattr(obj, attname))


def _prep(field: Any, connection: Any) -> Callable[[Any], Any]:
    """One field's value as the database takes it (``get_db_prep_save``), skipped for
    values psycopg takes as they are."""
    if isinstance(field, PLAIN) and not isinstance(field, models.DateTimeField):
        plain: tuple[type, ...] | None = None
        if isinstance(field, models.BooleanField):
            plain = (bool, type(None))
        elif isinstance(field, models.CharField | models.TextField):
            plain = (str, type(None))
        elif not isinstance(field, models.DateField | models.DecimalField):
            plain = (int, type(None))  # integers and foreign keys

        def prep(value: Any) -> Any:
            if plain is not None and type(value) in plain:
                return value
            return field.get_db_prep_save(value, connection)
        return prep
    return lambda value: field.get_db_prep_save(value, connection)


class AnyOf(Lookup):  # type: ignore[type-arg]
    """``column = ANY(%s)`` with the values as one array parameter (PostgreSQL): one
    statement however many values, which PostgreSQL matches by hashing the array."""

    lookup_name = "any_of"
    prepare_rhs = False  # the list goes to psycopg as it is (an array)

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


def present[T](qs: QuerySet[Any], field: str, values: Collection[T], *,
               chunk: int = 500) -> set[T]:
    """Which of ``values`` rows of ``qs`` hold in ``field``. On PostgreSQL one statement
    (:class:`AnyOf`: a pass over the table instead of an index probe per value, and no
    limit on the number of parameters); elsewhere ``__in`` in chunks of ``chunk``."""
    values = sorted(set(values))  # type: ignore[type-var]
    if not values:
        return set()
    if connections[qs.db].vendor == "postgresql":
        return set(qs.filter(AnyOf(F(field), values)).values_list(field, flat=True))
    found: set[T] = set()
    for i in range(0, len(values), chunk):
        found |= set(qs.filter(**{f"{field}__in": values[i:i + chunk]})
                     .values_list(field, flat=True))
    return found


def update_each(qs: QuerySet[Any], field: str, values: dict[int, str], **same: Any) -> int:
    """Set ``field`` of each row of ``qs`` whose id is a key of ``values`` to its value
    (text), and the fields of ``same`` to one value each: one ``UPDATE … FROM (VALUES …)``.
    ``update(field=Case(When(pk=…, then=…), …))`` does the same, but resolving a
    ``When`` per row cost more Python time than the database spends on the update (a
    chunk of 500 survey links: ≈1.5 s on a loaded host). Rows outside ``qs`` are left."""
    if not values:
        return 0
    model = qs.model
    connection = connections[qs.db]
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    sets, params = [f"{quote(model._meta.get_field(field).column)} = v.column2"], []
    for name, value in same.items():
        f = model._meta.get_field(name)
        sets.append(f"{quote(f.column)} = %s")
        params.append(f.get_db_prep_save(value, connection))
    rows = ", ".join(["(%s, %s)"] * len(values))
    for key, value in values.items():
        params += [str(int(key)), value]
    inner, inner_params = qs.filter(pk__in=list(values)).order_by().values("pk").query \
        .sql_with_params()
    # only quoted names from the model and the ORM's compiled SELECT go into the text
    sql = (f"UPDATE {table} SET {', '.join(sets)} FROM (VALUES {rows}) v "  # noqa: S608
           f"WHERE {table}.{pk} = CAST(v.column1 AS bigint) AND {table}.{pk} IN ({inner})")
    with connection.cursor() as cur:
        cur.execute(sql, [*params, *inner_params])
        return int(cur.rowcount)
