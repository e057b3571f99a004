"""The sales stages of seed 003 (presentation → offer → agreement → payment → event →
closing) with what each requires before it is left and its reasons of refusal, which HQ
may change; and the opportunity's history, never changed or deleted (GDPR erasure may
only empty a step's note, C26)."""

from django.db import migrations

from punkt.core.dbguards import append_only
from punkt.pipeline import defaults


def seed(apps, schema_editor):
    defaults.install(apps.get_model("pipeline", "Stage"), apps.get_model("pipeline", "LossReason"))


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0001_initial")]
    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        append_only("pipeline_opportunityevent", erasable=("note",)),
    ]
