"""A 150-photo shoot on a 375 px phone: the first response carries 60 tiles and loads only the
thumbnails near the first screen; scrolling brings the rest a page at a time; a heart on a tile that
came with the second page saves and counts; the viewer opens on it; the favourites filter shows
exactly the chosen ones."""

import re

import pytest

from galleries.gallery_pages import PAGE_SIZE
from galleries.models import Favourite, Photo
from tests.browser.realistic import long_named_client, make_proof_gallery, sign_in

pytestmark = pytest.mark.browser

# Chromium fetches a lazy image once it is within this distance below the screen on a 4G connection
# (2,500 px on slower or unknown ones): what "near the first screen" means for loading="lazy".
LAZY_MARGIN = 1250


def test_a_150_photo_shoot_loads_a_page_at_a_time_as_the_client_scrolls(phone, site):
    client = long_named_client()
    gallery = make_proof_gallery(client, photos=150, limit=10)
    keys = list(gallery.photos.order_by(*Photo.ORDER).values_list("key", flat=True))
    sign_in(phone, site, client)
    thumbnails = []
    phone.on("request", lambda r: r.resource_type == "image" and "/media/" in r.url and thumbnails.append(r.url))

    # A phone on 4G (Chromium's lazy loading reaches further ahead on slower or unknown connections).
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 20, "downloadThroughput": 12_000_000 / 8, "uploadThroughput": 4_000_000 / 8,
        "connectionType": "cellular4g",
    })  # fmt: skip

    phone.goto(f"/portal/galleries/{gallery.public_id}/")
    phone.wait_for_load_state("networkidle")

    assert phone.locator(".photo-tile").count() == PAGE_SIZE
    assert phone.get_by_role("link", name="More photos").count() == 1  # far below: the next page waits for it
    # Before any scrolling: only the thumbnails of tiles on or near the first screen, none further down.
    tiles = phone.evaluate(
        """[...document.querySelectorAll('.photo-tile img')].map((img) => ({
             top: img.getBoundingClientRect().top,
             candidates: img.srcset.split(',').map((c) => new URL(c.trim().split(' ')[0], location.href).href)}))"""
    )
    fetched = [t["top"] for t in tiles if set(t["candidates"]) & set(thumbnails)]
    screen = phone.viewport_size["height"]
    assert len(thumbnails) == len(fetched), "one thumbnail a tile, of the size the tile needs"
    assert all(set(t["candidates"]) & set(thumbnails) for t in tiles if t["top"] < screen), "the first screen loads"
    assert max(fetched) < screen + LAZY_MARGIN, f"a thumbnail far below the screen was fetched: {fetched}"
    assert len(fetched) <= 24, f"{len(fetched)} of the page's {PAGE_SIZE} thumbnails fetched before scrolling"

    # Scrolling to the end brings the other 90, in order, each once.
    for _ in range(20):
        if phone.locator(".photo-tile").count() == 150:
            break
        phone.mouse.wheel(0, 4000)
        phone.wait_for_timeout(250)
    phone.wait_for_function("document.querySelectorAll('.photo-tile').length === 150")
    shown = phone.evaluate("[...document.querySelectorAll('.photo-tile')].map(t => t.id.replace('photo-', ''))")
    assert shown == keys
    assert phone.locator("#more-photos").count() == 0
    # At the end of the shoot, the selection bar (count, "Review and send") is still in view.
    bar = phone.locator("#selection-bar").bounding_box()
    assert phone.evaluate("window.scrollY") > 10 * screen  # far down the shoot
    assert bar["y"] >= 0 and bar["y"] + bar["height"] <= screen, bar
    assert phone.get_by_role("link", name="Review and send").is_visible()

    # A heart on a tile that came with the second page: saved, and the bar's count follows.
    second_page = phone.locator(f"#photo-{keys[75]}")
    second_page.scroll_into_view_if_needed()
    second_page.locator(".heart").click()
    phone.locator(f"#photo-{keys[75]} .heart.is-chosen").wait_for()
    phone.wait_for_function("document.querySelector('.js-chosen').textContent.trim() === '1'")
    assert Favourite.objects.filter(photo__key=keys[75]).exists()
    assert "1 of 10" in phone.locator("#selection-bar").inner_text()
    phone.locator(f"#photo-{keys[3]} .heart").scroll_into_view_if_needed()
    phone.locator(f"#photo-{keys[3]} .heart").click()
    phone.wait_for_function("document.querySelector('.js-chosen').textContent.trim() === '2'")

    # The viewer opens on an appended tile and counts the whole shoot.
    second_page.locator(".photo-link").click()
    caption = phone.locator(".viewer-caption__name")
    caption.wait_for()
    assert re.match(r"76 of 150 · ", caption.inner_text())
    heart = phone.locator(".pswp__button--heart")
    assert heart.get_attribute("aria-pressed") == "true"
    phone.locator(".pswp.is-ready").wait_for()
    phone.go_back()  # the back button closes it onto the grid
    phone.locator(".pswp").wait_for(state="detached")

    # Favourites only: exactly the two chosen, in the shoot's order.
    phone.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")
    phone.get_by_role("link", name="Favourites only").click()
    phone.wait_for_url(re.compile(r"\?show=favourites$"))
    chosen = phone.evaluate("[...document.querySelectorAll('.photo-tile')].map(t => t.id.replace('photo-', ''))")
    assert chosen == [keys[3], keys[75]]
    assert phone.locator("#more-photos").count() == 0


def test_without_javascript_more_photos_is_a_link_and_a_heart_there_comes_back_to_its_page(browser, site):
    context = browser.new_context(viewport={"width": 375, "height": 812}, base_url=site, java_script_enabled=False)
    plain = context.new_page()
    client = long_named_client()
    gallery = make_proof_gallery(client, photos=70, limit=10)
    keys = list(gallery.photos.order_by(*Photo.ORDER).values_list("key", flat=True))
    sign_in(plain, site, client)
    plain.goto(f"/portal/galleries/{gallery.public_id}/")

    plain.get_by_role("link", name="More photos").click()
    plain.wait_for_url(re.compile(r"\?page=2$"))
    shown = plain.evaluate("[...document.querySelectorAll('.photo-tile')].map(t => t.id.replace('photo-', ''))")
    assert shown == keys[PAGE_SIZE:]
    plain.locator(f"#photo-{keys[65]} .heart").click()  # the grid's form, posted to this photo's address

    plain.wait_for_url(re.compile(rf"\?page=2#photo-{keys[65]}$"))
    assert plain.locator(f"#photo-{keys[65]} .heart.is-chosen").count() == 1
    assert "1 of 10" in plain.locator("#selection-bar").inner_text()
    assert Favourite.objects.filter(photo__key=keys[65]).exists()
    context.close()
