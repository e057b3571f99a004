from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from punkt.api import api
from punkt.core.views import not_found
from punkt.retention import views as retention_views

urlpatterns = [
    path("", include("punkt.core.urls")),
    path("organisation/", include("punkt.organization.urls")),
    path("customers/", include("punkt.customers.urls")),
    path("materials/", include("punkt.materials.urls")),
    path("contracts/", include("punkt.contracts.urls")),
    path("retention/", include("punkt.retention.urls")),
    path("messages/", include("punkt.messaging.urls")),
    path("catalog/", include("punkt.catalog.urls")),
    path("stock/", include("punkt.inventory.urls")),
    path("sales/", include("punkt.sales.urls")),
    path("cashdesk/", include("punkt.cashdesk.urls")),
    # The customer's link in a renewal proposal (no sign-in).
    path("potwierdzenie/<str:token>/", retention_views.confirm, name="renewal_confirm"),
    # The sign-in e-mail is the employee record's, changed by HQ through the service
    # (audited); allauth's own address management is switched off.
    path("accounts/email/", not_found, name="account_email_disabled"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
]
if settings.DEBUG or getattr(settings, "PUNKT_DJANGO_ADMIN", False):
    urlpatterns.append(path("django-admin/", admin.site.urls))

handler403 = "punkt.core.handlers.forbidden"
handler404 = "punkt.core.handlers.not_found"
handler500 = "punkt.core.handlers.server_error"
