from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "punkt.retention"
    verbose_name = _("Retention")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from punkt.retention import dashboard, gdpr_links, permissions, tasks  # noqa: F401
