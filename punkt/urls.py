from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from punkt.api import api
from punkt.core.areas import areas
from punkt.core.views import not_found
from punkt.messaging import views as messaging_views
from punkt.pipeline import document_views
from punkt.retention import views as retention_views
from punkt.surveys import views as survey_views

urlpatterns = [
    path("", include("punkt.core.urls")),
    # Every business area's pages, at the prefix its app config declares.
    *(path(area.url_prefix, include(f"{area.name}.urls")) for area in areas()
      if area.url_prefix is not None),
    # The customer's link in a renewal proposal (no sign-in).
    path("potwierdzenie/<str:token>/", retention_views.confirm, name="renewal_confirm"),
    # The customer's link to a document of a sale e-mailed to them (no sign-in).
    path("dokument/<str:token>/", document_views.document_link, name="document_link"),
    # The unsubscribe link in a mass message (no sign-in; RFC 8058 one-click POST).
    path("rezygnacja/<str:token>/", messaging_views.unsubscribe, name="unsubscribe"),
    # The SMS gateway's delivery reports (server to server; the secret is in the address).
    path("sms/raporty/<str:token>/", messaging_views.sms_reports, name="sms_reports"),
    # The customer's link in a satisfaction survey (no sign-in; also the branch's tablet).
    path("survey/<str:token>/", survey_views.answer, name="survey_answer"),
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
