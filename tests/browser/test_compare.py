"""Near-identical frames and the compare page in a real browser: the grid shows a burst as one tile
with its count, its page offers to compare the frames, the compare page zooms and pans every frame
together and hearts one in place; on a 375 px phone it shows two at a time, and a side can be swapped
with its buttons or a swipe. Every page fits the phone and is axe clean (the guards check each)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from galleries import photos
from galleries.models import Favourite, Photo
from tests.browser.conftest import axe_violations
from tests.browser.realistic import long_named_client, make_proof_gallery, sign_in

pytestmark = pytest.mark.browser

TAKEN = datetime(2026, 11, 20, 14, 2, 11, tzinfo=ZoneInfo("Europe/London"))


def shoot_with_a_burst(client):
    """Eight proofs; the first four a burst of one pose (a second apart, hashes a bit or two apart)."""
    gallery = make_proof_gallery(client, photos=8, limit=3)
    rows = list(gallery.photos.order_by("order"))
    for n, photo in enumerate(rows):
        photo.captured_at = TAKEN + timedelta(seconds=n if n < 4 else 60 * n)
        photo.phash = f"{0xC3C3A5A50F0F9696 ^ (n % 4):016x}" if n < 4 else f"{0x3C3C5A5AF0F06969 ^ n:016x}"
    Photo.objects.bulk_update(rows, ["captured_at", "phash"])
    photos.regroup_frames(gallery.pk)
    return gallery, rows


def transforms(page) -> list[str]:
    return page.eval_on_selector_all(
        ".compare-pane:not([hidden]) .compare-img", "els => els.map(e => getComputedStyle(e).transform)"
    )


def scale_of(matrix: str) -> float:
    return float(matrix.removeprefix("matrix(").split(",")[0]) if matrix.startswith("matrix(") else 1.0


def test_a_burst_opens_into_its_frames_and_compares_them_zoomed_together_on_a_laptop_and_a_phone(page, new_phone, site):
    client = long_named_client()
    gallery, frames = shoot_with_a_burst(client)
    sign_in(page, site, client)

    # The grid: the burst is one tile saying how many frames it holds.
    page.goto(f"/portal/galleries/{gallery.public_id}/")
    assert page.locator(".photo-tile").count() == 5
    link = page.get_by_role("link", name="4 similar frames")
    link.click()
    page.wait_for_url(f"**/photos/{frames[0].key}/similar/")
    assert page.locator(".similar-frame").count() == 4
    assert axe_violations(page) == []

    # Compare these: all four side by side.
    page.get_by_role("button", name="Compare these").click()
    page.wait_for_url("**/compare/?photo=*")
    panes = page.locator(".compare-pane")
    assert panes.count() == 4
    page.wait_for_function(
        "() => [...document.querySelectorAll('.compare-img')].every(i => i.complete && i.naturalWidth)"
    )
    assert all(scale_of(t) == 1.0 for t in transforms(page))

    # Zoom in on one frame (the wheel over it): every frame zooms the same.
    first_view = page.locator(".compare-view").first
    first_view.hover()
    page.mouse.wheel(0, -200)
    page.mouse.wheel(0, -200)
    page.wait_for_function("() => Number(document.getElementById('compare').dataset.zoom) > 1.2")
    zoomed = transforms(page)
    assert len(set(zoomed)) == 1 and scale_of(zoomed[0]) > 1.2
    # The buttons and the arrow keys do the same for every frame.
    page.get_by_role("button", name="Zoom in").click()
    page.locator(".compare-view").nth(2).focus()
    page.keyboard.press("ArrowLeft")
    moved = transforms(page)
    assert len(set(moved)) == 1 and moved != zoomed
    assert scale_of(moved[0]) > scale_of(zoomed[0])
    page.get_by_role("button", name="Fit").click()
    assert all(scale_of(t) == 1.0 for t in transforms(page))

    # A heart on the second frame chooses it in place.
    second = panes.nth(1)
    second.get_by_role("button", name=f"Choose {frames[1].original_name}").click()
    second.locator(".heart[aria-pressed=true]").wait_for()
    assert page.url.endswith("&photo=" + frames[3].key)  # still the same comparison
    assert page.locator(".js-chosen").first.inner_text() == "1"
    assert Favourite.objects.filter(photo=frames[1]).exists()
    assert axe_violations(page) == []

    # On a phone: two at a time, each side swapped by its buttons or a swipe.
    phone = new_phone()
    sign_in(phone, site, client)
    phone.goto(f"/portal/galleries/{gallery.public_id}/")  # the grid's tiles and the group's page fit too
    phone.get_by_role("link", name="4 similar frames").click()
    phone.wait_for_url(f"**/photos/{frames[0].key}/similar/")
    assert axe_violations(phone) == []
    phone.goto(page.url)
    shown = phone.locator(".compare-pane:not([hidden])")
    assert shown.count() == 2
    status = phone.locator("#compare-status")

    def names_shown() -> list[str]:  # left to right, as on the screen
        panes = [shown.nth(i) for i in range(shown.count())]
        return [p.get_attribute("data-name") for p in sorted(panes, key=lambda p: p.bounding_box()["x"])]

    assert names_shown() == [frames[0].original_name, frames[1].original_name]
    assert (
        f"Showing {frames[0].original_name} on the left and {frames[1].original_name} on the right"
        in status.inner_text()
    )
    phone.get_by_role("button", name="Next frame on the right").click()
    assert names_shown() == [frames[0].original_name, frames[2].original_name]
    assert frames[2].original_name in status.inner_text()

    left = phone.locator(".compare-pane:not([hidden]) .compare-view").first
    box = left.bounding_box()
    y = box["y"] + box["height"] / 2
    left.dispatch_event(
        "pointerdown", {"pointerId": 7, "clientX": box["x"] + box["width"] - 10, "clientY": y, "isPrimary": True}
    )
    left.dispatch_event("pointermove", {"pointerId": 7, "clientX": box["x"] + 20, "clientY": y, "isPrimary": True})
    left.dispatch_event("pointerup", {"pointerId": 7, "clientX": box["x"] + 10, "clientY": y, "isPrimary": True})
    assert names_shown() == [frames[1].original_name, frames[2].original_name]
    phone.get_by_role("button", name="Next frame on the left").click()  # the right's frame is skipped
    assert names_shown() == [frames[3].original_name, frames[2].original_name]
    assert f"Showing {frames[3].original_name} on the left" in status.inner_text()

    # Zoom on the phone reaches both sides too.
    phone.get_by_role("button", name="Zoom in").click()
    both = transforms(phone)
    assert len(both) == 2 and len(set(both)) == 1 and scale_of(both[0]) > 1
    assert axe_violations(phone) == []
