from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "punkt.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from punkt.core import signals, tasks  # noqa: F401  (audit of sign-ins, periodic jobs)

        signals.connect_allauth_signals()
