"""A client orders crops and retouching of a chosen photo in a real browser, on a phone: the
LinkedIn square's frame is dragged on the proof (by touch-capable pointer events) and moved by the
arrow keys, its place kept in the form; a retouch is chosen; the review page shows the total."""

from decimal import Decimal

import pytest

from galleries import publishing, selection
from galleries.models import CropOption, CropOrder, RetouchLevel, RetouchOrder
from photostudio.demo_drawings import drawn_jpeg
from tests.browser.conftest import axe_violations, crop_frame_values, has_no_horizontal_scroll
from tests.browser.realistic import sign_in, upload_camera_files
from tests.factories import make_gallery, make_user_client

pytestmark = pytest.mark.browser


def test_choose_a_photo_place_a_linkedin_square_pick_a_retouch_and_see_the_total(phone, site):
    alice = make_user_client("Alice Byrne-Okonkwo", "alice.byrne@byrne-cole.example")
    gallery = make_gallery(alice, title="Byrne-Okonkwo headshots, November", selection_limit=2)
    kinds = ["headshot", "portrait"]
    files = {f"IMG_20261120_{142 + n:04d}.jpg": drawn_jpeg(k, f"orders-{n}") for n, k in enumerate(kinds)}
    upload_camera_files(gallery, files)  # through the real pipeline (in process here)
    publishing.publish_gallery(gallery)
    linkedin = CropOption.objects.create(name="LinkedIn 1:1", ratio_width=1, ratio_height=1, order=1)
    CropOption.objects.create(name="Website banner 4:1", ratio_width=4, ratio_height=1, price=15, order=2)
    RetouchLevel.objects.create(name="Natural", order=1)
    polished = RetouchLevel.objects.create(name="Polished", price=Decimal("20.00"), order=2)
    first = gallery.photos.order_by("original_name").first()
    selection.set_favourite(gallery, first, chosen=True)
    sign_in(phone, site, alice)

    # From the photo she chose, to its crops and retouching.
    phone.goto(f"/portal/galleries/{gallery.public_id}/photos/{first.key}/")
    phone.get_by_role("link", name="Crops and retouching").click()
    phone.wait_for_url("**/orders/")
    assert has_no_horizontal_scroll(phone)
    assert axe_violations(phone) == []

    phone.get_by_role("checkbox", name="LinkedIn 1:1").check()
    frame = phone.locator(f"#frame-{linkedin.pk}")
    frame.wait_for(state="visible")
    before = crop_frame_values(phone, linkedin.pk)
    # The largest centred square: the whole of the photo's short side.
    assert before["left"] + before["width"] / 2 == pytest.approx(0.5, abs=1e-5)
    assert before["top"] + before["height"] / 2 == pytest.approx(0.5, abs=1e-5)
    assert 1 in (before["width"], before["height"])
    portrait = before["height"] < 1

    # Dragged to the left edge with the pointer...
    box = frame.bounding_box()
    start = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    phone.mouse.move(*start)
    phone.mouse.down()
    phone.mouse.move(start[0] - 30, start[1] - 30, steps=6)
    phone.mouse.move(start[0] - 400, start[1] - 600, steps=6)
    phone.mouse.up()
    dragged = crop_frame_values(phone, linkedin.pk)
    assert dragged["left"] == 0 and dragged["top"] == 0  # to the top left corner, kept inside the photo
    assert (dragged["width"], dragged["height"]) == (before["width"], before["height"])  # its ratio kept

    # ...then two steps along with the arrow keys.
    frame.focus()
    key, side = ("ArrowDown", "top") if portrait else ("ArrowRight", "left")
    phone.keyboard.press(key)
    phone.keyboard.press(key)
    moved = crop_frame_values(phone, linkedin.pk)
    assert moved[side] == pytest.approx(0.02)
    assert has_no_horizontal_scroll(phone)
    assert axe_violations(phone) == []

    phone.get_by_role("radio", name="Polished").check()
    phone.get_by_role("button", name="Save").click()
    phone.wait_for_url("**/review/")

    assert "LinkedIn 1:1; Polished retouching: £20.00" in phone.locator(".review-list").inner_text()
    assert "Crops and retouching: £20.00 in all" in phone.locator("#orders-total").inner_text()
    assert has_no_horizontal_scroll(phone)
    assert axe_violations(phone) == []
    square = CropOrder.objects.get(photo=first, option=linkedin)
    assert getattr(square, side) == pytest.approx(0.02, abs=1e-6)
    assert RetouchOrder.objects.get(photo=first).level == polished
