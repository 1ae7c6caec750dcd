"""Settings of the blog post's project, cut down to Channels. The channel layer is channels_redis, read from
the environment so the same project runs against any Redis and prefix:

  REDIS_URL            redis://127.0.0.1:6379 (default)
  CHANNELS_PREFIX      channels_redis' key prefix, default asgi (Tidings' TIDINGS_LAYER_PREFIX must match)
  CHANNELS_BACKEND     core (channels_redis.core.RedisChannelLayer, default) or pubsub
  CHANNELS_CAPACITY, CHANNELS_EXPIRY, CHANNELS_GROUP_EXPIRY   optional, channels_redis' capacity, expiry, group_expiry
"""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "example-only-not-a-secret")
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "channels",
    "mainsite",
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ.get("MBLOG_DB", ":memory:")}}
ROOT_URLCONF = "mblog.urls"
MIDDLEWARE = ["django.middleware.csrf.CsrfViewMiddleware"]
ASGI_APPLICATION = "mblog.routing.application"
USE_TZ = True

_backend = os.environ.get("CHANNELS_BACKEND", "core")
_config = {
    "hosts": [os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")],
    "prefix": os.environ.get("CHANNELS_PREFIX", "asgi"),
}
if _backend == "core":
    for _name in ("capacity", "expiry", "group_expiry"):
        _value = os.environ.get("CHANNELS_" + _name.upper())
        if _value:
            _config[_name] = int(_value)
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": {
            "core": "channels_redis.core.RedisChannelLayer",
            "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
        }[_backend],
        "CONFIG": _config,
    }
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
