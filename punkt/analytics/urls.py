from django.urls import path

from punkt.analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.matrix, name="matrix"),
    path("customers/", views.customers, name="customers"),
    path("customers/export.csv", views.export, name="export"),
]
