"""The HTML page the server sends first: told where the app's server is.

Streamlit's front end does not know where the server is mounted. Opened at a page's
address (``/journey-map``), it first asks ``/journey-map/_stcore/health``, gets a 404,
waits its retry delay and only then asks ``/_stcore/health``: about 0.13 s lost on
every load of every page but the root, shared links and reloads included.

:class:`PageShellMiddleware` (added to the server by :func:`cem.ui.server.serve`) puts one
small script into that HTML page. When the address ends in one of the app's own page
paths, or is the app's root, the script sets ``window.__streamlit.BACKEND_BASE_URL``
(Streamlit's documented hook for hosts) to the app's root, and the front end connects at
once. Any other address (a mistyped page) keeps Streamlit's own search, so its "Page not
found" still shows.

>>> b"BACKEND_BASE_URL" in shell_script(["journey-map"], "")
True
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# The page's own paths end here; everything else in the address is where the app is mounted.
_SCRIPT = """<script>(function () {
  var pages = %(pages)s, base = %(base)s;
  var parts = location.pathname.replace(/\\/+$/, "").split("/");
  var last = parts[parts.length - 1];
  if (pages.indexOf(last) >= 0) { parts.pop(); }
  var root = parts.join("/");
  if (pages.indexOf(last) < 0 && root !== base) { return; }
  window.__streamlit = Object.assign({}, window.__streamlit,
    {BACKEND_BASE_URL: location.origin + root + "/"});
})();</script>"""


def shell_script(page_paths: Iterable[str], base_url_path: str) -> bytes:
    """The ``<script>`` that tells Streamlit's front end where the server is: the
    address without its last part when that part is one of ``page_paths``, or the
    address itself when it is the app's root (``base_url_path``, "" at ``/``)."""
    base = "/" + base_url_path.strip("/") if base_url_path.strip("/") else ""
    pages = sorted({p for p in page_paths if p and "/" not in p})
    text = _SCRIPT % {"pages": json.dumps(pages), "base": json.dumps(base)}
    return text.encode("utf-8")


class PageShellMiddleware:
    """ASGI middleware: adds :func:`shell_script` to the head of the HTML page (status
    200, uncompressed ``text/html``); every other response passes through untouched.
    The page's validators (ETag, Last-Modified) are dropped with the change, so a
    browser never keeps a page with another server's script (the page is 6 kB)."""

    def __init__(self, app: ASGIApp, *, script: bytes) -> None:
        self.app = app
        self.script = script

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http" or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def send_with_script(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if _is_plain_html(message):
                    start = message  # held until the whole body is read
                    return
                await send(message)
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = _with_script(b"".join(chunks), self.script)
            headers = [
                (name, value)
                for name, value in start.get("headers", [])
                if name.lower() not in (b"content-length", b"etag", b"last-modified")
            ]
            headers.append((b"content-length", str(len(body)).encode("ascii")))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, send_with_script)


def _is_plain_html(start: Message) -> bool:
    if start.get("status") != 200:
        return False
    headers = {name.lower(): value for name, value in start.get("headers", [])}
    content_type = headers.get(b"content-type", b"").lower()
    return content_type.startswith(b"text/html") and b"content-encoding" not in headers


def _with_script(html: bytes, script: bytes) -> bytes:
    """``html`` with ``script`` first in its head (unchanged if it has no ``<head>``)."""
    marker = b"<head>"
    at = html.find(marker)
    if at < 0:
        return html
    at += len(marker)
    return html[:at] + script + html[at:]
