"""Proofs, originals and zips are private files: only the access-checked views send them, as what
they are (never what their name says), cached by nobody but the client's own browser; behind
nginx (X-Accel-Redirect) each is sent from the internal location that really holds it. Public
thumbnails are named after their content, so a cached copy is never stale."""

import html
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from galleries import delivery, photos
from galleries.models import Gallery, GallerySettings, Photo
from tests.factories import jpeg_bytes, make_gallery, make_user_client, png_bytes, processed_photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(db):
    return make_user_client("Alice Byrne", "alice.byrne@example.com")


@pytest.fixture
def proofing(alice) -> Gallery:
    gallery = make_gallery(alice, title="Headshots, November", status=Gallery.Status.PROOFING)
    processed_photo(gallery, "IMG_20261120_0142.jpg", jpeg_bytes(seed=142))
    return gallery


def proof_url(gallery: Gallery, photo: Photo) -> str:
    return f"/portal/galleries/{gallery.public_id}/photos/{photo.key}/proof.jpg"


def test_a_proof_is_a_private_file_sent_only_to_its_client_with_a_private_cache(client, alice, proofing):
    photo = proofing.photos.get()
    client.force_login(alice.user)

    response = client.get(proof_url(proofing, photo))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"].startswith("private")
    assert b"".join(response.streaming_content) == Path(photo.proof.path).read_bytes()
    # Nothing under the public folder is the 2048 px proof; the thumbnails are.
    media = Path(settings.MEDIA_ROOT).resolve()
    assert not Path(photo.proof.path).resolve().is_relative_to(media)
    assert Path(photo.thumb.path).resolve().is_relative_to(media)
    public_files = {p.read_bytes() for p in media.rglob("*") if p.is_file()}
    assert Path(photo.proof.path).read_bytes() not in public_files


def test_a_proof_is_refused_once_the_gallery_has_expired(client, alice, proofing):
    photo = proofing.photos.get()
    Gallery.objects.filter(pk=proofing.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    client.force_login(alice.user)

    response = client.get(proof_url(proofing, photo))

    assert response.status_code == 410
    assert response["Content-Type"].startswith("text/html")
    assert client.get(f"/portal/galleries/{proofing.public_id}/").status_code == 410  # as the gallery page


def test_a_png_uploaded_under_an_html_name_downloads_as_a_png(client, alice):
    gallery = make_gallery(alice, title="Portraits", status=Gallery.Status.DELIVERED)
    photo = processed_photo(gallery, "2026-11-20 Alice Byrne 0142.html", png_bytes())
    Photo.objects.filter(pk=photo.pk).update(delivered=True)
    client.force_login(alice.user)

    response = client.get(f"/portal/galleries/{gallery.public_id}/photos/{photo.key}/download/")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'attachment; filename="2026-11-20 Alice Byrne 0142.html"'
    assert response["Cache-Control"].startswith("private")
    assert b"".join(response.streaming_content) == png_bytes()


def test_behind_nginx_each_file_is_sent_from_the_internal_location_that_holds_it(client, alice, settings):
    settings.PROTECTED_MEDIA_PREFIX = "/protected/"
    gallery = make_gallery(alice, title="Headshots, November", status=Gallery.Status.DELIVERED)
    photo = processed_photo(gallery, "IMG_20261120_0142.jpg", jpeg_bytes(seed=7))
    Photo.objects.filter(pk=photo.pk).update(delivered=True)
    archive = delivery.request_zip(gallery)
    delivery.build_zip(archive.pk)
    archive.refresh_from_db()
    client.force_login(alice.user)
    base = f"/portal/galleries/{gallery.public_id}"

    for url, field_file, content_type in (
        (f"{base}/photos/{photo.key}/proof.jpg", photo.proof, "image/jpeg"),
        (f"{base}/photos/{photo.key}/download/", photo.original, "image/jpeg"),
        (f"{base}/zip/{archive.key}/download/", archive.file, "application/zip"),
    ):
        response = client.get(url)

        assert response.status_code == 200, url
        # The internal location /protected/ aliases PRIVATE_MEDIA_ROOT: the file must be there.
        accel = response["X-Accel-Redirect"]
        assert accel.startswith("/protected/")
        held = Path(settings.PRIVATE_MEDIA_ROOT) / accel.removeprefix("/protected/")
        assert held.is_file() and held.read_bytes() == Path(field_file.path).read_bytes(), url
        assert response["Content-Type"] == content_type
        assert response["Cache-Control"].startswith("private")
        assert response.content == b""  # nginx sends the bytes, not the application


def rendition_files() -> set[Path]:
    roots = (Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT) / "proofs")
    return {p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()}


def names(photo: Photo) -> tuple[str, str, str]:
    photo.refresh_from_db()
    return photo.proof.name, photo.thumb.name, photo.thumb_2x.name


