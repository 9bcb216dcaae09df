"""WSGI entry point for production servers (e.g. gunicorn bouclier.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bouclier.settings")
application = get_wsgi_application()
