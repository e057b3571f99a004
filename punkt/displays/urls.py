from django.urls import path

from punkt.displays import views

app_name = "displays"

urlpatterns = [
    path("", views.task_list, name="task_list"),
    path("guidance/", views.guidance_list, name="guidance_list"),
    path("guidance/new/", views.guidance_new, name="guidance_new"),
    path("guidance/<int:guidance_id>/", views.guidance_detail, name="guidance_detail"),
    path("guidance/<int:guidance_id>/photos/<int:photo_id>/", views.guidance_photo,
         name="guidance_photo"),
    path("tasks/<int:task_id>/", views.task_detail, name="task_detail"),
    path("tasks/<int:task_id>/complete/", views.task_complete, name="task_complete"),
    path("tasks/<int:task_id>/photos/<int:photo_id>/", views.task_photo, name="task_photo"),
    path("tasks/<int:task_id>/<str:action>/", views.task_act, name="task_act"),
]
