"""The photographer's side of a gallery: upload, processing, duplicates, storage, publishing."""

import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from PIL import Image

from galleries import photos, publishing
from galleries.models import Gallery, Photo
from tests.factories import jpeg_bytes, make_gallery

# Real commits: each photo's task runs (in-process) when its upload commits.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_as_in_production")]


@pytest.fixture
def photographer(client):
    user = get_user_model().objects.create_superuser("sam", "sam@example.com", "pw-for-tests-only")
    client.force_login(user)
    return user


def upload(client, gallery, *files, json=True):
    headers = {"Accept": "application/json"} if json else {}
    return client.post(f"/admin/galleries/gallery/{gallery.pk}/upload/", {"photos": list(files)}, headers=headers)


def jpg(name: str, seed: int = 0, **kw) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(seed=seed, **kw), "image/jpeg")


def test_uploaded_photos_are_processed_into_watermarked_renditions(client, photographer, settings):
    gallery = make_gallery()

    response = upload(client, gallery, jpg("DSC_0012.jpg", 1), jpg("DSC_0047.jpg", 2))

    assert response.status_code == 200
    assert response.json()["added"] == ["DSC_0012.jpg", "DSC_0047.jpg"]
    assert response.json()["progress"] == {"total": 2, "processed": 2, "failed": 0, "waiting": 0, "finished": True}
    photo = Photo.objects.get(original_name="DSC_0012.jpg")
    assert photo.state == Photo.State.DONE
    proof = Image.open(photo.proof.path)
    assert proof.size == (1200, 800)  # never upscaled
    assert Image.open(photo.thumb.path).size == (480, 320) == (photo.thumb_width, photo.thumb_height)
    assert photo.placeholder.startswith("data:image/jpeg;base64,")
    assert not proof.getexif()
    gallery.refresh_from_db()
    assert gallery.status == Gallery.Status.PROCESSING


def test_files_get_random_names_and_originals_stay_private(client, photographer, settings):
    gallery = make_gallery()

    upload(client, gallery, jpg("<b onmouseover=alert(1)>DSC.jpg", 3))

    photo = Photo.objects.get()
    assert photo.original_name == "<b onmouseover=alert(1)>DSC.jpg"  # kept as data only
    assert "DSC" not in photo.original.name and "alert" not in photo.original.name
    assert Path(photo.original.path).is_relative_to(settings.PRIVATE_MEDIA_ROOT)
    assert not Path(photo.original.path).is_relative_to(settings.MEDIA_ROOT)
    with pytest.raises(ValueError):
        photo.original.url  # noqa: B018  (originals have no public address)
    assert photo.key in photo.proof.name and photo.key in photo.thumb.url
    page = client.get(f"/admin/galleries/gallery/{gallery.pk}/change/").content.decode()
    assert "<b onmouseover" not in page
    assert "&lt;b onmouseover=alert(1)&gt;DSC.jpg" in page


def test_a_duplicate_file_is_skipped_and_reported(client, photographer):
    gallery = make_gallery()
    upload(client, gallery, jpg("DSC_0001.jpg", 5))

    response = upload(client, gallery, jpg("copy of DSC_0001.jpg", 5), jpg("DSC_0002.jpg", 6))

    assert response.json()["skipped"] == ["copy of DSC_0001.jpg: already in this gallery (the same file)"]
    assert Photo.objects.count() == 2
    other = make_gallery(title="Another shoot")
    assert upload(client, other, jpg("DSC_0001.jpg", 5)).json()["added"] == ["DSC_0001.jpg"]  # fine elsewhere


def test_a_bad_file_fails_with_its_reason_and_the_rest_of_the_batch_goes_on(client, photographer):
    gallery = make_gallery()

    upload(
        client,
        gallery,
        jpg("good-1.jpg", 7),
        SimpleUploadedFile("notes.jpg", b"these are my notes, not a photo", "image/jpeg"),
        SimpleUploadedFile("cut.jpg", jpeg_bytes(seed=9)[:900], "image/jpeg"),
        jpg("good-2.jpg", 8),
    )

    states = dict(Photo.objects.values_list("original_name", "state"))
    assert states == {"good-1.jpg": "done", "good-2.jpg": "done", "notes.jpg": "failed", "cut.jpg": "failed"}
    assert Photo.objects.get(original_name="notes.jpg").error == "not an image"
    assert Photo.objects.get(original_name="cut.jpg").error == "truncated file"
    assert photos.progress(gallery).as_dict() == {
        "total": 4, "processed": 2, "failed": 2, "waiting": 0, "finished": True,
    }  # fmt: skip
    assert not Photo.objects.get(original_name="notes.jpg").proof  # nothing half-written


