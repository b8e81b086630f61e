"""Where the studio is and how to prepare: the address with a map link and directions on the site
and in the confirmation email, and each session's "what to wear and how to prepare"."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from bookings import services
from bookings.models import Booking, SessionType, StudioProfile
from photostudio import demo
from tests.factories import local, make_booking, make_session_type, open_every_day

pytestmark = pytest.mark.django_db

DIRECTIONS = "Three minutes from Leeds station: out of the south entrance, under the railway, green door on the left."
PREPARATION = "Bring two or three tops in plain colours.\n\nNo logos or thin stripes, please."


@pytest.fixture
def profile():
    return StudioProfile.objects.create(
        address="Unit 4, Canal Wharf\n12 Water Lane",
        city="Leeds",
        postcode="LS11 5PS",
        directions=DIRECTIONS,
        phone="+44 113 496 0000",
    )


@pytest.fixture
def headshot():
    open_every_day()
    return make_session_type(kind="headshot", slug="headshot", preparation=PREPARATION)


def test_the_address_is_its_lines_then_town_then_postcode(profile):
    assert profile.address_lines == ["Unit 4, Canal Wharf", "12 Water Lane", "Leeds", "LS11 5PS"]


def test_the_map_link_searches_openstreetmap_for_the_whole_address(profile):
    url = urlsplit(profile.map_url)

    assert (url.scheme, url.netloc, url.path) == ("https", "www.openstreetmap.org", "/search")
    assert parse_qs(url.query) == {"query": ["Unit 4, Canal Wharf, 12 Water Lane, Leeds, LS11 5PS"]}


def test_a_studio_with_no_address_has_no_map_link():
    assert StudioProfile(city="  ").map_url == ""
    assert StudioProfile().address_lines == []


def test_the_home_and_contact_pages_say_where_the_studio_is(client, profile):
    for path in ("/", "/contact/"):
        html = client.get(path).content.decode()

        assert "Finding the studio" in html, path
        assert "Unit 4, Canal Wharf<br>12 Water Lane<br>Leeds<br>LS11 5PS" in html, path
        assert 'href="https://www.openstreetmap.org/search?query=Unit+4%2C+Canal+Wharf%2C+12+Water+Lane' in html
        assert DIRECTIONS in html


def test_no_address_section_until_an_address_is_set(client):
    StudioProfile.objects.create(tagline="Headshots that look like you")

    assert "Finding the studio" not in client.get("/").content.decode()
    assert "Finding the studio" not in client.get("/contact/").content.decode()


def test_the_session_page_says_what_to_wear_and_how_to_prepare(client, headshot):
    plain = make_session_type(kind="portrait", slug="portrait")

    html = client.get("/sessions/headshot/").content.decode()

    assert "What to wear and how to prepare" in html
    assert "<p>Bring two or three tops in plain colours.</p>" in html
    assert "<p>No logos or thin stripes, please.</p>" in html
    assert "What to wear and how to prepare" not in client.get(plain.get_absolute_url()).content.decode()


@pytest.mark.usefixtures("on_commit_as_in_production")
def test_the_confirmation_email_tells_how_to_find_the_studio_and_prepare(profile, headshot):
    booking = make_booking(headshot, local(days=4, hour=11), name="Priya Raman", email="priya.raman@example.org")
    mail.outbox.clear()

    services.confirm_booking(booking)

    (message,) = mail.outbox
    html = message.alternatives[0].content
    for body in (message.body, html):
        assert "Finding the studio" in body
        assert "12 Water Lane" in body and "LS11 5PS" in body
        assert "https://www.openstreetmap.org/search?query=Unit+4%2C+Canal+Wharf" in body
        assert "What to wear and how to prepare" in body
        assert "No logos or thin stripes, please." in body
    assert "Where:     Unit 4, Canal Wharf, 12 Water Lane, Leeds, LS11 5PS" in message.body
    assert DIRECTIONS in message.body
    assert "Unit 4, Canal Wharf<br>12 Water Lane<br>Leeds<br>LS11 5PS" in html


@pytest.mark.usefixtures("on_commit_as_in_production")
def test_an_on_location_confirmation_leaves_out_the_studios_directions(profile, headshot):
    booking = make_booking(
        headshot,
        local(days=4, hour=11),
        location=Booking.Location.ON_LOCATION,
        address="Mensah Architects, 88 Queen Street West, Toronto",
    )
    mail.outbox.clear()

    services.confirm_booking(booking)

    (message,) = mail.outbox
    assert "Where:     Mensah Architects, 88 Queen Street West, Toronto" in message.body
    assert "Finding the studio" not in message.body and DIRECTIONS not in message.body
    assert "No logos or thin stripes, please." in message.body  # preparing still applies


@pytest.mark.usefixtures("on_commit_as_in_production")
def test_a_session_with_no_preparation_gets_the_general_advice(profile):
    open_every_day()
    session = make_session_type(kind="headshot", slug="headshot")
    booking = make_booking(session, local(days=4, hour=11))
    mail.outbox.clear()

    services.confirm_booking(booking)

    assert "plain colours work best" in mail.outbox[0].body


def test_the_photographer_edits_the_address_and_preparation_in_the_admin(client, profile, headshot):
    client.force_login(get_user_model().objects.create_superuser("sam", "sam@example.com", "a-long-test-password"))

    studio_page = client.get(f"/admin/bookings/studioprofile/{profile.pk}/change/").content.decode()
    session_page = client.get(f"/admin/bookings/sessiontype/{headshot.pk}/change/").content.decode()

    for name in ("address", "city", "postcode", "directions"):
        assert f'name="{name}"' in studio_page
    assert 'name="preparation"' in session_page


def test_the_demo_studio_has_an_address_directions_and_advice_for_each_session(settings):
    settings.DEBUG = True
    demo.seed_studio_profile()
    demo.seed_session_types()

    profile = StudioProfile.load()
    assert profile.city and profile.postcode and profile.directions
    assert profile.map_url.startswith("https://www.openstreetmap.org/search?query=")
    assert all(s.preparation for s in SessionType.objects.all())


@pytest.mark.usefixtures("on_commit_as_in_production")
def test_the_reminder_the_day_before_repeats_the_way_to_the_studio(profile, headshot):
    services.confirm_booking(make_booking(headshot, timezone.now() + timedelta(hours=20)))
    mail.outbox.clear()

    assert services.send_reminders() == 1

    (message,) = mail.outbox
    assert DIRECTIONS in message.body
    assert "No logos or thin stripes, please." in message.body
    assert "See it on OpenStreetMap" in message.alternatives[0].content
