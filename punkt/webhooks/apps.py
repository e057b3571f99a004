from django.utils.translation import gettext_lazy as _

from punkt.core import areas


class WebhooksConfig(areas.AreaConfig):
    name = "punkt.webhooks"
    verbose_name = _("Webhooks")
    default_auto_field = "django.db.models.BigAutoField"
    url_prefix = "webhooks/"
    also_import = ("services",)