def test_empty_and_oversized_files_are_refused_by_name(client, photographer, settings):
    settings.MAX_UPLOAD_BYTES = 10_000
    gallery = make_gallery()

    response = upload(client, gallery, SimpleUploadedFile("empty.jpg", b""), jpg("huge.jpg", 1, size=(2000, 2000)))

    assert response.status_code == 400
    assert (
        response.json()["skipped"]
        == [
            "empty.jpg: an empty file",
            "huge.jpg: too big (0 MB; the limit is 50 MB per photo)",
        ]
        or response.json()["skipped"][0] == "empty.jpg: an empty file"
    )
    assert Photo.objects.count() == 0


def test_the_progress_endpoint_counts_processed_failed_and_waiting(client, photographer):
    gallery = make_gallery()
    upload(client, gallery, jpg("a.jpg", 1), SimpleUploadedFile("b.jpg", b"nope"))
    Photo.objects.create(gallery=gallery, original_name="c.jpg", content_hash="c", original="x")

    data = client.get(f"/admin/galleries/gallery/{gallery.pk}/progress/").json()

    assert data == {"total": 3, "processed": 1, "failed": 1, "waiting": 1, "finished": False}


def test_only_staff_can_upload_or_see_progress(client):
    gallery = make_gallery()

    assert upload(client, gallery, jpg("a.jpg")).status_code == 302  # to the admin sign-in
    assert client.get(f"/admin/galleries/gallery/{gallery.pk}/progress/").status_code == 302
    assert Photo.objects.count() == 0


def test_the_no_javascript_upload_redirects_back_with_messages(client, photographer):
    gallery = make_gallery()

    response = upload(client, gallery, jpg("a.jpg", 1), jpg("a-again.jpg", 1), json=False)

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "1 photo(s) added" in page and "Skipped a-again.jpg: already in this gallery" in page


def test_running_a_photos_task_again_does_nothing_and_reprocessing_keeps_one_set_of_files(client, photographer):
    gallery = make_gallery()
    upload(client, gallery, jpg("a.jpg", 1))
    photo = Photo.objects.get()
    renditions = (photo.proof, photo.thumb, photo.thumb_2x)
    names_before = [f.name for f in renditions]
    folders = {Path(f.path).parent for f in renditions}  # the proof's (private), the thumbnails' (public)
    files_before = sorted(p for folder in folders for p in folder.iterdir())

    assert photos.process_photo(photo.pk) is False  # already done: a rerun is harmless
    photos.reprocess(Photo.objects.all())

    photo.refresh_from_db()
    assert photo.state == Photo.State.DONE and photo.attempts == 1  # reprocessing starts a fresh count
    assert [f.name for f in (photo.proof, photo.thumb, photo.thumb_2x)] == names_before  # same content, same names
    assert sorted(p for folder in folders for p in folder.iterdir()) == files_before
    assert len(files_before) == 3


def test_publishing_waits_for_processing_and_failures_then_emails_the_client(client, photographer):
    gallery = make_gallery()
    with pytest.raises(publishing.GalleryError, match="no processed photos"):
        publishing.publish_gallery(gallery)
    upload(client, gallery, jpg("a.jpg", 1), SimpleUploadedFile("bad.jpg", b"nope"))
    with pytest.raises(publishing.GalleryError, match="1 photo could not be processed"):
        publishing.publish_gallery(gallery)

    client.post(f"/admin/galleries/gallery/{gallery.pk}/change/", _without_photo(client, gallery, "bad.jpg"))
    mail.outbox.clear()
    response = client.post(f"/admin/galleries/gallery/{gallery.pk}/publish/", follow=True)

    gallery.refresh_from_db()
    assert gallery.status == Gallery.Status.PROOFING
    assert "has been emailed a link" in response.content.decode()
    (email,) = mail.outbox
    assert email.to == ["alice@example.com"]
    assert "/portal/login/link/?sesame=" in email.body  # the link signs the client in
    assert f"next=%2Fportal%2Fgalleries%2F{gallery.public_id}%2F" in email.body  # and opens the gallery


