from django.urls import path

from punkt.work import views

app_name = "work"

urlpatterns = [
    path("", views.my_work, name="my_work"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/new/", views.task_new, name="task_new"),
    path("tasks/<int:task_id>/", views.task_detail, name="task_detail"),
    path("tasks/<int:task_id>/<str:action>/", views.task_act, name="task_act"),
    path("bell/", views.bell, name="bell"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/<int:notification_id>/open/", views.notification_open,
         name="notification_open"),
    path("notifications/digest/", views.digest_set, name="digest_set"),
    path("notifications/read/", views.notifications_read_all, name="notifications_read_all"),
]
