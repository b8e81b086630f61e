"""Terms: the studio's default terms, or a session type's own, in numbered versions. A client booking
ticks that they accept the current version (linked from the box); the booking keeps which version,
when and from which address. Changing the terms in the admin writes a new version: a version once
saved is never altered, so a past booking still points to exactly the text its client accepted.

Requests reach the application as behind the deployed nginx: from 127.0.0.1, with the visitor's
address appended to X-Forwarded-For (TRUSTED_PROXY_COUNT=1). The studio is in Lisbon.
"""

import re
from datetime import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import ProtectedError
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings.models import Availability, Booking, TermsAcceptance, TermsDocument
from tests.admin_pages import form_data
from tests.factories import booking_data, local, make_session_type, open_every_day

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_as_in_production")]

NIAMH = "198.51.100.23"
DEFAULT_TEXT = (
    "Booking a session\nYour time is held once we confirm it by email.\n\n"
    "Moving or cancelling\nYou can move or cancel online until 24 hours before the session."
)


@pytest.fixture
def studio() -> dict:
    open_every_day(time(9), time(17), time_zone="Europe/Lisbon")
    return {
        "headshot": make_session_type(kind="headshot", slug="headshot", name="Headshot session"),
        "portrait": make_session_type(kind="portrait", slug="portrait", name="Portrait session", order=1),
    }


@pytest.fixture
def default_terms(studio) -> TermsDocument:
    return TermsDocument.objects.create(title="Booking terms", text=DEFAULT_TEXT, version=1)


@pytest.fixture
def photographer():
    user = get_user_model().objects.create_superuser("sam", "sam.okafor@northlight.example", None)
    browser = Browser()
    browser.force_login(user)
    return browser


@pytest.fixture
def through_nginx(settings) -> Browser:
    """Niamh's browser, behind the deployed nginx; she also sends an X-Forwarded-For of her own."""
    settings.TRUSTED_PROXY_COUNT = 1
    return Browser(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"10.9.8.7, {NIAMH}")


def niamhs_booking(session, terms: TermsDocument | None, **fields) -> dict:
    accepted = {"accept_terms": "on", "terms_version": str(terms.pk)} if terms else {}
    data = booking_data(session, local(days=5, hour=11), name="Niamh O'Sullivan", email="niamh.osullivan@example.ie")
    return data | accepted | fields


def checkbox(html: str) -> str:
    return re.search(r'<input type="checkbox" name="accept_terms"[^>]*>', html).group(0)


# --- asked ---


def test_without_terms_no_box_is_shown_and_none_is_needed(client, studio):
    html = client.get("/book/?type=headshot").content.decode()
    assert 'name="accept_terms"' not in html

    response = client.post("/book/", niamhs_booking(studio["headshot"], None))

    assert response.status_code == 302
    assert not TermsAcceptance.objects.exists()


def test_the_box_links_the_current_version_and_is_required(client, default_terms):
    html = client.get("/book/?type=headshot").content.decode()

    assert " required" in checkbox(html) and " checked" not in checkbox(html)
    assert f'<a href="/book/terms/{default_terms.pk}/" target="_blank" rel="noopener">Booking terms, version 1' in html
    assert f'<input type="hidden" name="terms_version" value="{default_terms.pk}">' in html
    assert re.search(r'<label for="id_accept_terms" class="form-check-label requiredField">I have read', html)


def test_a_session_types_own_terms_replace_the_default_for_it(client, studio, default_terms):
    own = TermsDocument.objects.create(
        session_type=studio["portrait"],
        title="Portrait terms",
        text="Outdoor sessions move with the weather.",
        version=1,
    )

    assert f"/book/terms/{own.pk}/" in client.get("/book/?type=portrait").content.decode()
    assert f"/book/terms/{default_terms.pk}/" in client.get("/book/?type=headshot").content.decode()


def test_unticked_terms_show_a_clear_message_and_keep_everything_typed(client, studio, default_terms):
    data = niamhs_booking(studio["headshot"], default_terms, message="Could we start at 11:15?")
    del data["accept_terms"]

    response = client.post("/book/", data)

    html = response.content.decode()
    assert response.status_code == 400
    assert not Booking.objects.exists()
    assert "Please read the terms and tick the box to accept them." in html
    assert 'aria-invalid="true" aria-describedby="id_accept_terms_error"' in checkbox(html)
    assert 'value="Niamh O&#x27;Sullivan"' in html and "Could we start at 11:15?</textarea>" in html


# --- kept with the booking ---


def test_accepting_keeps_the_version_the_time_and_the_clients_address(through_nginx, studio, default_terms):
    before = timezone.now()

    response = through_nginx.post("/book/", niamhs_booking(studio["headshot"], default_terms))

    assert response.status_code == 302
    accepted = TermsAcceptance.objects.get(booking__client__email="niamh.osullivan@example.ie")
    assert accepted.terms == default_terms
    assert before <= accepted.accepted_at <= timezone.now()
    assert accepted.accepted_from == NIAMH  # the address nginx appended, not the one she sent


