"""Each person of a team day is emailed a link to their own gallery, chooses within the day's photos
each (extras as the day says who pays them), and the company's summary CSV adds it up for the
invoice."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from bookings.models import TeamDay
from galleries import selection
from galleries.models import Gallery
from tests.team_photos import member, published_day

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_as_in_production")]


def gallery_of(day: TeamDay, name: str) -> Gallery:
    return member(day, name).team_gallery.gallery


def choose(gallery: Gallery, how_many: int) -> selection.SelectionCount:
    count = None
    for photo in gallery.photos.order_by("pk")[:how_many]:
        count = selection.set_favourite(gallery, photo, chosen=True)
    return count


def summary_rows(client, day: TeamDay) -> dict[str, dict]:
    response = client.get(reverse("portal:team_summary", args=[day.coordinator_token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return {row["name"]: row for row in csv.DictReader(io.StringIO(response.content.decode()))}


def test_publishing_emails_each_person_a_link_to_their_own_gallery_only():
    day, shoot = published_day(company="Quayside Architects")

    for person in day.members.all():
        own = person.team_gallery.gallery
        emails = [m for m in mail.outbox if m.to == [person.email]]
        assert len(emails) == 1, person.name
        message = emails[0]
        assert "Quayside Architects" in message.subject
        html = message.alternatives[0][0]
        for body in (message.body, html):
            assert own.public_id in body
            others = Gallery.objects.filter(team_member_gallery__shoot=shoot).exclude(pk=own.pk)
            assert not any(g.public_id in body for g in others)
        assert re.search(r"/portal/login/link/\?sesame=", message.body)
        assert own.status == Gallery.Status.PROOFING
    assert not any(m.to == [day.coordinator_email] for m in mail.outbox)  # the whole day's gallery stays unpublished


def test_a_person_chooses_within_the_days_photos_each_when_there_are_no_extras():
    day, _ = published_day(photos_each=2, extra_price=Decimal("0"))
    bobs = gallery_of(day, "Bob Mensah")
    assert not bobs.allows_extras

    assert choose(bobs, 2).chosen == 2
    with pytest.raises(selection.SelectionError, match="all your package includes"):
        choose(bobs, 3)
    sent = selection.submit_selection(bobs)
    assert sent.photos.count() == 2 and sent.extras == 0


def test_extras_paid_by_the_person_are_priced_in_their_gallery_and_not_on_the_companys_summary(client):
    day, _ = published_day(photos_each=1, extra_price=Decimal("25.00"), extras_paid_by=TeamDay.ExtrasPaidBy.PERSON)
    bobs = gallery_of(day, "Bob Mensah")

    client.force_login(bobs.client.user)
    gallery_page = client.get(reverse("portal:gallery", args=[bobs.public_id])).content.decode()
    assert "£25.00 for each extra photo" in gallery_page
    count = choose(bobs, 3)
    sent = selection.submit_selection(bobs)

    assert (count.extras, count.extras_price) == (2, Decimal("50.00"))
    assert (sent.extras, sent.extras_price) == (2, Decimal("50.00"))
    row = summary_rows(client, day)["Bob Mensah"]
    assert (row["chosen"], row["extras"], row["extras price"], row["selection sent"]) == ("3", "2", "0.00", "yes")


def test_extras_paid_by_the_company_cost_the_person_nothing_and_are_priced_on_the_summary(client):
    day, _ = published_day(photos_each=1, extra_price=Decimal("25.00"), extras_paid_by=TeamDay.ExtrasPaidBy.COMPANY)
    bobs, amaras = gallery_of(day, "Bob Mensah"), gallery_of(day, "Amara Okafor")

    client.force_login(bobs.client.user)
    gallery_page = client.get(reverse("portal:gallery", args=[bobs.public_id])).content.decode()
    assert "1 included; choose more if you like, at no cost to you" in gallery_page
    count = choose(bobs, 3)
    review = client.get(reverse("portal:review", args=[bobs.public_id])).content.decode()
    assert "The 2 extra cost you nothing." in review
    sent = selection.submit_selection(bobs)
    choose(amaras, 1)

    assert (count.extras, count.extras_price) == (2, Decimal("0"))
    assert (sent.extras, sent.extras_price) == (2, Decimal("0"))
    rows = summary_rows(client, day)
    assert (rows["Bob Mensah"]["extras"], rows["Bob Mensah"]["extras price"]) == ("2", "50.00")
    assert (rows["Amara Okafor"]["chosen"], rows["Amara Okafor"]["extras price"]) == ("1", "0.00")


def test_the_companys_summary_matches_what_each_person_did(client):
    day, shoot = published_day(photos_each=2, extra_price=Decimal("12.50"))
    choices = {"Amara Okafor": 2, "Bob Mensah": 3, "Chiara Rossi-Whitfield": 1, "Dan Lindqvist": 0}
    for name, how_many in choices.items():
        if how_many:
            choose(gallery_of(day, name), how_many)
    selection.submit_selection(gallery_of(day, "Bob Mensah"))

    rows = summary_rows(client, day)

    assert set(rows) == set(day.members.values_list("name", flat=True))
    for person in day.members.all():
        row, chose = rows[person.name], choices.get(person.name, 0)
        extras = max(0, chose - 2)
        assert row["email"] == person.email
        assert row["time"] == f"{person.slot_start.astimezone(_zone()):%H:%M}"
        assert int(row["photos"]) == person.team_gallery.gallery.photos.count() == 3
        assert (int(row["chosen"]), int(row["extras"])) == (chose, extras)
        assert Decimal(row["extras price"]) == extras * Decimal("12.50")
        assert row["delivered"] == "0"
    assert rows["Bob Mensah"]["selection sent"] == "yes" and rows["Amara Okafor"]["selection sent"] == "no"

    page = client.get(reverse("portal:team_photos", args=[day.coordinator_token])).content.decode()
    assert "18 photos in all · 6 chosen · 1 extra (£12.50)" in page


def test_a_name_that_looks_like_a_formula_stays_text_in_the_summary(client):
    day, _ = published_day()
    day.members.filter(name="Bob Mensah").update(name='=HYPERLINK("http://evil.example")')

    rows = summary_rows(client, day)

    assert '\'=HYPERLINK("http://evil.example")' in rows


def _zone():
    from bookings.models import Availability

    return Availability.load().tz
