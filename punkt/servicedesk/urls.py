from django.urls import path

from punkt.servicedesk import views

app_name = "servicedesk"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("tickets/new/", views.ticket_new, name="ticket_new"),
    path("tickets/<int:ticket_id>/", views.ticket_detail, name="ticket_detail"),
    path("tickets/<int:ticket_id>/reply/", views.ticket_reply, name="ticket_reply"),
    path("tickets/<int:ticket_id>/assign/", views.ticket_assign, name="ticket_assign"),
    path("tickets/<int:ticket_id>/transfer/", views.ticket_transfer, name="ticket_transfer"),
    path("tickets/<int:ticket_id>/propose/", views.ticket_propose, name="ticket_propose"),
    path("tickets/<int:ticket_id>/decide/", views.ticket_decide, name="ticket_decide"),
    path("tickets/<int:ticket_id>/amount/", views.ticket_amount, name="ticket_amount"),
    path("tickets/<int:ticket_id>/merge/", views.ticket_merge, name="ticket_merge"),
    path("tickets/<int:ticket_id>/split/", views.ticket_split, name="ticket_split"),
    path("tickets/<int:ticket_id>/<str:action>/", views.ticket_act, name="ticket_act"),
    path("call/", views.call, name="call"),
    path("report/", views.report, name="report"),
    path("control/", views.control_list, name="control_list"),
    path("replies/", views.reply_list, name="reply_list"),
    path("replies/new/", views.reply_new, name="reply_new"),
    path("replies/<int:reply_id>/", views.reply_edit, name="reply_edit"),
    path("types/", views.type_list, name="type_list"),
    path("types/new/", views.type_new, name="type_new"),
    path("types/<int:type_id>/", views.type_edit, name="type_edit"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/new/", views.team_new, name="team_new"),
    path("teams/<int:team_id>/", views.team_edit, name="team_edit"),
]
