"""The WSGI application gunicorn serves (``docs/deployment.md``)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "punkt.settings")
application = get_wsgi_application()

# What is loaded by now (Django, the apps, their modules) lives as long as the worker:
# keep it out of the garbage collector's full passes, which otherwise walk it all — about
# 170 ms in the middle of a request every few hundred requests (bench/README.md, "The
# garbage collector's pauses").
gc.freeze()
