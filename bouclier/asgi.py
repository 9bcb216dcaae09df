"""ASGI entry point, used where pages stream live updates (Server-Sent Events)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bouclier.settings")
application = get_asgi_application()
