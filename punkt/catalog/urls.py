from django.urls import path

from punkt.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.product_list, name="product_list"),
    path("new/", views.product_form, name="product_create"),
    path("<int:product_id>/", views.product_detail, name="product_detail"),
    path("<int:product_id>/edit/", views.product_form, name="product_edit"),
    path("help/<int:customer_id>/", views.help_record, name="help_record"),
]
