from django.urls import path

from punkt.chat import views

app_name = "chat"

urlpatterns = [
    path("", views.console, name="console"),
    path("widget.js", views.widget_js, name="widget_js"),
    path("widget.css", views.widget_css, name="widget_css"),
    path("desks/", views.desk_list, name="desk_list"),
    path("desks/new/", views.desk_new, name="desk_new"),
    path("desks/<int:desk_id>/", views.desk_edit, name="desk_edit"),
    path("desks/<int:desk_id>/preview/", views.desk_preview, name="desk_preview"),
]
