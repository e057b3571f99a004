from django.urls import path

from punkt.pipeline import views

app_name = "pipeline"

urlpatterns = [
    path("", views.board, name="board"),
    path("list/", views.opportunity_list, name="opportunity_list"),
    path("new/", views.opportunity_new, name="opportunity_new"),
    path("stages/", views.stage_settings, name="stage_settings"),
    path("between-sales/", views.between_sales, name="between_sales"),
    path("<int:opportunity_id>/", views.opportunity_detail, name="opportunity_detail"),
    path("<int:opportunity_id>/<str:action>/", views.opportunity_act, name="opportunity_act"),
]
