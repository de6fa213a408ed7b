"""HTTP through Django; websockets through Channels, behind the origin check."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from apps.blocks.registry import all_blocks  # noqa: E402
from apps.core.origin import OriginCheck  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402

# The block catalog loads with the process, not on the first request that needs it: the
# language-model SDKs alone take seconds to import, and no request should wait for that.
all_blocks()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": OriginCheck(URLRouter(websocket_urlpatterns)),
    }
)
