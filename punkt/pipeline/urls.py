from django.urls import path

from punkt.pipeline import plan_views, views

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
    path("<int:opportunity_id>/", views.opportunity_detail, name="opportunity_detail"),
    path("<int:opportunity_id>/<str:action>/", views.opportunity_act, name="opportunity_act"),
]
