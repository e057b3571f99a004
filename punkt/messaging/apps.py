from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "punkt.messaging"
    verbose_name = _("Messages to customers")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from punkt.core.navigation import NavItem, nav
        from punkt.messaging import gdpr_links, permissions, tasks  # noqa: F401

        nav(NavItem(_("Message templates"), "messaging:template_list",
                    permissions.TEMPLATE_MANAGE.code, group="hq", order=86))
