"""PostgreSQL: trigram indexes so employee search (icontains) does not scan the table."""

from django.db import migrations

INDEXES = {
    "employee_last_name_trgm": "last_name",
    "employee_first_name_trgm": "first_name",
    "employee_email_trgm": "email",
}


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON organization_employee '
            f'USING gin (UPPER("{column}"::text) gin_trgm_ops)')


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("organization", "0002_role_policies")]
    operations = [migrations.RunPython(forward, backward)]
