from django.urls import path

from punkt.loyalty import views

app_name = "loyalty"

urlpatterns = [
    path("", views.card_list, name="card_list"),
    path("new/", views.card_new, name="card_new"),
    path("<int:card_id>/", views.card_detail, name="card_detail"),
    path("<int:card_id>/card.pdf", views.card_pdf, name="card_pdf"),
    path("<int:card_id>/rewards/", views.reward_redeem, name="reward_redeem"),
    path("<int:card_id>/<str:action>/", views.card_act, name="card_act"),
    path("draws/", views.draw_list, name="draw_list"),
    path("draws/new/", views.draw_edit, name="draw_new"),
    path("draws/<int:draw_id>/", views.draw_detail, name="draw_detail"),
    path("draws/<int:draw_id>/edit/", views.draw_edit, name="draw_edit"),
    path("draws/<int:draw_id>/<str:action>/", views.draw_act, name="draw_act"),
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/new/", views.programme_edit, name="programme_new"),
    path("programmes/<int:programme_id>/", views.programme_edit, name="programme_edit"),
]
