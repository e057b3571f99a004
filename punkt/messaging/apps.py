from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "punkt.messaging"
    verbose_name = _("Messages to customers")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from punkt.messaging import gdpr_links, tasks  # noqa: F401
