from django.db import migrations, models


def seal_stored(apps, schema_editor):  # type: ignore[no-untyped-def]
    from punkt.core import sealed

    Mailbox = apps.get_model("mailbox", "Mailbox")
    for box in Mailbox.objects.all().only("pk", "password"):
        if not sealed.is_sealed(box.password):
            Mailbox.objects.filter(pk=box.pk).update(password=sealed.seal(box.password))


class Migration(migrations.Migration):

    dependencies = [
        ("mailbox", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="mailbox",
            name="password",
            field=models.CharField(max_length=600, verbose_name="password"),
        ),
        migrations.RunPython(seal_stored, migrations.RunPython.noop),
    ]
