"""The `WebhookTransport` port on aiohttp: one session, its connector checked, no redirects.

The connector reaches only addresses `TargetCheck` approved (checked_connector.py).
A failure below HTTP becomes a `PostResult` whose `error` says what kind of
failure it was and nothing about the network behind the target; `detail` carries
the specifics for the operator's log.
"""

import aiohttp

from call_service.adapters.http.checked_connector import checked_connector
from call_service.service.target_check import UNRESOLVED, TargetCheck, TargetRefused
from call_service.service.webhook_ports import REQUEST_FAILED, PostResult

USER_AGENT = "call-webhooks/1"


class WebhookHttpClient:
    """Created inside the running event loop; `close()` ends the session."""

    def __init__(self, targets: TargetCheck, timeout_s: float, max_in_flight: int) -> None:
        self._timeout_s = timeout_s
        self._session = aiohttp.ClientSession(
            connector=checked_connector(targets, max_in_flight),
            headers={"User-Agent": USER_AGENT},
        )

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> PostResult:
        timeout_s = self._timeout_s
        timeout = aiohttp.ClientTimeout(total=timeout_s, connect=min(timeout_s, 2.0))
        try:
            async with self._session.post(
                url, data=body, headers=headers, timeout=timeout, allow_redirects=False
            ) as response:
                return PostResult(response.status)
        except TimeoutError:
            return PostResult(None, f"timed out after {timeout_s:g} s")
        except TargetRefused as exc:
            return PostResult(None, str(exc), exc.log_detail)
        except aiohttp.ClientConnectorError as exc:
            return PostResult(None, _connect_error(exc), _os_detail(exc.os_error))
        except (aiohttp.ClientError, ValueError) as exc:
            return PostResult(None, REQUEST_FAILED, type(exc).__name__)

    async def close(self) -> None:
        await self._session.close()


def _os_detail(exc: OSError) -> str:
    if isinstance(exc, TargetRefused):
        return exc.log_detail
    return exc.strerror or type(exc).__name__


def _connect_error(exc: aiohttp.ClientConnectorError) -> str:
    if isinstance(exc.os_error, TargetRefused):
        return str(exc.os_error)
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return UNRESOLVED
    if isinstance(exc, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError):
        return "TLS handshake failed"
    return "connection failed"
