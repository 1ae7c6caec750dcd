"""The blog post's asgi.py: set up Django, then build the ASGI application named by ASGI_APPLICATION."""
import os

import django
from channels.routing import get_default_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mblog.settings")
django.setup()
application = get_default_application()
