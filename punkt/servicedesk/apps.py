from django.utils.translation import gettext_lazy as _

from punkt.core import areas


class ServicedeskConfig(areas.AreaConfig):
    name = "punkt.servicedesk"
    verbose_name = _("Service desk")
    default_auto_field = "django.db.models.BigAutoField"
    url_prefix = "servicedesk/"
    #: registers the SLA's hook on days off (the organisation calls it when they change)
    also_import = ("sla",)
