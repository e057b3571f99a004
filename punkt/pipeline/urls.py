from django.urls import path

from punkt.pipeline import document_views, funnel_views, plan_views, views

app_name = "pipeline"

urlpatterns = [
    path("", views.board, name="board"),
    path("list/", views.opportunity_list, name="opportunity_list"),
    path("new/", views.opportunity_new, name="opportunity_new"),
    path("stages/", views.stage_settings, name="stage_settings"),
    path("between-sales/", views.between_sales, name="between_sales"),
    path("plans/", plan_views.plans, name="plans"),
    path("plans/<int:branch_id>/", plan_views.plan_year, name="plan_year"),
    path("plans/<int:branch_id>/<str:month>/", plan_views.plan_split, name="plan_split"),
    path("packs/", plan_views.pack_list, name="packs"),
    path("packs/<int:branch_id>/<str:month>/", plan_views.pack_detail, name="pack_detail"),
    path("packs/<int:branch_id>/<str:month>/recompute/", plan_views.pack_recompute,
         name="pack_recompute"),
    path("packs/<int:branch_id>/<str:month>/pdf/", plan_views.pack_pdf, name="pack_pdf"),
    path("documents/<int:document_id>/pdf/", document_views.document_pdf, name="document_pdf"),
    path("documents/<int:document_id>/send/", document_views.document_send,
         name="document_send"),
    path("documents/<int:document_id>/approve/", document_views.document_approve,
         name="document_approve"),
    path("<int:opportunity_id>/documents/offer/", document_views.offer_create,
         name="offer_create"),
    path("<int:opportunity_id>/documents/new/", document_views.document_create,
         name="document_create"),
    path("funnel/", funnel_views.funnel_page, name="funnel"),
    path("funnel/export.csv", funnel_views.funnel_export, name="funnel_export"),
    path("import/", funnel_views.deal_imports, name="deal_imports"),
    path("import/wzor.csv", funnel_views.deal_import_sample, name="deal_import_sample"),
    path("import/<int:import_id>/", funnel_views.deal_import, name="deal_import"),
    path("<int:opportunity_id>/", views.opportunity_detail, name="opportunity_detail"),
    path("<int:opportunity_id>/<str:action>/", views.opportunity_act, name="opportunity_act"),
]
