"""Security headers every HTTP response of every service carries."""

from aiohttp import web

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


async def _add_headers(_request: web.Request, response: web.StreamResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)


def add_security_headers(app: web.Application) -> None:
    """On every prepared response, including those of mounted handlers such as Socket.io."""
    app.on_response_prepare.append(_add_headers)
