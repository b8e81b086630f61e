"""The crops a client ordered are cut from the photographer's edited final, as the client framed
them on the proof, whatever the final's size or orientation; named by file and crop, and delivered
with the final: listed on the delivery page, downloaded by their client only, and in the zip."""

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageChops, ImageStat

from galleries import delivery, finished_crops, photos, selection
from galleries.models import CropOption, CropOrder, Favourite, FinishedCrop, Gallery, Photo, ZipArchive
from tests.factories import make_gallery, make_user_client
from tests.helpers import wait_until
from tests.test_crop_maths import SQUARE, assert_holds_columns_one_to_four, grid, jpeg

PROOF_NAME = "IMG_20261120_0142.jpg"
FINAL_NAME = "IMG_20261120_0142-edit.jpg"


def upload(gallery: Gallery, name: str, data: bytes, *, process: bool = True) -> Photo:
    report = photos.add_photos(gallery, [SimpleUploadedFile(name, data, "image/jpeg")], queue=not process)
    assert report.added, report.skipped
    if process:
        photos.process_photo(report.added[0].pk)
    return Photo.objects.get(pk=report.added[0].pk)


def chosen_with_a_square(alice, *, process: bool = True):
    """Alice's gallery: a 600 × 400 proof she chose, with a LinkedIn square over grid columns 1 to 4,
    and a second proof; her selection sent."""
    gallery = make_gallery(alice, status=Gallery.Status.PROOFING, selection_limit=2, title="Alice Byrne, headshots")
    proof = upload(gallery, PROOF_NAME, jpeg(grid((600, 400))), process=process)
    upload(gallery, "IMG_20261120_0157.jpg", jpeg(grid((400, 600))), process=process)
    if not process:
        wait_until(lambda: gallery.photos.filter(state=Photo.State.DONE).count() == 2)
    Favourite.objects.create(photo=proof, gallery=gallery)
    linkedin = CropOption.objects.create(name="LinkedIn 1:1", ratio_width=1, ratio_height=1)
    left, top, width, height = SQUARE
    order = CropOrder.objects.create(photo=proof, option=linkedin, left=left, top=top, width=width, height=height)
    selection.submit_selection(gallery)
    return gallery, proof, order


def read(field_file) -> bytes:
    with field_file.open("rb") as fh:
        return fh.read()


@pytest.fixture
def alice(db):
    return make_user_client("Alice Byrne", "alice.byrne@byrne-cole.example")


# --- on the real worker ---


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_final_uploaded_on_the_real_worker_has_the_ordered_crop_cut_as_framed(celery_worker, alice):
    gallery, proof, order = chosen_with_a_square(alice, process=False)

    final = upload(gallery, FINAL_NAME, jpeg(grid((1200, 800))), process=False)  # twice the proof's size
    crop = wait_until(lambda: FinishedCrop.objects.filter(final=final, state="done").first())

    assert Photo.objects.get(pk=final.pk).final_of_id == proof.pk  # found by its file name
    assert crop.order == order and crop.file_name == "IMG_20261120_0142-edit - LinkedIn 1-1.jpg"
    assert (crop.width, crop.height) == (800, 800)
    assert_holds_columns_one_to_four(read(crop.file))
    assert Image.open(io.BytesIO(read(crop.web))).size == (800, 800)  # never enlarged
    assert Path(crop.file.path).is_relative_to(celery_worker.private_root)


# --- in process ---


@pytest.mark.django_db
def test_a_final_stored_on_its_side_gives_the_crop_the_client_framed(alice):
    gallery, proof, order = chosen_with_a_square(alice)
    stored = grid((1200, 800)).transpose(Image.Transpose.ROTATE_90)

    final = upload(gallery, "2026-11-20 Alice Byrne 0142 retouched.jpg", jpeg(stored, orientation=6))
    finished_crops.make_finished_crops(final.pk)

    crop = FinishedCrop.objects.get(final=final)
    assert crop.state == "done" and (crop.width, crop.height) == (800, 800)
    assert_holds_columns_one_to_four(read(crop.file))


@pytest.mark.django_db
def test_making_the_crops_twice_makes_them_once(alice):
    gallery, proof, order = chosen_with_a_square(alice)
    final = upload(gallery, FINAL_NAME, jpeg(grid((1200, 800))))

    made = [finished_crops.make_finished_crops(final.pk), finished_crops.make_finished_crops(final.pk)]

    assert made == [1, 0]
    crop = FinishedCrop.objects.get()
    folder = Path(crop.file.path).parent
    assert sorted(p.name for p in folder.iterdir()) == sorted([Path(crop.file.name).name, Path(crop.web.name).name])


