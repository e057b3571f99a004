"""The message templates Punkt starts with (HQ edits them later)."""

from django.db import migrations


def forward(apps, schema_editor):
    from punkt.messaging.defaults import TEMPLATES

    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    for code, name, channel, kind, subject, body in TEMPLATES:
        MessageTemplate.objects.get_or_create(code=code, defaults={
            "name": name, "channel": channel, "kind": kind, "subject": subject, "body": body})


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
