"""The chat's WebSocket routes (mounted by ``punkt.asgi``)."""

from __future__ import annotations

from django.urls import path

from punkt.chat import consumers

websocket_urlpatterns = [
    path("ws/chat/visitor/<str:key>/", consumers.VisitorConsumer.as_asgi()),
    path("ws/chat/agent/", consumers.AgentConsumer.as_asgi()),
]
