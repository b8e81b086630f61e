"""A team day in a real browser: the day's photos go through the pipeline and are split by their
capture time; on a phone, one of the team opens the link in their email, chooses a photo and sends
the selection; the coordinator's page, on a phone too, shows who has chosen."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile

from bookings.models import Availability
from galleries import photos, team_split
from galleries.models import Gallery
from tests.browser.conftest import axe_violations, has_no_horizontal_scroll
from tests.browser.test_admin_front_page import sign_in_as_the_photographer
from tests.imaging_samples import encode, exif, photo
from tests.team_photos import make_team_day, member

pytestmark = pytest.mark.browser


def test_one_of_the_team_chooses_a_photo_in_their_own_gallery_on_a_phone(site, phone, new_phone):
    day = make_team_day(people_count=3, lunch=None, zone="Europe/Dublin", photos_each=1)
    shoot = team_split.start_shoot(day)
    zone = Availability.load().tz
    for n, person in enumerate(day.members.order_by("slot_start")):
        for k in range(2):
            taken = (person.slot_start + timedelta(minutes=2 + 3 * k)).astimezone(zone)
            data = encode(
                photo((900, 1125), seed=10 * n + k), "JPEG", quality=85, exif=exif(taken=f"{taken:%Y:%m:%d %H:%M:%S}")
            )
            upload = ContentFile(data, name=f"IMG_{5120 + 2 * n + k}.JPG")
            photos.add_photos(shoot.gallery, [upload])  # processed in-process as the upload commits
    team_split.split_shoot(shoot)
    published = team_split.publish_day(shoot)
    assert len(published.published) == 3
    bob = member(day, "Bob Mensah")
    bobs = bob.team_gallery.gallery

    # Bob opens the link in his email on his phone.
    invitation = next(m for m in mail.outbox if m.to == [bob.email])
    link = re.search(rf"{re.escape(site)}/portal/login/link/\S+", invitation.body).group(0)
    phone.goto(link)
    assert "Bob Mensah" in phone.locator("main").inner_text()
    phone.get_by_role("button", name="Continue").click()
    phone.wait_for_url(f"**/portal/galleries/{bobs.public_id}/")
    phone.locator(".photo-tile img").first.wait_for()
    assert phone.locator(".photo-tile").count() == 2  # his two, none of his colleagues'
    assert has_no_horizontal_scroll(phone)
    assert axe_violations(phone) == []

    phone.locator(".photo-tile .heart").nth(1).click()
    phone.locator(".js-chosen", has_text="1").first.wait_for()
    phone.get_by_role("link", name="Review and send").click()
    assert axe_violations(phone) == []
    phone.get_by_label("send them and lock my choice").check()
    phone.get_by_role("button", name="Send my selection").click()
    assert "Selection received" in phone.locator("main").inner_text()
    assert has_no_horizontal_scroll(phone)
    bobs.refresh_from_db()
    assert bobs.status == Gallery.Status.SELECTION_SUBMITTED
    assert bobs.selections.get().photos.count() == 1

    # The coordinator, on her phone, sees who has chosen (no photos: the day keeps them private).
    coordinator = new_phone()
    coordinator.goto(f"/portal/team/day/{day.coordinator_token}/photos/")
    text = coordinator.locator("main").inner_text()
    assert "Bob Mensah" in text and "1 chosen" in text and "selection sent" in text
    assert coordinator.locator("main img").count() == 0
    assert has_no_horizontal_scroll(coordinator)
    assert axe_violations(coordinator) == []


def test_the_photographer_sorts_a_photo_by_keyboard_on_a_phone(site, phone):
    day = make_team_day(people_count=4, lunch=None, zone="Europe/Dublin")
    shoot = team_split.start_shoot(day)
    zone = Availability.load().tz
    before_the_day = day.members.order_by("slot_start").first().slot_start - timedelta(minutes=25)
    for n, taken in enumerate([before_the_day, before_the_day + timedelta(minutes=1)]):
        stamp = f"{taken.astimezone(zone):%Y:%m:%d %H:%M:%S}"
        data = encode(photo((900, 600), seed=70 + n), "JPEG", quality=85, exif=exif(taken=stamp))
        photos.add_photos(shoot.gallery, [ContentFile(data, name=f"IMG_{6100 + n}.JPG")])
    team_split.split_shoot(shoot)
    sign_in_as_the_photographer(phone, site)

    phone.goto(f"/admin/galleries/teamshoot/{shoot.pk}/change/")
    assert axe_violations(phone) == []
    phone.get_by_role("link", name="Sort the 2 photos").click()
    assert phone.locator(".team-sort__photo").count() == 2
    assert has_no_horizontal_scroll(phone)
    assert axe_violations(phone) == []

    first = phone.locator(".team-sort__photo").first
    first.get_by_label("Who is this?").select_option(
        label=f"{member(day, 'Chiara Rossi-Whitfield').slot_start.astimezone(zone):%H:%M} Chiara Rossi-Whitfield"
    )
    first.get_by_role("button", name="Give").focus()
    phone.keyboard.press("Enter")
    phone.locator(".messagelist", has_text="Given to Chiara Rossi-Whitfield").wait_for()
    assert phone.locator(".team-sort__photo").count() == 1
    chiara = member(day, "Chiara Rossi-Whitfield")
    assert chiara.team_gallery.gallery.photos.get().original_name == "IMG_6100.JPG"