def test_the_acceptance_is_on_the_bookings_admin_page(through_nginx, photographer, studio, default_terms):
    through_nginx.post("/book/", niamhs_booking(studio["headshot"], default_terms))
    booking = Booking.objects.get()
    accepted_at = booking.terms_acceptance.accepted_at.astimezone(Availability.load().tz)

    html = photographer.get(f"/admin/bookings/booking/{booking.pk}/change/").content.decode()

    assert f'<a href="/admin/bookings/termsdocument/{default_terms.pk}/change/">Booking terms (version 1)</a>' in html
    assert f"accepted {accepted_at:%a %d %b %Y %H:%M:%S} (Europe/Lisbon) from {NIAMH}" in html


# --- changed ---


def test_changing_the_terms_writes_a_new_version_and_a_past_booking_keeps_the_one_it_accepted(
    client, through_nginx, photographer, studio, default_terms
):
    through_nginx.post("/book/", niamhs_booking(studio["headshot"], default_terms))
    first_booking = Booking.objects.get()

    # The saved version is read-only; its page offers a new version started from its text.
    page = photographer.get(f"/admin/bookings/termsdocument/{default_terms.pk}/change/").content.decode()
    assert 'name="text"' not in page
    new_version_url = re.search(r'<a class="button" href="([^"]+)">Write a new version', page).group(1)
    form = form_data(photographer.get(new_version_url.replace("&amp;", "&")).content.decode())
    assert form["title"] == "Booking terms" and form["text"] == DEFAULT_TEXT
    changed = DEFAULT_TEXT + "\n\nDeposits\nA deposit of £50 holds your time; it comes off the price."
    response = photographer.post("/admin/bookings/termsdocument/add/", form | {"text": changed})
    assert response.status_code == 302

    second = TermsDocument.objects.get(version=2)
    assert second.text == changed and second.session_type is None
    default_terms.refresh_from_db()
    assert default_terms.text == DEFAULT_TEXT  # the version Niamh accepted, as she read it
    assert first_booking.terms_acceptance.terms == default_terms
    html = client.get("/book/?type=headshot").content.decode()
    assert f"/book/terms/{second.pk}/" in html and "Booking terms, version 2" in html
    bob = niamhs_booking(studio["headshot"], second, name="Bob Mensah", email="bob.mensah@example.com")
    bob["start"] = local(days=6, hour=14).isoformat()
    bob["date"] = local(days=6).date().isoformat()
    assert client.post("/book/", bob).status_code == 302
    assert TermsAcceptance.objects.get(booking__client__email="bob.mensah@example.com").terms == second


def test_terms_that_change_while_a_client_books_must_be_ticked_again(client, studio, default_terms):
    shown = niamhs_booking(studio["headshot"], default_terms)
    newer = TermsDocument.objects.create(title="Booking terms", text=DEFAULT_TEXT + "\n\nDeposits apply.", version=2)

    response = client.post("/book/", shown)

    html = response.content.decode()
    assert response.status_code == 400
    assert not Booking.objects.exists()
    assert "Our terms changed while you were booking." in html
    assert " checked" not in checkbox(html)
    assert f'name="terms_version" value="{newer.pk}"' in html and f"/book/terms/{newer.pk}/" in html


@pytest.mark.parametrize("forged", ["", "0", "not-a-number", "99999999999999999999"])
def test_a_forged_version_is_refused(client, studio, default_terms, forged):
    response = client.post("/book/", niamhs_booking(studio["headshot"], default_terms, terms_version=forged))

    assert response.status_code == 400
    assert not Booking.objects.exists()


def test_a_version_a_client_accepted_cannot_be_deleted(through_nginx, photographer, studio, default_terms):
    through_nginx.post("/book/", niamhs_booking(studio["headshot"], default_terms))

    assert photographer.get(f"/admin/bookings/termsdocument/{default_terms.pk}/delete/").status_code == 403
    with pytest.raises(ProtectedError):
        default_terms.delete()


# --- the terms page ---


def test_the_terms_page_shows_a_version_and_points_to_a_newer_one(client, default_terms):
    html = client.get(f"/book/terms/{default_terms.pk}/").content.decode()
    assert '<h1 class="display-6 fw-semibold">Booking terms</h1>' in html
    assert "<p>Booking a session<br>Your time is held once we confirm it by email.</p>" in html
    assert "have been replaced" not in html

    newer = TermsDocument.objects.create(title="Booking terms", text="New text.", version=2)

    html = client.get(f"/book/terms/{default_terms.pk}/").content.decode()
    assert "These terms have been replaced." in html and f'href="/book/terms/{newer.pk}/"' in html


@pytest.mark.parametrize("pk", ["0", "424242", "2147483648", "99999999999999999999999"])
def test_terms_that_do_not_exist_are_not_found(client, default_terms, pk):
    assert client.get(f"/book/terms/{pk}/").status_code == 404


def test_terms_add_no_query_to_the_booking_page(client, studio, default_terms):
    url = "/book/?type=headshot"
    assert client.get(url).status_code == 200  # fills the cache, as the visitor before did
    with CaptureQueriesContext(connection) as queries:
        assert 'name="accept_terms"' in client.get(url).content.decode()

    assert len(queries) == 1
