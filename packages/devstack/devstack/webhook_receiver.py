"""`python -m devstack.webhook_receiver --secret S`: a local webhook receiver for trying things out.

Prints each delivery as one JSON line with whether its signature verified, and
answers 204 (or 401 when it does not verify), so a newcomer can watch signed
survey requests and alerts arrive without writing a receiver first.
"""

import argparse
import json
import sys

from aiohttp import web

from service_kit.webhook_signing import verify_signature


def make_app(secret: str) -> web.Application:
    async def receive(request: web.Request) -> web.Response:
        body = await request.read()
        verified = verify_signature(
            secret,
            request.headers.get("X-Webhook-Timestamp", ""),
            body,
            request.headers.get("X-Webhook-Signature", ""),
        )
        event = json.loads(body) if verified else {}
        line = {
            "verified": verified,
            "delivery": request.headers.get("X-Webhook-Id"),
            "type": request.headers.get("X-Webhook-Event"),
            "call_id": (event.get("call") or {}).get("id")
            or (event.get("alert") or {}).get("call_id"),
            "alert": (event.get("alert") or {}).get("kind"),
        }
        print(json.dumps(line), flush=True)
        return web.Response(status=204 if verified else 401)

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_post("/{tail:.*}", receive)
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--secret", required=True, help="the secret given when registering")
    parser.add_argument("--port", type=int, default=9000)
    args = parser.parse_args(argv)
    print(f"listening on http://127.0.0.1:{args.port}/ (Ctrl-C stops)", file=sys.stderr)
    web.run_app(make_app(args.secret), host="127.0.0.1", port=args.port, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
