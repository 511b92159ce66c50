"""Settings for the benchmarks only: the product's settings plus Django admin, for comparison.

Never used by the product. `DEBUG=1` is set before importing so that the development
secrets under var/ are used (the bench database holds synthetic data only); DEBUG itself
is then turned off so that requests are timed as in production (no query log).
"""

import os

os.environ.setdefault("DEBUG", "1")

from yinling.settings import *  # noqa: F403
from yinling.settings import ALLOWED_HOSTS, DATABASES, INSTALLED_APPS

DEBUG = False
INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.admin"]
ROOT_URLCONF = "benchmarks.bench_urls"
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
# Persistent connections, for our pages and admin's alike (as behind gunicorn in production).
DATABASES["default"]["CONN_MAX_AGE"] = 600
