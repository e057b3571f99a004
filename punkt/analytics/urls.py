from django.urls import path

from punkt.analytics import campaign_views, goal_views, loyalty_views, segment_views, views

app_name = "analytics"

urlpatterns = [
    path("", views.matrix, name="matrix"),
    path("refresh/", views.refresh_now, name="refresh_now"),
    path("customers/", views.customers, name="customers"),
    path("customers/export.csv", views.export, name="export"),
    path("goals/", goal_views.goals_page, name="goals"),
    path("goals/export.csv", goal_views.goals_export, name="goals_export"),
    path("kpis/", goal_views.kpis_page, name="kpis"),
    path("kpis/export.csv", goal_views.kpis_export, name="kpis_export"),
    path("campaigns/", campaign_views.campaigns_page, name="campaigns"),
    path("campaigns/export.csv", campaign_views.campaigns_export, name="campaigns_export"),
    path("loyalty/", loyalty_views.loyalty_page, name="loyalty"),
    path("loyalty/export.csv", loyalty_views.loyalty_export, name="loyalty_export"),
    path("segments/", segment_views.segment_matrix, name="segments"),
    path("segments/export.csv", segment_views.segment_export, name="segments_export"),
    path("segments/cross-sell/", segment_views.crosssell, name="crosssell"),
    path("segments/setup/", segment_views.segment_setup, name="segment_setup"),
    path("segments/setup/<int:segment_id>/", segment_views.segment_edit, name="segment_edit"),
]
