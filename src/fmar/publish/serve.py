"""Serve a built site on the loopback interface (for ``fmar serve`` and ``fmar demo``).

``base``: the path the site is served under, as a host serves a project site
(GitHub Pages: ``https://<org>.github.io/<repo>/``): only addresses below it are the site's; any
other gets 404, as the rest of such a host is someone else's.
"""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def base_path(text: str) -> str:
    """``text`` as a base path: a leading and a trailing slash (``fmar`` -> ``/fmar/``, ``/`` stays)."""
    return "/" + "/".join(part for part in text.split("/") if part) + "/" if text.strip("/") else "/"


class _Site(SimpleHTTPRequestHandler):
    def __init__(self, *args: Any, base: str, **kwargs: Any) -> None:
        self.base = base
        super().__init__(*args, **kwargs)

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.base):
            return str(Path(self.directory) / ".not-the-site" / "none")  # nothing there: 404
        return super().translate_path("/" + path[len(self.base) :])

    def send_head(self) -> Any:
        if self.path == self.base.rstrip("/") and self.base != "/":
            self.send_response(301)
            self.send_header("Location", self.base)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        return super().send_head()

    def log_message(self, format: str, *args: object) -> None:
        pass


def server(folder: Path, port: int = 0, base: str = "/") -> ThreadingHTTPServer:
    """An HTTP server for ``folder`` under ``base`` on 127.0.0.1 (port 0: any free port); call
    serve_forever or use in a thread."""
    handler = functools.partial(_Site, directory=str(folder), base=base_path(base))
    return ThreadingHTTPServer(("127.0.0.1", port), handler)


def in_background(folder: Path, base: str = "/") -> tuple[ThreadingHTTPServer, str]:
    """A server for ``folder`` under ``base`` in a thread, and the site's address (without its
    trailing slash: ``http://127.0.0.1:PORT/fmar``)."""
    httpd = server(folder, base=base)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}{base_path(base).rstrip('/')}"
