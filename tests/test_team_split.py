"""A team day's photos, uploaded once, end up in each person's own gallery by capture time; a camera
clock that ran fast is corrected by one match; the photos no time covers wait on the sorting screen,
where one click gives each to its person."""

import random
import re
from datetime import datetime, time, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bookings.models import Availability
from galleries import photos, publishing, team_split
from galleries.models import Gallery, Photo, TeamGallery, TeamPhotoSortedByHand
from galleries.team_split import Slot
from tests.imaging_samples import encode, exif, photo
from tests.team_photos import add_shoot_photos, make_team_day, member

pytestmark = pytest.mark.django_db

CAMERA_FAST = timedelta(minutes=3)


@pytest.fixture
def photographer(client):
    user = get_user_model().objects.create_superuser("sam", "sam@northlight.example", "a-test-only-password")
    client.force_login(user)
    return user


@pytest.fixture
def big_day():
    """40 people in 10-minute times around an hour's lunch; 400 photos by a camera 3 minutes fast:
    388 of 38 people (two didn't come), 12 taken when no one's time ran (lunch, before, after)."""
    day = make_team_day(people_count=40)
    shoot = team_split.start_shoot(day)
    members = list(day.members.order_by("slot_start"))
    came = [m for n, m in enumerate(members) if n not in (7, 29)]
    rng = random.Random(2026)
    truth, captures = [], []
    for n in range(388):
        person = came[n % len(came)]
        # Never in the 40 seconds either side of a change of person: the set is being changed then.
        taken = person.slot_start + timedelta(seconds=rng.randint(40, 560))
        truth.append(person.pk)
        captures.append(taken + CAMERA_FAST)
    zone = Availability.load().tz
    outside = [time(12, 12), time(12, 20), time(12, 27), time(12, 33), time(12, 41), time(12, 49)]  # lunch
    outside += [time(8, 31), time(8, 40), time(8, 48)]  # setting up
    outside += [time(16, 52), time(17, 1), time(17, 9)]  # packing up (the last time ends 16:40)
    for moment in outside:
        truth.append(None)
        captures.append(datetime.combine(day.date, moment, zone) + CAMERA_FAST)
    order = list(range(400))
    rng.shuffle(order)  # uploaded in no particular order
    made = add_shoot_photos(shoot, [captures[i] for i in order])
    return {
        "day": day,
        "shoot": shoot,
        "truth": {p.pk: truth[i] for p, i in zip(made, order, strict=True)},
        "bob": member(day, "Bob Mensah"),
        "absent": [members[7], members[29]],
    }


def gallery_of(member_pk: int) -> int:
    return TeamGallery.objects.get(member_id=member_pk).gallery_id


def test_a_camera_3_minutes_fast_is_corrected_by_one_match_and_every_photo_reaches_its_person(big_day):
    shoot, truth, bob = big_day["shoot"], big_day["truth"], big_day["bob"]
    first = team_split.split_shoot(shoot)
    assert first.sorted + first.unsorted == 400

    one_of_bobs = next(pk for pk, whose in truth.items() if whose == bob.pk)
    offset, report = team_split.match_photo(shoot, photo_id=one_of_bobs, member_id=bob.pk)

    assert abs(offset + CAMERA_FAST) <= timedelta(seconds=20), offset
    assert report.unsorted == 12 and report.sorted == 388
    placed = dict(Photo.objects.filter(pk__in=truth).values_list("pk", "gallery_id"))
    wrong = [pk for pk, whose in truth.items() if placed[pk] != (gallery_of(whose) if whose else shoot.gallery_id)]
    assert wrong == []
    # The two who didn't come have nothing, even if a clock off by minutes gave them some for a while.
    for absent in big_day["absent"]:
        assert not Photo.objects.filter(gallery__team_member_gallery__member=absent).exists()
    gallery = Gallery.objects.get(pk=gallery_of(bob.pk))
    assert gallery.client.email == bob.email and gallery.selection_limit == big_day["day"].photos_each
    bob.refresh_from_db()
    assert bob.client_id == gallery.client_id


