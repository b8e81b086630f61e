"""Small helpers shared by tests."""

import socket


def closed_port() -> int:
    """A local TCP port where nothing listens (bound for a moment, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
