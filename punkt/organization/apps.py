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

        from allauth.mfa import signals as mfa_signals

        from punkt.organization.middleware import forget_mfa_check

        for signal in (mfa_signals.authenticator_removed, mfa_signals.authenticator_reset):
            signal.connect(forget_mfa_check, dispatch_uid="punkt.forget_mfa_check")
