from django.urls import re_path

from mainsite import consumers

# Channels 3+ wants .as_asgi() (the post, on Channels 2, passed the class itself).
websocket_urlpatterns = [
    re_path(r"inform/", consumers.InformConsumer.as_asgi()),
]
