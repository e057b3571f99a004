from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaterialsConfig(AppConfig):
    name = "punkt.materials"
    verbose_name = _("HQ materials")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from punkt.materials import dashboard, demo, permissions  # noqa: F401
