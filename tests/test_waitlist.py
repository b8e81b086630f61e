"""The waitlist of full days: joining it, offers of freed times in joining order, one offer taken
once, offers passed on when declined or not taken in time, and its links refusing everyone else."""

import html
import threading
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import IntegrityError, connections, transaction
from django.test import Client as Browser
from django.utils import timezone

from bookings import links, services, waitlist
from bookings.models import Availability, Booking, WaitlistEntry, WaitlistOffer
from tests.factories import local, make_booking, make_session_type, open_every_day

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_as_in_production")]

# A day full of hour-long sessions, 09:00 to 17:00 on the studio's clock (Toronto, not UTC).
DAYS_AHEAD = 4
HOURS = range(9, 17)
WAITING = [
    ("Alice Byrne", "alice.byrne@example.com"),
    ("Bob Mensah", "bob.mensah@example.com"),
    ("Carol Okafor", "carol.okafor@example.com"),
    ("Dan Whitfield", "dan.whitfield@example.com"),
    ("Esther Lindqvist", "esther.lindqvist@example.com"),
    ("Farid Haddad", "farid.haddad@example.com"),
    ("Grace Tanaka", "grace.tanaka@example.com"),
    ("Hugo Marchetti", "hugo.marchetti@example.com"),
    ("Ines Carvalho", "ines.carvalho@example.com"),
    ("Jonah Brennan", "jonah.brennan@example.com"),
    ("Kezia Adeyemi", "kezia.adeyemi@example.com"),
    ("Liam O'Connell", "liam.oconnell@example.com"),
    ("Maya Rosenthal", "maya.rosenthal@example.com"),
    ("Nils Eriksen", "nils.eriksen@example.com"),
    ("Olivia Pryce", "olivia.pryce@example.com"),
    ("Pavel Novak", "pavel.novak@example.com"),
    ("Quinn Delaney", "quinn.delaney@example.com"),
    ("Rosa Jimenez", "rosa.jimenez@example.com"),
    ("Samir Qureshi", "samir.qureshi@example.com"),
    ("Tess Hargreaves", "tess.hargreaves@example.com"),
]


@pytest.fixture
def headshot():
    open_every_day(time_zone="America/Toronto")
    return make_session_type(kind="headshot", slug="headshot", name="Business headshot", duration_minutes=60)


@pytest.fixture
def full_day(headshot) -> dict[int, Booking]:
    """Every hour of the day booked, by the hour it starts at."""
    return {
        hour: make_booking(
            headshot, local(days=DAYS_AHEAD, hour=hour), name=f"Client {hour}", email=f"c{hour}@example.org"
        )
        for hour in HOURS
    }


def the_day() -> date:
    return local(days=DAYS_AHEAD).date()


def join(session, people=WAITING[:2], days=None) -> list[WaitlistEntry]:
    return [
        waitlist.join_waitlist(session_type=session, days=days or [the_day()], name=name, email=email)
        for name, email in people
    ]


def offer_emails() -> list:
    return [m for m in mail.outbox if m.subject.startswith("A time has freed up")]


def open_offers() -> list[WaitlistOffer]:
    return list(WaitlistOffer.objects.filter(status=WaitlistOffer.Status.OFFERED).select_related("entry"))


def offer_link_path(message) -> str:
    """The offer page's path, from the link in its email."""
    return urlsplit(next(word for word in message.body.split() if "/waitlist/offers/" in word)).path


def free_times_page(browser, day: date) -> str:
    return browser.get(f"/book/?type=headshot&date={day.isoformat()}").content.decode()


# --- 1. one freed time, twenty waiting: one offer at a time, in joining order ---


def test_twenty_waiting_and_one_cancellation_make_exactly_one_offer_to_the_first_who_joined(headshot, full_day):
    entries = join(headshot, WAITING)
    mail.outbox.clear()

    services.cancel_booking(full_day[10], by_client=False)

    (offer,) = open_offers()
    assert offer.entry == entries[0]
    assert offer.start == local(days=DAYS_AHEAD, hour=10)
    (email,) = offer_emails()
    assert email.to == ["alice.byrne@example.com"]
    assert "10:00" in email.subject
    assert "America/Toronto time" in email.body
    assert email.alternatives and "/waitlist/offers/" in email.alternatives[0][0]

    # The task is safe to run twice: the time is held, so nothing more is offered.
    assert waitlist.offer_freed_time(full_day[10].start) == []
    assert len(open_offers()) == 1 and len(offer_emails()) == 1


