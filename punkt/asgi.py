"""The ASGI application: the chat's WebSockets under ``/ws/`` (Django Channels) and, for
the demo and tests, the pages too. In production gunicorn (WSGI) serves the pages and an
ASGI server (uvicorn) only ``/ws/`` (``docs/deployment.md``)."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "punkt.settings")
django_application = get_asgi_application()  # sets Django up before the consumers load

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from punkt.chat.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter({
    "http": django_application,
    "websocket": AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
})

gc.freeze()  # what is loaded lives as long as the process (see punkt/wsgi.py)
