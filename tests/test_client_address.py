"""Per-address limits key on the visitor's real address: behind TRUSTED_PROXY_COUNT proxies it is the
entry the nearest trusted proxy appended to X-Forwarded-For, never one the visitor wrote themselves.

Requests arrive as gunicorn sees them behind the README's nginx: from 127.0.0.1, the visitor's
address appended to X-Forwarded-For by nginx ($proxy_add_x_forwarded_for)."""

import pytest
from axes.helpers import get_client_ip_address
from django.contrib.auth import get_user_model
from django.test import Client as WebClient
from django.test import RequestFactory
from django_ratelimit.core import _SIMPLE_KEYS

from tests.factories import make_user_client

ALICE = "198.51.100.23"
BOB = "203.0.113.80"


def request_with(forwarded_for: str | None, remote_addr: str = "127.0.0.1"):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)


def through_nginx(address: str, spoofed: str = "") -> WebClient:
    """A browser at `address`; `spoofed` is an X-Forwarded-For it sent itself, which nginx keeps."""
    return WebClient(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"{spoofed}, {address}" if spoofed else address)


# --- which address ---


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, None, "127.0.0.1"),
        (0, ALICE, "127.0.0.1"),  # no proxy configured: a visitor cannot choose their address
        (1, ALICE, ALICE),
        (1, f"10.9.8.7, {ALICE}", ALICE),  # a spoofed left-most entry is ignored
        (1, f"not-an-address, 192.0.2.1, {ALICE}", ALICE),
        (1, f"{ALICE}:51234", ALICE),
        (1, "2001:db8::7", "2001:db8::7"),
        (1, None, "127.0.0.1"),  # came around nginx (a health check on loopback): the peer
        (1, "", "127.0.0.1"),
        (2, f"{ALICE}, 10.0.0.5", ALICE),  # a load balancer, then nginx
        (2, f"192.0.2.1, {ALICE}, 10.0.0.5", ALICE),
    ],
)
def test_the_client_address_comes_from_the_trusted_proxies_only(settings, proxies, forwarded_for, expected):
    from photostudio.client_address import client_ip

    settings.TRUSTED_PROXY_COUNT = proxies

    assert client_ip(request_with(forwarded_for)) == expected


def test_rate_limits_and_admin_lockouts_use_the_same_client_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = request_with(f"10.9.8.7, {BOB}")

    assert _SIMPLE_KEYS["ip"](request) == BOB  # every @ratelimit(key="ip", ...)
    assert get_client_ip_address(request) == BOB  # django-axes


# --- limits stay per visitor ---


def test_a_rate_limit_window_never_ends_in_the_middle_of_a_test(monkeypatch):
    """The counts above are of one window each (tests/conftest.py), wherever in the minute they run."""
    from django_ratelimit import core

    first = core._get_window(BOB, 60)
    monkeypatch.setattr(core.time, "time", lambda: first + 1.5)  # just past the end of that window
    assert core._get_window(BOB, 60) == first
    assert core._get_window(ALICE, 60) > first  # a key seen first now gets the window of now


@pytest.mark.django_db
def test_two_visitors_through_the_same_proxy_are_limited_separately(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    make_user_client("Alice Byrne", "alice.byrne@byrnecole.example")
    alice, bob = through_nginx(ALICE), through_nginx(BOB)

    codes = [alice.post("/portal/login/", {"email": f"person{n}@byrnecole.example"}).status_code for n in range(11)]

    assert codes == [200] * 10 + [429]
    assert bob.post("/portal/login/", {"email": "alice.byrne@byrnecole.example"}).status_code == 200


@pytest.mark.django_db
def test_a_spoofed_forwarded_for_does_not_escape_the_limit(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    codes = [
        through_nginx(ALICE, spoofed=f"192.0.2.{n}").post("/portal/login/", {"email": f"p{n}@example.com"}).status_code
        for n in range(11)
    ]

    assert codes == [200] * 10 + [429]


@pytest.mark.django_db
def test_without_a_trusted_proxy_a_visitor_cannot_pick_their_address(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    visitor = WebClient(REMOTE_ADDR=ALICE)

    codes = [
        visitor.post("/portal/login/", {"email": f"p{n}@example.com"}, headers={"X-Forwarded-For": f"192.0.2.{n}"})
        for n in range(11)
    ]

    assert [response.status_code for response in codes] == [200] * 10 + [429]


@pytest.mark.django_db
def test_wrong_admin_passwords_from_one_address_do_not_lock_the_photographer_out_elsewhere(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    get_user_model().objects.create_superuser("sam", "sam@northlight.example", "northlight-studio-2026")
    guesser = through_nginx(BOB)
    for guess in ("password", "northlight", "studio2026", "letmein", "sam123"):
        guesser.post("/admin/login/", {"username": "sam", "password": guess})

    locked = guesser.post("/admin/login/", {"username": "sam", "password": "northlight-studio-2026"})
    photographer = through_nginx(ALICE).post(
        "/admin/login/", {"username": "sam", "password": "northlight-studio-2026", "next": "/admin/"}
    )

    assert locked.status_code == 429  # the guesser's address cools off...
    assert photographer.status_code == 302  # ...the photographer's does not
    assert photographer["Location"] == "/admin/"
