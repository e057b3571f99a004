from django.urls import path

from punkt.sales import views

app_name = "sales"

urlpatterns = [
    path("", views.sale_list, name="sale_list"),
    path("counter/", views.counter, name="counter"),
    path("report/", views.report, name="report"),
    path("<int:sale_id>/", views.sale_detail, name="sale_detail"),
    path("<int:sale_id>/return/", views.sale_return, name="sale_return"),
    path("<int:sale_id>/receipt/", views.receipt_retry, name="receipt_retry"),
]
