"""A real HTTP server on 127.0.0.1 for the web and feed tests (never the internet).

``web_server`` (a fixture: import it into the test module) starts one per test in a thread and tells what it
serves through :meth:`WebServer.route`: a status, headers, a body, and misbehaviour on demand: a delay before
answering, a body dripped slowly, a Content-Length larger than the body (a truncated page), a body generated
on the fly (50 MB without holding it), conditional GET (ETag / Last-Modified → 304), redirects. Every request
is logged (path and headers) and every body byte sent is counted, so tests can check what the client asked
and how much it read.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

__all__ = ["Route", "WebServer", "html_page", "rss", "web_server"]


@dataclass
class Route:
    body: bytes | Callable[[], Iterator[bytes]] = b""
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    drip: float = 0.0  # seconds between chunks of the body
    chunk: int = 64 * 1024
    content_length: int | bool | None = True  # True: the real length; an int: that (a lie); None: no header
    etag: str = ""  # answer 304 to If-None-Match with it
    last_modified: str = ""  # answer 304 to If-Modified-Since not older than it
    location: str = ""  # a redirect (with status 301/302/307/308)


@dataclass
class Request:
    path: str
    headers: dict[str, str]


class WebServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.sent: dict[str, int] = {}  # path → body bytes written
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else headers and body in two writes wait for a delayed ACK (40 ms)

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                server._handle(self)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                # a client that hung up (timed out, refused a body) is normal here: record, never print
                import sys

                exc = sys.exc_info()[1]
                if not isinstance(exc, OSError):
                    server.errors.append(exc)

        self.errors: list[BaseException | None] = []  # handler exceptions other than hang-ups (server bugs)
        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, body: bytes | str | Callable[[], Iterator[bytes]] = b"", **kw: object) -> str:
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.routes[path] = Route(body=body, **kw)  # type: ignore[arg-type]
        return self.url(path)

    def hits(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def sleep(self, seconds: float) -> bool:
        """Sleep, unless the server is stopping (then return False at once)."""
        return not self.stopping.wait(seconds)

    def close(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- serving ---------------------------------------------------------------------------------------
    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        path = h.path
        with self._lock:
            self.requests.append(Request(path, {k.lower(): v for k, v in h.headers.items()}))
        route = self.routes.get(path)
        if route is None:
            self._simple(h, 404, b"<html><body><h1>Not found</h1></body></html>")
            return
        if route.delay and not self.sleep(route.delay):
            return
        if route.location:
            h.send_response(route.status if 300 <= route.status < 400 else 302)
            h.send_header("Location", route.location)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        if (route.etag and h.headers.get("If-None-Match") == route.etag) or \
                (route.last_modified and h.headers.get("If-Modified-Since") and _not_older(
                    h.headers["If-Modified-Since"], route.last_modified)):
            h.send_response(304)
            if route.etag:
                h.send_header("ETag", route.etag)
            h.end_headers()
            return
        body = route.body
        h.send_response(route.status)
        if route.content_type is not None:
            h.send_header("Content-Type", route.content_type)
        if route.etag:
            h.send_header("ETag", route.etag)
        if route.last_modified:
            h.send_header("Last-Modified", route.last_modified)
        for k, v in route.headers.items():
            h.send_header(k, v)
        if isinstance(route.content_length, int) and not isinstance(route.content_length, bool):
            h.send_header("Content-Length", str(route.content_length))
        elif route.content_length is True and isinstance(body, bytes):
            h.send_header("Content-Length", str(len(body)))
        else:
            h.send_header("Connection", "close")  # the body ends when the connection does
            h.close_connection = True
        h.end_headers()
        chunks = body() if callable(body) else (body[i:i + route.chunk] for i in range(0, len(body), route.chunk))
        try:
            for piece in chunks:
                h.wfile.write(piece)
                h.wfile.flush()
                with self._lock:
                    self.sent[path] = self.sent.get(path, 0) + len(piece)
                if self.stopping.is_set() or (route.drip and not self.sleep(route.drip)):
                    break
        except OSError:  # the client hung up (a broken pipe, a reset, a timeout)
            pass
        if isinstance(route.content_length, int) and not isinstance(route.content_length, bool):
            h.close_connection = True  # a lie about the length: hang up, leaving the body short

    @staticmethod
    def _simple(h: BaseHTTPRequestHandler, status: int, body: bytes) -> None:
        h.send_response(status)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)


def _not_older(since: str, modified: str) -> bool:
    a, b = email.utils.parsedate_to_datetime(since), email.utils.parsedate_to_datetime(modified)
    return a >= b


def zeros(total: int, chunk: int = 256 * 1024) -> Callable[[], Iterator[bytes]]:
    """A body of ``total`` bytes of HTML-ish filler made on the fly (never held whole)."""
    def gen() -> Iterator[bytes]:
        head = b"<!doctype html><html><head><title>big</title></head><body><p>"
        yield head
        sent = len(head)
        block = b"a" * chunk
        while sent < total:
            piece = block[: total - sent]
            sent += len(piece)
            yield piece
    return gen


def html_page(title: str, paragraphs: list[str], *, head: str = "", lang: str = "vi", charset: str = "utf-8"
              ) -> str:
    import html

    ps = "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)
    return (f"<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"{charset}\">"
            f"<title>{html.escape(title)}</title>{head}</head>\n<body><nav><a href=\"/\">Trang chủ</a> · "
            f"<a href=\"/the-gioi\">Thế giới</a></nav>\n<article><h1>{html.escape(title)}</h1>\n{ps}\n</article>\n"
            f"<footer>© Báo Ví Dụ</footer></body></html>\n")


def rss(title: str, site: str, items: list[tuple[str, str, str]], *, pubdate: str = "Fri, 06 Dec 2024 10:00:00 +0700"
        ) -> str:
    """An RSS 2.0 document; items are (guid, link, title)."""
    import html

    parts = [f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>{html.escape(title)}"
             f"</title><link>{html.escape(site)}</link><description>tin</description>"]
    for guid, link, t in items:
        parts.append(f"<item><guid isPermaLink=\"false\">{html.escape(guid)}</guid><link>{html.escape(link)}</link>"
                     f"<title>{html.escape(t)}</title><pubDate>{pubdate}</pubDate>"
                     f"<description>Tóm tắt: {html.escape(t)}</description></item>")
    parts.append("</channel></rss>\n")
    return "".join(parts)


def http_date(t: float | None = None) -> str:
    return email.utils.formatdate(time.time() if t is None else t, usegmt=True)


@pytest.fixture
def web_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[WebServer]:
    """A server on 127.0.0.1 for this test; proxies from the environment are ignored (so nothing leaves the
    machine)."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    server = WebServer()
    try:
        yield server
    finally:
        server.close()
    assert not server.errors, f"the test server failed: {server.errors!r}"
