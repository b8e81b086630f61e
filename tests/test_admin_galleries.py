"""Galleries in the admin: made from a booking in one click, published without the photos that
failed in one step."""

import re
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


# --- publishing without the photos that failed ---


@pytest.fixture
def shot_with_one_failure(photographer, settings):
    """Bob's gallery: three photos processed, one camera file the pipeline could not read."""
    from galleries.models import Photo
    from tests.factories import jpeg_bytes, make_gallery, make_user_client, processed_photo

    bob = make_user_client("Bob Mensah", "bob.mensah@example.com")
    gallery = make_gallery(bob, title="Personal branding portrait, 14 April 2027")
    for n in range(3):
        processed_photo(gallery, f"IMG_20270414_{n + 142:04d}.jpg", jpeg_bytes(seed=n + 1))
    broken = processed_photo(gallery, "IMG_20270414_0199.jpg", b"\xff\xd8\xff\xe0 the card was pulled out mid-write")
    assert broken.state == Photo.State.FAILED
    return gallery


def test_a_gallery_with_a_failed_photo_offers_to_publish_without_it(client, shot_with_one_failure):
    gallery = shot_with_one_failure

    html = client.get(reverse("admin:galleries_gallery_change", args=[gallery.pk])).content.decode()

    publish = re.search(r'<button type="submit" class="button default" id="publish"[^>]*>', html)[0]
    assert "disabled" in publish  # the plain Publish would be refused
    without = re.search(r'<button[^>]*id="publish-without-failed"[^>]*>(.*?)</button>', html, re.S)
    assert "hidden" not in without[0] and "disabled" not in without[0]
    assert 'id="failed-in-button">1<' in without[1]


def test_publishing_without_the_failed_photos_removes_them_and_emails_the_client(client, shot_with_one_failure):
    from django.core import mail

    from galleries.models import Photo

    gallery = shot_with_one_failure
    broken = gallery.photos.get(state=Photo.State.FAILED)
    original = broken.original
    assert original.storage.exists(original.name)
    mail.outbox.clear()

    response = client.post(
        reverse("admin:galleries_gallery_publish", args=[gallery.pk]), {"_without_failed": "1"}, follow=True
    )

    gallery.refresh_from_db()
    assert gallery.status == Gallery.Status.PROOFING
    assert sorted(gallery.photos.values_list("original_name", flat=True)) == [
        "IMG_20270414_0142.jpg",
        "IMG_20270414_0143.jpg",
        "IMG_20270414_0144.jpg",
    ]
    assert not original.storage.exists(original.name)
    assert [m.to for m in mail.outbox] == [["bob.mensah@example.com"]]
    html = response.content.decode()
    assert "Removed 1 photo that could not be processed: IMG_20270414_0199.jpg." in html
    assert "has been emailed a link" in html


def test_publishing_without_the_failed_photos_while_others_are_processing_changes_nothing(
    client, shot_with_one_failure
):
    from django.core import mail

    from galleries.models import Photo

    gallery = shot_with_one_failure
    Photo.objects.filter(gallery=gallery, original_name="IMG_20270414_0142.jpg").update(state=Photo.State.PENDING)
    mail.outbox.clear()

    response = client.post(
        reverse("admin:galleries_gallery_publish", args=[gallery.pk]), {"_without_failed": "1"}, follow=True
    )

    assert "still being processed" in response.content.decode()
    gallery.refresh_from_db()
    assert gallery.status == Gallery.Status.PROCESSING and gallery.published_at is None  # not published
    broken = gallery.photos.get(state=Photo.State.FAILED)
    assert broken.original.storage.exists(broken.original.name)  # nothing removed
    assert not mail.outbox


def test_the_plain_publish_still_refuses_a_gallery_with_failed_photos(client, shot_with_one_failure):
    gallery = shot_with_one_failure

    response = client.post(reverse("admin:galleries_gallery_publish", args=[gallery.pk]), follow=True)

    assert "could not be processed" in response.content.decode()
    gallery.refresh_from_db()
    assert gallery.status == Gallery.Status.PROCESSING and gallery.published_at is None  # not published
    assert gallery.photos.count() == 4
