"""The studio's settings in the admin say plainly when a change would break something later."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from bookings import services
from bookings.models import TimeOff
from galleries.models import GallerySettings
from tests.factories import local, make_booking, make_session_type, open_every_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def photographer(client):
    user = get_user_model().objects.create_superuser("sam", "sam@northlight.example", "a-test-only-password")
    client.force_login(user)
    open_every_day()
    return user


def image_file(name: str, fmt: str, size=(400, 150), mode="RGBA") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new(mode, size, (20, 20, 20, 128) if mode == "RGBA" else (20, 20, 20)).save(out, fmt)
    return SimpleUploadedFile(name, out.getvalue(), content_type=f"image/{fmt.lower()}")


def save_watermark(client, logo: SimpleUploadedFile):
    mark = GallerySettings.load()
    mark.save()
    data = {
        "text": "Northlight Studio",
        "logo": logo,
        "position": "bottom-right",
        "size": "0.25",
        "opacity": "0.35",
        "purge_unchosen_after_days": "180",
    }
    return client.post(reverse("admin:galleries_gallerysettings_change", args=[mark.pk]), data)


@pytest.mark.parametrize(
    "logo",
    [
        pytest.param(lambda: image_file("northlight-logo.jpg", "JPEG", mode="RGB"), id="a JPEG"),
        pytest.param(lambda: image_file("northlight-logo.png", "JPEG", mode="RGB"), id="a JPEG named .png"),
        pytest.param(lambda: SimpleUploadedFile("logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64), id="a broken PNG"),
        pytest.param(lambda: image_file("banner.png", "PNG", size=(6000, 100)), id="a PNG 6000 px wide"),
    ],
)
def test_a_watermark_logo_that_is_not_a_usable_png_is_refused_with_a_reason(client, photographer, logo):
    response = save_watermark(client, logo())

    assert response.status_code == 200  # the form again, with the error
    errors = response.context["adminform"].form.errors["logo"]
    assert "PNG" in errors[0] or "pixels" in errors[0]
    assert not GallerySettings.load().logo


def test_a_real_png_logo_is_kept(client, photographer):
    response = save_watermark(client, image_file("northlight-logo.png", "PNG"))

    assert response.status_code == 302
    assert GallerySettings.load().logo.name.endswith(".png")


def test_time_off_over_booked_sessions_warns_and_names_them(client, photographer):
    make_session_type(kind="headshot", name="Business headshot", slug="headshot")
    requested = make_booking(start=local(days=6, hour=10), name="Bob Mensah", email="bob.mensah@example.com")
    confirmed = services.confirm_booking(
        make_booking(start=local(days=7, hour=14), name="Chiara Rossi", email="chiara.rossi@example.org")
    )
    elsewhere = make_booking(start=local(days=12, hour=10), name="Dan Okafor", email="dan@okafor.example")
    first, last = local(days=5).date(), local(days=8).date()

    response = client.post(
        reverse("admin:bookings_timeoff_add"),
        {"first_day": first.strftime("%d/%m/%Y"), "last_day": last.strftime("%d/%m/%Y"), "note": "Holiday"},
        follow=True,
    )

    assert TimeOff.objects.filter(first_day=first, last_day=last).exists()
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert warnings, "time off over booked sessions was saved without a word"
    text = " ".join(warnings)
    assert "2 booked sessions" in text
    for booking in (requested, confirmed):
        assert booking.reference in text and booking.client.name in text
    assert "10:00" in text and "14:00" in text
    assert elsewhere.reference not in text


def test_time_off_on_free_days_is_saved_quietly(client, photographer):
    make_session_type(kind="headshot", name="Business headshot", slug="headshot")
    make_booking(start=local(days=12, hour=10))
    first = local(days=5).date()

    response = client.post(
        reverse("admin:bookings_timeoff_add"),
        {"first_day": first.strftime("%d/%m/%Y"), "last_day": first.strftime("%d/%m/%Y"), "note": "Dentist"},
        follow=True,
    )

    assert [m.level_tag for m in response.context["messages"]] == ["success"]


def test_the_saved_logo_is_previewed_on_its_page_for_staff_only(client, photographer):
    save_watermark(client, image_file("northlight-logo.png", "PNG"))
    preview = reverse("admin:galleries_gallerysettings_logo")

    page = client.get(reverse("admin:galleries_gallerysettings_change", args=[1])).content.decode()
    logo = client.get(preview)

    assert f'src="{preview}"' in page and "northlight-logo" in page
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"
    assert b"".join(logo.streaming_content).startswith(b"\x89PNG")
    client.logout()
    assert client.get(preview).status_code == 302  # to the admin's sign-in