@pytest.mark.django_db
@pytest.mark.usefixtures("on_commit_as_in_production")
def test_a_final_whose_name_fits_no_proof_gets_no_crops_until_the_photographer_says_which_it_is(alice, client):
    gallery, proof, order = chosen_with_a_square(alice)
    final = upload(gallery, "Alice headshot for website.jpg", jpeg(grid((1200, 800))))
    assert final.final_of is None and not FinishedCrop.objects.exists()
    client.force_login(get_user_model().objects.create_superuser("sam", "sam@northlight.example", "pw-for-tests"))

    page = client.get(reverse("admin:galleries_photo_change", args=[final.pk]))
    assert page.status_code == 200 and PROOF_NAME in page.content.decode()
    response = client.post(reverse("admin:galleries_photo_change", args=[final.pk]), {"final_of": proof.pk})

    assert response.status_code == 302
    assert Photo.objects.get(pk=final.pk).final_of == proof
    assert FinishedCrop.objects.get(final=final).state == "done"  # the task ran in process


@pytest.mark.django_db
def test_a_final_that_cannot_be_read_marks_its_crops_failed_with_the_reason(alice):
    gallery, proof, order = chosen_with_a_square(alice)
    final = upload(gallery, FINAL_NAME, jpeg(grid((1200, 800))))
    with final.original.open("wb") as fh:
        fh.write(b"not a photo any more")

    finished_crops.make_finished_crops(final.pk)

    crop = FinishedCrop.objects.get()
    assert (crop.state, crop.error) == ("failed", "not an image")


@pytest.fixture
def delivered(alice):
    gallery, proof, order = chosen_with_a_square(alice)
    final = upload(gallery, FINAL_NAME, jpeg(grid((1200, 800))))
    finished_crops.make_finished_crops(final.pk)
    delivery.deliver(gallery)
    return gallery, FinishedCrop.objects.get()


@pytest.mark.django_db
def test_the_delivery_page_lists_the_crop_and_its_client_downloads_it(client, alice, delivered):
    gallery, crop = delivered
    client.force_login(alice.user)

    page = client.get(reverse("portal:gallery", args=[gallery.public_id])).content.decode()
    url = reverse("portal:crop_download", args=[gallery.public_id, crop.pk])
    full = client.get(url)
    web = client.get(url + "?size=web")

    assert "Your crops" in page and crop.file_name in page and url in page
    assert full["Content-Disposition"] == 'attachment; filename="IMG_20261120_0142-edit - LinkedIn 1-1.jpg"'
    assert_holds_columns_one_to_four(b"".join(full.streaming_content))
    assert "-web.jpg" in web["Content-Disposition"]
    assert gallery.downloads.filter(file_name=crop.file_name).exists()


@pytest.mark.django_db
def test_a_crop_in_an_unknown_size_is_a_clear_400(client, alice, delivered):
    gallery, crop = delivered
    client.force_login(alice.user)

    response = client.get(reverse("portal:crop_download", args=[gallery.public_id, crop.pk]) + "?size=huge")

    assert response.status_code == 400 and b"Full size or Web size" in response.content


@pytest.mark.django_db
def test_bob_gets_404_for_alices_crop(client, delivered):
    gallery, crop = delivered
    bob = make_user_client("Bob Mensah", "bob.mensah@harbourline.example")
    client.force_login(bob.user)

    assert client.get(reverse("portal:crop_download", args=[gallery.public_id, crop.pk])).status_code == 404


@pytest.mark.django_db
@pytest.mark.usefixtures("on_commit_as_in_production")
@pytest.mark.parametrize("size", ["full", "web"])
def test_the_delivery_zip_has_the_crops_in_their_own_folder(delivered, size):
    gallery, crop = delivered

    archive = delivery.request_zip(gallery, size=size)  # built in process
    archive = ZipArchive.objects.get(pk=archive.pk)

    with archive.file.open("rb") as fh, zipfile.ZipFile(io.BytesIO(fh.read())) as zf:
        names = zf.namelist()
        assert f"crops/{crop.file_name}" in names
        assert_holds_columns_one_to_four(zf.read(f"crops/{crop.file_name}"))
    assert archive.files_total == archive.files_done == len(names) == 2


