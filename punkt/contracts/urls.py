from django.urls import path

from punkt.contracts import views

app_name = "contracts"

urlpatterns = [
    path("", views.contract_list, name="contract_list"),
    path("review/", views.review, name="review"),
    path("reports/", views.report, name="report"),
    path("review/collect/", views.review_collect, name="review_collect"),
    path("<int:contract_id>/", views.contract_detail, name="contract_detail"),
    path("<int:contract_id>/pdf/", views.contract_pdf, name="contract_pdf"),
    path("<int:contract_id>/scan/", views.contract_scan, name="contract_scan"),
    path("<int:contract_id>/terminate/", views.contract_terminate, name="contract_terminate"),
    path("<int:contract_id>/<slug:action>/", views.contract_action, name="contract_action"),
    path("offers/new/<int:customer_id>/", views.offer_create, name="offer_create"),
    path("offers/<int:offer_id>/", views.offer_detail, name="offer_detail"),
    path("offers/<int:offer_id>/approve/", views.offer_approve, name="offer_approve"),
    path("offers/<int:offer_id>/decide/", views.offer_decide, name="offer_decide"),
    path("offers/<int:offer_id>/contract/", views.contract_prepare, name="contract_prepare"),
]
