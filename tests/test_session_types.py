"""Session types on the public site, and their example photos."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from bookings.models import SessionTypePhoto
from tests.factories import make_session_type

pytestmark = pytest.mark.django_db


def camera_jpeg(size=(3000, 2000)) -> bytes:
    """A JPEG with the kind of EXIF a phone writes, GPS position included."""
    image = Image.new("RGB", size, (180, 120, 90))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif.get_ifd(0x8825)[2] = (51.0, 30.0, 0.0)  # GPSLatitude
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_the_home_page_shows_active_session_types_in_order(client):
    make_session_type(kind="portrait", slug="portrait", name="Portrait session", order=2)
    make_session_type(kind="headshot", slug="headshot", name="Headshot session", order=1)
    make_session_type(kind="both", slug="retired", name="Retired session", is_active=False)

    html = client.get("/").content.decode()

    assert html.index("Headshot session") < html.index("Portrait session")
    assert "Retired session" not in html
    assert "/book/?type=headshot" in html


def test_an_inactive_session_type_is_not_shown_and_its_page_is_a_404(client):
    make_session_type(kind="headshot", slug="old-headshot", name="Old headshot", is_active=False)
    make_session_type(kind="portrait", slug="portrait", name="Portrait session")

    assert client.get("/sessions/old-headshot/").status_code == 404
    assert "Old headshot" not in client.get("/sessions/portrait/").content.decode()
    assert "old-headshot" not in client.get("/sitemap.xml").content.decode()
    assert "old-headshot" not in client.get("/guide/?purpose=profile&show_work=no&place=any&people=1").content.decode()


def test_a_session_type_page_shows_what_a_client_needs_to_decide(client):
    make_session_type(kind="headshot", slug="headshot", name="Headshot session", duration_minutes=90)

    response = client.get("/sessions/headshot/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "1 hour 30 minutes" in html
    assert "£195" in html
    assert 'href="/book/?type=headshot"' in html
    assert '<meta property="og:title" content="Headshot session' in html


def test_pages_carry_titles_descriptions_and_open_graph_tags(client):
    make_session_type(kind="headshot", slug="headshot")
    for path in ("/", "/sessions/headshot/", "/guide/", "/contact/", "/book/"):
        html = client.get(path).content.decode()
        assert '<meta name="description" content="' in html, path
        assert '<meta property="og:image" content="http://testserver/' in html, path
        assert 'rel="icon"' in html


def test_the_sitemap_lists_the_public_pages(client):
    make_session_type(kind="headshot", slug="headshot")

    xml = client.get("/sitemap.xml").content.decode()

    for path in ("/", "/guide/", "/contact/", "/sessions/headshot/"):
        assert f"<loc>http://testserver{path}</loc>" in xml


def test_an_uploaded_example_photo_is_kept_private_and_shown_resized_without_camera_data(
    client, django_capture_on_commit_callbacks, settings
):
    session = make_session_type(kind="headshot", slug="headshot")
    photographer = get_user_model().objects.create_superuser("sam", "sam@example.com", "pw-for-tests-only")
    client.force_login(photographer)
    form = {
        "name": session.name, "slug": session.slug, "kind": session.kind, "is_active": "on", "order": "0",
        "pitch": session.pitch, "purpose": session.purpose, "style": session.style, "goal": session.goal,
        "deliverables": session.deliverables, "duration_minutes": "30", "buffer_before_minutes": "0",
        "buffer_after_minutes": "0", "location": session.location, "price": "195", "images_included": "3",
        "deposit": "0", "refund_until_hours": "48",
        "photos-TOTAL_FORMS": "1", "photos-INITIAL_FORMS": "0",
        "photos-0-original": SimpleUploadedFile("IMG_0001.jpg", camera_jpeg(), "image/jpeg"),
        "photos-0-alt": "A headshot on grey", "photos-0-order": "0",
        "intake_questions-TOTAL_FORMS": "0", "intake_questions-INITIAL_FORMS": "0",
    }  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/bookings/sessiontype/{session.pk}/change/", form)

    assert response.status_code == 302
    photo = SessionTypePhoto.objects.get()
    assert photo.image.url.startswith("/media/")
    assert photo.original.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))  # the upload itself stays private
    web = Image.open(photo.image.path)
    assert max(web.size) == 960 and (photo.width, photo.height) == web.size
    assert not web.getexif()
    assert web.getexif().get_ifd(0x8825) == {}
    html = client.get("/sessions/headshot/").content.decode()
    assert photo.image.url in html and 'alt="A headshot on grey"' in html


def test_a_photo_still_being_prepared_is_not_shown(client):
    session = make_session_type(kind="headshot", slug="headshot")
    SessionTypePhoto.objects.create(
        session_type=session, original=SimpleUploadedFile("a.jpg", camera_jpeg((40, 30))), alt="Pending one"
    )

    assert "Pending one" not in client.get("/sessions/headshot/").content.decode()
    assert "Pending one" not in client.get("/").content.decode()


def test_a_file_that_is_not_an_image_is_reported_not_shown(client):
    from bookings import services

    session = make_session_type(kind="headshot", slug="headshot")
    photo = SessionTypePhoto.objects.create(
        session_type=session, original=SimpleUploadedFile("notes.jpg", b"not a photo"), alt="Broken"
    )

    services.prepare_example_photo(photo.pk)

    photo.refresh_from_db()
    assert (photo.image.name, photo.error) == ("", "not an image")
