from django.urls import path

from punkt.messaging import views

app_name = "messaging"

urlpatterns = [
    path("templates/", views.template_list, name="template_list"),
    path("templates/<int:template_id>/", views.template_edit, name="template_edit"),
]
