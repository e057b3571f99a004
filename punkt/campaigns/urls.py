from django.urls import path

from punkt.campaigns import mailing_views, views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("new/", views.campaign_new, name="campaign_new"),
    path("mailings/", mailing_views.mailing_list, name="mailing_list"),
    path("mailings/new/", mailing_views.mailing_new, name="mailing_new"),
    path("mailings/count/", mailing_views.mailing_count, name="mailing_count"),
    path("mailings/<int:mailing_id>/", mailing_views.mailing_detail, name="mailing_detail"),
    path("mailings/<int:mailing_id>/edit/", mailing_views.mailing_edit, name="mailing_edit"),
    path("mailings/<int:mailing_id>/test/", mailing_views.mailing_test, name="mailing_test"),
    path("mailings/<int:mailing_id>/<str:action>/", mailing_views.mailing_act,
         name="mailing_act"),
    path("<int:campaign_id>/", views.campaign_detail, name="campaign_detail"),
    path("<int:campaign_id>/edit/", views.campaign_edit, name="campaign_edit"),
    path("<int:campaign_id>/leaflets/", views.leaflet_new, name="leaflet_new"),
    path("<int:campaign_id>/leaflets/upload/", views.leaflet_upload, name="leaflet_upload"),
    path("<int:campaign_id>/<str:action>/", views.campaign_act, name="campaign_act"),
    path("leaflets/<int:leaflet_id>/", views.leaflet_detail, name="leaflet_detail"),
    path("leaflets/<int:leaflet_id>/leaflet.pdf", views.leaflet_pdf, name="leaflet_pdf"),
    path("leaflets/<int:leaflet_id>/replace/", views.leaflet_replace, name="leaflet_replace"),
    path("leaflets/<int:leaflet_id>/norm/", views.leaflet_norm, name="leaflet_norm"),
    path("leaflets/<int:leaflet_id>/step/<str:action>/", views.leaflet_act,
         name="leaflet_act"),
    path("leaflets/<int:leaflet_id>/order/", views.order_new, name="order_new"),
    path("leaflets/<int:leaflet_id>/hand-out/", views.distribution_new,
         name="distribution_new"),
    path("distribution/", views.distribution_list, name="distribution_list"),
    path("distribution/<int:distribution_id>/<str:action>/", views.distribution_act,
         name="distribution_act"),
    path("print-orders/", views.order_list, name="order_list"),
    path("print-orders/<int:print_order_id>/", views.order_detail, name="order_detail"),
    path("print-orders/<int:print_order_id>/<str:action>/", views.order_act, name="order_act"),
    path("print-shops/", views.shop_list, name="shop_list"),
    path("print-shops/new/", views.shop_edit, name="shop_new"),
    path("print-shops/<int:shop_id>/", views.shop_edit, name="shop_edit"),
]
