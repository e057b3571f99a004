from django.urls import path

from punkt.webform import views

app_name = "webform"

urlpatterns = [
    path("", views.contact, name="contact"),
    path("thanks/", views.thanks, name="thanks"),
    path("t/<str:token>/", views.follow, name="follow"),
    path("attachments/<int:ticket_id>/", views.attachment, name="attachment"),
    path("revoke/<int:ticket_id>/", views.revoke, name="revoke"),
]
