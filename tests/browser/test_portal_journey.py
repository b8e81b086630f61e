"""The client's side of a gallery in a real browser, with the photographer in the middle:
sign in by the emailed link, choose up to the limit, comment, send; the studio copies the names
and delivers; the client downloads the zip."""

import io
import re
import zipfile

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.base import ContentFile
from PIL import Image

from galleries import photos, publishing
from galleries.models import Download, Gallery
from photostudio.demo_drawings import drawn_jpeg
from tests.browser.conftest import BYPASS_CSP, axe_violations, has_no_horizontal_scroll, save_screenshot
from tests.factories import make_gallery, make_user_client

pytestmark = pytest.mark.browser


def upscaled(jpeg: bytes, factor: float) -> bytes:
    with Image.open(io.BytesIO(jpeg)) as picture:
        big = picture.resize((round(picture.width * factor), round(picture.height * factor)))
    out = io.BytesIO()
    big.save(out, "JPEG", quality=90)
    return out.getvalue()


def test_choose_send_deliver_and_download(browser, site, phone, tmp_path):
    alice = make_user_client("Alice Byrne", "alice@example.com")
    gallery = make_gallery(alice, title="Headshots at the studio", selection_limit=2)
    for n in range(6):  # studio-like pictures, through the real pipeline (in-process here)
        upload = ContentFile(drawn_jpeg("portrait" if n % 3 == 2 else "headshot", f"journey-{n}"))
        if n == 0:  # one at a camera's size (3000 × 3750), so its web size (2048 long) is its own
            upload = ContentFile(upscaled(upload.read(), 3.125))
        upload.name, upload.size = f"DSC_{n:04d}.jpg", len(upload)
        photos.add_photos(gallery, [upload])
    publishing.publish_gallery(gallery)
    get_user_model().objects.create_superuser("sam", "sam@example.com", "a-long-test-password")

    # Alice opens the link in her email, on her phone.
    invitation = next(m for m in mail.outbox if m.to == ["alice@example.com"])
    link = re.search(rf"{re.escape(site)}/portal/login/link/\S+", invitation.body).group(0)
    phone.goto(link)  # a page with a Continue button: opening the link (as mail scanners do) spends nothing
    assert "You're signing in as Alice Byrne" in phone.locator("main").inner_text()
    assert has_no_horizontal_scroll(phone)
    assert axe_violations(phone) == []
    phone.get_by_role("button", name="Continue").click()
    phone.wait_for_url(f"**/portal/galleries/{gallery.public_id}/")
    phone.locator(".photo-tile img").first.wait_for()
    assert has_no_horizontal_scroll(phone)
    assert axe_violations(phone) == []

    hearts = phone.locator(".photo-tile .heart")
    hearts.nth(0).click()
    phone.locator(".js-chosen", has_text="1").first.wait_for()
    hearts.nth(1).click()
    phone.locator(".js-chosen", has_text="2").first.wait_for()
    hearts.nth(2).click()  # one more than the package includes
    phone.locator("#toast", has_text="all your package includes").wait_for()
    assert phone.locator(".heart.is-chosen").count() == 2

    # A comment on the photo's own page (the viewer over the grid has tests of its own); the arrow key moves on.
    phone.goto(phone.locator(".photo-link").first.get_attribute("href"))
    phone.fill("#comment-text", "Can you soften the background?")
    phone.get_by_role("button", name="Save comment").click()
    assert "Can you soften the background?" in phone.locator(".comments").inner_text()
    assert axe_violations(phone) == []
    phone.keyboard.press("ArrowRight")
    phone.wait_for_url("**/photos/**")
    assert "2 of 6" in phone.locator(".viewer-bar").inner_text()

    # On her laptop (the same session) she reviews and sends the selection.
    laptop = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=site, **BYPASS_CSP)
    laptop.add_cookies(phone.context.cookies())
    desk = laptop.new_page()
    desk.goto(f"/portal/galleries/{gallery.public_id}/")
    assert has_no_horizontal_scroll(desk)
    assert axe_violations(desk) == []
    save_screenshot(desk, "gallery-1280.png")
    desk.get_by_role("link", name="Review and send").click()
    assert axe_violations(desk) == []
    desk.get_by_label("A note for the photographer").fill("DSC_0001 is for the company site: keep it bright.")
    desk.get_by_label("send them and lock my choice").check()
    desk.get_by_role("button", name="Send my selection").click()
    assert "Selection received" in desk.locator("main").inner_text()
    gallery.refresh_from_db()
    assert gallery.status == Gallery.Status.SELECTION_SUBMITTED
    # Her receipt names the photos she chose and repeats her note; the photographer's email has the note.
    receipt = next(m for m in mail.outbox if m.to == ["alice@example.com"] and "Your selection" in m.subject)
    assert "- DSC_0000.jpg\n- DSC_0001.jpg\n" in receipt.body
    assert "DSC_0001 is for the company site: keep it bright." in receipt.body
    told = next(m for m in mail.outbox if m.to == [settings.STUDIO_EMAIL] and m is not receipt and "DSC_0001" in m.body)
    assert "keep it bright" in told.body

    # The photographer copies the file names and delivers.
    studio = browser.new_context(base_url=site, **BYPASS_CSP)
    studio.grant_permissions(["clipboard-read", "clipboard-write"])
    admin = studio.new_page()
    admin.goto(f"/admin/login/?next=/admin/galleries/gallery/{gallery.pk}/change/")
    admin.fill("#id_username", "sam")
    admin.fill("#id_password", "a-long-test-password")
    admin.get_by_role("button", name="Log in").click()
    admin.get_by_role("button", name="Copy file names").click()
    assert admin.evaluate("navigator.clipboard.readText()") == "DSC_0000 OR DSC_0001"
    admin.get_by_role("button", name="Deliver and email Alice Byrne").click()
    assert "Delivered 2 photo(s)" in admin.locator(".messagelist").inner_text()

    # Alice downloads one photo at full size and at web size, on her phone and on her laptop.
    for device in (phone, desk):
        device.goto(f"/portal/galleries/{gallery.public_id}/")
        assert axe_violations(device) == []
        for size, long_edge in (("Full size", 3750), ("Web size", 2048)):
            with device.expect_download() as download:
                device.get_by_role("link", name=f"{size} of DSC_0000.jpg").click()
            saved = tmp_path / f"{size}-{device.viewport_size['width']}.jpg"
            download.value.save_as(saved)
            with Image.open(saved) as picture:
                assert (picture.format, max(picture.size)) == ("JPEG", long_edge), (size, device.viewport_size)
    logged = Download.objects.filter(gallery=gallery, photo__isnull=False).values_list("size", flat=True)
    assert sorted(logged) == ["full", "full", "web", "web"]

    # And everything as one zip.
    desk.goto(f"/portal/galleries/{gallery.public_id}/")
    assert axe_violations(desk) == []
    desk.get_by_role("button", name="Download everything as a zip").click()
    assert axe_violations(desk) == []
    with desk.expect_download() as download:
        desk.get_by_role("link", name="Download the zip").click()
    path = tmp_path / "photos.zip"
    download.value.save_as(path)
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["DSC_0000.jpg", "DSC_0001.jpg"]
        assert zf.read("DSC_0000.jpg")[:2] == b"\xff\xd8"  # the full-size original, a JPEG
    laptop.close()
    studio.close()


