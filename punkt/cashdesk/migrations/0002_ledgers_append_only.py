"""PostgreSQL guards: payments and till entries are never changed or deleted, and a till
entry can only be added to an open till (C7)."""

from django.db import migrations

from punkt.core.dbguards import append_only

OPEN_SESSION = """
CREATE OR REPLACE FUNCTION punkt_till_entry_open_session() RETURNS trigger AS $$
BEGIN
  IF (SELECT status FROM cashdesk_tillsession WHERE id = NEW.session_id) <> 'open' THEN
    RAISE EXCEPTION 'till session %% is closed', NEW.session_id;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER cashdesk_tillentry_open_session BEFORE INSERT ON cashdesk_tillentry
  FOR EACH ROW EXECUTE FUNCTION punkt_till_entry_open_session();
"""


def open_session_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OPEN_SESSION)


def drop_open_session_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS cashdesk_tillentry_open_session ON cashdesk_tillentry; "
            "DROP FUNCTION IF EXISTS punkt_till_entry_open_session();")


class Migration(migrations.Migration):
    dependencies = [("cashdesk", "0001_initial")]
    operations = [append_only("cashdesk_payment", "cashdesk_tillentry"),
                  migrations.RunPython(open_session_only, drop_open_session_only)]
