from django.utils.translation import gettext_lazy as _

from punkt.core import areas


class ComplaintsConfig(areas.AreaConfig):
    name = "punkt.complaints"
    verbose_name = _("Complaints")
    default_auto_field = "django.db.models.BigAutoField"
    url_prefix = "complaints/"