def test_any_of_bobs_photos_gives_the_same_correction(big_day):
    shoot, truth, bob = big_day["shoot"], big_day["truth"], big_day["bob"]
    bobs = Photo.objects.filter(pk__in=[pk for pk, whose in truth.items() if whose == bob.pk]).order_by("captured_at")
    offsets = {team_split.match_photo(shoot, photo_id=p.pk, member_id=bob.pk)[0] for p in (bobs.first(), bobs.last())}

    assert all(abs(offset + CAMERA_FAST) <= timedelta(seconds=20) for offset in offsets), offsets


def test_the_sorting_screen_lists_exactly_the_photos_no_time_covers_and_a_click_gives_one_away(
    client, photographer, big_day
):
    shoot, truth, bob = big_day["shoot"], big_day["truth"], big_day["bob"]
    team_split.match_photo(shoot, photo_id=next(pk for pk, w in truth.items() if w == bob.pk), member_id=bob.pk)
    url = reverse("admin:galleries_teamshoot_sort", args=[shoot.pk])

    page = client.get(url)

    assert page.status_code == 200
    listed = {int(pk) for pk in re.findall(r'id="photo-(\d+)"', page.content.decode())}
    assert listed == {pk for pk, whose in truth.items() if whose is None}

    chiara = member(big_day["day"], "Chiara Rossi-Whitfield")
    lunch_photo = min(listed)
    given = client.post(url, {"photo": lunch_photo, "member": chiara.pk, "action": "give"})

    assert given.status_code == 302
    assert Photo.objects.get(pk=lunch_photo).gallery_id == gallery_of(chiara.pk)
    assert TeamPhotoSortedByHand.objects.filter(photo_id=lunch_photo).exists()
    again = client.get(url).content.decode()
    assert f'id="photo-{lunch_photo}"' not in again and again.count('class="team-sort__photo"') == 11
    # A later correction of the clock leaves what was given by hand where it was put.
    team_split.match_photo(shoot, photo_id=next(pk for pk, w in truth.items() if w == bob.pk), member_id=bob.pk)
    assert Photo.objects.get(pk=lunch_photo).gallery_id == gallery_of(chiara.pk)


def test_bad_input_on_the_sorting_screen_is_a_clear_400(client, photographer, big_day):
    shoot, day = big_day["shoot"], big_day["day"]
    other_day = make_team_day(people_count=2, lunch=None, company="Quayside Architects", on=day.date + timedelta(1))
    stranger = other_day.members.first()
    team_split.split_shoot(shoot)
    waiting = team_split.unsorted_photos(shoot).first()
    url = reverse("admin:galleries_teamshoot_sort", args=[shoot.pk])

    for data in (
        {"photo": waiting.pk, "member": stranger.pk},  # someone of another day
        {"photo": waiting.pk, "member": "999999999"},
        {"photo": waiting.pk, "member": "'; DROP TABLE"},
        {"photo": "x", "member": member(day, "Bob Mensah").pk},
        {"photo": waiting.pk},
    ):
        response = client.post(url, data | {"action": "give"})
        assert response.status_code == 400, data
        assert 'class="errornote"' in response.content.decode()
    assert Photo.objects.get(pk=waiting.pk).gallery_id == shoot.gallery_id

    no_time = add_shoot_photos(shoot, [None], first=900)[0]
    response = client.post(url, {"photo": no_time.pk, "member": member(day, "Bob Mensah").pk, "action": "clock"})
    assert response.status_code == 400
    assert "no capture time" in response.content.decode()

    clock = reverse("admin:galleries_teamshoot_clock", args=[shoot.pk])
    response = client.post(clock, {"photo_name": no_time.original_name, "member": member(day, "Bob Mensah").pk})
    assert response.status_code == 400 and "no capture time" in response.content.decode()
    response = client.post(clock, {"photo_name": "NOT_A_FILE.JPG", "member": member(day, "Bob Mensah").pk})
    assert response.status_code == 400


