"""PostgreSQL: sort keys compare byte by byte (collation "C").

Sort keys are folded to lower-case ASCII already (ł→l, no diacritics). Under a linguistic
collation (pl_PL, en_US) PostgreSQL would ignore their spaces and punctuation, and a word
search sorted in Python (search.WordResults) would disagree with the database's order.
SQLite compares bytes anyway. Changing a column's collation rebuilds its indexes.
"""

from django.db import migrations

COLUMNS = [("customers_customer", "sort_key"), ("customers_customerword", "sort_key")]


def to_c(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, column in COLUMNS:
            schema_editor.execute(f'ALTER TABLE {table} ALTER COLUMN {column} '
                                  f'TYPE varchar(250) COLLATE "C"')


def to_default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, column in COLUMNS:
            schema_editor.execute(f'ALTER TABLE {table} ALTER COLUMN {column} '
                                  f'TYPE varchar(250) COLLATE "default"')


class Migration(migrations.Migration):

    dependencies = [("customers", "0004_active_list_indexes")]

    operations = [migrations.RunPython(to_c, to_default)]
