from django.urls import path

from punkt.privacy import views

app_name = "privacy"

urlpatterns = [
    path("breaches/", views.breach_list, name="breach_list"),
    path("breaches/<int:breach_id>/", views.breach_detail, name="breach_detail"),
    path("breaches/<int:breach_id>/<str:action>/", views.breach_act, name="breach_act"),
    path("register/", views.register_page, name="register"),
    path("register.csv", views.register_csv, name="register_csv"),
    path("register.pdf", views.register_pdf, name="register_pdf"),
]
