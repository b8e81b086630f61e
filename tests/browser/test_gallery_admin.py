"""The photographer uploads a shoot in the admin and watches it being processed, then publishes."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from galleries.models import Gallery, Photo
from tests.browser.conftest import axe_violations
from tests.factories import jpeg_bytes, make_gallery

pytestmark = pytest.mark.browser


def test_drop_photos_watch_the_progress_then_publish(page, tmp_path):
    get_user_model().objects.create_superuser("sam", "sam@example.com", "a-long-test-password")
    gallery = make_gallery()
    files = []
    for n in range(5):
        path = tmp_path / f"DSC_{n:04d}.jpg"
        path.write_bytes(jpeg_bytes(seed=n + 1))
        files.append(str(path))
    (tmp_path / "notes.jpg").write_text("not a photo")
    files.append(str(tmp_path / "notes.jpg"))

    page.goto(f"/admin/login/?next=/admin/galleries/gallery/{gallery.pk}/change/")
    assert axe_violations(page) == []
    page.fill("#id_username", "sam")
    page.fill("#id_password", "a-long-test-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**/admin/galleries/gallery/{gallery.pk}/change/")
    assert axe_violations(page) == []
    page.set_input_files("#photos-input", files)

    page.wait_for_function("document.getElementById('count-done').textContent === '5' && "
                           "document.getElementById('count-failed').textContent === '1'")  # fmt: skip
    assert page.locator("#count-waiting").inner_text() == "0"
    page.locator("#upload-log", has_text="All photos are processed").wait_for()

    page.reload()
    assert "not an image" in page.locator(".inline-group").inner_text()
    assert axe_violations(page) == []
    row = page.locator("tr", has_text="notes.jpg")
    row.locator("input[type=checkbox][name$=DELETE]").check()
    page.get_by_role("button", name="Save and continue editing").click()
    page.get_by_role("button", name=f"Publish and email {gallery.client.name}").click()

    assert "has been emailed a link" in page.locator(".messagelist").inner_text()
    assert axe_violations(page) == []
    gallery.refresh_from_db()
    assert gallery.status == Gallery.Status.PROOFING
    assert Photo.objects.filter(gallery=gallery).count() == 5
    assert any(gallery.public_id in m.body for m in mail.outbox)
