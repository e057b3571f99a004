"""Seed the role policies: MFA required for administrators and cashiers (C17)."""

from django.db import migrations

ROLES = ["manager", "service", "retention", "cashier", "hq_expert", "admin"]
MFA = {"admin", "cashier"}


def forward(apps, schema_editor):
    RolePolicy = apps.get_model("organization", "RolePolicy")
    for role in ROLES:
        RolePolicy.objects.get_or_create(role=role, defaults={"mfa_required": role in MFA})


class Migration(migrations.Migration):
    dependencies = [("organization", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
