from django.utils.translation import gettext_lazy as _

from punkt.core import areas


class RetentionConfig(areas.AreaConfig):
    name = "punkt.retention"
    verbose_name = _("Retention")
    default_auto_field = "django.db.models.BigAutoField"
    url_prefix = "retention/"
