from django.urls import path

from punkt.complaints import views

app_name = "complaints"

urlpatterns = [
    path("", views.complaint_list, name="complaint_list"),
    path("new/", views.complaint_new, name="complaint_new"),
    path("<int:complaint_id>/", views.complaint_detail, name="complaint_detail"),
    path("<int:complaint_id>/receipt.pdf", views.complaint_receipt, name="complaint_receipt"),
    path("<int:complaint_id>/files/", views.complaint_attach, name="complaint_attach"),
    path("<int:complaint_id>/files/<int:file_id>/", views.complaint_file,
         name="complaint_file"),
    path("<int:complaint_id>/refund/pay/", views.refund_pay, name="refund_pay"),
    path("<int:complaint_id>/capa/", views.capa_add, name="capa_add"),
    path("<int:complaint_id>/capa/<int:action_id>/<str:step>/", views.capa_move,
         name="capa_move"),
    path("letters/", views.letter_templates, name="letter_templates"),
    path("statistics/", views.complaint_statistics, name="complaint_statistics"),
    path("<int:complaint_id>/letters/answer/", views.letter_answer, name="letter_answer"),
    path("<int:complaint_id>/letters/preview/", views.letter_preview, name="letter_preview"),
    path("<int:complaint_id>/letters/completion/", views.letter_completion,
         name="letter_completion"),
    path("<int:complaint_id>/letters/<int:letter_id>/pdf/", views.letter_pdf,
         name="letter_pdf"),
    path("<int:complaint_id>/letters/<int:letter_id>/<str:step>/", views.letter_step,
         name="letter_step"),
    path("<int:complaint_id>/<str:action>/", views.complaint_act, name="complaint_act"),
]
