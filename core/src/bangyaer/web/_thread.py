"""Serve an ASGI app on loopback from a background thread, for sandboxes and their tests."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn

__all__ = ["serve_in_thread"]


@contextlib.contextmanager
def serve_in_thread(app: Any, *, name: str, host: str = "127.0.0.1",
                    port: int = 0) -> Iterator[str]:
    """Serve ``app`` while the block runs; yields its base URL (port 0: a free one).

    The socket is bound before the thread starts, so the port is known and
    ours; the block begins once uvicorn listens, not after a set time.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=name,
                              daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.005)
    if not server.started:
        sock.close()
        raise RuntimeError(f"{name} did not start; see the log above")
    try:
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
