"""Near-identical frames on the client's gallery page: a group shows as one tile (its first frame)
saying how many similar frames it stands for, linking to the group's page where each frame has its
heart. The favourites list shows every chosen frame, grouped or not, and the selection count is
exact. Groups are stored by the pipeline's step after each photo (photos.regroup_frames), so the
page reads them in its usual queries, and its cached tiles change when the groups do.

Alice (a client) has a shoot of camera files; Bob is another client."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from galleries import gallery_pages, photos
from galleries.models import Favourite, Gallery, Photo
from tests.factories import make_shoot, make_user_client
from tests.helpers import tile_keys

pytestmark = pytest.mark.django_db

TAKEN = datetime(2026, 11, 20, 14, 2, 11, tzinfo=ZoneInfo("Europe/London"))
POSE = "c3c3a5a50f0f9696"  # one pose's hash; a burst's frames differ from it by a few bits
OTHER_POSE = "3c3c5a5af0f06969"  # another pose: every bit differs


@pytest.fixture
def alice():
    return make_user_client("Alice Oyelaran-Fitzgerald", "alice.oyelaran@oyelaran-partners.example")


@pytest.fixture
def browser(alice) -> Browser:
    browser = Browser()
    browser.force_login(alice.user)
    return browser


def take(gallery: Gallery, shots: list[tuple[float | None, str]]) -> list[Photo]:
    """Give the shoot's photos (in their order) the capture times (seconds after TAKEN) and hashes
    the pipeline would have found, and group them as the pipeline's step does."""
    rows = list(gallery.photos.order_by("order"))
    for photo, (seconds, phash) in zip(rows, shots, strict=False):
        photo.captured_at = None if seconds is None else TAKEN + timedelta(seconds=seconds)
        photo.phash = phash
    Photo.objects.bulk_update(rows, ["captured_at", "phash"])
    photos.regroup_frames(gallery.pk)
    return list(gallery.photos.order_by("order"))


def bits_from(phash: str, n: int) -> str:
    return f"{int(phash, 16) ^ ((1 << n) - 1):016x}"