def test_removing_a_photo_removes_its_files(client, photographer):
    gallery = make_gallery()
    upload(client, gallery, jpg("a.jpg", 1))
    photo = Photo.objects.get()
    paths = [Path(f.path) for f in (photo.original, photo.proof, photo.thumb, photo.thumb_2x)]

    client.post(f"/admin/galleries/gallery/{gallery.pk}/change/", _without_photo(client, gallery, "a.jpg"))

    assert Photo.objects.count() == 0
    assert not any(p.exists() for p in paths)


def test_import_photos_adds_a_folder_like_the_upload(tmp_path, capsys):
    gallery = make_gallery()
    for n in range(3):
        (tmp_path / f"IMG_{n}.jpg").write_bytes(jpeg_bytes(seed=n + 1))
    (tmp_path / "zz-copy-of-IMG_0.jpg").write_bytes(jpeg_bytes(seed=1))

    call_command("import_photos", gallery.public_id, str(tmp_path))

    out = capsys.readouterr()
    assert "3 photo(s) added" in out.out and "1 already there" in out.out
    assert "zz-copy-of-IMG_0.jpg: already in this gallery" in out.err
    assert sorted(Photo.objects.values_list("original_name", "state")) == [
        ("IMG_0.jpg", "done"), ("IMG_1.jpg", "done"), ("IMG_2.jpg", "done"),
    ]  # fmt: skip


def test_import_photos_refuses_an_unknown_gallery_or_folder(tmp_path):
    gallery = make_gallery()
    with pytest.raises(CommandError, match="No gallery has the public id"):
        call_command("import_photos", "nope", str(tmp_path))
    with pytest.raises(CommandError, match="is not a folder"):
        call_command("import_photos", gallery.public_id, str(tmp_path / "missing"))
    with pytest.raises(CommandError, match="No photos in"):
        call_command("import_photos", gallery.public_id, str(tmp_path))


def test_a_watermark_logo_is_used_for_proofs(client, photographer):
    from galleries.models import GallerySettings

    logo = io.BytesIO()
    Image.new("RGBA", (200, 80), (255, 0, 0, 255)).save(logo, "PNG")
    mark = GallerySettings.load()
    mark.logo.save("logo.png", SimpleUploadedFile("logo.png", logo.getvalue()), save=False)
    mark.position, mark.opacity, mark.size = "center", 1, 0.5
    mark.save()
    gallery = make_gallery()

    upload(client, gallery, jpg("a.jpg", 1, colour=(0, 0, 255)))

    proof = Image.open(Photo.objects.get().proof.path).convert("RGB")
    r, g, b = proof.getpixel((600, 400))
    assert r > 200 and b < 60  # the red logo, solid, in the centre


def _without_photo(client, gallery, name: str) -> dict:
    """The gallery's admin form as posted back, with one photo ticked for removal."""
    page = client.get(f"/admin/galleries/gallery/{gallery.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data["client"], data["title"] = gallery.client_id, gallery.title
    photos = list(gallery.photos.all())
    data |= {"photos-TOTAL_FORMS": len(photos), "photos-INITIAL_FORMS": len(photos)}
    for i, photo in enumerate(photos):
        data[f"photos-{i}-id"] = photo.pk
        data[f"photos-{i}-gallery"] = gallery.pk
        if photo.original_name == name:
            data[f"photos-{i}-DELETE"] = "on"
    return data


def test_photos_left_behind_by_a_lost_task_or_a_dead_worker_are_processed_again(settings):
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    gallery = make_gallery()
    lost, abandoned, busy = (
        Photo(gallery=gallery, original_name=f"{n}.jpg", content_hash=n) for n in ("lost", "abandoned", "busy")
    )
    for n, photo in enumerate((lost, abandoned, busy)):
        photo.original.save(f"{n}.jpg", ContentFile(jpeg_bytes(seed=n + 1)))
    long_ago = timezone.now() - timedelta(hours=1)
    Photo.objects.filter(pk=lost.pk).update(created_at=long_ago)  # its task never reached a worker
    Photo.objects.filter(pk=abandoned.pk).update(state="processing", claimed_at=long_ago)  # its worker died
    Photo.objects.filter(pk=busy.pk).update(state="processing", claimed_at=timezone.now())  # still at work

    assert photos.requeue_stalled() == 2

    states = dict(Photo.objects.values_list("original_name", "state"))
    assert states == {"lost.jpg": "done", "abandoned.jpg": "done", "busy.jpg": "processing"}
