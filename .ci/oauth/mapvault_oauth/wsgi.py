"""WSGI entry point for gunicorn (server.sh runs it from .ci/oauth)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mapvault_oauth.settings")
application = get_wsgi_application()
