"""Every journey on a 375 px phone with data as real clients bring it: camera file names, a long
double-barrelled name and work address, a 60-photo shoot.

No page may be wider than the phone: the `phone` fixture checks every page these journeys show
(see PhoneWidthGuard in conftest.py), so the assertions here are about what the client sees.
"""

import re

import pytest
from django.core import mail

from bookings.models import Booking, SessionType
from galleries import delivery
from galleries.models import Favourite, Gallery
from tests.browser.conftest import (
    answer_the_guide_for_a_portrait_at_work,
    assert_fits_the_phone,
    axe_violations,
    save_screenshot,
)
from tests.browser.realistic import LONG_EMAIL, LONG_NAME, long_named_client, make_proof_gallery, sign_in
from tests.factories import local, make_booking

pytestmark = pytest.mark.browser

# Where each tile, its picture and the end of its file name are on the page, before anything
# scrolls (so the lazy thumbnails below the fold have not loaded); then each heart is scrolled into
# view and hit-tested, so one covered by anything counts as hidden.
TILES_JS = """() => {
  const box = (el) => { const r = el.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top + window.scrollY, width: r.width, height: r.height}; };
  const tiles = [...document.querySelectorAll('.photo-tile')].map((tile) => {
    const img = tile.querySelector('img');
    const tail = tile.querySelector('.photo-name__tail');
    return {tile: box(tile), tail: tail && box(tail),
            picture: {...box(img), loaded: img.complete && img.naturalWidth > 0,
                      ratio: img.getAttribute('height') / img.getAttribute('width')}};
  });
  document.querySelectorAll('.photo-tile .heart').forEach((heart, n) => {
    heart.scrollIntoView({block: 'center', behavior: 'instant'});
    const r = heart.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    tiles[n].heart = {...box(heart), inView: r.top >= 0 && r.bottom <= window.innerHeight, onTop: heart.contains(hit)};
  });
  return tiles;
}"""


def test_a_sixty_photo_gallery_of_camera_files_shows_two_full_columns_and_every_heart_on_a_phone(phone, site):
    client = long_named_client()
    gallery = make_proof_gallery(client, photos=60)
    for photo in gallery.photos.all()[1:3]:
        Favourite.objects.create(gallery=gallery, photo=photo)
    sign_in(phone, site, client)

    phone.goto(f"/portal/galleries/{gallery.public_id}/")
    tiles = phone.evaluate(TILES_JS)

    assert len(tiles) == 60
    width = phone.viewport_size["width"]
    columns = sorted({round(t["tile"]["left"]) for t in tiles})
    assert len(columns) == 2, f"tiles start at {columns}"
    rows = {}
    for t in tiles:
        rows.setdefault(round(t["tile"]["top"]), []).append(t)
    assert [len(row) for row in rows.values()] == [2] * 30
    for n, t in enumerate(tiles):
        assert t["tile"]["left"] >= 0 and t["tile"]["right"] <= width, f"tile {n} is cut off: {t['tile']}"
        heart = t["heart"]
        assert heart["left"] >= 0 and heart["right"] <= min(width, t["tile"]["right"] + 0.5), f"heart {n}: {heart}"
        assert heart["width"] >= 44 and heart["height"] >= 44, f"heart {n} is too small to tap: {heart}"
        assert heart["inView"] and heart["onTop"], f"heart {n} is hidden: {heart}"
        assert t["tail"] and t["tail"]["right"] <= t["tile"]["right"], (
            f"the end of file name {n} (its frame number) is cut off"
        )
    # Tiles keep their final shape before their thumbnail arrives (lazy ones below the fold have not).
    assert any(not t["picture"]["loaded"] for t in tiles)
    for n, t in enumerate(tiles):
        picture = t["picture"]
        assert picture["height"] == pytest.approx(picture["width"] * picture["ratio"], abs=1.5), (
            f"tile {n} is {picture['height']:.0f} px high with {'its' if picture['loaded'] else 'no'} thumbnail"
        )

    phone.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")
    phone.wait_for_function("[...document.querySelectorAll('.photo-tile img')].slice(0, 4).every(i => i.complete)")
    save_screenshot(phone, "gallery-375.png", full_page=False)
    assert axe_violations(phone) == []


