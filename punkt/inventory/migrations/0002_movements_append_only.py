from django.db import migrations

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION punkt_stock_movement_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'inventory_stockmovement is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER inventory_stockmovement_append_only
  BEFORE UPDATE OR DELETE ON inventory_stockmovement
  FOR EACH ROW EXECUTE FUNCTION punkt_stock_movement_append_only();
"""


def append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY)


def drop_append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS inventory_stockmovement_append_only "
            "ON inventory_stockmovement; "
            "DROP FUNCTION IF EXISTS punkt_stock_movement_append_only();")


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]
    operations = [migrations.RunPython(append_only, drop_append_only)]
