"""The proof viewer over the gallery grid, in a real browser on a phone and on a laptop: it opens
on the photo tapped, moves by swipe or arrow key, hearts and comments from its own toolbar and
caption, names the photo in the address, and the back button closes it onto the grid."""

import re
from decimal import Decimal

import pytest

from galleries.models import Comment, Favourite, Gallery
from tests.browser.conftest import axe_violations, save_screenshot
from tests.browser.realistic import long_named_client, make_proof_gallery, sign_in

pytestmark = pytest.mark.browser


def photo_path(gallery: Gallery, n: int) -> str:
    return f"/portal/galleries/{gallery.public_id}/photos/{gallery.photos.all()[n].key}/"


def tile(page, gallery: Gallery, n: int):
    return page.locator(f"#photo-{gallery.photos.all()[n].key}")


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] + box["height"] > 0 and box["y"] < page.viewport_size["height"]


@pytest.mark.parametrize("device", ["phone", "page"])
def test_the_viewer_moves_hearts_comments_and_goes_back_to_the_grid(request, site, device):
    browser_page = request.getfixturevalue(device)
    if device == "page":
        browser_page.set_viewport_size({"width": 1280, "height": 800})  # a common laptop screen
    width = browser_page.viewport_size["width"]
    client = long_named_client()
    gallery = make_proof_gallery(client, photos=18, limit=3, price_per_extra=Decimal("35.00"))
    sign_in(browser_page, site, client)
    grid_path = f"/portal/galleries/{gallery.public_id}/"
    browser_page.goto(grid_path)

    bar = browser_page.locator("#selection-bar")
    assert "0 of 3 chosen" in bar.inner_text()
    assert "£35.00 for each extra photo" in bar.inner_text()
    assert axe_violations(browser_page) == []

    # Opening the seventh photo (further down: the grid scrolls to it first).
    tile(browser_page, gallery, 6).scroll_into_view_if_needed()
    scrolled_to = browser_page.evaluate("window.scrollY")
    assert scrolled_to > 0
    tile(browser_page, gallery, 6).locator(".photo-link").click()
    viewer, ready = browser_page.locator(".pswp"), browser_page.locator(".pswp.is-ready")
    ready.wait_for()
    browser_page.wait_for_url(re.compile(re.escape(photo_path(gallery, 6)) + "$"))
    caption = browser_page.locator(".viewer-caption")
    assert "7 of 18" in caption.inner_text()
    assert "pswp--zoom-allowed" in viewer.get_attribute("class")  # the proof is larger than the screen: pinch or zoom
    assert gallery.photos.all()[6].original_name in caption.inner_text()
    # The proof comes from the access-checked view, never a public file.
    proof = ".pswp__item:not([aria-hidden=true]) img.pswp__img:not(.pswp__img--placeholder)"
    browser_page.wait_for_function(f"() => document.querySelector('{proof}')?.complete")
    src = browser_page.locator(proof).first.get_attribute("src")
    assert src.startswith(photo_path(gallery, 6) + "proof.jpg?v=")
    # Its neighbours' proofs are loaded before the client moves to them.
    for n in (5, 7):
        browser_page.locator(f'.pswp__item img.pswp__img[src^="{photo_path(gallery, n)}proof.jpg"]').wait_for()
    if device == "page":  # Escape closes it onto the grid where it was, and a click opens it again
        browser_page.keyboard.press("Escape")
        viewer.wait_for(state="detached")
        browser_page.wait_for_url(re.compile(re.escape(grid_path) + "$"))
        assert browser_page.evaluate("window.scrollY") == scrolled_to
        tile(browser_page, gallery, 6).locator(".photo-link").click()
        ready.wait_for()

    # To the next one: a swipe on the phone, the arrow key on the laptop.
    if device == "phone":
        middle = {"x": width / 2, "y": 300}
        browser_page.mouse.move(middle["x"] + 120, middle["y"])
        browser_page.mouse.down()
        for step in range(1, 9):
            browser_page.mouse.move(middle["x"] + 120 - step * 30, middle["y"])
        browser_page.mouse.up()
    else:
        browser_page.keyboard.press("ArrowRight")
    browser_page.wait_for_url(re.compile(re.escape(photo_path(gallery, 7)) + "$"))
    assert "8 of 18" in caption.inner_text()

    # The heart in the toolbar chooses it, and the count in the grid's bar follows.
    heart = browser_page.locator(".pswp__button--heart")
    assert heart.is_visible()
    heart.click()
    browser_page.locator(".pswp__button--heart[aria-pressed=true]").wait_for()
    assert Favourite.objects.filter(photo=gallery.photos.all()[7]).exists()
    assert tile(browser_page, gallery, 7).locator(".heart.is-chosen").count() == 1
    assert browser_page.locator("#selection-bar .js-chosen").inner_text() == "1"

    # A comment from the caption, saved for the photographer and shown at once.
    browser_page.fill("#viewer-comment-text", "Could you warm this one up a little?")
    browser_page.keyboard.press("ArrowRight")  # typing: the viewer stays on this photo
    assert browser_page.url.endswith(photo_path(gallery, 7))
    browser_page.get_by_role("button", name="Save comment").click()
    caption.locator(".comments", has_text="warm this one up").wait_for()
    assert Comment.objects.get(photo=gallery.photos.all()[7]).text == "Could you warm this one up a little?"
    assert caption.is_visible() and heart.is_visible()
    for control in (
        heart,
        browser_page.locator("#viewer-comment-text"),
        browser_page.get_by_role("button", name="Save comment"),
    ):
        box = control.bounding_box()  # on the screen, not below its fold
        assert box["y"] >= 0 and box["y"] + box["height"] <= browser_page.viewport_size["height"], box
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    assert axe_violations(browser_page) == []
    save_screenshot(browser_page, f"viewer-{width}.png", full_page=False)

    # The back button closes the viewer onto the grid, the photo it showed in view.
    browser_page.go_back()
    viewer.wait_for(state="detached")
    assert browser_page.url.endswith(grid_path)
    assert in_view(browser_page, tile(browser_page, gallery, 7))
    # Forward opens it again on the same photo.
    browser_page.go_forward()
    ready.wait_for()
    assert "8 of 18" in caption.inner_text()
    # Closing it takes its address off: the address is the grid's again.
    browser_page.get_by_role("button", name="Close the viewer").click()
    viewer.wait_for(state="detached")
    browser_page.wait_for_url(re.compile(re.escape(grid_path) + "$"))

    # A copied link of a photo opens that photo, as a plain page.
    browser_page.goto(photo_path(gallery, 7))
    assert gallery.photos.all()[7].original_name in browser_page.locator("h1").inner_text()
    assert "warm this one up" in browser_page.locator(".comments").inner_text()


