"""Galleries in the admin: made from a booking in one click, published without the photos that
failed in one step."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from bookings import services
from bookings.models import Availability
from galleries import from_booking
from galleries.models import Gallery
from tests.admin_pages import form_data
from tests.factories import make_booking, make_session_type, open_every_day

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_as_in_production")]


@pytest.mark.parametrize(
    ("price", "included", "each"),
    [
        (Decimal("420.00"), 10, Decimal("42.00")),
        (Decimal("150.00"), 3, Decimal("50.00")),
        (Decimal("99.00"), 7, Decimal("14.14")),
        (Decimal("100.00"), 0, None),
    ],
)
def test_an_extra_photo_costs_what_an_included_one_does(price, included, each):
    assert from_booking.price_per_extra(price, included) == each


@pytest.fixture
def photographer(client):
    user = get_user_model().objects.create_superuser("sam", "sam.carter@northlight.example", "pw-for-tests-only")
    client.force_login(user)
    open_every_day()
    return user


@pytest.fixture
def shoot(photographer):
    """Bob's confirmed personal branding portrait on 14 April 2027 at 10:00 in London."""
    portrait = make_session_type(
        kind="portrait", name="Personal branding portrait", slug="portrait", price=Decimal("420.00"), images_included=10
    )
    start = datetime(2027, 4, 14, 10, 0, tzinfo=Availability.load().tz)
    booking = make_booking(portrait, start, name="Bob Mensah", email="bob.mensah@example.com")
    return services.confirm_booking(booking)


def test_a_confirmed_bookings_page_offers_to_create_its_gallery(client, shoot):
    html = client.get(reverse("admin:bookings_booking_change", args=[shoot.pk])).content.decode()

    assert f'href="{reverse("admin:galleries_gallery_add")}?booking={shoot.pk}"' in html
    assert "Create its gallery" in html


def test_a_request_not_yet_confirmed_offers_no_gallery(client, photographer):
    make_session_type(kind="headshot", slug="headshot")
    waiting = make_booking()

    html = client.get(reverse("admin:bookings_booking_change", args=[waiting.pk])).content.decode()

    assert "Create its gallery" not in html


def test_the_gallery_form_opened_from_a_booking_is_filled_in_from_it_and_saves_in_one_click(client, shoot):
    page = client.get(reverse("admin:galleries_gallery_add") + f"?booking={shoot.pk}")

    assert page.status_code == 200
    initial = page.context["adminform"].form.initial
    assert initial["client"] == shoot.client_id and initial["booking"] == shoot.pk
    assert initial["title"] == "Personal branding portrait, 14 April 2027"
    assert (initial["selection_limit"], initial["price_per_extra"]) == (10, Decimal("42.00"))

    data = form_data(page.content.decode())
    saved = client.post(reverse("admin:galleries_gallery_add") + f"?booking={shoot.pk}", data)

    assert saved.status_code == 302, saved.content.decode()[:2000]
    gallery = Gallery.objects.get()
    assert (gallery.client, gallery.booking, gallery.title) == (
        shoot.client,
        shoot,
        "Personal branding portrait, 14 April 2027",
    )
    assert (gallery.selection_limit, gallery.price_per_extra) == (10, Decimal("42.00"))
    html = client.get(reverse("admin:bookings_booking_change", args=[shoot.pk])).content.decode()
    assert "Its gallery: Personal branding portrait, 14 April 2027" in html
    assert "Create its gallery" not in html


@pytest.mark.parametrize("query", ["?booking=987654", "?booking=abc", "?booking=%C2%B2", "?client=abc", "?client=1e9"])
def test_a_gallery_form_asked_for_a_booking_or_client_that_is_not_there_opens_empty(client, photographer, query):
    page = client.get(reverse("admin:galleries_gallery_add") + query)

    assert page.status_code == 200
    assert not {"booking", "client"} & set(page.context["adminform"].form.initial)
