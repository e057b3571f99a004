from django.utils.translation import gettext_lazy as _

from punkt.core import areas


class WorkConfig(areas.AreaConfig):
    name = "punkt.work"
    verbose_name = _("Tasks and notifications")
    default_auto_field = "django.db.models.BigAutoField"
    url_prefix = "work/"
