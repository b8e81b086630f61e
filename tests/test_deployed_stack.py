"""The production stack as deployed: gunicorn started with the Procfile's own `web` line, behind
Debian's nginx running the site configuration that deploy/nginx.conf includes
(deploy/nginx-site.conf), on loopback ports. Only what must differ on a test machine is changed:
nginx listens on a free port, and the two media folders and the application's port are the test's.
The web process shares the test's PostgreSQL database and media folders, and its rate limits live
in a real Redis (several gunicorn workers share them).

It shows what the application alone cannot: per-visitor limits behind a proxy, files sent through
X-Accel-Redirect with the right headers, and what nginx serves (or refuses) on its own.

Needs nginx (Debian's `nginx-light` is enough), PostgreSQL and Redis. As root, nginx's workers run
as root too, so they can read pytest's private temporary folders.
"""

import gzip
import http.client
import io
import os
import random
import re
import secrets
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client as DjangoClient
from django_ratelimit.core import _get_window

from galleries import delivery
from galleries.models import Gallery, Photo, ZipArchive
from tests.conftest import REQUIRE_SERVICES, ROOT, _die_with_parent, database_url_for_subprocess
from tests.factories import jpeg_bytes, make_gallery, make_user_client, png_bytes, processed_photo
from tests.helpers import closed_port
from tests.loopback_deploy import (
    NGINX,
    forget_cached_studio_facts,
    procfile_command,
    stop_processes,
    write_nginx_config,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


# --- the stack ---


@dataclass
class Stack:
    port: int  # nginx's
    media: Path
    private: Path
    folder: Path
    processes: list[subprocess.Popen] = field(default_factory=list)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-4000:]}" for p in sorted(self.folder.glob("*.log")))

    def stop(self) -> None:
        stop_processes(self.processes)


def nginx_config(stack: Stack, app_port: int) -> Path:
    return write_nginx_config(
        stack.folder, media=stack.media, private=stack.private, app_port=app_port, port=stack.port,
        server_name="studio.test",
    )  # fmt: skip


def start(stack: Stack, command: list[str], log: str, env: dict | None = None) -> subprocess.Popen:
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=(stack.folder / log).open("w"), stderr=subprocess.STDOUT,
        preexec_fn=_die_with_parent, start_new_session=True,  # a group of its own, gunicorn's workers included
    )  # fmt: skip
    stack.processes.append(process)
    return process


