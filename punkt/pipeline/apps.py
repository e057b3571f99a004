from django.utils.translation import gettext_lazy as _

from punkt.core import areas


class PipelineConfig(areas.AreaConfig):
    name = "punkt.pipeline"
    verbose_name = _("Sales pipeline")
    default_auto_field = "django.db.models.BigAutoField"
    url_prefix = "pipeline/"
    #: registers the link of an e-mailed document (``messaging.LINKS``) in every process
    also_import = ("sales_documents",)
