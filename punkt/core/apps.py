from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "punkt.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # deploy checks, the audit of sign-ins, periodic jobs
        from punkt.core import checks, signals, tasks  # noqa: F401

        signals.connect_allauth_signals()