def test_the_sign_in_and_dashboard_pages_are_accessible(phone, page):
    alice = make_user_client("Alice Byrne", "alice@example.com")
    for p in (phone, page):
        p.goto("/portal/login/")
        assert axe_violations(p) == []
        p.fill("#email", "alice@example.com")
        p.get_by_role("button", name="Email me a sign-in link").click()
        assert "Check your email" in p.locator("main").inner_text()
        assert axe_violations(p) == []
    link = re.search(r"http\S+/portal/login/link/\S+", mail.outbox[-1].body).group(0)
    phone.goto(link)
    assert axe_violations(phone) == []
    phone.get_by_role("button", name="Continue").click()
    assert "Hello Alice Byrne" in phone.locator("main").inner_text()
    assert axe_violations(phone) == []
    assert alice.user.is_authenticated


def test_an_expired_gallery_shows_a_plain_accessible_page(phone):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import make_ready_gallery

    alice = make_user_client("Alice Byrne", "alice@example.com")
    gallery = make_ready_gallery(alice, expires_on=timezone.localdate() - timedelta(days=1))
    phone.goto(re.sub(r"^https?://[^/]+", "", _sign_in(alice, gallery)))
    phone.get_by_role("button", name="Continue").click()

    assert "This gallery has expired" in phone.locator("main").inner_text()
    assert axe_violations(phone) == []


def _sign_in(client, gallery) -> str:
    from galleries.accounts import sign_in_url

    return sign_in_url(client, next_url=gallery.get_absolute_url())
