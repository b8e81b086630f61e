"""In the admin on a phone: the photographer changes the watermark and sees the sample proof with it
after saving; a delivered gallery's page shows the client's note and the download log."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client as DjangoClient

from galleries import delivery, selection
from galleries.models import Favourite, GallerySettings, Size
from tests.browser.conftest import axe_violations
from tests.browser.realistic import long_named_client, make_proof_gallery

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_staff(page, site: str) -> None:
    sam = get_user_model().objects.create_superuser("sam.carter", "sam.carter@northlight-studio.example", "pw")
    django = DjangoClient()
    django.force_login(sam)
    cookie = django.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": site}])


def test_the_photographer_moves_the_watermark_and_sees_it_on_the_sample(phone, site):
    GallerySettings.load().save()
    sign_in_staff(phone, site)

    phone.goto("/admin/galleries/gallerysettings/1/change/")
    sample = phone.get_by_role("img", name="A sample portrait as a proof")
    phone.wait_for_function("document.querySelector('.field-sample_proof img').naturalWidth === 960")
    assert "at the bottom right" in sample.get_attribute("alt")
    phone.get_by_label("Position").select_option("top-left")
    phone.get_by_label("Text").fill("Northlight Studio · Hackney")
    phone.get_by_role("button", name="Save and continue editing").click()

    assert "New proofs use it" in phone.locator(".messagelist").inner_text()
    phone.wait_for_function("document.querySelector('.field-sample_proof img').naturalWidth === 960")
    assert "“Northlight Studio · Hackney” at the top left" in sample.get_attribute("alt")
    assert sample.bounding_box()["width"] <= 375
    assert axe_violations(phone) == []


def test_a_delivered_gallerys_page_shows_the_note_and_the_downloads_on_a_phone(phone, site):
    client = long_named_client()
    gallery = make_proof_gallery(client, photos=4, limit=2)
    for photo in gallery.photos.order_by("order")[:2]:
        Favourite.objects.create(photo=photo, gallery=gallery)
    selection.submit_selection(gallery, note="Please keep the freckles, and warm the second one a little.")
    delivery.deliver(gallery)
    shot = gallery.photos.filter(delivered=True).order_by("order").first()
    delivery.record_download(
        gallery, client.user, photo=shot, file=shot.web, file_name="IMG_20261120_0142-web.jpg", size=Size.WEB
    )
    sign_in_staff(phone, site)

    phone.goto(f"/admin/galleries/gallery/{gallery.pk}/change/")

    box = phone.locator("#selection").inner_text()
    assert "Please keep the freckles, and warm the second one a little." in box
    assert "IMG_20261120_0142-web.jpg" in box and "(web size," in box
    assert axe_violations(phone) == []
