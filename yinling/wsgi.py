"""WSGI entry point (gunicorn yinling.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yinling.settings")
application = get_wsgi_application()

# What is loaded by now (Django, the apps, settings) lives as long as the worker: take it out of
# the cyclic collector's generations so that full collections during requests do not walk it
# again and again (p95 of the 1M-row list pages, benchmarks/README.md "List and search").
gc.freeze()
