from django.urls import path

from punkt.organization import views

app_name = "organization"

urlpatterns = [
    path("branches/", views.branch_list, name="branch_list"),
    path("branches/new/", views.branch_create, name="branch_create"),
    path("branches/<int:branch_id>/", views.branch_detail, name="branch_detail"),
    path("branches/<int:branch_id>/edit/", views.branch_edit, name="branch_edit"),
    path("branches/<int:branch_id>/hours/", views.opening_hours_edit, name="opening_hours_edit"),
    path("branches/<int:branch_id>/schedule/", views.schedule, name="schedule"),
    path("branches/<int:branch_id>/schedule/<int:employee_id>/hours/",
         views.working_hours_edit, name="working_hours_edit"),
    path("branches/<int:branch_id>/absences/new/", views.absence_create, name="absence_create"),
    path("branches/<int:branch_id>/absences/<int:absence_id>/delete/", views.absence_delete,
         name="absence_delete"),
    path("branches/<int:branch_id>/days-off/", views.day_off_add, name="day_off_add"),
    path("branches/<int:branch_id>/days-off/<int:day_off_id>/delete/", views.day_off_remove,
         name="day_off_remove"),
    path("schedule/", views.schedule_home, name="schedule_home"),
    path("employees/", views.employee_list, name="employee_list"),
    path("employees/new/", views.employee_create, name="employee_create"),
    path("employees/<int:employee_id>/", views.employee_detail, name="employee_detail"),
    path("employees/<int:employee_id>/edit/", views.employee_edit, name="employee_edit"),
    path("employees/<int:employee_id>/password/", views.employee_password,
         name="employee_password"),
    path("employees/<int:employee_id>/memberships/", views.membership_add,
         name="membership_add"),
    path("memberships/<int:membership_id>/remove/", views.membership_remove,
         name="membership_remove"),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("roles/", views.role_policies, name="role_policies"),
]