@pytest.mark.django_db
def test_removing_a_final_removes_the_crops_cut_from_it_and_their_files(alice):
    gallery, proof, order = chosen_with_a_square(alice)
    final = upload(gallery, FINAL_NAME, jpeg(grid((1200, 800))))
    finished_crops.make_finished_crops(final.pk)
    crop = FinishedCrop.objects.get()
    paths = [Path(crop.file.path), Path(crop.web.path)]

    photos.remove_photos([final])

    assert not FinishedCrop.objects.exists()
    assert not any(p.exists() for p in paths)


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(a.resize(b.size), b)).mean) / 3


@pytest.mark.django_db
def test_square_and_four_by_five_frames_placed_on_the_proof_are_cut_from_a_larger_final_stored_on_its_side(alice):
    """A photographic scene, not a grid: each crop of the final must be the client's rectangle of the
    upright final, cut by hand here, pixel for pixel (within JPEG's noise), at the ratio ordered."""
    from galleries import orders
    from tests.imaging_samples import scene

    gallery = make_gallery(alice, status=Gallery.Status.PROOFING, selection_limit=1, title="Alice Byrne, headshots")
    proof = upload(gallery, PROOF_NAME, jpeg(scene(7, (600, 400))))
    Favourite.objects.create(photo=proof, gallery=gallery)
    square = CropOption.objects.create(name="LinkedIn 1:1", ratio_width=1, ratio_height=1)
    profile = CropOption.objects.create(name="Profile 4:5", ratio_width=4, ratio_height=5, order=1)
    # Dragged off centre: the square to the right edge, the 4:5 (320 × 400 of the proof) near the left.
    placed = {
        str(square.pk): {"left": str(1 / 3), "top": "0", "width": str(2 / 3), "height": "1"},
        str(profile.pk): {"left": "0.05", "top": "0", "width": str(320 / 600), "height": "1"},
    }
    orders.save_orders(gallery, proof, orders.OrderForm(crops=placed, retouch=None))
    selection.submit_selection(gallery)
    upright = scene(7, (1500, 1000))  # the final: 2.5 times the proof's size, stored as a camera held sideways
    stored = upright.transpose(Image.Transpose.ROTATE_90)

    final = upload(gallery, FINAL_NAME, jpeg(stored, orientation=6))
    finished_crops.make_finished_crops(final.pk)

    made = {crop.order.option.name: crop for crop in FinishedCrop.objects.filter(final=final)}
    assert set(made) == {"LinkedIn 1:1", "Profile 4:5"}
    for name, crop in made.items():
        order = crop.order
        box = (
            round(order.left * 1500),
            round(order.top * 1000),
            round((order.left + order.width) * 1500),
            round((order.top + order.height) * 1000),
        )
        by_hand = upright.crop(box)
        cut = Image.open(io.BytesIO(read(crop.file))).convert("RGB")
        assert abs(cut.width - by_hand.width) <= 1 and abs(cut.height - by_hand.height) <= 1, name
        ratio = (1, 1) if name == "LinkedIn 1:1" else (4, 5)
        assert abs(cut.width * ratio[1] - cut.height * ratio[0]) <= max(ratio), (name, cut.size)
        exact = mean_difference(cut, by_hand)
        assert exact < 2, (name, exact)  # JPEG's noise
        # And nearer the client's frame than the same frame 6 pixels to either side.
        for dx in (-6, 6):
            if box[0] + dx >= 0 and box[2] + dx <= 1500:
                beside = upright.crop((box[0] + dx, box[1], box[2] + dx, box[3]))
                assert exact < mean_difference(cut, beside), (name, dx)
    assert made["Profile 4:5"].file_name == "IMG_20261120_0142-edit - Profile 4-5.jpg"


@pytest.mark.django_db
def test_crops_whose_task_was_lost_are_made_by_the_stalled_work_sweep(alice):
    gallery, proof, order = chosen_with_a_square(alice)
    final = upload(gallery, FINAL_NAME, jpeg(grid((1200, 800))))  # processed here: no task sent for its crops
    assert not FinishedCrop.objects.exists()

    photos.requeue_stalled()
    assert not FinishedCrop.objects.exists()  # only just processed: its own task may still come
    Photo.objects.filter(pk=final.pk).update(processed_at=timezone.now() - timedelta(minutes=11))
    photos.requeue_stalled()

    crop = FinishedCrop.objects.get(final=final)
    assert crop.state == "done" and crop.order == order
    assert finished_crops.finals_waiting(processed_before=timezone.now()) == []  # made: never sent again