def test_each_decline_passes_the_time_to_the_next_in_joining_order(headshot, full_day):
    join(headshot, WAITING[:5])
    services.cancel_booking(full_day[13], by_client=False)

    offered_to = []
    for _ in range(5):
        (offer,) = open_offers()
        offered_to.append(offer.entry.email)
        assert waitlist.decline_offer(offer)

    assert offered_to == [email for _, email in WAITING[:5]]
    assert [m.to[0] for m in offer_emails()] == offered_to
    assert open_offers() == []


def test_a_time_freed_by_a_decline_a_lapse_or_a_move_is_offered_too(headshot, full_day):
    alice, bob, carol = join(headshot, WAITING[:3])

    services.decline_booking(full_day[9], reason="Double-booked by mistake")
    services.lapse_request(full_day[11].pk, now=full_day[11].lapses_at + timedelta(minutes=1))
    later = local(days=DAYS_AHEAD + 1, hour=15)
    services.reschedule_booking(full_day[15], new_start=later, by_client=False)

    offers = WaitlistOffer.objects.order_by("start")
    tz = Availability.load().tz
    assert [(o.entry, o.start.astimezone(tz).hour) for o in offers] == [(alice, 9), (bob, 11), (carol, 15)]


def test_a_client_who_booked_meanwhile_or_was_offered_that_day_is_not_offered_again(headshot, full_day):
    alice, bob, carol = join(headshot, WAITING[:3])
    services.cancel_booking(full_day[10], by_client=False)
    waitlist.decline_offer(open_offers()[0])  # Alice says no: Bob is offered it
    make_booking(headshot, local(days=DAYS_AHEAD + 2, hour=9), name="Carol Okafor", email="carol.okafor@example.com")
    waitlist.decline_offer(open_offers()[0])  # Bob says no; Carol booked another day meanwhile

    services.cancel_booking(full_day[14], by_client=False)  # Alice and Bob had their offer for this day

    assert open_offers() == []
    assert WaitlistEntry.objects.get(pk=carol.pk).status == WaitlistEntry.Status.BOOKED
    assert WaitlistOffer.objects.filter(entry=carol).count() == 0


def test_a_longer_session_is_passed_over_for_a_waiting_client_whose_session_fits(headshot, full_day):
    portrait = make_session_type(kind="portrait", slug="portrait", name="Portrait", duration_minutes=120)
    (first,) = join(portrait, WAITING[:1])
    (second,) = join(headshot, WAITING[1:2])

    services.cancel_booking(full_day[12], by_client=False)  # one free hour: too short for a portrait

    (offer,) = open_offers()
    assert offer.entry == second
    assert WaitlistOffer.objects.filter(entry=first).count() == 0


