from django.urls import path

from punkt.surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.results, name="results"),
    path("export/", views.results_export, name="results_export"),
    path("questionnaires/", views.questionnaire_list, name="questionnaire_list"),
    path("questionnaires/new/", views.questionnaire_create, name="questionnaire_create"),
    path("questionnaires/<int:questionnaire_id>/", views.questionnaire_edit,
         name="questionnaire_edit"),
    path("questionnaires/<int:questionnaire_id>/new-version/", views.questionnaire_version,
         name="questionnaire_version"),
    path("followups/", views.followup_list, name="followup_list"),
    path("followups/<int:followup_id>/", views.followup_detail, name="followup_detail"),
    path("followups/<int:followup_id>/<str:action>/", views.followup_move,
         name="followup_move"),
    path("counter/<int:customer_id>/", views.counter, name="counter"),
]
