"""One person's whole team day in a real browser: on a phone, Priya opens her invitation and picks
her time; the day's photos go through the pipeline and are split by their capture time; later, on
the same phone, she opens her own gallery from the email, chooses a photo and sends her choice. The
coordinator, on a laptop, follows it from the day's page to the photos page."""

import re
from datetime import time, timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile

from bookings import team_days
from bookings.models import Availability
from galleries import photos, team_split
from tests.browser.conftest import axe_violations
from tests.factories import make_team_day
from tests.imaging_samples import encode, exif, photo

pytestmark = pytest.mark.browser


def upload_the_days_photos(day) -> None:
    """Two photos for each person with a time, taken during it (the camera's clock right), as JPEGs
    through the real pipeline."""
    shoot = team_split.start_shoot(day)
    zone = Availability.load().tz
    for n, person in enumerate(day.members.exclude(slot_start=None).order_by("slot_start")):
        for k in range(2):
            taken = (person.slot_start + timedelta(minutes=2 + 3 * k)).astimezone(zone)
            data = encode(
                photo((900, 1125), seed=10 * n + k), "JPEG", quality=85, exif=exif(taken=f"{taken:%Y:%m:%d %H:%M:%S}")
            )
            photos.add_photos(shoot.gallery, [ContentFile(data, name=f"IMG_20261211_{5120 + 2 * n + k:04d}.JPG")])
    team_split.split_shoot(shoot)
    assert len(team_split.publish_day(shoot).published) == 2


def test_an_employee_picks_a_time_then_chooses_in_their_own_gallery_and_the_coordinator_follows(studio, phone, page):
    availability = Availability.load()
    availability.time_zone = "Europe/Berlin"
    availability.save()
    day = make_team_day(
        days=9, company="Halden & Roe Architects", start=time(9), end=time(11), breaks=[(time(10), time(10, 15))],
        address="Halden & Roe Architects, Torstraße 140, 10119 Berlin", photos_each=1,
    )  # fmt: skip
    mail.outbox.clear()
    priya, tomas = team_days.invite_people(
        day,
        [
            team_days.Person("Priya Raman-Whitfield", "priya.raman-whitfield@haldenroe.example"),
            team_days.Person("Tomás Ó Briain", "tomas.obriain@haldenroe.example"),
        ],
    ).added
    invitation = next(m for m in mail.outbox if m.to == [priya.email])

    # On her phone, from the invitation: she picks 09:20. Tomás picks his own time.
    phone.goto(re.search(r"http://\S+/team/[\w-]+/", invitation.body)[0])
    phone.locator("#times label", has_text="09:20").click()
    phone.get_by_role("button", name="Book this time").click()
    phone.wait_for_selector("#my-time")
    assert "09:20 to 09:30" in phone.locator("#my-time").inner_text()
    team_days.pick_time(tomas, next(s.start for s in team_days.slots(day) if f"{s.start:%H:%M}" == "09:40"))

    # The day: the photos are uploaded once and each person's gallery published.
    mail.outbox.clear()
    upload_the_days_photos(day)

    # Later, on the same phone: the email's link leads to her own two photos; she chooses one.
    published = next(m for m in mail.outbox if m.to == [priya.email])
    phone.goto(re.search(r"http://\S+/portal/login/link/\S+", published.body)[0])
    phone.get_by_role("button", name="Continue").click()
    phone.wait_for_url("**/portal/galleries/*/")
    phone.locator(".photo-tile img").first.wait_for()
    assert phone.locator(".photo-tile").count() == 2  # hers, none of Tomás's
    phone.locator(".photo-tile .heart").first.click()
    phone.locator(".js-chosen", has_text="1").first.wait_for()
    phone.get_by_role("link", name="Review and send").click()
    phone.get_by_label("send them and lock my choice").check()
    phone.get_by_role("button", name="Send my selection").click()
    assert "Selection received" in phone.locator("main").inner_text()
    assert axe_violations(phone) == []

    # The coordinator, on a laptop: her time on the day's page, then her choice on the photos page.
    page.goto(f"/team/day/{day.coordinator_token}/")
    assert re.search(r"09:20\s+Priya Raman-Whitfield", page.locator("#picked").inner_text())
    page.get_by_role("link", name="Photos and choices").click()
    page.wait_for_url(f"**/team/day/{day.coordinator_token}/photos/")
    rows = page.locator("main").inner_text()
    assert "Priya Raman-Whitfield" in rows and "Tomás Ó Briain" in rows
    assert "<img" not in page.content()  # the day does not let the coordinator see anyone's photos
    assert axe_violations(page) == []
