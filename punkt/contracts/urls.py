from django.urls import path

from punkt.contracts import views

app_name = "contracts"

urlpatterns = [
    path("offers/new/<int:customer_id>/", views.offer_create, name="offer_create"),
    path("offers/<int:offer_id>/", views.offer_detail, name="offer_detail"),
    path("offers/<int:offer_id>/decide/", views.offer_decide, name="offer_decide"),
]
