from django.db import migrations, models


def seal_stored(apps, schema_editor):  # type: ignore[no-untyped-def]
    from punkt.core import sealed

    Subscription = apps.get_model("webhooks", "Subscription")
    for sub in Subscription.objects.all().only("pk", "secret", "previous_secret"):
        Subscription.objects.filter(pk=sub.pk).update(
            secret=sealed.seal(sub.secret),
            previous_secret=sealed.seal(sub.previous_secret) if sub.previous_secret else "")


class Migration(migrations.Migration):

    dependencies = [
        ("webhooks", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="subscription",
            name="secret",
            field=models.CharField(max_length=300),
        ),
        migrations.AlterField(
            model_name="subscription",
            name="previous_secret",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.RunPython(seal_stored, migrations.RunPython.noop),
    ]
