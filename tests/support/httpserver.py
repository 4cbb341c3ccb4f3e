"""Runs a programmable HTTP server on 127.0.0.1 for tests, so no test touches the internet.

Use the ``http_server`` fixture (tests/conftest.py), or ``with LocalHTTPServer() as srv:``::

    srv.route("/feed.xml", body=b"<rss/>", headers={"Content-Type": "application/rss+xml"})
    srv.route("/flaky", responses=[Response(503), Response(200, body=b"ok")])  # last repeats
    srv.route("/echo", handler=lambda req: Response(body=req.headers.get("if-none-match", "")))
    srv.route("/slow", body=[b"x"] * 100, chunk_delay=0.1)       # trickles one byte at a time
    srv.redirect("/old", "/new", status=301)
    srv.url("/feed.xml")        -> "http://127.0.0.1:PORT/feed.xml"
    srv.requests                -> [Request(method, path, headers, body)], in arrival order
    srv.hits("/feed.xml")       -> how many requests that path received

Headers in a recorded Request are a dict with lower-case names. A path with a query string
matches a route for the full path first, then for the path alone; unknown paths get 404.
A Response body may be bytes, str (sent as UTF-8) or an iterable of bytes chunks: chunks are
sent without Content-Length and the connection closes after them, ``chunk_delay`` seconds
apart. A Content-Length header given by the test is sent as is (to test lying servers).

The fetcher refuses loopback by default: build its settings with
``fetch_allow_networks="127.0.0.0/8"`` and ``fetch_host_delay=0``. It also asks for
``/robots.txt`` once per server (404 here unless routed) unless ``robots=False``.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterable

__all__ = ["Request", "Response", "LocalHTTPServer"]


@dataclass
class Request:
    """One request the server received."""

    method: str
    path: str  # with the query string
    headers: dict[str, str]  # lower-case names
    body: bytes = b""


@dataclass
class Response:
    """What a route answers."""

    status: int = 200
    body: bytes | str | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    chunk_delay: float = 0.0  # seconds between chunks of an iterable body


Handler = Callable[[Request], Response]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do
    timeout = 10  # an idle keep-alive connection ends on its own even if close() is not called

    def setup(self) -> None:
        super().setup()
        self.server.owner._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.owner._track(self.connection, add=False)

    def do_GET(self) -> None:
        self.server.owner._serve(self)

    do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output readable; srv.requests records what matters


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # handler threads are joined by server_close()
    block_on_close = True
    owner: "LocalHTTPServer"

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        pass  # a client that hangs up mid-response is normal in these tests


class LocalHTTPServer:
    """A threaded HTTP server on 127.0.0.1 and a free port whose routes tests program."""

    def __init__(self, host: str = "127.0.0.1"):
        self._routes: dict[str, Handler] = {}
        self._requests: list[Request] = []
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = _Server((host, 0), _Handler)
        self._server.owner = self
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> "LocalHTTPServer":
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stops the server, hangs up open connections and joins every thread."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        with self._lock:
            self._stopping.set()
            for sock in self._sockets:
                _hang_up(sock)
        self._server.server_close()

    def __enter__(self) -> "LocalHTTPServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- programming it ------------------------------------------------------------------

    @property
    def host(self) -> str:
        return self._server.server_address[0]

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def route(self, path: str, body: bytes | str | Iterable[bytes] = b"", *, status: int = 200,
              headers: dict[str, str] | None = None, chunk_delay: float = 0.0,
              handler: Handler | None = None, responses: list[Response] | None = None) -> None:
        """Sets what path answers: a fixed response, a handler, or responses in turn."""
        if handler is None and responses is not None:
            handler = _in_turn(list(responses))
        if handler is None:
            fixed = Response(status, body, dict(headers or {}), chunk_delay)
            handler = lambda request: fixed  # noqa: E731
        with self._lock:
            self._routes[path] = handler

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        """Makes path redirect to location (absolute, or a path on this server)."""
        self.route(path, status=status, headers={"Location": location})

    @property
    def requests(self) -> list[Request]:
        with self._lock:
            return list(self._requests)

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path or r.path.split("?")[0] == path)

    def clear(self) -> None:
        """Forgets the recorded requests (routes stay)."""
        with self._lock:
            self._requests.clear()

    # --- serving -------------------------------------------------------------------------

    def _track(self, sock: socket.socket, add: bool) -> None:
        with self._lock:
            if not add:
                self._sockets.discard(sock)
                return
            self._sockets.add(sock)
            if self._stopping.is_set():  # accepted while closing: hang up at once
                _hang_up(sock)

    def _serve(self, h: _Handler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        request = Request(h.command, h.path, {k.lower(): v for k, v in h.headers.items()},
                          h.rfile.read(length) if length else b"")
        with self._lock:
            self._requests.append(request)
            handler = self._routes.get(h.path) or self._routes.get(h.path.split("?")[0])
        if handler is None:
            response = Response(404, b"not found", {"Content-Type": "text/plain"})
        else:
            try:
                response = handler(request)
            except Exception as exc:  # a broken test handler answers 500, not a dead thread
                response = Response(500, f"handler failed: {exc!r}".encode())
        try:
            self._write(h, response)
        except OSError:  # the client hung up (timeouts, byte caps): expected
            h.close_connection = True

    def _write(self, h: _Handler, response: Response) -> None:
        body = response.body.encode("utf-8") if isinstance(response.body, str) else response.body
        given = {k.lower(): v for k, v in response.headers.items()}
        h.send_response(response.status)
        for name, value in response.headers.items():
            h.send_header(name, value)
        no_body = h.command == "HEAD" or response.status in (204, 304) or response.status < 200
        if isinstance(body, (bytes, bytearray)):
            if "content-length" not in given and response.status not in (204, 304):
                h.send_header("Content-Length", str(len(body)))
            elif given.get("content-length", str(len(body))) != str(len(body)):
                h.send_header("Connection", "close")  # a lying length: end by hanging up
                h.close_connection = True
            h.end_headers()
            if not no_body:
                h.wfile.write(body)
            h.wfile.flush()
            return
        h.send_header("Connection", "close")
        h.close_connection = True
        h.end_headers()
        h.wfile.flush()
        if no_body:
            return
        for chunk in body:
            if response.chunk_delay and self._stopping.wait(response.chunk_delay):
                return
            h.wfile.write(chunk)
            h.wfile.flush()


def _hang_up(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _in_turn(responses: list[Response]) -> Handler:
    lock = threading.Lock()

    def handler(request: Request) -> Response:
        with lock:
            return responses.pop(0) if len(responses) > 1 else responses[0]

    return handler