def test_a_visitor_on_a_phone_reads_each_session_takes_the_guide_and_books(phone, studio):
    phone.goto("/")
    for slug in SessionType.objects.filter(is_active=True).values_list("slug", flat=True):
        phone.goto(f"/sessions/{slug}/")
        assert phone.get_by_role("link", name="Book this session").is_visible()

    phone.goto("/guide/")
    answer_the_guide_for_a_portrait_at_work(phone)
    recommendation = phone.locator("#recommendation")
    assert "We recommend: a portrait session" in recommendation.inner_text()
    recommendation.get_by_role("link", name="Book this session").click()
    phone.wait_for_url("**/book/?type=portrait&location=on_location")
    assert phone.get_by_label("On location").is_checked()  # "at my workplace" carried over

    # Sent with a mistyped address first: the form comes back with the error, still fitting the screen.
    phone.locator("#times label").first.click()
    phone.fill("#id_name", LONG_NAME)
    phone.fill("#id_email", "maximiliana.oyelaran-fitzgerald@")
    phone.get_by_role("button", name="Send booking request").click()
    assert "Please check the fields marked below" in phone.locator(".alert-danger").inner_text()
    assert axe_violations(phone) == []

    phone.fill("#id_email", LONG_EMAIL)
    phone.fill("#id_company", "Oyelaran-Fitzgerald Partners")
    phone.fill("#id_address", "Oyelaran-Fitzgerald Partners, 14 Canal Wharf, Leeds LS11 5PS")
    phone.fill("#id_purpose", "Team page, LinkedIn and the speaker bio for DevConf 2026")
    if not phone.locator("#times input:checked").count():
        phone.locator("#times label").first.click()
    phone.get_by_role("button", name="Send booking request").click()
    phone.wait_for_url("**/book/requested/**")
    booking = Booking.objects.get()
    assert booking.client.name == LONG_NAME
    assert LONG_EMAIL in phone.locator("main").inner_text()
    assert axe_violations(phone) == []

    phone.get_by_role("link", name="See or change your booking").click()
    assert booking.reference in phone.locator(".booking-summary").inner_text()
    phone.get_by_role("link", name="Move to another time").click()
    # Once the page's script has drawn the times (the day may have none left late in the afternoon).
    phone.wait_for_load_state("networkidle")
    assert_fits_the_phone(phone)


