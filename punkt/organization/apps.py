from django.utils.translation import gettext_lazy as _

from punkt.core import areas


class OrganizationConfig(areas.AreaConfig):
    name = "punkt.organization"
    label = "organization"
    verbose_name = _("Organisation")
    url_prefix = "organisation/"

    def ready(self) -> None:
        super().ready()
        from punkt.core import access
        from punkt.organization import permissions

        access.set_provider(permissions.compute_access)
