from django.urls import path

from punkt.inventory import views

app_name = "inventory"

urlpatterns = [
    path("", views.stock, name="stock"),
    path("movements/", views.movements, name="movements"),
    path("report/", views.report, name="report"),
    path("receipt/", views.goods_receipt, name="goods_receipt"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/<int:order_id>/", views.order_detail, name="order_detail"),
    path("orders/<int:order_id>/<str:action>/", views.order_action, name="order_action"),
    path("branches/<int:branch_id>/norm/", views.norm, name="norm"),
    path("branches/<int:branch_id>/adjust/", views.adjust, name="adjust"),
    path("branches/<int:branch_id>/order/", views.order_new, name="order_new"),
]
