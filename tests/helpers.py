"""Small helpers shared by tests."""

import re
import socket
import time


def tile_keys(html: str) -> list[str]:
    """The keys of the gallery grid's tiles in a page, in the page's order."""
    return re.findall(r'<li class="photo-tile" id="photo-(\w+)"', html)


def closed_port() -> int:
    """A local TCP port where nothing listens (bound for a moment, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebClient:
    """A plain HTTP client with cookies and Django's CSRF token, for a server in another process."""

    def __init__(self, base_url: str) -> None:
        import http.cookiejar
        import urllib.request

        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> tuple[int, str]:
        import urllib.error

        try:
            with self.opener.open(self.base_url + path, timeout=30) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def post(self, path: str, data: dict) -> tuple[int, str]:
        import urllib.error
        import urllib.parse
        import urllib.request

        token = next((c.value for c in self.cookies if c.name == "csrftoken"), "")
        body = urllib.parse.urlencode(data | {"csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.base_url + path, data=body, headers={"Referer": self.base_url + path})
        try:
            with self.opener.open(request, timeout=30) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()


def start_server(env: dict, cwd, port: int):
    """`manage.py runserver` in its own process, with its own environment; waits until it answers."""
    import subprocess
    import sys
    import time
    import urllib.request

    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped: {server.stderr.read()}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError as exc:
            if getattr(exc, "code", None) == 503:  # answering (the broker is meant to be down)
                return server
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not start")


def time_a_booking_on_a_real_server(
    root, database_url: str, redis_url: str, data: dict, **env
) -> tuple[int, str, float]:
    """Book through `runserver` in its own process, with REDIS_URL pointing where the test says
    (down, hung...): the status and page after the redirect, and how long the client waited."""
    import os
    import time

    port = closed_port()
    environment = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "DEBUG": "0", **env}
    server = start_server(environment, root, port)
    try:
        web = WebClient(f"http://127.0.0.1:{port}")
        web.get("/book/?type=headshot")
        started = time.monotonic()
        status, html = web.post("/book/", data)
        return status, html, time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=10)


def wait_until(condition, timeout: float = 90, every: float = 0.2):
    """What `condition()` returns once it is truthy, asked every `every` seconds; fails after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(every)
    raise AssertionError(f"gave up waiting after {timeout} s")


def booking_page_shows(response) -> tuple[str | None, str | None]:
    """The session and the day a booking page shows, read from its HTML (a page from the cache has
    no template context to read them from)."""
    html = response.content.decode()
    session = re.search(r'<option value="([^"]*)" selected>', html)
    day = re.search(r'<input type="date" name="date" value="([^"]*)"', html)
    return (session[1] if session else None, day[1] if day else None)
