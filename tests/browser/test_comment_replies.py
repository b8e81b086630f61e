"""The photographer answers a client's comment from the gallery's admin page, and the client reads
the answer under their comment in the viewer, on a laptop and on a phone."""

import re

import pytest

from galleries import selection
from galleries.models import Comment
from tests.browser.conftest import axe_violations
from tests.browser.realistic import LONG_NAME, long_named_client, make_proof_gallery, sign_in
from tests.browser.test_admin_front_page import sign_in_as_the_photographer

pytestmark = pytest.mark.browser

QUESTION = "Could you soften the shadow under my chin? The collar looks a little crooked too."
ANSWER = "Yes to both: I'll lift the shadow and straighten the collar in the edit."


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_the_photographer_replies_in_the_admin_and_the_client_reads_it_in_the_viewer(request, site, size):
    admin = request.getfixturevalue("page" if size == "laptop" else "phone")
    client = long_named_client()
    gallery = make_proof_gallery(client, photos=6, limit=3)
    photo = gallery.photos.all()[4]
    selection.add_comment(gallery, photo, author=client.user, text=QUESTION)

    sign_in_as_the_photographer(admin, site)
    admin.goto(f"/admin/galleries/gallery/{gallery.pk}/change/")
    listed = admin.locator(f"#comment-{Comment.objects.get().pk}")
    assert photo.original_name in listed.inner_text() and QUESTION in listed.inner_text()
    assert listed.locator("img").count() == 1  # the photo's thumbnail
    assert axe_violations(admin) == []
    listed.get_by_label(re.compile(f"^Your reply to the comment on {re.escape(photo.original_name)}")).fill(ANSWER)
    listed.get_by_role("button", name="Save the reply").click()

    assert "Reply saved" in admin.locator(".messagelist").inner_text()
    assert ANSWER in admin.locator(f"#comment-{Comment.objects.get().pk}").inner_text()
    assert axe_violations(admin) == []
    # A reply of nothing but spaces comes back on the reply's own page, saying what to do.
    admin.goto(f"/admin/galleries/gallery/{gallery.pk}/comments/{Comment.objects.get().pk}/reply/")
    admin.get_by_label("Your reply").fill("   ")
    admin.get_by_role("button", name="Save the reply").click()
    assert "Write the reply first." in admin.locator(".errornote").inner_text()
    assert axe_violations(admin) == []
    assert Comment.objects.get().reply == ANSWER

    viewer_page = request.getfixturevalue("phone" if size == "laptop" else "page")
    sign_in(viewer_page, site, client)
    viewer_page.goto(f"/portal/galleries/{gallery.public_id}/")
    viewer_page.locator(f"#photo-{photo.key} .photo-link").click()
    viewer_page.locator(".pswp.is-ready").wait_for()
    comments = viewer_page.locator(".viewer-caption .comments")
    reply = comments.locator(".comment-reply")
    reply.wait_for()
    assert QUESTION in comments.inner_text()
    assert "Northlight Studio replied:" in reply.inner_text() and ANSWER in reply.inner_text()
    assert axe_violations(viewer_page) == []
    assert LONG_NAME not in reply.inner_text()
