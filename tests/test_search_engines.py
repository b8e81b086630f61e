"""What search engines may see: the public site; never the admin, the sign-in pages or their links.

Pages behind the client sign-in need no "noindex" of their own: without a session a crawler only
ever gets the sign-in page (which asks not to be indexed), so those pages stay as crawlable as any
page a browser shows (Lighthouse's SEO audit counts a "noindex" against them).
"""

import pytest

from galleries.models import Gallery
from tests.factories import make_gallery, make_user_client

NOINDEX = b'<meta name="robots" content="noindex">'
pytestmark = pytest.mark.django_db


def test_robots_txt_keeps_crawlers_out_of_the_admin_and_the_sign_in_pages(client):
    body = client.get("/robots.txt").content.decode()

    assert "Disallow: /admin/" in body
    assert "Disallow: /portal/login/" in body  # the sign-in links (tokens) live below it


@pytest.mark.parametrize("path", ["/portal/login/", "/portal/login/link/?sesame=IMG_20261120_0142"])
def test_the_sign_in_pages_ask_not_to_be_indexed(client, path):
    assert NOINDEX in client.get(path).content


def test_a_crawler_asking_for_a_gallery_or_a_photo_gets_only_the_sign_in_page(client):
    alice = make_user_client("Alice Byrne", "alice.byrne@byrnecole.example")
    gallery = make_gallery(alice, status=Gallery.Status.PROOFING)

    for path in (gallery.get_absolute_url(), "/portal/", f"/portal/galleries/{gallery.public_id}/review/"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer["Location"].startswith("/portal/login/"), path