def page(browser, gallery, query: str = "") -> str:
    response = browser.get(reverse("portal:gallery", args=[gallery.public_id]) + query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def shoot(alice) -> Gallery:
    """Eight frames: a burst of three of one pose, a different pose, a pair of another burst, a
    scan without a capture time, and a frame of the first pose half a minute later."""
    gallery = make_shoot(alice, 8)
    take(gallery, [
        (0, POSE), (0.7, bits_from(POSE, 2)), (1.5, bits_from(POSE, 4)),
        (3, OTHER_POSE),
        (60, OTHER_POSE), (61, bits_from(OTHER_POSE, 1)),
        (None, POSE),
        (90, POSE),
    ])  # fmt: skip
    return gallery


def test_a_burst_shows_as_one_tile_with_its_count_and_a_link_to_its_frames(browser, shoot):
    frames = list(shoot.photos.order_by("order"))

    html = page(browser, shoot)

    keys = tile_keys(html)
    assert keys == [frames[i].key for i in (0, 3, 4, 6, 7)]
    similar = reverse("portal:similar", args=[shoot.public_id, frames[0].key])
    assert f'<a class="similar-link d-block" href="{similar}">3 similar frames</a>' in html
    pair = reverse("portal:similar", args=[shoot.public_id, frames[4].key])
    assert f'href="{pair}">2 similar frames</a>' in html
    assert html.count("similar frames</a>") == 2
    assert 'data-total="5"' in html


def test_the_groups_page_shows_each_frame_with_its_heart_and_offers_to_compare_them(browser, shoot):
    frames = list(shoot.photos.order_by("order"))

    response = browser.get(reverse("portal:similar", args=[shoot.public_id, frames[0].key]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "3 similar frames" in html
    for frame in frames[:3]:
        assert reverse("portal:favourite", args=[shoot.public_id, frame.key]) in html
        assert f'value="{frame.key}" form="cmp" checked' in html
        assert frame.original_name in html
    assert frames[3].original_name not in html
    assert reverse("portal:compare", args=[shoot.public_id]) in html
    assert "Compare these" in html


def test_any_frame_of_a_group_opens_the_same_group(browser, shoot):
    frames = list(shoot.photos.order_by("order"))

    html = browser.get(reverse("portal:similar", args=[shoot.public_id, frames[2].key])).content.decode()

    assert all(f'id="photo-{frame.key}"' in html for frame in frames[:3])


def test_a_frame_on_its_own_opens_as_a_group_of_one(browser, shoot):
    scan = list(shoot.photos.order_by("order"))[6]

    html = browser.get(reverse("portal:similar", args=[shoot.public_id, scan.key])).content.decode()

    assert "1 similar frame<" in html and f'id="photo-{scan.key}"' in html


def test_a_favourite_inside_a_group_shows_in_the_favourites_and_counts(browser, shoot):
    frames = list(shoot.photos.order_by("order"))
    hidden_in_group = frames[2]
    favourite = reverse("portal:favourite", args=[shoot.public_id, hidden_in_group.key])

    assert browser.post(favourite, {"chosen": "1"}).status_code == 302

    html = page(browser, shoot, "?show=favourites")
    assert tile_keys(html) == [hidden_in_group.key]
    assert 'data-total="1"' in html
    assert '<span class="js-chosen">1</span>' in html
    assert '<span class="js-chosen">1</span>' in page(browser, shoot)  # the grouped page counts it too


def test_the_favourites_list_shows_every_chosen_frame_ungrouped(browser, shoot):
    frames = list(shoot.photos.order_by("order"))
    for frame in frames[:3]:
        Favourite.objects.create(photo=frame, gallery=shoot)

    html = page(browser, shoot, "?show=favourites")

    assert tile_keys(html) == [frame.key for frame in frames[:3]]
    assert "similar frames</a>" not in html


def test_a_changed_group_shows_at_once_though_its_tile_was_cached(browser, shoot):
    frames = list(shoot.photos.order_by("order"))
    assert "3 similar frames" in page(browser, shoot)  # the tiles are cached now

    photos.remove_photos([frames[2]])

    html = page(browser, shoot)
    assert "2 similar frames</a>" in html and "3 similar frames" not in html
    assert tile_keys(html)[0] == frames[0].key


def test_removing_a_groups_first_frame_makes_the_next_one_its_tile(browser, shoot):
    frames = list(shoot.photos.order_by("order"))

    photos.remove_photos([frames[0]])

    html = page(browser, shoot)
    assert tile_keys(html)[0] == frames[1].key
    similar = reverse("portal:similar", args=[shoot.public_id, frames[1].key])
    assert f'href="{similar}">2 similar frames</a>' in html


def test_while_a_groups_first_frame_is_made_again_its_other_frames_still_show(browser, shoot):
    frames = list(shoot.photos.order_by("order"))
    photos.reprocess(Photo.objects.filter(pk=frames[0].pk))

    html = page(browser, shoot)

    assert frames[0].key not in tile_keys(html)
    assert tile_keys(html)[0] == frames[1].key
    assert f'href="{reverse("portal:similar", args=[shoot.public_id, frames[1].key])}">2 similar frames</a>' in html


def test_groups_follow_the_order_taken_whatever_order_the_photographer_gives(browser, shoot):
    frames = list(shoot.photos.order_by("order"))
    Photo.objects.filter(pk=frames[0].pk).update(order=50)  # the burst's first frame moved to the end
    Photo.objects.filter(pk=frames[2].pk).update(order=0)  # its last moved to the front

    assert photos.regroup_frames(shoot.pk) == 0

    html = page(browser, shoot)
    assert frames[0].key in tile_keys(html) and frames[2].key not in tile_keys(html)
    assert tile_keys(html)[-1] == frames[0].key


def test_regrouping_is_idempotent_and_writes_only_what_changed(shoot):
    assert photos.regroup_frames(shoot.pk) == 0
    late = list(shoot.photos.order_by("order"))[7]
    Photo.objects.filter(pk=late.pk).update(captured_at=TAKEN + timedelta(seconds=2.5))  # a clock fixed

    changed = photos.regroup_frames(shoot.pk)

    first = shoot.photos.order_by("order")[0]
    assert Photo.objects.get(pk=late.pk).group_key == first.key
    group = Photo.objects.filter(gallery=shoot, group_key=first.key)
    # The frame that joined, and its group's other frames, whose size it changed: nothing else.
    assert changed == group.count() > 1
    assert set(group.values_list("group_size", flat=True)) == {group.count()}
    assert photos.regroup_frames(shoot.pk) == 0


def test_bob_gets_404_for_alices_group(shoot):
    bob = make_user_client("Bob Mensah", "bob.mensah@mensah-architects.example")
    browser = Browser()
    browser.force_login(bob.user)
    first = shoot.photos.order_by("order")[0]

    assert browser.get(reverse("portal:similar", args=[shoot.public_id, first.key])).status_code == 404


def test_a_burst_split_between_two_galleries_is_a_group_in_each(browser, alice, shoot):
    frames = list(shoot.photos.order_by("order"))
    other = make_shoot(alice, 1)
    Photo.objects.filter(pk__in=[frames[0].pk, frames[1].pk]).update(gallery=other)  # as a team day's split does

    for gallery in (shoot, other):
        photos.regroup_frames(gallery.pk)

    assert tile_keys(page(browser, shoot))[0] == frames[2].key
    assert "2 similar frames" in page(browser, other)


def test_the_counts_read_with_the_gallery_match_the_grouped_tiles(shoot):
    counted = gallery_pages.counted_galleries(Gallery.objects.all(), favourites_only=False).get(pk=shoot.pk)

    tiles = gallery_pages.tiles_of_groups(gallery_pages.shown_photos(shoot))

    assert counted.n_shown == tiles.count() == 5


def test_a_page_with_groups_runs_the_same_queries_at_10_and_200_photos(browser, alice):
    counts = []
    for n in (10, 200):
        gallery = make_shoot(alice, n)
        take(gallery, [(i * 2.0, POSE if i % 5 else OTHER_POSE) for i in range(n)])  # a pose, then a burst of 4
        for photo in gallery.photos.order_by("order")[:3]:
            Favourite.objects.create(photo=photo, gallery=gallery)
        counted = []
        for query in ("", "?show=favourites"):
            page(browser, gallery, query)  # the tiles are cached from here on
            with CaptureQueriesContext(connection) as queries:
                page(browser, gallery, query)
            counted.append(len(queries))
            # Nor does any one query read the photos again for each tile it returns (a group's size is
            # stored with it): a per-tile look-up keeps the count of queries and costs the time.
            for sql in (q["sql"] for q in queries.captured_queries if 'FROM "galleries_photo"' in q["sql"]):
                tables_read = sql.count('"galleries_photo"') - sql.count('"galleries_photo".')  # not its columns
                assert tables_read == 1, sql
        counts.append(counted)
        assert gallery.photos.exclude(group_key=F("key")).count() == n * 3 // 5

    assert counts[0] == counts[1], counts


def test_a_frame_given_to_someone_on_a_team_day_leaves_its_burst_and_the_rest_regroup():
    from galleries import team_split
    from tests.team_photos import add_shoot_photos, make_team_day

    day = make_team_day(people_count=2, lunch=None)
    shoot = team_split.start_shoot(day)
    made = add_shoot_photos(shoot, [TAKEN + timedelta(seconds=n) for n in range(3)])
    Photo.objects.filter(pk__in=[p.pk for p in made]).update(phash=POSE)
    photos.regroup_frames(shoot.gallery_id)
    first, second, third = (Photo.objects.get(pk=p.pk) for p in made)
    assert {second.group_key, third.group_key} == {first.key}
    person = day.members.order_by("slot_start").first()

    gallery = team_split.give_by_hand(shoot, photo_id=first.pk, member_id=person.pk)

    assert Photo.objects.get(pk=first.pk).group_key == first.key  # alone in the person's gallery
    assert Photo.objects.get(pk=third.pk).group_key == second.key  # the burst goes on without it
    assert gallery.pk != shoot.gallery_id
