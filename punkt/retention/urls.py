from django.urls import path

from punkt.retention import views

app_name = "retention"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("churn/", views.churn, name="churn"),
    path("letters/", views.letters_today, name="letters"),
    path("letters/<int:batch_id>/pdf/", views.letter_batch_pdf, name="letter_batch_pdf"),
    path("contracts/<int:contract_id>/", views.case, name="case"),
    path("contracts/<int:contract_id>/call/", views.call, name="call"),
    path("contracts/<int:contract_id>/send/", views.send, name="send"),
]
