"""The blog post's project routing: websocket -> AuthMiddlewareStack -> URLRouter(inform routes)."""
from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from django.core.asgi import get_asgi_application

from mainsite import routing as inform_routing

application = ProtocolTypeRouter(
    {
        "http": get_asgi_application(),
        "websocket": AuthMiddlewareStack(URLRouter(inform_routing.websocket_urlpatterns)),
    }
)