def proof_address(client, gallery: Gallery, photo: Photo) -> str:
    """Where the viewer's page loads the proof from."""
    page = client.get(f"/portal/galleries/{gallery.public_id}/photos/{photo.key}/").content.decode()
    return html.unescape(re.search(r'<img src="([^"]*/proof\.jpg[^"]*)"', page)[1])


def test_reprocessing_after_a_watermark_change_gives_new_addresses_and_removes_the_old_files(client, alice, proofing):
    photo = proofing.photos.get()
    client.force_login(alice.user)
    first, first_proof_address = names(photo), proof_address(client, proofing, photo)
    first_thumb = Path(photo.thumb.path).read_bytes()

    photos.reprocess(Photo.objects.filter(pk=photo.pk))
    photos.process_photo(photo.pk)
    assert names(photo) == first  # nothing changed: the same addresses, still cached
    assert proof_address(client, proofing, photo) == first_proof_address

    mark = GallerySettings.load()
    mark.text, mark.opacity = "© Northlight Studio 2026", Decimal("0.60")
    mark.save()
    photos.reprocess(Photo.objects.filter(pk=photo.pk))
    photos.process_photo(photo.pk)

    second = names(photo)
    assert all(new != old for new, old in zip(second, first, strict=True)), (first, second)
    assert Path(photo.thumb.path).read_bytes() != first_thumb
    assert proof_address(client, proofing, photo) != first_proof_address  # the viewer asks for the new proof
    assert client.get(proof_address(client, proofing, photo)).status_code == 200
    # One set on disk: the new one.
    assert rendition_files() == {Path(f.path) for f in (photo.proof, photo.thumb, photo.thumb_2x)}


@pytest.mark.django_db(transaction=True)
def test_an_upgrade_moves_existing_proofs_out_of_the_public_folder(alice):
    gallery = make_gallery(alice, title="Headshots, November", status=Gallery.Status.PROOFING)
    before = [("galleries", "0001_initial")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        OldPhoto = executor.loader.project_state(before).apps.get_model("galleries", "Photo")  # noqa: N806
        photo = OldPhoto.objects.create(
            gallery_id=gallery.pk, original_name="IMG_20261120_0142.html", content_hash="0142", state="done",
            original="originals/shoot/4f1c.html", proof="proofs/4f1c/proof.jpg", thumb="proofs/4f1c/thumb.jpg",
        )  # fmt: skip
        storages["private"].save("originals/shoot/4f1c.html", ContentFile(png_bytes()))
        for name in ("proofs/4f1c/proof.jpg", "proofs/4f1c/thumb.jpg"):
            storages["renditions"].save(name, ContentFile(jpeg_bytes(seed=len(name))))
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    upgraded = Photo.objects.get(pk=photo.pk)
    media, private = Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)
    assert not (media / "proofs/4f1c/proof.jpg").exists()
    assert (private / "proofs/4f1c/proof.jpg").read_bytes() == jpeg_bytes(seed=len("proofs/4f1c/proof.jpg"))
    assert Path(upgraded.proof.path) == private / "proofs/4f1c/proof.jpg"
    assert (media / "proofs/4f1c/thumb.jpg").exists()  # thumbnails stay public
    assert upgraded.content_type == "image/png"  # what the original is, whatever its name


@pytest.mark.parametrize(
    ("title", "header"),
    [
        ('Studio "Blue" day', r'attachment; filename="Studio \"Blue\" day - Northlight Studio.zip"'),
        (
            "Séance d’été, Zoë",
            "attachment; filename*=utf-8''"
            "S%C3%A9ance%20d%E2%80%99%C3%A9t%C3%A9%2C%20Zo%C3%AB%20-%20Northlight%20Studio.zip",
        ),
    ],
)
def test_behind_nginx_a_zip_keeps_its_name_whatever_characters_it_holds(client, alice, settings, title, header):
    settings.PROTECTED_MEDIA_PREFIX = "/protected/"
    settings.STUDIO_NAME = "Northlight Studio"
    gallery = make_gallery(alice, title=title, status=Gallery.Status.DELIVERED)
    photo = processed_photo(gallery, "IMG_20261120_0142.jpg", jpeg_bytes(seed=7))
    Photo.objects.filter(pk=photo.pk).update(delivered=True)
    archive = delivery.request_zip(gallery)
    delivery.build_zip(archive.pk)
    client.force_login(alice.user)

    response = client.get(f"/portal/galleries/{gallery.public_id}/zip/{archive.key}/download/")

    assert response.status_code == 200
    assert response["X-Accel-Redirect"].startswith("/protected/")
    # Quotes escaped inside the quoted name; anything beyond ASCII percent-encoded as UTF-8 (RFC 6266).
    assert response["Content-Disposition"] == header