# --- 2. two clicks racing for one offer ---


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_racing_claims_of_one_offer_make_one_booking_and_the_loser_is_told():
    open_every_day(time_zone="America/Toronto")
    session = make_session_type(kind="headshot", slug="headshot", name="Business headshot", duration_minutes=60)
    day_bookings = {
        hour: make_booking(session, local(days=DAYS_AHEAD, hour=hour), email=f"c{hour}@example.org") for hour in HOURS
    }
    join(session, WAITING[:1])
    services.cancel_booking(day_bookings[10], by_client=False)
    (offer,) = open_offers()
    path = f"/waitlist/offers/{waitlist.offer_token(offer)}/"
    barrier = threading.Barrier(2)
    results: list[tuple[int, str]] = []

    def take() -> None:
        try:
            browser = Browser()
            barrier.wait()  # both clicks leave at the same moment (a phone and a laptop)
            response = browser.post(path, {"action": "take"})
            results.append((response.status_code, response.content.decode()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    at_ten = Booking.objects.filter(status__in=Booking.HOLDING, start=local(days=DAYS_AHEAD, hour=10))
    assert at_ten.count() == 1
    assert at_ten.get().client.email == "alice.byrne@example.com"
    assert sorted(code for code, _ in results) == [302, 409]
    (loser,) = [html for code, html in results if code == 409]
    assert "already been booked through this offer" in loser
    offer.refresh_from_db()
    assert offer.status == WaitlistOffer.Status.TAKEN and offer.booking == at_ten.get()


@pytest.mark.postgres
def test_the_database_refuses_two_open_offers_of_overlapping_times(headshot, full_day):
    alice, bob = join(headshot, WAITING[:2])
    services.cancel_booking(full_day[10], by_client=False)
    (offer,) = open_offers()
    clash = WaitlistOffer(
        entry=bob,
        day=offer.day,
        start=offer.start + timedelta(minutes=30),
        end=offer.end + timedelta(minutes=30),
        held_start=offer.held_start + timedelta(minutes=30),
        held_end=offer.held_end + timedelta(minutes=30),
        expires_at=offer.expires_at,
    )

    with pytest.raises(IntegrityError, match="waitlist_open_offers_never_overlap"), transaction.atomic():
        clash.save()
    with pytest.raises(IntegrityError, match="waitlist_one_offer_per_entry_and_day"), transaction.atomic():
        WaitlistOffer.objects.create(
            entry=alice, day=offer.day, start=offer.start, end=offer.end, held_start=offer.held_start,
            held_end=offer.held_end, expires_at=offer.expires_at, status=WaitlistOffer.Status.DECLINED,
        )  # fmt: skip


def test_taking_an_offer_books_the_time_with_the_booking_forms_emails(client, headshot, full_day):
    join(headshot, WAITING[:1])
    services.cancel_booking(full_day[10], by_client=False)
    (email,) = offer_emails()
    mail.outbox.clear()
    path = offer_link_path(email)

    page = client.get(path).content.decode()
    response = client.post(path, {"action": "take"})

    assert "Book this time" in page and "America/Toronto time" in page
    booking = Booking.objects.get(client__email="alice.byrne@example.com")
    assert response.status_code == 302
    assert links.booking_for_token(response["Location"].split("/")[-2]) == booking
    assert booking.status == Booking.Status.REQUESTED and booking.start == local(days=DAYS_AHEAD, hour=10)
    assert sorted(m.to[0] for m in mail.outbox) == ["alice.byrne@example.com", "hello@northlight.example"]
    assert WaitlistEntry.objects.get().status == WaitlistEntry.Status.BOOKED
    again = client.post(path, {"action": "take"})
    assert again.status_code == 409 and "already been booked through this offer" in again.content.decode()
    assert Booking.objects.filter(client__email="alice.byrne@example.com").count() == 1


def test_an_offered_time_the_studio_gave_away_meanwhile_is_refused_plainly_and_the_client_keeps_waiting(
    client, headshot, full_day
):
    join(headshot, WAITING[:1])
    services.cancel_booking(full_day[10], by_client=False)
    path = offer_link_path(offer_emails()[0])
    # The photographer books a caller into that hour from the admin before Alice answers.
    services.request_booking(
        services.BookingRequest(
            session_type=headshot,
            start=local(days=DAYS_AHEAD, hour=10),
            name="Bob Mensah",
            email="bob.mensah@mensah-architects.example",
        ),
        by_studio=True,
    )

    response = client.post(path, {"action": "take"})

    assert response.status_code == 409
    page = html.unescape(response.content.decode())
    assert "Sorry, this time can no longer be booked" in page
    assert "You're still on the waitlist: we'll email you if another time frees up." in page
    assert not Booking.objects.filter(client__email="alice.byrne@example.com").exists()
    assert WaitlistEntry.objects.get().status == WaitlistEntry.Status.WAITING


# --- 3. passing an offer on: after its hold, at once when declined; then the time is free ---


def test_an_offer_not_taken_in_time_passes_to_the_next_and_after_the_last_the_time_is_free(client, headshot, full_day):
    join(headshot, WAITING[:2])
    services.cancel_booking(full_day[10], by_client=False)
    ten = local(days=DAYS_AHEAD, hour=10).isoformat()
    (alices,) = open_offers()
    # Held for Availability.waitlist_offer_hours (2 by default).
    assert abs(alices.expires_at - alices.created_at - timedelta(hours=2)) < timedelta(seconds=5)
    assert f'value="{ten}"' not in free_times_page(client, the_day())  # held for Alice: nobody else sees it

    assert waitlist.pass_on_expired_offers(now=timezone.now() + timedelta(hours=1, minutes=50)) == 0
    assert open_offers() == [alices]
    assert waitlist.pass_on_expired_offers(now=timezone.now() + timedelta(hours=2, minutes=5)) == 1

    (bobs,) = open_offers()
    assert bobs.entry.email == "bob.mensah@example.com"
    alices.refresh_from_db()
    assert alices.status == WaitlistOffer.Status.EXPIRED
    assert [m.to[0] for m in offer_emails()] == ["alice.byrne@example.com", "bob.mensah@example.com"]
    assert f'value="{ten}"' not in free_times_page(client, the_day())

    response = client.post(offer_link_path(offer_emails()[1]), {"action": "decline"}, follow=True)

    assert "The time goes to the next person waiting" in response.content.decode()
    assert open_offers() == []  # nobody left
    assert f'value="{ten}"' in free_times_page(client, the_day())


def test_the_offer_hours_are_the_studios_setting(headshot, full_day):
    Availability.objects.filter(pk=Availability.load().pk).update(waitlist_offer_hours=5)
    join(headshot, WAITING[:1])
    services.cancel_booking(full_day[10], by_client=False)

    (offer,) = open_offers()
    assert abs(offer.expires_at - offer.created_at - timedelta(hours=5)) < timedelta(seconds=5)
    # The email gives the time the hold ends, on the studio's clock.
    assert f"{offer.expires_at.astimezone(Availability.load().tz):%H:%M}" in offer_emails()[0].body


def test_the_beat_task_passes_on_expired_offers_and_expires_past_entries(headshot, full_day):
    from bookings import tasks

    join(headshot, WAITING[:1])
    services.cancel_booking(full_day[10], by_client=False)

    assert tasks.tidy_waitlist.delay().get() == {"expired_entries": 0, "offers_passed_on": 0, "offers_made": 0}
    tidied = waitlist.tidy_waitlist(now=timezone.now() + timedelta(days=DAYS_AHEAD + 1))
    assert tidied.expired_entries == 1
    assert WaitlistOffer.objects.get().status == WaitlistOffer.Status.EXPIRED
    assert WaitlistEntry.objects.get().status == WaitlistEntry.Status.EXPIRED


def test_leaving_the_waitlist_passes_an_open_offer_on_at_once(client, headshot, full_day):
    alice, bob = join(headshot, WAITING[:2])
    services.cancel_booking(full_day[10], by_client=False)
    path = f"/waitlist/{waitlist.entry_token(alice)}/leave/"

    asked = client.get(path)
    assert "Leave the waitlist?" in asked.content.decode()
    assert open_offers()[0].entry == alice  # opening the link changes nothing
    response = client.post(path, follow=True)

    assert "You've left the waitlist" in response.content.decode()
    assert WaitlistEntry.objects.get(pk=alice.pk).status == WaitlistEntry.Status.LEFT
    (offer,) = open_offers()
    assert offer.entry == bob


# --- 4. joining ---


def join_form(session_slug="headshot", **fields) -> dict:
    return {
        "session_type": session_slug,
        "day": the_day().isoformat(),
        "name": "Alice Byrne",
        "email": "alice.byrne@example.com",
    } | fields


def test_a_full_day_offers_its_waitlist_on_the_booking_page_and_a_free_or_closed_day_does_not(
    client, headshot, full_day
):
    closed = the_day() + timedelta(days=2)
    Availability.load().working_hours.filter(weekday=closed.weekday()).delete()
    link = f'href="/book/waitlist/?type=headshot&amp;date={the_day().isoformat()}"'

    assert link in free_times_page(client, the_day())
    assert "Join the waitlist" not in free_times_page(client, the_day() + timedelta(days=1))  # has free times
    assert "Join the waitlist" not in free_times_page(client, closed)


def test_joining_shows_the_confirmation_and_emails_a_link_to_leave(client, headshot, full_day):
    form = client.get(f"/book/waitlist/?type=headshot&date={the_day().isoformat()}")
    assert f'value="{the_day().isoformat()}"' in form.content.decode()
    mail.outbox.clear()

    other_day = the_day() + timedelta(days=1)
    for hour in HOURS:
        make_booking(headshot, local(days=DAYS_AHEAD + 1, hour=hour), email=f"d{hour}@example.org")
    mail.outbox.clear()
    response = client.post("/book/waitlist/", join_form(day_2=other_day.isoformat()), follow=True)

    page = response.content.decode()
    assert "You&#x27;re on the waitlist" in page
    entry = WaitlistEntry.objects.get()
    assert entry.day_list == [the_day(), other_day] and entry.last_day == other_day
    (email,) = mail.outbox
    assert email.to == ["alice.byrne@example.com"]
    leave = f"/waitlist/{waitlist.entry_token(entry)}/leave/"
    assert leave in email.body and leave in email.alternatives[0][0]
    assert f"{the_day():%A %-d %B %Y}" in email.body


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"day": "2020-01-06"}, "has passed"),
        ({"day": "far"}, "We take bookings up to"),
        ({"email": "alice.byrne@"}, "Enter an email address"),
        ({"session_type": "wedding"}, "That session isn&#x27;t available"),
        ({"day": "tomorrow"}, "Enter a date like"),
        ({"day": "free"}, "still has free times"),
        ({"day_2": "same"}, "You&#x27;ve chosen this day already"),
        ({"name": "   "}, "Please tell us your name"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_stored(client, headshot, full_day, change, message):
    horizon = Availability.load().horizon_days
    stand_ins = {
        "far": (timezone.now() + timedelta(days=horizon + 3)).date().isoformat(),
        "free": (the_day() + timedelta(days=1)).isoformat(),
        "same": the_day().isoformat(),
    }
    data = join_form(**{k: stand_ins.get(v, v) for k, v in change.items()})

    response = client.post("/book/waitlist/", data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert WaitlistEntry.objects.count() == 0


def test_joining_is_rate_limited_per_email(client, headshot, full_day):
    for n in range(3):
        assert client.post("/book/waitlist/", join_form(), REMOTE_ADDR=f"203.0.113.{n + 1}").status_code == 302

    response = client.post("/book/waitlist/", join_form(email="ALICE.BYRNE@example.com"), REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 429
    assert WaitlistEntry.objects.count() == 3


def test_entries_expire_after_their_last_day_and_are_offered_nothing_after(headshot, full_day):
    (alice,) = join(headshot, WAITING[:1])

    assert waitlist.expire_past_entries(now=timezone.now() + timedelta(days=DAYS_AHEAD - 1)) == 0
    assert waitlist.expire_past_entries(now=local(days=DAYS_AHEAD + 1, hour=0) + timedelta(minutes=1)) == 1

    alice.refresh_from_db()
    assert alice.status == WaitlistEntry.Status.EXPIRED
    services.cancel_booking(full_day[10], by_client=False)
    assert open_offers() == []


# --- 5. the links: forged, someone else's, expired ---


def test_forged_or_borrowed_tokens_get_a_plain_404(client, headshot, full_day):
    (alice,) = join(headshot, WAITING[:1])
    services.cancel_booking(full_day[10], by_client=False)
    (offer,) = open_offers()
    token = waitlist.offer_token(offer)
    other_offer = waitlist.offer_token(offer).replace(f"{offer.pk}:", f"{offer.pk + 1}:", 1)

    for path in [
        f"/waitlist/offers/{token[:-2]}xx/",
        f"/waitlist/offers/{other_offer}/",
        f"/waitlist/offers/{offer.pk}/",
        f"/waitlist/offers/{waitlist.entry_token(alice)}/",  # a leave link's token is no offer's
        f"/waitlist/offers/{links.manage_token(full_day[9])}/",  # nor a booking's
        f"/waitlist/{token}/leave/",  # and an offer's leaves no waitlist
    ]:
        assert client.get(path).status_code == 404, path
        assert client.post(path, {"action": "take"}).status_code == 404, path
    assert client.get(f"/waitlist/{token}/").status_code == 404
    offer.refresh_from_db()
    assert offer.status == WaitlistOffer.Status.OFFERED


def test_an_offer_passed_on_is_closed_to_its_first_client_and_the_next_keeps_theirs(client, headshot, full_day):
    join(headshot, WAITING[:2])
    services.cancel_booking(full_day[10], by_client=False)
    (alices,) = open_offers()
    waitlist.pass_on_expired_offers(now=timezone.now() + timedelta(hours=3))
    (bobs,) = open_offers()
    alices_path = f"/waitlist/offers/{waitlist.offer_token(alices)}/"

    page = client.get(alices_path)
    taking = client.post(alices_path, {"action": "take"})
    declining = client.post(alices_path, {"action": "decline"})

    assert page.status_code == 200 and "This offer has ended" in page.content.decode()
    assert "Book this time" not in page.content.decode()
    assert taking.status_code == 409 and "it has now gone to the next person" in taking.content.decode()
    assert declining.status_code == 409
    assert "Bob" not in page.content.decode()
    bobs.refresh_from_db()
    assert bobs.status == WaitlistOffer.Status.OFFERED
    assert not Booking.objects.filter(client__email="alice.byrne@example.com").exists()


def test_an_offer_link_that_is_too_old_shows_a_plain_expired_page(client, headshot, full_day, monkeypatch):
    join(headshot, WAITING[:1])
    services.cancel_booking(full_day[10], by_client=False)
    token = waitlist.offer_token(open_offers()[0])
    monkeypatch.setattr(waitlist, "OFFER_LINK_LIFETIME", timedelta(seconds=-1))

    response = client.post(f"/waitlist/offers/{token}/", {"action": "take"})

    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()


def test_an_unknown_answer_to_an_offer_is_a_400(client, headshot, full_day):
    join(headshot, WAITING[:1])
    services.cancel_booking(full_day[10], by_client=False)
    path = f"/waitlist/offers/{waitlist.offer_token(open_offers()[0])}/"

    response = client.post(path, {"action": "maybe"})

    assert response.status_code == 400
    assert "Please choose to take the time or to decline it" in response.content.decode()