def test_a_client_on_a_phone_chooses_reviews_and_downloads_a_shoot_of_camera_files(phone, site):
    client = long_named_client()
    make_booking(start=local(days=6, hour=11), name=LONG_NAME, email=LONG_EMAIL, company="Oyelaran-Fitzgerald Partners")
    gallery = make_proof_gallery(client, photos=60, limit=3)

    phone.goto("/portal/login/")
    phone.fill("#email", LONG_EMAIL)
    phone.get_by_role("button", name="Email me a sign-in link").click()
    assert "Check your email" in phone.locator("main").inner_text()
    sign_in(phone, site, client)

    phone.goto("/portal/")
    assert LONG_NAME in phone.locator("h1").inner_text()
    phone.get_by_role("link", name="Choose your photos").click()
    hearts = phone.locator(".photo-tile .heart")
    for n in (0, 3, 7):
        hearts.nth(n).click()
        phone.locator(".js-chosen", has_text=str([0, 3, 7].index(n) + 1)).first.wait_for()
    phone.get_by_role("link", name="Favourites only").click()
    assert phone.locator(".photo-tile").count() == 3

    # The viewer has the photo's shape before the proof arrives (held back here), so nothing jumps.
    held = []
    phone.route(re.compile(r"/proof[^/]*$"), lambda route: held.append(route))
    phone.goto(phone.locator(".photo-link").first.get_attribute("href"), wait_until="domcontentloaded")
    viewer = phone.locator(".viewer-img")
    viewer.wait_for(state="attached")
    # Measured once the page's own stylesheets apply (under load they can arrive after the markup).
    phone.wait_for_function("[...document.querySelectorAll('link[rel=stylesheet]')].every(link => link.sheet)")
    box = viewer.bounding_box()
    ratio = int(viewer.get_attribute("height")) / int(viewer.get_attribute("width"))
    assert box["width"] > 0 and box["height"] == pytest.approx(box["width"] * ratio, abs=1.5), box
    for route in held:
        route.continue_()
    phone.unroute(re.compile(r"/proof[^/]*$"))
    phone.wait_for_function("document.querySelector('.viewer-img').complete")
    assert viewer.bounding_box() == box

    # A comment holding an address that has nowhere to break.
    phone.fill(
        "#comment-text", "Crop like https://www.linkedin.com/in/maximiliana-oyelaran-fitzgerald-de-la-cruz-0142/"
    )
    phone.get_by_role("button", name="Save comment").click()
    assert "maximiliana-oyelaran" in phone.locator(".comments").inner_text()
    assert axe_violations(phone) == []

    phone.goto(f"/portal/galleries/{gallery.public_id}/review/")
    assert "IMG_20261120_0142.jpg" in phone.locator("main").inner_text()
    assert axe_violations(phone) == []
    phone.get_by_label("A note for the photographer").fill("The PXL one is for LinkedIn: a square crop, please.")
    phone.get_by_label("send them and lock my choice").check()
    phone.get_by_role("button", name="Send my selection").click()
    assert "Selection received" in phone.locator("main").inner_text()
    receipt = next(m for m in mail.outbox if m.to == [LONG_EMAIL] and "Your selection" in m.subject)
    assert "- IMG_20261120_0142.jpg\n" in receipt.body
    assert "The PXL one is for LinkedIn: a square crop, please." in receipt.body

    # The studio delivers the chosen originals; the client downloads them, one by one or as a zip.
    delivery.deliver(gallery)
    gallery.refresh_from_db()
    assert gallery.status == Gallery.Status.DELIVERED
    phone.goto(f"/portal/galleries/{gallery.public_id}/")
    finals = phone.locator(".finals").inner_text()
    for name in ("IMG_20261120_0142.jpg", "PXL_20261120_100145347.PORTRAIT.jpg", "2026-11-20 Bob Mensah 0149.jpg"):
        assert name in finals
    assert "DSC_0144-Edit-Final-v2-Bob-Mensah-LinkedIn.jpg" not in finals
    phone.get_by_role("button", name="Download everything as a zip").click()
    phone.locator("#zip-download").wait_for()
    assert axe_violations(phone) == []


@pytest.mark.parametrize(
    ("viewport", "mobile", "expected"),
    [({"width": 375, "height": 812}, True, "thumb"), ({"width": 1280, "height": 800}, False, "thumb_2x")],
)
def test_a_sharp_screen_takes_the_thumbnail_its_tile_needs_and_no_bigger(browser, site, viewport, mobile, expected):
    """A 375 px phone at twice the pixels shows two columns of about 180 px: the 480 px thumbnail is
    sharp there; a laptop's wider tiles at twice the pixels take the 960 px one."""
    client = long_named_client()
    gallery = make_proof_gallery(client, photos=4)
    context = browser.new_context(viewport=viewport, device_scale_factor=2, is_mobile=mobile, base_url=site)
    try:
        page = context.new_page()
        sign_in(page, site, client)
        page.goto(f"/portal/galleries/{gallery.public_id}/")
        first = page.locator(".photo-tile img").first
        page.wait_for_function("img => img.complete && img.currentSrc", arg=first.element_handle())
        photo = gallery.photos.order_by("order").first()
        assert first.evaluate("img => new URL(img.currentSrc).pathname") == getattr(photo, expected).url
    finally:
        context.close()
