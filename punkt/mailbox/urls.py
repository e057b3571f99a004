from django.urls import path

from punkt.mailbox import views

app_name = "mailbox"

urlpatterns = [
    path("", views.mailbox_list, name="mailbox_list"),
    path("new/", views.mailbox_new, name="mailbox_new"),
    path("<int:mailbox_id>/", views.mailbox_edit, name="mailbox_edit"),
    path("<int:mailbox_id>/try/", views.mailbox_try, name="mailbox_try"),
]
urlpatterns += [
    path("attachments/<int:attachment_id>/", views.attachment, name="attachment"),
]
