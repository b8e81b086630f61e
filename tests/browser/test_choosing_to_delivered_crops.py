"""From choosing to the crop delivered, in a real browser on a 375 px phone and a 1280 px laptop:
the client opens a group of near-identical frames, compares two, hearts one, places a LinkedIn
square on it by dragging and sends her selection; the photographer sees the crop ordered in the
selection's page; once the edited final is uploaded and the gallery delivered, the client downloads
the square cut from the final. Every page fits the phone and is axe clean (the guards check each)."""

import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from galleries import delivery, photos, publishing
from galleries.models import CropOption, CropOrder, Favourite, FinishedCrop, Photo, Selection
from photostudio import demo
from tests.browser.conftest import axe_violations, crop_frame_values
from tests.browser.realistic import a_burst_and_distinct_frames, sign_in, upload_camera_files
from tests.browser.test_admin_front_page import sign_in_as_the_photographer
from tests.factories import make_gallery, make_user_client
from tests.imaging_samples import encode, scene

pytestmark = pytest.mark.browser


@pytest.fixture(params=["phone", "laptop"])
def screen(request, new_phone, new_laptop):
    """Makes pages of the size the journey runs at, one context (one person) each."""
    return new_phone if request.param == "phone" else new_laptop


def test_a_client_compares_a_burst_hearts_a_frame_orders_a_linkedin_square_and_downloads_it_cut_from_the_final(
    screen, site
):
    alice = make_user_client("Alice Byrne-Okonkwo", "alice.byrne-okonkwo@byrne-cole.example")
    gallery = make_gallery(alice, title="Byrne-Okonkwo headshots, November", selection_limit=2)
    frames = upload_camera_files(gallery, a_burst_and_distinct_frames(burst=3, distinct=2))
    publishing.publish_gallery(gallery)
    demo.seed_orders()  # the studio's crops, "LinkedIn 1:1" among them, and its retouching
    linkedin = CropOption.objects.get(name="LinkedIn 1:1")
    assert {p.group_key for p in frames[:3]} == {frames[0].key}  # the burst, grouped as it was processed
    chosen = frames[1]

    # The grid shows the burst as one tile; its page offers the frames to compare.
    client = screen()
    sign_in(client, site, alice)
    client.goto(f"/portal/galleries/{gallery.public_id}/")
    assert client.locator(".photo-tile").count() == 3
    client.get_by_role("link", name="3 similar frames").click()
    client.wait_for_url(f"**/photos/{frames[0].key}/similar/")
    # Every frame comes ticked to compare: she keeps two.
    client.get_by_label(f"Compare {frames[2].original_name}").uncheck()
    assert client.get_by_label(f"Compare {frames[0].original_name}").is_checked()
    assert client.get_by_label(f"Compare {chosen.original_name}").is_checked()
    client.get_by_role("button", name="Compare these").click()
    client.wait_for_url("**/compare/?photo=*")
    assert client.locator(".compare-pane").count() == 2
    assert client.locator(".js-chosen").first.inner_text() == "0"

    # She hearts the second frame where it is compared.
    pane = client.locator(".compare-pane", has=client.get_by_role("link", name=chosen.original_name))
    pane.get_by_role("button", name=f"Choose {chosen.original_name}").click()
    heart = pane.get_by_role("button", name=f"Remove {chosen.original_name} from favourites")
    heart.wait_for()
    assert heart.get_attribute("aria-pressed") == "true"
    assert client.locator(".js-chosen").first.inner_text() == "1"
    assert Favourite.objects.filter(photo=chosen).exists()
    assert axe_violations(client) == []

    # From her selection's review, to the crops of that photo.
    client.get_by_role("link", name="Back to the gallery").click()
    client.get_by_role("link", name="Review and send").click()
    client.wait_for_url("**/review/")
    client.get_by_role("link", name=f"Add crops or retouching to {chosen.original_name}").click()
    client.wait_for_url(f"**/photos/{chosen.key}/orders/")
    client.get_by_role("checkbox", name="LinkedIn 1:1").check()
    frame = client.locator(f"#frame-{linkedin.pk}")
    frame.wait_for(state="visible")
    centred = crop_frame_values(client, linkedin.pk)
    assert centred["left"] == pytest.approx((1 - centred["width"]) / 2, abs=1e-5)  # the landscape's middle square

    # She drags the square a tenth of the photo's width to the left, with the mouse.
    box, photo_width = frame.bounding_box(), client.locator(".crop-proof").bounding_box()["width"]
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    client.mouse.move(x, y)
    client.mouse.down()
    client.mouse.move(x - 10, y, steps=4)
    client.mouse.move(x - photo_width / 10, y, steps=4)
    client.mouse.up()
    placed = crop_frame_values(client, linkedin.pk)
    assert placed["left"] == pytest.approx(centred["left"] - 0.1, abs=0.01)
    assert (placed["top"], placed["width"], placed["height"]) == (centred["top"], centred["width"], centred["height"])
    client.get_by_role("button", name="Save").click()
    client.wait_for_url("**/review/")
    assert chosen.original_name in client.locator(".review-list").inner_text()
    assert "LinkedIn 1:1" in client.locator(".photo-orders").inner_text()
    assert CropOrder.objects.get(photo=chosen, option=linkedin).left == pytest.approx(placed["left"], abs=1e-6)

    # She sends her selection.
    client.get_by_label("I've checked my 1 photo").check()
    client.get_by_role("button", name="Send my selection").click()
    client.wait_for_url(f"**/portal/galleries/{gallery.public_id}/")
    sent = Selection.objects.get(gallery=gallery)

    # The photographer sees the crop ordered of that file in the selection's page.
    photographer = screen()
    sign_in_as_the_photographer(photographer, site)
    photographer.goto(reverse("admin:galleries_selection_change", args=[sent.pk]))
    orders = photographer.locator(".field-photo_orders")
    assert f"{chosen.original_name}: LinkedIn 1:1" in orders.inner_text()
    assert axe_violations(photographer) == []

    # The edited final is uploaded (larger than the proof) and processed; its square is cut; delivered.
    edit = ContentFile(encode(scene(7, (900, 600), shift=(1, 0), brightness=1.02, grain=8), "JPEG", quality=90))
    edit.name, edit.size = "IMG_20261120_0143-edit.jpg", len(edit)
    final = photos.add_photos(gallery, [edit]).added[0]  # processed in process, as the worker would
    assert Photo.objects.get(pk=final.pk).final_of_id == chosen.pk
    assert FinishedCrop.objects.get(final=final).state == FinishedCrop.State.DONE
    delivery.deliver(gallery)

    # She downloads the square from her delivery page.
    client.goto(f"/portal/galleries/{gallery.public_id}/")
    crops = client.locator(".crops-list")
    name = "IMG_20261120_0143-edit - LinkedIn 1-1.jpg"
    assert name in crops.inner_text()
    assert axe_violations(client) == []  # at rest (a hovered button's colours take a moment to change)
    with client.expect_download() as downloading:
        crops.get_by_role("link", name=f"Download {name} in full size").click()
    download = downloading.value
    assert download.suggested_filename == name
    square = Image.open(io.BytesIO(Path(download.path()).read_bytes()))
    assert square.format == "JPEG"
    assert square.width == square.height == 600  # the final's full height, at the final's resolution
