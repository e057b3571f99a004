"""PostgreSQL: trigram indexes for search and an append-only consent history (C14)."""

from django.db import migrations

FORWARD = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS customer_search_trgm ON customers_customer
  USING gin (search_text gin_trgm_ops);
CREATE INDEX IF NOT EXISTS searchword_trgm ON customers_searchword
  USING gin (word gin_trgm_ops);
CREATE OR REPLACE FUNCTION punkt_consent_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'customers_consentevent is append-only';
  END IF;
  IF (NEW.id, NEW.purpose, NEW.granted, NEW.at, NEW.source, NEW.text_id, NEW.employee_id,
      NEW.branch_id) IS DISTINCT FROM
     (OLD.id, OLD.purpose, OLD.granted, OLD.at, OLD.source, OLD.text_id, OLD.employee_id,
      OLD.branch_id) THEN
    RAISE EXCEPTION 'customers_consentevent is append-only (only a merge may move rows)';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER customers_consentevent_append_only
  BEFORE UPDATE OR DELETE ON customers_consentevent
  FOR EACH ROW EXECUTE FUNCTION punkt_consent_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS customers_consentevent_append_only ON customers_consentevent;
DROP FUNCTION IF EXISTS punkt_consent_append_only();
DROP INDEX IF EXISTS searchword_trgm;
DROP INDEX IF EXISTS customer_search_trgm;
"""

TEXTS = {
    "contract": "Wyrażam zgodę na przetwarzanie moich danych osobowych w celu zawarcia i "
                "wykonania umowy oraz obsługi klienta.",
    "marketing_email": "Wyrażam zgodę na otrzymywanie informacji handlowych drogą "
                       "elektroniczną (e-mail) — art. 398 Prawa komunikacji elektronicznej.",
    "marketing_sms": "Wyrażam zgodę na otrzymywanie informacji handlowych w wiadomościach "
                     "SMS/MMS — art. 398 Prawa komunikacji elektronicznej.",
    "marketing_phone": "Wyrażam zgodę na kontakt telefoniczny w celach marketingowych — "
                       "art. 398 Prawa komunikacji elektronicznej.",
    "profiling": "Wyrażam zgodę na profilowanie w celu przygotowania ofert dopasowanych do "
                 "moich potrzeb.",
}


def forward(apps, schema_editor):
    ConsentText = apps.get_model("customers", "ConsentText")
    for purpose, text in TEXTS.items():
        ConsentText.objects.get_or_create(purpose=purpose, version=1, defaults={"text": text})
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
