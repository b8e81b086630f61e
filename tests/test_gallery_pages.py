"""The client's gallery a page at a time: the first response carries the first 60 tiles whatever the
gallery's size, "More photos" links (and the fragment portal.js appends) lead through the rest, each
tile's unchanging part is cached without anything of the client's in it, and an unchanged page
answers a returning browser with 304.

Alice (a client) has a 150-photo shoot with camera file names; Bob is another client; Sam is the
photographer."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from galleries import gallery_pages, selection
from galleries.gallery_pages import PAGE_SIZE
from galleries.models import Comment, Favourite, Gallery, Photo
from tests.factories import PLACEHOLDER, make_shoot, make_user_client
from tests.helpers import tile_keys

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return make_user_client("Alice Oyelaran-Fitzgerald", "alice.oyelaran@oyelaran-partners.example")


@pytest.fixture
def shoot(alice) -> Gallery:
    return make_shoot(alice, 150)


@pytest.fixture
def browser(alice) -> Browser:
    browser = Browser()
    browser.force_login(alice.user)
    return browser


def page_url(gallery: Gallery, query: str = "") -> str:
    return reverse("portal:gallery", args=[gallery.public_id]) + query


def more_link(html: str) -> str | None:
    found = re.search(r'<p class="more-photos" id="more-photos"><a class="btn btn-outline-dark" href="([^"]+)"', html)
    return found[1].replace("&amp;", "&") if found else None


def in_order(gallery: Gallery, **filters) -> list[str]:
    return list(gallery.photos.filter(**filters).order_by(*Photo.ORDER).values_list("key", flat=True))


# --- a page at a time ---


def test_the_first_response_carries_the_first_60_tiles_and_a_link_to_the_rest(browser, shoot):
    html = browser.get(page_url(shoot)).content.decode()

    assert tile_keys(html) == in_order(shoot)[:PAGE_SIZE]
    assert more_link(html) == page_url(shoot, "?page=2")
    assert "90 more" in html
    assert len(html.encode()) < 100_000


@pytest.mark.parametrize("photos", [10, 500, 2000])
def test_the_first_response_stays_under_100_kb_at_any_size(browser, alice, photos):
    gallery = make_shoot(alice, photos)
    for photo in gallery.photos.order_by("order")[:3]:
        Favourite.objects.create(photo=photo, gallery=gallery)
        Comment.objects.create(photo=photo, author=alice.user, text="Could this one be a little warmer, please?")

    response = browser.get(page_url(gallery))

    assert len(response.content) < 100_000, len(response.content)
    assert len(tile_keys(response.content.decode())) == min(photos, PAGE_SIZE)


def test_following_more_photos_without_javascript_shows_every_photo_exactly_once(browser, shoot):
    seen, url, pages = [], page_url(shoot), 0
    while url:
        html = browser.get(url).content.decode()
        seen += tile_keys(html)
        url, pages = more_link(html), pages + 1

    assert pages == 3
    assert seen == in_order(shoot)


def test_the_favourites_filter_pages_through_exactly_the_chosen_ones(browser, alice):
    gallery = make_shoot(alice, 150, selection_limit=100)
    chosen = in_order(gallery)[::2][:70]  # 70 favourites: two pages of them
    for photo in Photo.objects.filter(key__in=chosen):
        Favourite.objects.create(photo=photo, gallery=gallery)

    seen, url = [], page_url(gallery, "?show=favourites")
    while url:
        html = browser.get(url).content.decode()
        seen += tile_keys(html)
        url = more_link(html)
        assert url is None or "show=favourites" in url

    assert seen == chosen
    assert '<strong><span class="js-chosen">70</span> of 100</strong>' in html  # the counter counts all


def test_the_fragment_carries_the_next_tiles_and_the_link_after_them(browser, shoot):
    first = browser.get(page_url(shoot)).content.decode()
    fragment_url = re.search(r'data-fragment="([^"]+)"', first)[1].replace("&amp;", "&")

    response = browser.get(fragment_url)

    fragment = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert "<html" not in fragment and "csrfmiddlewaretoken" not in fragment
    assert tile_keys(fragment) == in_order(shoot)[PAGE_SIZE : 2 * PAGE_SIZE]
    assert more_link(fragment) == page_url(shoot, "?page=3")
    last = browser.get(reverse("portal:tiles", args=[shoot.public_id]) + "?page=3").content.decode()
    assert tile_keys(last) == in_order(shoot)[2 * PAGE_SIZE :] and more_link(last) is None


@pytest.mark.parametrize("page", ["0", "-1", "abc", "4", "99999999999", "1.5", "２"])
def test_a_page_that_does_not_exist_is_404_never_an_error(browser, shoot, page):
    assert browser.get(page_url(shoot, f"?page={page}")).status_code == 404
    assert browser.get(reverse("portal:tiles", args=[shoot.public_id]) + f"?page={page}").status_code == 404


def test_an_empty_gallery_still_has_its_first_page(browser, alice):
    gallery = make_shoot(alice, 0)

    response = browser.get(page_url(gallery))

    assert response.status_code == 200 and "No photos here yet." in response.content.decode()


def test_a_heart_without_javascript_posts_to_its_own_photo_and_comes_back_to_its_page(browser, shoot):
    html = browser.get(page_url(shoot, "?page=2")).content.decode()
    target = in_order(shoot)[PAGE_SIZE + 4]
    button = re.search(
        rf'<button class="heart" formaction="(photos/{target}/favourite/)" name="chosen" value="1"', html
    )
    assert button, "each heart names its photo's address, relative to the gallery's page"
    csrf_field = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert csrf_field and html.count("csrfmiddlewaretoken") == 1  # one form for the grid
    action = page_url(shoot) + button[1]  # as the browser resolves it against the page's address
    next_field = re.search(r'name="next" value="([^"]+)"', html)[1].replace("&amp;", "&")

    response = browser.post(action, {"chosen": "1", "next": next_field, "csrfmiddlewaretoken": csrf_field[1]})

    assert response["Location"] == page_url(shoot, f"?page=2#photo-{target}")
    assert Favourite.objects.filter(photo__key=target).exists()


def test_the_thumbnails_are_responsive_and_only_the_first_rows_load_at_once(browser, shoot):
    html = browser.get(page_url(shoot)).content.decode()
    images = re.findall(r"<img [^>]+>", html)

    assert len(images) == PAGE_SIZE
    for n, img in enumerate(images, start=1):
        assert re.search(
            r'srcset="/media/thumbs/\w+/thumb-\w+\.jpg 480w,/media/thumbs/\w+/thumb%402x-\w+\.jpg 960w"', img
        )
        assert f'sizes="{gallery_pages.THUMB_SIZES}"' in img
        assert 'width="480" height="320"' in img
        assert ("fetchpriority" in img) == (n <= gallery_pages.HIGH_PRIORITY)
        assert ('loading="lazy"' in img) == (n > gallery_pages.EAGER)
        assert "background-image:url('data:image/" in img
    assert PLACEHOLDER in images[0]  # the first rows keep the full placeholder; the rest a smaller one
    assert "data:image/png;base64," in images[-1]
    later = browser.get(page_url(shoot, "?page=2")).content.decode()
    assert all('loading="lazy"' in img for img in re.findall(r"<img [^>]+>", later))


def test_the_small_placeholder_is_a_few_pixels_of_the_same_picture():
    from base64 import b64decode
    from io import BytesIO

    from PIL import Image

    small = gallery_pages.small_placeholder(PLACEHOLDER)

    assert small.startswith("data:image/png;base64,") and len(small) < len(PLACEHOLDER) / 2
    with Image.open(BytesIO(b64decode(small.split(",")[1]))) as image:
        assert max(image.size) == gallery_pages.SMALL_PLACEHOLDER_EDGE
    assert gallery_pages.small_placeholder("data:image/jpeg;base64,bm90IGFuIGltYWdl") == ""
    assert gallery_pages.small_placeholder("") == ""


# --- the cached tiles ---


def cached_tiles(gallery: Gallery) -> list[str]:
    return [value for key, value in cache._cache.items() if f"gallery-tile:{gallery.pk}:" in key]  # LocMemCache


def test_the_cache_holds_nothing_of_the_clients_own(browser, alice, shoot):
    first = shoot.photos.order_by("order").first()
    Favourite.objects.create(photo=first, gallery=shoot)
    Comment.objects.create(photo=first, author=alice.user, text="Please soften the shadow under the chin")
    browser.get(page_url(shoot))

    import pickle

    tiles = [pickle.loads(value) for value in cached_tiles(shoot)]
    assert len(tiles) == PAGE_SIZE
    for html in tiles:
        assert "heart" not in html and "aria-pressed" not in html and "csrf" not in html
        assert "soften the shadow" not in html and "comment" not in html


def test_a_cached_page_shows_each_hearts_current_state(browser, shoot):
    keys = in_order(shoot)
    browser.get(page_url(shoot))  # the tiles are cached now
    assert len(cached_tiles(shoot)) == PAGE_SIZE
    selection.set_favourite(shoot, Photo.objects.get(key=keys[3]), chosen=True)

    html = browser.get(page_url(shoot)).content.decode()

    assert html.count("heart is-chosen") == 1
    assert re.search(rf'id="photo-{keys[3]}".*?<button class="heart is-chosen"', html)
    assert '<span class="js-chosen">1</span>' in html
    selection.set_favourite(shoot, Photo.objects.get(key=keys[3]), chosen=False)
    assert "heart is-chosen" not in browser.get(page_url(shoot)).content.decode()


def test_no_client_sees_anothers_hearts_or_comments(browser, alice, shoot):
    bob = make_user_client("Bob Mensah", "bob.mensah@mensah-architects.example")
    bobs = make_shoot(bob, 80)
    theirs = bobs.photos.order_by("order").first()
    Favourite.objects.create(photo=theirs, gallery=bobs)
    Comment.objects.create(photo=theirs, author=bob.user, text="Bob's note: crop tighter")
    as_bob = Browser()
    as_bob.force_login(bob.user)
    as_bob.get(page_url(bobs))  # Bob's tiles cached, with his heart and comment around them

    html = browser.get(page_url(shoot)).content.decode()

    assert "is-chosen" not in html and 'aria-pressed="true"' not in html
    assert "crop tighter" not in html and "js-comments" not in html
    assert browser.get(page_url(bobs)).status_code == 404
    assert browser.get(reverse("portal:tiles", args=[bobs.public_id]) + "?page=2").status_code == 404


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"original_name": "IMG_20261120_9999.jpg"}, id="renamed"),
        pytest.param({"thumb": "thumbs/reprocessed/thumb-0123456789abcdef.jpg"}, id="reprocessed"),
        pytest.param({"order": 0}, id="moved to the front"),
        pytest.param({"order": 500}, id="moved to the end"),
        pytest.param({"state": Photo.State.FAILED}, id="removed"),
    ],
)  # fmt: skip
def test_a_changed_photo_shows_at_once_after_a_cached_render(browser, shoot, change):
    target = shoot.photos.order_by("order")[10]
    browser.get(page_url(shoot))

    Photo.objects.filter(pk=target.pk).update(**change)

    html = browser.get(page_url(shoot)).content.decode()
    assert tile_keys(html) == in_order(shoot, state=Photo.State.DONE)[:PAGE_SIZE]
    target.refresh_from_db()
    if target.key in tile_keys(html):
        tile = re.search(rf'<li class="photo-tile" id="photo-{target.key}".*?</li>', html)[0]
        assert target.thumb.url in tile and target.original_name in tile
        number = tile_keys(html).index(target.key) + 1
        assert f'alt="Proof {number}: {target.original_name}"' in tile


def test_a_photo_added_to_the_shoot_shows_at_once(browser, shoot):
    browser.get(page_url(shoot))
    make_shoot_photo = Photo.objects.create(
        gallery=shoot, original_name="2026-11-20 Bob Mensah 0001.jpg", content_hash="late", state="done",
        thumb_width=480, thumb_height=320, placeholder=PLACEHOLDER, order=0, thumb="thumbs/late/thumb-1.jpg",
        thumb_2x="thumbs/late/thumb@2x-1.jpg",
    )  # fmt: skip

    html = browser.get(page_url(shoot)).content.decode()

    assert make_shoot_photo.key in tile_keys(html) and "150 more" not in html and "91 more" in html


@pytest.mark.redis
def test_tiles_cached_in_redis_come_back_the_same_and_change_with_their_photo(browser, shoot, settings):
    settings.CACHES = {"default": {"BACKEND": "photostudio.cache.TolerantRedisCache", "LOCATION": settings.REDIS_URL}}
    first = browser.get(page_url(shoot)).content.decode()
    page = gallery_pages.gallery_page(shoot, number=1, favourites_only=False)
    assert gallery_pages.fill_tiles(shoot, page, photos_url=page_url(shoot) + "photos/") == 0  # all from Redis

    assert browser.get(page_url(shoot)).content.decode().count("photo-tile") == first.count("photo-tile")
    target = shoot.photos.order_by("order")[1]
    Photo.objects.filter(pk=target.pk).update(original_name="PXL_20261120_renamed.PORTRAIT.jpg")
    assert "PXL_20261120_renamed.PORTRAIT.jpg" in browser.get(page_url(shoot)).content.decode()


# --- revalidation (ETag) ---


def revalidate(browser: Browser, url: str, etag: str) -> int:
    return browser.get(url, headers={"If-None-Match": etag}).status_code


def test_an_unchanged_page_answers_304_and_any_change_gives_it_again(browser, alice, shoot):
    url = page_url(shoot)
    first = browser.get(url)
    etag = first["ETag"]
    assert "no-cache" in first["Cache-Control"] and "private" in first["Cache-Control"]
    assert revalidate(browser, url, etag) == 304
    photo = shoot.photos.order_by("order").first()

    selection.set_favourite(shoot, photo, chosen=True)
    assert revalidate(browser, url, etag) == 200
    etag = browser.get(url)["ETag"]
    assert revalidate(browser, url, etag) == 304

    selection.add_comment(shoot, photo, author=alice.user, text="Warmer, please")
    assert revalidate(browser, url, etag) == 200
    etag = browser.get(url)["ETag"]

    Comment.objects.filter(photo=photo).update(reply="Will do", replied_at=timezone.now())
    assert revalidate(browser, url, etag) == 200
    etag = browser.get(url)["ETag"]

    Photo.objects.filter(pk=photo.pk).update(original_name="IMG_20261120_0001.jpg")
    assert revalidate(browser, url, etag) == 200
    etag = browser.get(url)["ETag"]

    Gallery.objects.filter(pk=shoot.pk).update(expires_on=timezone.localdate() + timedelta(days=3))
    assert revalidate(browser, url, etag) == 200


def test_the_etag_depends_on_the_page_the_filter_the_person_and_their_csrf_secret(browser, shoot):
    etag = browser.get(page_url(shoot))["ETag"]

    assert revalidate(browser, page_url(shoot, "?page=2"), etag) == 200
    assert revalidate(browser, page_url(shoot, "?show=favourites"), etag) == 200
    assert revalidate(browser, reverse("portal:tiles", args=[shoot.public_id]), etag) == 200
    sam = get_user_model().objects.create_user("sam", "sam@northlight.example", "pw", is_staff=True)
    as_sam = Browser()
    as_sam.force_login(sam)
    as_sam.cookies["csrftoken"] = browser.cookies["csrftoken"].value
    assert revalidate(as_sam, page_url(shoot), etag) == 200
    browser.cookies["csrftoken"] = "x" * 32  # another secret: the page's tokens would not match it
    assert revalidate(browser, page_url(shoot), etag) == 200


def test_a_pending_message_is_always_shown_never_a_304(browser, shoot):
    url = page_url(shoot)
    etag = browser.get(url)["ETag"]
    photo = shoot.photos.order_by("order").first()
    # An empty comment without JavaScript: the message waits for the next page shown.
    browser.post(reverse("portal:comment", args=[shoot.public_id, photo.key]), {"text": "   "})

    again = browser.get(url, headers={"If-None-Match": etag})

    assert again.status_code == 200 and 'class="alert alert-danger"' in again.content.decode()
    assert revalidate(browser, url, again["ETag"]) == 304  # shown once: the page is as before


def test_without_a_csrf_cookie_the_page_is_rendered_so_it_gets_one(browser, shoot):
    etag = browser.get(page_url(shoot))["ETag"]
    del browser.cookies["csrftoken"]

    response = browser.get(page_url(shoot), headers={"If-None-Match": etag})

    assert response.status_code == 200 and "csrftoken" in response.cookies


def test_the_fragment_revalidates_too(browser, shoot):
    url = reverse("portal:tiles", args=[shoot.public_id]) + "?page=2"
    etag = browser.get(url)["ETag"]
    assert revalidate(browser, url, etag) == 304

    selection.set_favourite(shoot, shoot.photos.order_by("order")[PAGE_SIZE + 1], chosen=True)

    assert revalidate(browser, url, etag) == 200


# --- the delivered photos ---


def test_the_delivered_photos_come_a_page_at_a_time_with_their_downloads(browser, alice):
    gallery = make_shoot(alice, 130, status=Gallery.Status.DELIVERED)
    Photo.objects.filter(gallery=gallery).update(delivered=True)

    seen, url = [], page_url(gallery)
    while url:
        html = browser.get(url).content.decode()
        seen += tile_keys(html)
        assert html.count("Save to phone") == len(tile_keys(html))
        assert "heart" not in html, re.findall(r".{0,80}heart.{0,80}", html)
        url = more_link(html)

    assert seen == in_order(gallery)
    etag = browser.get(page_url(gallery))["ETag"]
    assert revalidate(browser, page_url(gallery), etag) == 304
    Photo.objects.filter(gallery=gallery, order=0).update(web="web/late-web-copy.jpg")
    assert revalidate(browser, page_url(gallery), etag) == 200


# --- queries ---


@pytest.mark.parametrize("status", [Gallery.Status.PROOFING, Gallery.Status.DELIVERED])
def test_a_page_runs_the_same_queries_at_10_and_200_photos(browser, alice, status):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (10, 200):
        gallery = make_shoot(alice, n, status=status)
        gallery.photos.update(delivered=True)
        for photo in gallery.photos.all()[:5]:
            Favourite.objects.create(photo=photo, gallery=gallery)
            Comment.objects.create(photo=photo, author=alice.user, text=f"About {photo.original_name}")
        counted = []
        for url in (page_url(gallery), page_url(gallery, "?show=favourites")):
            browser.get(url)  # the tiles are cached from here on
            with CaptureQueriesContext(connection) as queries:
                assert browser.get(url).status_code == 200
            counted.append(len(queries))
        counts.append(counted)

    assert counts[0] == counts[1], counts


def test_the_photo_pages_previous_and_next_follow_the_shoots_order(browser, shoot):
    keys = in_order(shoot)

    html = browser.get(reverse("portal:photo", args=[shoot.public_id, keys[75]])).content.decode()

    assert reverse("portal:photo", args=[shoot.public_id, keys[74]]) in html
    assert reverse("portal:photo", args=[shoot.public_id, keys[76]]) in html
    assert "76 of 150" in html


@pytest.mark.parametrize("status", list(Gallery.Status))
@pytest.mark.parametrize("favourites_only", [False, True])
def test_the_counts_read_with_the_gallery_match_the_photos_shown(alice, status, favourites_only):
    """counted_galleries counts in SQL of its own: it must agree with shown_photos and the
    favourites whatever the gallery's status and its photos' states."""
    gallery = make_shoot(alice, 12, status=status)
    photos = list(gallery.photos.order_by("order"))
    Photo.objects.filter(pk__in=[p.pk for p in photos[:2]]).update(state=Photo.State.FAILED)
    Photo.objects.filter(pk__in=[p.pk for p in photos[2:4]]).update(is_final=True, delivered=True)
    Photo.objects.filter(pk__in=[p.pk for p in photos[4:5]]).update(delivered=True)
    for photo in photos[1:7]:  # one failed, two finals, three proofs
        Favourite.objects.create(photo=photo, gallery=gallery)
    other = make_shoot(make_user_client("Bob Mensah", "bob.mensah@example.net"), 5, status=status)
    Favourite.objects.create(photo=other.photos.first(), gallery=other)

    counted = gallery_pages.counted_galleries(Gallery.objects.all(), favourites_only=favourites_only).get(pk=gallery.pk)

    shown = gallery_pages.shown_photos(counted)
    if favourites_only and status != Gallery.Status.DELIVERED:
        shown = shown.filter(favourite__isnull=False)
    assert counted.n_shown == shown.count()
    assert counted.n_chosen == gallery.favourites.count() == 6
    assert selection.count(counted).chosen == 6
