"""PostgreSQL guards: payments and till entries are never changed or deleted, and a till
entry can only be added to an open till (C7)."""

from django.db import migrations

GUARDS = """
CREATE OR REPLACE FUNCTION punkt_cash_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '%% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER cashdesk_payment_append_only BEFORE UPDATE OR DELETE ON cashdesk_payment
  FOR EACH ROW EXECUTE FUNCTION punkt_cash_append_only();
CREATE TRIGGER cashdesk_tillentry_append_only BEFORE UPDATE OR DELETE ON cashdesk_tillentry
  FOR EACH ROW EXECUTE FUNCTION punkt_cash_append_only();
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

DROP = """
DROP TRIGGER IF EXISTS cashdesk_payment_append_only ON cashdesk_payment;
DROP TRIGGER IF EXISTS cashdesk_tillentry_append_only ON cashdesk_tillentry;
DROP TRIGGER IF EXISTS cashdesk_tillentry_open_session ON cashdesk_tillentry;
DROP FUNCTION IF EXISTS punkt_cash_append_only();
DROP FUNCTION IF EXISTS punkt_till_entry_open_session();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARDS)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("cashdesk", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
