"""The gallery settings page shows a sample proof with the watermark as saved, made by the same
pipeline as clients' proofs, so the photographer sees the effect of text, logo, position and
opacity; only staff allowed to see the settings get it, and a damaged logo is explained in words."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image, ImageChops, ImageStat

from galleries import watermark_preview
from galleries.models import GallerySettings
from photostudio import imaging

pytestmark = pytest.mark.django_db

PREVIEW = "admin:galleries_gallerysettings_preview"
CORNERS = {  # a 200 × 60 box just inside the 3 % margin of each corner of the 960 × 1200 sample
    "top-left": (40, 40, 240, 100),
    "top-right": (720, 40, 920, 100),
    "bottom-left": (40, 1100, 240, 1160),
    "bottom-right": (720, 1100, 920, 1160),
}
OPPOSITE = {"top-left": "bottom-right", "bottom-right": "top-left", "top-right": "bottom-left"}


@pytest.fixture
def photographer(client):
    user = get_user_model().objects.create_superuser(
        "sam.carter", "sam.carter@northlight-studio.example", "a-test-only-password"
    )
    client.force_login(user)
    return user


def save_settings(client, **fields) -> None:
    GallerySettings.load().save()
    data = {"text": "", "logo": "", "position": "bottom-right", "size": "0.25", "opacity": "0.35"}
    data |= {"purge_unchosen_after_days": "180"} | fields
    response = client.post(reverse("admin:galleries_gallerysettings_change", args=[1]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors


def jpeg(response) -> Image.Image:
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"] == "image/jpeg"
    return Image.open(io.BytesIO(response.content)).convert("RGB")


def unmarked() -> Image.Image:
    proof = imaging.make_renditions(io.BytesIO(watermark_preview.sample_photo())).proof
    return Image.open(io.BytesIO(proof)).convert("RGB")


def difference(a: Image.Image, b: Image.Image, box) -> float:
    """Mean difference per channel (0–255) of the two images inside `box`."""
    return sum(ImageStat.Stat(ImageChops.difference(a.crop(box), b.crop(box))).mean) / 3


def logo_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (400, 120), (190, 30, 40, 255)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("position", ["top-left", "bottom-right", "top-right"])
def test_the_preview_has_the_saved_text_mark_in_the_corner_the_settings_name(client, photographer, position):
    save_settings(client, text="Northlight Studio", position=position, size="0.6", opacity="1")

    response = client.get(reverse(PREVIEW))

    marked, plain = jpeg(response), unmarked()
    assert marked.size == plain.size == (960, 1200)
    assert difference(marked, plain, CORNERS[position]) > 20, "no mark where the settings put it"
    assert difference(marked, plain, CORNERS[OPPOSITE[position]]) < 3, "a mark where the settings put none"
    assert {"private", "no-store"} <= {d.strip() for d in response["Cache-Control"].split(",")}


def test_the_preview_follows_a_saved_logo_and_its_opacity(client, photographer):
    save_settings(
        client,
        text="",
        logo=ContentFile(logo_png(), name="northlight-logo.png"),
        position="bottom-left",
        size="0.5",
        opacity="0.9",
    )
    strong = jpeg(client.get(reverse(PREVIEW)))
    save_settings(client, position="bottom-left", size="0.5", opacity="0.2")  # the logo stays
    faint = jpeg(client.get(reverse(PREVIEW)))

    plain, corner = unmarked(), CORNERS["bottom-left"]
    red = ImageStat.Stat(strong.crop(corner)).mean
    assert red[0] > 150 and red[1] < 80, "the red logo is not in the bottom-left corner"
    assert difference(strong, plain, corner) > difference(faint, plain, corner) > 5


def test_the_settings_page_shows_the_preview_as_an_image_with_alt_text(client, photographer):
    save_settings(client, text="Northlight Studio", position="top-left", size="0.6", opacity="1")

    page = client.get(reverse("admin:galleries_gallerysettings_change", args=[1])).content.decode()

    assert (
        f'<img src="{reverse(PREVIEW)}" alt="A sample portrait as a proof, marked with “Northlight Studio” '
        "at the top left, 60 % of its width, 100 % opaque"
    ) in page


def test_signed_out_visitors_are_sent_to_the_admin_sign_in(client):
    response = client.get(reverse(PREVIEW))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_signed_in_client_is_sent_to_the_admin_sign_in_too(client):
    alice = get_user_model().objects.create_user(
        "alice.byrne@byrne-cole.example", "alice.byrne@byrne-cole.example", "a-test-only-password"
    )
    client.force_login(alice)

    response = client.get(reverse(PREVIEW))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_permission_to_see_gallery_settings_are_refused(client):
    assistant = get_user_model().objects.create_user(
        "jo.assistant", "jo@northlight-studio.example", "a-test-only-password", is_staff=True
    )
    client.force_login(assistant)
    assert client.get(reverse(PREVIEW)).status_code == 403

    assistant.user_permissions.add(Permission.objects.get(codename="view_gallerysettings"))
    assert client.get(reverse(PREVIEW)).status_code == 200


@pytest.mark.parametrize(
    "logo",
    [
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, id="a damaged PNG"),
        pytest.param(b"GIF89a" + b"\0" * 64, id="not a PNG"),
        pytest.param(None, id="a logo file gone from storage"),
    ],
)
def test_a_logo_that_cant_be_drawn_is_explained_not_a_server_error(client, photographer, logo):
    settings_row = GallerySettings.load()
    settings_row.logo.save("northlight-logo.png", ContentFile(logo or logo_png()))  # as if saved before checks
    if logo is None:
        settings_row.logo.storage.delete(settings_row.logo.name)

    response = client.get(reverse(PREVIEW))
    page = client.get(reverse("admin:galleries_gallerysettings_change", args=[1]))

    assert response.status_code == 409
    assert "Upload the logo again" in response.content.decode()
    assert page.status_code == 200
    html = page.content.decode()
    assert "Upload the logo again" in html and f'src="{reverse(PREVIEW)}"' not in html


def test_the_preview_of_a_logo_tiled_across_says_so_in_its_alt_text(client, photographer):
    save_settings(client, logo=ContentFile(logo_png(), name="northlight-logo.png"), position="tiled", opacity="0.35")

    page = client.get(reverse("admin:galleries_gallerysettings_change", args=[1])).content.decode()

    assert 'alt="A sample portrait as a proof, marked with the logo tiled across the photo, 25 % of its width' in page
