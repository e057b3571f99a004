from django.utils.translation import gettext_lazy as _

from punkt.core import areas


class SurveysConfig(areas.AreaConfig):
    name = "punkt.surveys"
    verbose_name = _("Satisfaction surveys")
    default_auto_field = "django.db.models.BigAutoField"
    url_prefix = "surveys/"
