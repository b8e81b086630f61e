"""The photographer sends a shoot to a gallery and publishes it without reloading the page: the
upload shows the files and bytes sent, Publish opens by itself once processing ends, and a photo
the pipeline could not read is left out in one step."""

import re

import pytest
from django.core import mail

from galleries.models import Gallery, Photo
from tests.browser.conftest import axe_violations
from tests.browser.test_admin_front_page import sign_in_as_the_photographer
from tests.factories import jpeg_bytes, make_gallery, make_user_client

pytestmark = pytest.mark.browser

SENT = re.compile(r"^(\d+) of (\d+) files? sent · [\d.]+ (bytes|KB|MB) of [\d.]+ (bytes|KB|MB)$")


def camera_files(tmp_path, names, *, broken=()) -> list[str]:
    paths = []
    for n, name in enumerate(names):
        path = tmp_path / name
        path.write_bytes(b"\xff\xd8\xff\xe0 half-written" if name in broken else jpeg_bytes(seed=n + 1))
        paths.append(str(path))
    return paths


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_publish_opens_by_itself_then_a_failed_photo_is_left_out_in_one_step(request, site, tmp_path, size):
    page = request.getfixturevalue("page" if size == "laptop" else "phone")
    bob = make_user_client("Bob Mensah", "bob.mensah@example.com")
    gallery = make_gallery(bob, title="Personal branding portrait, 14 April 2027")
    sign_in_as_the_photographer(page, site)
    page.goto(f"/admin/galleries/gallery/{gallery.pk}/change/")
    publish = page.get_by_role("button", name="Publish and email Bob Mensah")
    assert publish.is_disabled()

    page.set_input_files("#photos-input", camera_files(tmp_path, [f"IMG_20270414_{n:04d}.jpg" for n in (142, 143)]))

    page.wait_for_function("!document.getElementById('publish').disabled")  # no reload
    sent = page.locator("#upload-sent-text").inner_text()
    assert SENT.match(sent) and sent.startswith("2 of 2 files sent"), sent
    assert page.locator("#upload-bytes").evaluate("bar => bar.value === bar.max")
    assert "Ready" in page.locator("#publish-help").inner_text()
    # The client and booking pickers are named by their fields' labels, chosen or empty.
    assert page.get_by_role("combobox", name="Client: Bob Mensah").is_visible()
    assert page.get_by_role("combobox", name="Booking:").is_visible()
    findings = axe_violations(page)
    assert findings == [], "\n".join(findings)

    page.set_input_files(
        "#photos-input", camera_files(tmp_path, ["IMG_20270414_0199.jpg"], broken={"IMG_20270414_0199.jpg"})
    )
    without = page.get_by_role("button", name="Publish, leaving out the 1 that failed")
    without.wait_for()
    page.wait_for_function("!document.getElementById('publish-without-failed').disabled")
    sent = page.locator("#upload-sent-text").inner_text()
    assert SENT.match(sent) and sent.startswith("1 of 1 file sent · 17 bytes of 17 bytes"), sent
    assert publish.is_disabled()
    mail.outbox.clear()

    without.click()

    messages = page.locator(".messagelist").inner_text()
    assert "has been emailed a link" in messages and "IMG_20270414_0199.jpg" in messages
    gallery.refresh_from_db()
    assert gallery.status == Gallery.Status.PROOFING
    assert set(Photo.objects.filter(gallery=gallery).values_list("original_name", flat=True)) == {
        "IMG_20270414_0142.jpg",
        "IMG_20270414_0143.jpg",
    }
    assert [m.to for m in mail.outbox] == [["bob.mensah@example.com"]]
