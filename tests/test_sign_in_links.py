"""Emailed sign-in links: opening one signs nobody in (a Continue button does), a link works until it
expires or its client signs out everywhere, and link checks have their own per-address limit that
never blocks another visitor or the photographer's admin.

Visitors arrive as they do behind the README's nginx: from 127.0.0.1, their own address appended to
X-Forwarded-For (TRUSTED_PROXY_COUNT=1)."""

import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client as WebClient
from sesame.utils import get_token

from galleries import accounts, emails
from photostudio.models import OutgoingEmail
from tests.factories import make_booking, make_ready_gallery, make_user_client

pytestmark = pytest.mark.django_db

OFFICE = "198.51.100.23"  # a company's one address: every colleague and its mail scanner
HOME = "203.0.113.80"
FORGER = "192.0.2.66"
LINK = re.compile(r"https?://[^/\s]+(/portal/login/link/\S+)")


@pytest.fixture(autouse=True)
def _behind_nginx(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def visitor(address: str) -> WebClient:
    """A browser at `address`, as gunicorn sees it behind nginx."""
    return WebClient(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=address)


def last_link(to: str) -> str:
    """The sign-in link in the latest email to `to`, as stored in the outbox and sent."""
    email = OutgoingEmail.objects.filter(to=to).latest("pk")
    return LINK.search(email.text).group(1)


def ask_for_link(browser: WebClient, email: str, next_url: str = "") -> str:
    response = browser.post("/portal/login/", {"email": email, "next": next_url})
    assert response.status_code == 200
    return last_link(email)


def continue_form(page) -> dict:
    """The hidden fields of the Continue page's form, as a browser would submit them."""
    content = page.content.decode()
    assert re.search(r"<button[^>]*type=\"submit\"[^>]*>\s*Continue\s*</button>", content)
    return {name: html.unescape(value) for name, value in re.findall(r'name="(sesame|next)" value="([^"]*)"', content)}


def open_link(browser: WebClient, link: str):
    """What a person does with an emailed link: open it and, on the page it shows, press Continue."""
    page = browser.get(link)
    if page.status_code == 200 and b"Continue" in page.content:
        return browser.post("/portal/login/link/", continue_form(page), follow=True)
    return browser.get(page["Location"], follow=True) if page.status_code == 302 else page


def signed_in_as(browser: WebClient):
    return browser.get("/portal/").wsgi_request.user


@pytest.fixture
def alice(db):
    return make_user_client("Alice Byrne", "alice.byrne@byrnecole.example")


@pytest.fixture
def gallery(alice):
    gallery = make_ready_gallery(alice, photos=3, title="Headshots at the studio")
    emails.tell_client(gallery, "gallery_published", count=3)  # "Open your gallery"
    return gallery


def test_opening_a_link_shows_a_continue_page_and_signs_in_only_on_continue(alice, gallery):
    browser = visitor(HOME)

    page = browser.get(last_link(alice.email))

    assert page.status_code == 200
    assert "You're signing in as Alice Byrne" in page.content.decode()
    assert page.headers["Cache-Control"].startswith("max-age=0")  # never kept by a cache: it holds a token
    assert not signed_in_as(browser).is_authenticated
    landed = browser.post("/portal/login/link/", continue_form(page))
    assert landed.status_code == 302 and landed["Location"] == gallery.get_absolute_url()
    assert signed_in_as(browser) == alice.user


def test_five_fresh_emailed_links_opened_in_a_row_from_one_address_all_work(db):
    """A company's team day: five colleagues open their gallery emails from the office's address."""
    team = [
        make_user_client(name, f"{name.split()[0].lower()}@byrnecole.example")
        for name in ("Alice Byrne", "Bob Mensah", "Chiara Rossi", "Dmitri Volkov", "Eilidh MacLeod")
    ]
    galleries = [make_ready_gallery(person, photos=2) for person in team]
    for gallery in galleries:
        emails.tell_client(gallery, "gallery_published", count=2)

    for person, gallery in zip(team, galleries, strict=True):
        browser = visitor(OFFICE)
        response = open_link(browser, last_link(person.email))
        assert response.status_code == 200, f"{person.name}'s link answered {response.status_code}"
        assert response.request["PATH_INFO"] == gallery.get_absolute_url()
        assert signed_in_as(browser) == person.user


def test_five_links_asked_for_in_a_row_all_work(alice, gallery):
    """An impatient client presses "Email me a sign-in link" five times, then opens every email."""
    browser = visitor(HOME)
    links = [ask_for_link(browser, alice.email, gallery.get_absolute_url()) for _ in range(5)]

    for link in links:
        response = open_link(browser, link)
        assert response.status_code == 200
        assert response.request["PATH_INFO"] == gallery.get_absolute_url()


def test_a_mail_scanner_opening_a_link_leaves_it_usable_and_signs_nobody_in(alice, gallery):
    link = last_link(alice.email)
    scanner = visitor(OFFICE)

    for _ in range(2):  # scanners often fetch twice (once to scan, once to preview)
        assert scanner.get(link).status_code == 200

    assert not signed_in_as(scanner).is_authenticated
    response = open_link(visitor(HOME), link)
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == gallery.get_absolute_url()


def test_the_continue_page_never_repeats_its_token_in_links_to_itself(alice, gallery):
    link = last_link(alice.email)
    token = re.search(r"sesame=([^&]+)", link)[1]
    page = visitor(OFFICE).get(link).content.decode()
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', page)[1]
    assert canonical.endswith("/portal/login/link/")
    assert page.count(token) == 1  # only in the Continue form's hidden field


def test_signing_in_with_one_link_leaves_the_open_your_gallery_link_working(alice, gallery):
    open_your_gallery = last_link(alice.email)
    laptop, phone = visitor(HOME), visitor(OFFICE)

    assert open_link(laptop, ask_for_link(laptop, alice.email)).status_code == 200  # a fresh link, used
    assert open_link(laptop, open_your_gallery).request["PATH_INFO"] == gallery.get_absolute_url()
    response = open_link(phone, open_your_gallery)  # the same email, opened later on the phone

    assert response.status_code == 200
    assert response.request["PATH_INFO"] == gallery.get_absolute_url()
    assert signed_in_as(phone) == alice.user


def test_a_link_opened_when_already_signed_in_goes_straight_to_its_page(alice, gallery):
    browser = visitor(HOME)
    browser.force_login(alice.user)

    response = browser.get(last_link(alice.email))

    assert response.status_code == 302 and response["Location"] == gallery.get_absolute_url()


def test_a_hundred_forged_links_from_one_address_never_block_a_real_client_or_the_admin(alice, gallery):
    get_user_model().objects.create_superuser("sam", "sam@northlight.example", "northlight-studio-2026")
    forger = visitor(FORGER)
    real = get_token(alice.user, scope=accounts.SCOPE_EMAILED)
    forgeries = [real[:-4] + f"{n:04d}" for n in range(50)] + [
        f"{n:04d}AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" for n in range(50)
    ]

    codes = {forger.get(f"/portal/login/link/?sesame={token}").status_code for token in forgeries[:50]}
    codes |= {forger.post("/portal/login/link/", {"sesame": token}).status_code for token in forgeries[50:]}
    response = open_link(visitor(HOME), last_link(alice.email))

    assert response.status_code == 200
    assert response.request["PATH_INFO"] == gallery.get_absolute_url()
    for address in (FORGER, HOME):  # the photographer signs in wherever they are
        admin = visitor(address).post("/admin/login/", {"username": "sam", "password": "northlight-studio-2026"})
        assert admin.status_code == 302, f"admin sign-in from {address}: {admin.status_code}"
    assert codes == {403, 429}  # told plainly, then slowed down: never a sign-in, never a 5xx


def test_stale_links_show_a_clear_page_and_a_new_link_still_works(alice, gallery, settings):
    browser = visitor(OFFICE)
    stale = [ask_for_link(browser, alice.email) for _ in range(3)]
    settings.PORTAL_LOGIN_LINK_MINUTES = 0  # as if the minutes had passed

    for link in stale:
        page = open_link(browser, link)
        assert page.status_code == 403
        assert "This link no longer works" in page.content.decode()
        assert "Get a new link" in page.content.decode()
    settings.PORTAL_LOGIN_LINK_MINUTES = 30
    fresh = open_link(browser, ask_for_link(browser, alice.email, gallery.get_absolute_url()))

    assert fresh.status_code == 200
    assert fresh.request["PATH_INFO"] == gallery.get_absolute_url()


def test_link_checks_have_their_own_limit_per_address(alice, gallery):
    forger, neighbour = visitor(FORGER), visitor(OFFICE)
    stale = "/portal/login/link/?sesame=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

    opened = [forger.get(stale).status_code for _ in range(31)]
    checked = [
        forger.post("/portal/login/link/", {"sesame": "AAAAAAAAAAAAAAAAAAAAAAAA"}).status_code for _ in range(11)
    ]

    assert opened == [403] * 30 + [429]
    assert checked == [403] * 10 + [429]
    assert "Too many attempts" in forger.get(stale).content.decode()
    assert neighbour.get(stale).status_code == 403  # another address: its own count
    assert open_link(neighbour, last_link(alice.email)).request["PATH_INFO"] == gallery.get_absolute_url()


def test_signing_out_everywhere_voids_every_link(alice, gallery):
    open_your_gallery = last_link(alice.email)
    phone, laptop = visitor(OFFICE), visitor(HOME)
    requested = ask_for_link(laptop, alice.email)
    open_link(phone, open_your_gallery)
    open_link(laptop, requested)

    laptop.post("/portal/logout/", {"everywhere": "1"})

    assert not signed_in_as(phone).is_authenticated
    for link in (open_your_gallery, requested):
        page = visitor(HOME).get(link)
        assert page.status_code == 403
        assert "This link no longer works" in page.content.decode()
    assert open_link(laptop, ask_for_link(laptop, alice.email)).status_code == 200  # a new one works


def test_a_link_only_ever_leads_to_a_page_of_this_site(alice):
    token = get_token(alice.user, scope=accounts.SCOPE_EMAILED)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)"):
        page = visitor(HOME).get("/portal/login/link/", {"sesame": token, "next": target})
        assert continue_form(page)["next"] == "/portal/"
        browser = visitor(HOME)
        assert browser.post("/portal/login/link/", {"sesame": token, "next": target})["Location"] == "/portal/"


def test_the_continue_button_works_with_csrf_checks_on(alice, gallery):
    browser = WebClient(enforce_csrf_checks=True, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=HOME)
    page = browser.get(last_link(alice.email))
    fields = continue_form(page)
    fields["csrfmiddlewaretoken"] = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]

    response = browser.post("/portal/login/link/", fields)

    assert response.status_code == 302 and response["Location"] == gallery.get_absolute_url()


def test_a_client_who_booked_gets_a_portal_account_with_their_first_gallery_email(db):
    """Booking makes no account; the first emailed sign-in link makes it, and it signs them in."""
    booking = make_booking(name="Bob Mensah", email="bob.mensah@example.com")
    assert booking.client.user_id is None

    gallery = make_ready_gallery(booking.client, photos=2)
    emails.tell_client(gallery, "gallery_published", count=2)

    booking.client.refresh_from_db()
    assert booking.client.user.email == "bob.mensah@example.com"
    browser = visitor(HOME)
    response = open_link(browser, last_link("bob.mensah@example.com"))
    assert response.request["PATH_INFO"] == gallery.get_absolute_url()
    assert signed_in_as(browser) == booking.client.user
