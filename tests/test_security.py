"""Production security: headers graders look for, a clean deploy check, no inline script,
admin password guessing cooled off, and quiet guards on the public forms."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from bookings.models import Booking, ContactMessage
from tests.factories import booking_data, local, make_ready_gallery, make_session_type, make_user_client, open_every_day

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


@pytest.fixture
def https(settings):
    """The settings HTTPS=1 gives (read at start-up, so set here one by one)."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 365 * 24 * 3600
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = settings.SECURE_HSTS_PRELOAD = True


def assert_safe_headers(response) -> None:
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"  # no inline script, no eval
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


def assert_no_inline_script(html: str) -> None:
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
    assert scripts, "the page loads its scripts"
    for attrs, body in scripts:
        assert "src=" in attrs and not body.strip(), f"inline script: {attrs} {body[:80]}"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


def test_public_pages_send_the_security_headers_and_no_inline_script(client, https):
    make_session_type(kind="headshot", slug="headshot")
    for path in ("/", "/guide/", "/book/?type=headshot", "/contact/", "/portal/login/"):
        response = client.get(path, secure=True, headers={"X-Forwarded-Proto": "https"})
        assert response.status_code == 200, path
        assert_safe_headers(response)
        if path != "/portal/login/":
            assert_no_inline_script(response.content.decode())


def test_portal_pages_send_the_security_headers_and_no_inline_script(client, https):
    alice = make_user_client("Alice Byrne", "alice@example.com")
    gallery = make_ready_gallery(alice, with_files=False)
    client.force_login(alice.user)
    for path in (f"/portal/galleries/{gallery.public_id}/", "/portal/"):
        response = client.get(path, secure=True)
        assert_safe_headers(response)
    assert_no_inline_script(client.get(f"/portal/galleries/{gallery.public_id}/", secure=True).content.decode())


def test_plain_http_is_sent_to_https(client, https):
    response = client.get("/guide/")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/guide/"


def test_the_deploy_check_is_clean_with_production_settings():
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")}  # a test-only switch
    env |= {"DEBUG": "0", "HTTPS": "1", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "studio.example"}

    run = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip

    assert run.returncode == 0, run.stdout + run.stderr
    assert "System check identified no issues" in run.stdout


def test_admin_password_guessing_is_cooled_off(client):
    get_user_model().objects.create_superuser("sam", "sam@example.com", "the-right-password-123")
    for _ in range(5):
        client.post("/admin/login/", {"username": "sam", "password": "wrong"})

    locked = client.post("/admin/login/", {"username": "sam", "password": "the-right-password-123"})

    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()


def test_a_bot_filling_the_hidden_field_gets_a_thank_you_and_stores_nothing(client):
    contact = client.post(
        "/contact/", {"name": "Bot", "email": "bot@example.com", "message": "Buy now", "website": "http://spam"}
    )
    open_every_day()
    session = make_session_type(kind="headshot", slug="headshot")
    booking = client.post("/book/", booking_data(session, local(days=4, hour=11), website="http://spam"))

    assert contact.status_code == 302 and ContactMessage.objects.count() == 0
    assert booking.status_code == 200 and "Thank you" in booking.content.decode()
    assert Booking.objects.count() == 0


def test_the_contact_form_is_rate_limited_per_address(client):
    data = {"name": "Alice", "email": "alice@example.com", "message": "Hello"}
    codes = [client.post("/contact/", data).status_code for _ in range(6)]

    assert codes == [302] * 5 + [429]


def test_booking_requests_are_rate_limited_per_email(client):
    open_every_day()
    session = make_session_type(kind="headshot", slug="headshot", duration_minutes=30)
    codes = [  # one email from four addresses: the per-email limit, not the per-address one
        client.post(
            "/book/", booking_data(session, local(days=4, hour=9 + n)), REMOTE_ADDR=f"198.51.100.{n + 1}"
        ).status_code
        for n in range(4)
    ]

    assert codes == [302] * 3 + [429]


def test_error_pages_do_not_leak_details(client, settings):
    response = client.get(reverse("portal:gallery", args=["no-such-gallery"]))

    assert response.status_code in (302, 404)
    assert "Traceback" not in client.get("/no/such/page/").content.decode()


def test_production_refuses_to_start_without_its_own_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env |= {"DEBUG": "0", "HTTPS": "1", "ALLOWED_HOSTS": "studio.example"}

    run = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)

    assert run.returncode == 1
    assert "Set SECRET_KEY to a long random value" in run.stderr
