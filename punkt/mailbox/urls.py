from django.urls import path

from punkt.mailbox import views

app_name = "mailbox"

urlpatterns = [
    path("", views.mailbox_list, name="mailbox_list"),
]
urlpatterns += [
    path("attachments/<int:attachment_id>/", views.attachment, name="attachment"),
]