def test_the_selection_bar_stays_in_view_and_its_notice_covers_no_photo(phone, site):
    client = long_named_client()
    gallery = make_proof_gallery(client, photos=12, limit=1)
    sign_in(phone, site, client)
    phone.goto(f"/portal/galleries/{gallery.public_id}/")
    hearts = phone.locator(".photo-tile .heart")

    hearts.nth(0).click()
    phone.locator(".js-chosen", has_text="1").first.wait_for()
    tile(phone, gallery, 9).scroll_into_view_if_needed()
    assert in_view(phone, phone.locator("#selection-bar"))
    assert phone.locator("#selection-bar").bounding_box()["y"] == pytest.approx(0, abs=1)

    phone.evaluate("window.scrollTo(0, 0)")
    hearts.nth(1).click()  # one more than the package includes, and no extras on offer
    notice = phone.locator("#toast", has_text="all your package includes")
    notice.wait_for()
    box = notice.bounding_box()
    for img in phone.locator(".photo-tile img").all()[:4]:
        photo = img.bounding_box()
        overlaps = not (
            photo["y"] >= box["y"] + box["height"] or photo["y"] + photo["height"] <= box["y"]
            or photo["x"] >= box["x"] + box["width"] or photo["x"] + photo["width"] <= box["x"]
        )  # fmt: skip
        assert not overlaps, (photo, box)
    assert axe_violations(phone) == []


def test_the_delivered_photos_open_in_the_same_viewer_with_their_downloads(phone, site):
    client = long_named_client()
    gallery = make_proof_gallery(client, photos=6, limit=3, status=Gallery.Status.DELIVERED)
    gallery.photos.update(delivered=True)
    sign_in(phone, site, client)
    phone.goto(f"/portal/galleries/{gallery.public_id}/")
    assert axe_violations(phone) == []

    tile(phone, gallery, 1).locator(".photo-link").click()
    phone.locator(".pswp.is-ready").wait_for()
    phone.wait_for_url(re.compile(re.escape(photo_path(gallery, 1)) + "$"))
    caption = phone.locator(".viewer-caption")
    assert "2 of 6" in caption.inner_text()
    assert phone.locator(".pswp__button--heart").count() == 0  # nothing to choose any more
    web = caption.get_by_role("link", name=f"Web size of {gallery.photos.all()[1].original_name}")
    assert web.get_attribute("href") == photo_path(gallery, 1) + "download/?size=web"
    src = phone.locator(".pswp__item:not([aria-hidden=true]) img.pswp__img:not(.pswp__img--placeholder)").first
    assert src.get_attribute("src").startswith(photo_path(gallery, 1) + "web.jpg?v=")
    assert axe_violations(phone) == []


def test_without_javascript_the_tiles_open_the_photos_page_and_the_selection_still_sends(browser, site):
    context = browser.new_context(viewport={"width": 375, "height": 812}, base_url=site, java_script_enabled=False)
    plain = context.new_page()
    client = long_named_client()
    gallery = make_proof_gallery(client, photos=6, limit=2)
    sign_in(plain, site, client)
    plain.goto(f"/portal/galleries/{gallery.public_id}/")

    tile(plain, gallery, 2).locator(".photo-link").click()
    plain.wait_for_url(re.compile(re.escape(photo_path(gallery, 2)) + "$"))
    assert gallery.photos.all()[2].original_name in plain.locator("h1").inner_text()
    plain.locator(".viewer-foot .heart").click()  # a plain form: the page comes back with it chosen
    plain.locator(".viewer-foot .heart.is-chosen").wait_for()

    plain.goto(f"/portal/galleries/{gallery.public_id}/review/")
    plain.fill("#note", "Bright and natural, please.")
    plain.get_by_label("send them and lock my choice").check()
    plain.get_by_role("button", name="Send my selection").click()
    assert "Selection received" in plain.locator("main").inner_text()
    assert gallery.selections.get().note == "Bright and natural, please."
    context.close()


def test_the_viewer_runs_under_the_sites_content_security_policy(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=site)  # the real policy
    strict = context.new_page()
    refused = []
    strict.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    client = long_named_client()
    gallery = make_proof_gallery(client, photos=4, limit=2)
    sign_in(strict, site, client)
    strict.goto(f"/portal/galleries/{gallery.public_id}/")

    tile(strict, gallery, 0).locator(".photo-link").click()
    strict.locator(".pswp.is-ready").wait_for()
    strict.get_by_role("button", name=f"Choose {gallery.photos.all()[0].original_name}").last.click()
    strict.locator(".pswp__button--heart[aria-pressed=true]").wait_for()

    assert refused == []
    context.close()
