"""The HTML page the server sends carries the script that tells the front end where the
server is (cem.ui.page_shell); every other response passes through unchanged."""

from __future__ import annotations

import asyncio
import re
from collections.abc import MutableMapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from cem.ui.page_shell import PageShellMiddleware, shell_script
from cem.ui.server import page_paths

PAGE = b"<!DOCTYPE html><html><head><title>Streamlit</title></head><body></body></html>"
SCRIPT = shell_script(["journey-map", "home"], "")


def serve(
    status: int, headers: list[tuple[bytes, bytes]], chunks: list[bytes], method: str = "GET"
) -> tuple[MutableMapping[str, Any], bytes]:
    """Run the middleware over an app that answers with ``status``/``headers`` and the
    body in ``chunks``; returns (the response start, the whole body sent)."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": status, "headers": headers})
        for i, chunk in enumerate(chunks):
            more = i < len(chunks) - 1
            await send({"type": "http.response.body", "body": chunk, "more_body": more})

    sent: list[MutableMapping[str, Any]] = []

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    async def receive() -> MutableMapping[str, Any]:
        return {"type": "http.request"}

    scope = {"type": "http", "method": method, "path": "/journey-map"}
    # A thread of its own: Playwright's sync API may hold this thread's event loop.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(
            asyncio.run, PageShellMiddleware(app, script=SCRIPT)(scope, receive, send)
        ).result()
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0], body


def html_headers(size: int) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"content-length", str(size).encode()),
        (b"etag", b'"abc"'),
        (b"last-modified", b"Sat, 05 Dec 2026 10:00:00 GMT"),
        (b"cache-control", b"no-cache"),
    ]


def test_the_page_gets_the_script_first_in_its_head() -> None:
    start, body = serve(200, html_headers(len(PAGE)), [PAGE[:20], PAGE[20:]])
    assert body == PAGE.replace(b"<head>", b"<head>" + SCRIPT)
    headers = dict(start["headers"])
    assert headers[b"content-length"] == str(len(body)).encode()
    assert b"etag" not in headers and b"last-modified" not in headers  # never kept stale
    assert headers[b"cache-control"] == b"no-cache"


@pytest.mark.parametrize(
    ("status", "headers", "method"),
    [
        (200, [(b"content-type", b"application/javascript")], "GET"),  # a script
        (304, [(b"content-type", b"text/html")], "GET"),  # not modified: no body
        (200, [(b"content-type", b"text/html"), (b"content-encoding", b"gzip")], "GET"),
        (200, [(b"content-type", b"text/html")], "HEAD"),
        (404, [(b"content-type", b"text/html")], "GET"),
    ],
)
def test_other_responses_pass_unchanged(
    status: int, headers: list[tuple[bytes, bytes]], method: str
) -> None:
    start, body = serve(status, headers, [PAGE], method)
    assert body == PAGE
    assert start["headers"] == headers and start["status"] == status


def test_the_script_names_every_page_of_the_app() -> None:
    app = (Path(__file__).resolve().parents[1] / "app.py").read_text(encoding="utf-8")
    declared = set(re.findall(r'url_path="([^"]+)"', app))
    assert declared and declared <= set(page_paths())
    assert "home" in page_paths()  # the Overview's alias
    script = shell_script(page_paths(), "").decode()
    assert all(f'"{p}"' in script for p in declared)
    assert "</script" not in script[: -len("</script>")]  # one script, nothing after it


def test_the_script_knows_the_base_url_path() -> None:
    assert 'base = "/touchpoint"' in shell_script(["home"], "/touchpoint/").decode()
    assert 'base = ""' in shell_script(["home"], "").decode()
