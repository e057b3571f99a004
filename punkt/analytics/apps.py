from django.utils.translation import gettext_lazy as _

from punkt.core import areas


class AnalyticsConfig(areas.AreaConfig):
    name = "punkt.analytics"
    verbose_name = _("Customer analytics")
    default_auto_field = "django.db.models.BigAutoField"
    url_prefix = "analytics/"