@pytest.fixture(scope="module")
def deployed(django_db_setup, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not os.path.exists(NGINX):
        problem = "needs nginx (apt-get install nginx-light)"
        pytest.fail(problem) if REQUIRE_SERVICES else pytest.skip(problem)
    folder = tmp_path_factory.mktemp("deployed")
    stack = Stack(port=closed_port(), media=folder / "media", private=folder / "private", folder=folder)
    stack.media.mkdir()
    stack.private.mkdir()
    app_port = closed_port()

    # gunicorn, exactly as the Procfile starts it (with this virtualenv's executables).
    web = procfile_command("web").replace(".venv/bin/", f"{Path(sys.executable).parent}/")
    environment = {
        **os.environ,
        "HOME": str(folder),  # gunicorn's control socket goes under ~/.gunicorn: not the machine's
        "PORT": str(app_port),
        "WEB_WORKERS": "2",
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,  # sessions the test signs in are signed with it
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url_for_subprocess(),
        "REDIS_URL": settings.REDIS_URL,  # the test's own Redis database: rate limits are shared there
        "MEDIA_ROOT": str(stack.media),
        "PRIVATE_MEDIA_ROOT": str(stack.private),
        "PROTECTED_MEDIA_PREFIX": "/protected/",
        "TRUSTED_PROXY_COUNT": "1",
    }
    start(stack, ["/bin/sh", "-c", f"exec {web}"], "gunicorn.log", environment)

    config = nginx_config(stack, app_port)
    checked = subprocess.run([NGINX, "-t", "-p", str(folder), "-c", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    start(stack, [NGINX, "-p", str(folder), "-c", str(config)], "nginx.log")

    deadline = time.monotonic() + 30
    while True:
        try:
            if Visitor(stack.port).get("/robots.txt").status == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline or any(p.poll() is not None for p in stack.processes):
            stack.stop()
            pytest.fail(f"the stack did not start:\n{stack.logs()}")
        time.sleep(0.1)
    yield stack
    stack.stop()


@pytest.fixture(autouse=True)
def _the_stack_forgets_what_earlier_runs_cached() -> None:
    forget_cached_studio_facts(settings.REDIS_URL)


# --- visitors ---


@dataclass
class Reply:
    status: int
    headers: Message
    body: bytes


@dataclass
class Visitor:
    """A browser connecting to nginx from its own loopback address (all of 127.0.0.0/8 is local)."""

    port: int
    address: str = "127.0.0.1"
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, form: dict | None = None, headers: dict | None = None) -> Reply:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20, source_address=(self.address, 0))
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=urlencode(form) if form is not None else None, headers=headers)
            response = connection.getresponse()
            reply = Reply(response.status, response.headers, response.read())
        finally:
            connection.close()
        for value in reply.headers.get_all("Set-Cookie") or []:
            self.cookies.update({name: morsel.value for name, morsel in SimpleCookie(value).items()})
        return reply

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, form: dict) -> Reply:
        return self.request("POST", path, form | {"csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})


def an_address_of_its_own() -> str:
    """A loopback address no earlier run used (their counters may still be in Redis) whose
    one-minute rate-limit window, staggered per address by django-ratelimit, has at least 20 s
    left: eleven requests then fall in one window."""
    while True:
        address = f"127.{random.randint(1, 254)}.{random.randint(0, 255)}.{random.randint(2, 254)}"
        if _get_window(address, 60) - time.time() > 20:
            return address


def signed_in(stack: Stack, user) -> Visitor:
    django_client = DjangoClient()
    django_client.force_login(user)  # a session row in the shared database
    return Visitor(stack.port, an_address_of_its_own(), {settings.SESSION_COOKIE_NAME: django_client.cookies[
        settings.SESSION_COOKIE_NAME].value})  # fmt: skip


# --- must show: per-visitor limits stay per visitor ---


def test_visitor_a_s_eleventh_sign_in_request_in_a_minute_is_refused_while_visitor_b_s_first_goes_through(deployed):
    a, b = Visitor(deployed.port, an_address_of_its_own()), Visitor(deployed.port, an_address_of_its_own())
    run = secrets.token_hex(4)  # addresses nobody has: no email is sent, and no per-email limit applies
    assert a.get("/portal/login/").status == 200

    answers = [a.post("/portal/login/", {"email": f"guest.{run}.{n}@example.org"}).status for n in range(11)]

    assert answers == [200] * 10 + [429], deployed.logs()
    assert b.get("/portal/login/").status == 200
    assert b.post("/portal/login/", {"email": f"jordan.hale.{run}@example.org"}).status == 200


# --- files: sent by nginx after the application's check ---


@dataclass
class Shoot:
    alice: object
    bob: object
    gallery: Gallery
    jpeg: Photo
    png: Photo  # a PNG the photographer's computer named .html
    archive: ZipArchive


@pytest.fixture
def shoot(deployed: Stack, settings) -> Shoot:
    """Alice's delivered gallery, its files in the folders the stack serves."""
    settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT = deployed.media, deployed.private
    alice = make_user_client("Alice Byrne", "alice.byrne@example.com")
    bob = make_user_client("Bob Mensah", "bob.mensah@example.com")
    gallery = make_gallery(alice, title="Headshots, November", status=Gallery.Status.DELIVERED)
    jpeg = processed_photo(gallery, "IMG_20261120_0142.jpg", jpeg_bytes(seed=142))
    png = processed_photo(gallery, "2026-11-20 Alice Byrne 0143.html", png_bytes())
    gallery.photos.update(delivered=True)
    archive = delivery.request_zip(gallery)
    delivery.build_zip(archive.pk)  # unless it already ran when the request committed
    archive.refresh_from_db()
    assert archive.state == ZipArchive.State.READY
    return Shoot(alice, bob, gallery, jpeg, png, archive)


def is_sign_in_redirect(reply: Reply) -> bool:
    return reply.status == 302 and re.match(r"(https?://[^/]+)?/portal/login/", reply.headers["Location"]) is not None


def test_the_viewer_s_proof_comes_through_nginx_to_its_client_and_from_no_public_address(deployed, shoot):
    photo, base = shoot.jpeg, f"/portal/galleries/{shoot.gallery.public_id}"
    proof_url = f"{base}/photos/{photo.key}/proof.jpg"
    proof = Path(photo.proof.path).read_bytes()
    alice = signed_in(deployed, shoot.alice.user)

    reply = alice.get(proof_url)

    assert reply.status == 200, deployed.logs()
    assert reply.body == proof
    assert reply.headers["Content-Type"] == "image/jpeg"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers["Cache-Control"].startswith("private")
    assert "X-Accel-Redirect" not in reply.headers
    assert alice.get(f"{base}/photos/{photo.key}/").status == 200  # the viewer's page around it

    # Thumbnails are public files, cached for good: their names change with their content.
    thumb = Visitor(deployed.port).get(f"/media/{photo.thumb.name}")
    assert thumb.status == 200 and thumb.body == Path(photo.thumb.path).read_bytes()
    assert thumb.headers.get_all("Cache-Control") == ["public, max-age=31536000, immutable"]
    assert thumb.headers["X-Content-Type-Options"] == "nosniff"

    # The proof at any public address, signed out or as another client: never the bytes.
    stranger, bob = Visitor(deployed.port), signed_in(deployed, shoot.bob.user)
    public = (f"/media/{photo.proof.name}", f"/media/proofs/{photo.key}/proof.jpg", f"/protected/{photo.proof.name}")
    for address in public:
        refused = stranger.get(address)
        assert refused.status == 404 and proof not in refused.body, address
    assert is_sign_in_redirect(stranger.get(proof_url))
    refused = bob.get(proof_url)
    assert refused.status == 404 and proof not in refused.body


def test_the_gallery_page_arrives_compressed_and_revalidates_through_nginx(deployed, shoot):
    alice = signed_in(deployed, shoot.alice.user)
    url = f"/portal/galleries/{shoot.gallery.public_id}/"

    reply = alice.request("GET", url, headers={"Accept-Encoding": "gzip"})

    assert reply.status == 200, deployed.logs()
    assert reply.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in reply.headers["Vary"]
    html = gzip.decompress(reply.body)
    assert b"Your finished photos" in html and b"IMG_20261120_0142.jpg" in html
    assert len(reply.body) < len(html) / 3
    plain = alice.get(url)  # a client that takes no compression gets the page as it is
    assert plain.status == 200 and "Content-Encoding" not in plain.headers and b"Your finished photos" in plain.body

    # A returning browser: nginx weakened the ETag of what it compressed; a 304 all the same.
    etag = reply.headers["ETag"]
    assert etag.startswith('W/"')
    again = alice.request("GET", url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status == 304 and again.body == b""
    Photo.objects.filter(pk=shoot.jpeg.pk).update(original_name="IMG_20261120_0142-retouched.jpg")
    changed = alice.request("GET", url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert changed.status == 200 and b"0142-retouched.jpg" in gzip.decompress(changed.body)


def test_downloads_and_zips_come_through_nginx_as_what_they_are_and_only_to_their_client(deployed, shoot):
    base = f"/portal/galleries/{shoot.gallery.public_id}"
    alice = signed_in(deployed, shoot.alice.user)
    jpeg, png, archive = shoot.jpeg, shoot.png, shoot.archive
    downloads = {
        f"{base}/photos/{jpeg.key}/download/": ("image/jpeg", jpeg.original, "IMG_20261120_0142.jpg"),
        f"{base}/photos/{png.key}/download/": ("image/png", png.original, "2026-11-20 Alice Byrne 0143.html"),
        f"{base}/zip/{archive.key}/download/": ("application/zip", archive.file, "Headshots, November"),
    }

    for url, (content_type, stored, name) in downloads.items():
        reply = alice.get(url)

        assert reply.status == 200, (url, deployed.logs())
        assert reply.body == Path(stored.path).read_bytes()
        assert reply.headers["Content-Type"] == content_type, url
        assert reply.headers["X-Content-Type-Options"] == "nosniff", url
        assert reply.headers["Content-Disposition"].startswith(f'attachment; filename="{name}'), url
        assert reply.headers["Cache-Control"].startswith("private"), url
    with zipfile.ZipFile(io.BytesIO(Path(shoot.archive.file.path).read_bytes())) as zf:
        assert sorted(zf.namelist()) == ["2026-11-20 Alice Byrne 0143.html", "IMG_20261120_0142.jpg"]

    # Only after the access check: signed out, sent to sign in; another client, 404; the internal
    # location, unreachable from outside.
    stranger, bob = Visitor(deployed.port), signed_in(deployed, shoot.bob.user)
    for url, (_, stored, _) in downloads.items():
        data = Path(stored.path).read_bytes()
        for reply in (stranger.get(url), bob.get(url), stranger.get(f"/protected/{stored.name}")):
            assert reply.status in (302, 404) and data not in reply.body, url
            assert reply.status == 404 or is_sign_in_redirect(reply)
        assert is_sign_in_redirect(stranger.get(url))


# --- client addresses: what the application records is the visitor's, not nginx's ---


def test_terms_accepted_through_nginx_record_the_visitors_own_address(deployed):
    from datetime import time as clock

    from bookings.models import Booking, TermsDocument
    from tests.factories import booking_data, local, make_session_type, open_every_day

    open_every_day(clock(9), clock(17), time_zone="Europe/Lisbon")
    headshot = make_session_type(kind="headshot", slug="headshot", name="Headshot session")
    terms = TermsDocument.objects.create(
        title="Booking terms", text="Moving or cancelling: until 24 hours before.", version=1
    )
    niamh = Visitor(deployed.port, an_address_of_its_own())
    assert niamh.get("/book/?type=headshot").status == 200  # her CSRF cookie
    # An email of this run's own: the stack counts requests per email in the test's Redis database,
    # which keeps its counts from one run of the suite to the next (three a day per email).
    email = f"niamh.osullivan+{secrets.token_hex(4)}@example.ie"
    form = booking_data(headshot, local(days=5, hour=11), name="Niamh O'Sullivan", email=email)

    reply = niamh.post("/book/", form | {"accept_terms": "on", "terms_version": str(terms.pk)})

    assert reply.status == 302, deployed.logs()
    accepted = Booking.objects.get(client__email=email).terms_acceptance
    assert (accepted.terms, accepted.accepted_from) == (terms, niamh.address)