def test_the_days_own_gallery_is_never_published(big_day):
    with pytest.raises(publishing.GalleryError, match="whole shoot"):
        publishing.publish_gallery(big_day["shoot"].gallery)


def test_a_split_never_takes_back_a_photo_from_a_published_gallery(big_day):
    shoot, bob = big_day["shoot"], big_day["bob"]
    team_split.split_shoot(shoot)  # the clock not yet corrected: some of Bob's photos went to the next person
    report = team_split.publish_day(shoot)
    assert bob.name in report.published
    published = set(Photo.objects.filter(gallery=gallery_of(bob.pk)).values_list("pk", flat=True))

    team_split.match_photo(shoot, photo_id=min(published), member_id=bob.pk)

    assert set(Photo.objects.filter(gallery=gallery_of(bob.pk)).values_list("pk", flat=True)) == published


# --- the rule alone ---


def test_a_photo_on_the_edge_of_two_times_goes_to_the_later_person():
    start = datetime(2026, 3, 3, 9, 0).astimezone()
    slots = [
        Slot(1, start, start + timedelta(minutes=10)),
        Slot(2, start + timedelta(minutes=10), start + timedelta(minutes=20)),
    ]

    placed = team_split.split_by_time(
        {10: start, 11: start + timedelta(minutes=10), 12: start + timedelta(minutes=20), 13: None}, slots, timedelta(0)
    )

    assert placed == {10: 1, 11: 2, 12: None, 13: None}


# --- through the real pipeline ---


def test_the_cameras_capture_time_in_real_jpegs_decides_whose_gallery_they_join_once_processed(
    django_capture_on_commit_callbacks,
):
    day = make_team_day(people_count=3, lunch=None, zone="Europe/Berlin")
    shoot = team_split.start_shoot(day)
    first, second, third = day.members.order_by("slot_start")
    files = []
    for n, (person, minute) in enumerate([(first, 3), (third, 4), (second, 7), (third, 1)]):
        local = (person.slot_start + timedelta(minutes=minute)).astimezone(Availability.load().tz)
        taken = local.strftime("%Y:%m:%d %H:%M:%S")  # a camera's clock: local, no zone
        data = encode(photo((640, 480), seed=n), "JPEG", quality=85, exif=exif(taken=taken))
        files.append((person, SimpleUploadedFile(f"IMG_{4410 + n}.JPG", data, content_type="image/jpeg")))

    with django_capture_on_commit_callbacks(execute=True):  # the pipeline runs as the upload commits
        report = photos.add_photos(shoot.gallery, [f for _, f in files])
    assert len(report.added) == 4
    assert team_split.shoot_photos(shoot).filter(state=Photo.State.DONE).count() == 4
    assert not shoot.gallery.photos.exists()

    # The last photo processed split the day: nobody pressed anything.
    for person, upload in files:
        assert Photo.objects.get(original_name=upload.name).gallery_id == gallery_of(person.pk), upload.name
    assert Gallery.objects.get(pk=gallery_of(third.pk)).photos.count() == 2


def test_the_team_days_admin_page_leads_to_its_photos_new_or_already_started(client, photographer):
    day = make_team_day(people_count=3, lunch=None)
    day_page = client.get(reverse("admin:bookings_teamday_change", args=[day.pk])).content.decode()
    link = re.search(r'<a href="([^"]+)">The day\'s photos</a>', day_page)[1].replace("&amp;", "&")

    form = client.get(link)
    assert form.status_code == 200
    assert f'<option value="{day.pk}" selected>' in form.content.decode()  # the day chosen already

    shoot = team_split.start_shoot(day)
    again = client.get(link)
    assert again.status_code == 302
    assert again["Location"] == reverse("admin:galleries_teamshoot_change", args=[shoot.pk])
