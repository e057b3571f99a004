"""A complaint's history is never changed or deleted; GDPR erasure may only empty a step's
note (C26)."""

from django.db import migrations

from punkt.core.dbguards import append_only


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [append_only("complaints_complaintevent", erasable=("note",))]
