from django.urls import path

from punkt.materials import views

app_name = "materials"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("versions/<int:version_id>/", views.version_detail, name="version_detail"),
    path("versions/<int:version_id>/file/", views.version_file, name="version_file"),
    path("versions/<int:version_id>/open/", views.version_open, name="version_open"),
    path("manage/", views.manage, name="manage"),
    path("manage/<int:material_id>/", views.material_detail, name="material_detail"),
    path("manage/<int:material_id>/versions/", views.version_add, name="version_add"),
    path("manage/versions/<int:version_id>/publish/", views.version_publish,
         name="version_publish"),
    path("manage/versions/<int:version_id>/withdraw/", views.version_withdraw,
         name="version_withdraw"),
    path("manage/versions/<int:version_id>/delete/", views.version_delete,
         name="version_delete"),
    path("manage/versions/<int:version_id>/deliveries/", views.delivery_report,
         name="delivery_report"),
    path("manage/versions/<int:version_id>/preview/", views.template_preview,
         name="template_preview"),
]
