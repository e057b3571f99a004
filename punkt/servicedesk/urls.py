from django.urls import path

from punkt.servicedesk import views

app_name = "servicedesk"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("tickets/new/", views.ticket_new, name="ticket_new"),
    path("tickets/<int:ticket_id>/", views.ticket_detail, name="ticket_detail"),
    path("tickets/<int:ticket_id>/reply/", views.ticket_reply, name="ticket_reply"),
    path("tickets/<int:ticket_id>/assign/", views.ticket_assign, name="ticket_assign"),
    path("tickets/<int:ticket_id>/<str:action>/", views.ticket_act, name="ticket_act"),
    path("call/", views.call, name="call"),
    path("report/", views.report, name="report"),
    path("replies/", views.reply_list, name="reply_list"),
    path("replies/new/", views.reply_new, name="reply_new"),
    path("replies/<int:reply_id>/", views.reply_edit, name="reply_edit"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/new/", views.team_new, name="team_new"),
    path("teams/<int:team_id>/", views.team_edit, name="team_edit"),
]
