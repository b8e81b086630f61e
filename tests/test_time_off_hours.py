"""Time off by the hour: the free times leave those hours out (whole days off still drop the day),
and saving time off over a requested or confirmed session warns, naming it."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from bookings import scheduling, services, slots
from bookings.models import Booking, TimeOff
from tests.factories import booking_data, local, make_booking, make_session_type, open_every_day

LONDON = ZoneInfo("Europe/London")

# --- the pure rule ---


def test_hours_off_leave_out_every_start_whose_held_time_overlaps_them():
    day = datetime(2027, 3, 10).date()  # a Wednesday
    rules = slots.Rules(
        tz=LONDON,
        working_hours=(slots.WorkingRange(weekday=2, start=time(9), end=time(17)),),
        hours_off=(slots.Interval(datetime.combine(day, time(12), LONDON), datetime.combine(day, time(14), LONDON)),),
        min_notice=timedelta(0),
    )
    shape = slots.SessionShape(duration=timedelta(minutes=60), buffer_after=timedelta(minutes=15))

    starts = slots.free_starts(shape, rules, day, day, now=datetime(2027, 3, 1, tzinfo=UTC))

    labels = [f"{s:%H:%M}" for s in starts]
    # 10:30 would hold until 11:45, 11:00 until 12:15: the buffer counts. 14:00 touches the end.
    assert labels == ["09:00", "09:30", "10:00", "10:30", "14:00", "14:30", "15:00", "15:30", "16:00"]


# --- the studio's free times ---


@pytest.fixture
def headshot(db):
    open_every_day()
    return make_session_type(kind="headshot", slug="headshot", duration_minutes=60)


def labels_on(session, day) -> list[str]:
    return [f"{s:%H:%M}" for s in scheduling.free_starts(session, day, day)]


@pytest.mark.django_db
def test_an_afternoon_off_leaves_the_morning_bookable(headshot, client):
    day = local(days=5).date()
    TimeOff.objects.create(first_day=day, start_time=time(13), last_day=day, end_time=time(17), note="School play")

    assert labels_on(headshot, day) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00"]
    response = client.get(f"/book/?type=headshot&month={day:%Y-%m}")
    assert day in {d.date for week in response.context["calendar"].weeks for d in week if d and d.is_free}


@pytest.mark.django_db
def test_time_off_from_one_afternoon_to_a_later_noon_covers_the_days_between(headshot):
    first = local(days=5).date()
    last = first + timedelta(days=3)
    TimeOff.objects.create(first_day=first, start_time=time(14), last_day=last, end_time=time(12))

    assert labels_on(headshot, first)[-1] == "13:00"
    assert labels_on(headshot, first + timedelta(days=1)) == []
    assert labels_on(headshot, first + timedelta(days=2)) == []
    assert labels_on(headshot, last)[0] == "12:00"


@pytest.mark.django_db
def test_a_whole_day_off_still_drops_the_day(headshot):
    day = local(days=5).date()
    TimeOff.objects.create(first_day=day, last_day=day)

    assert labels_on(headshot, day) == []
    assert labels_on(headshot, day + timedelta(days=1))


@pytest.mark.django_db
def test_a_time_in_hours_off_is_refused_even_if_posted_by_hand(headshot, client):
    day = local(days=5).date()
    TimeOff.objects.create(first_day=day, start_time=time(13), last_day=day, end_time=time(17))

    response = client.post("/book/", booking_data(headshot, local(days=5, hour=14)))

    assert response.status_code == 409
    assert Booking.objects.count() == 0


# --- the admin ---


@pytest.fixture
def photographer(client, headshot):
    client.force_login(get_user_model().objects.create_superuser("sam", "sam@example.com", "a-test-only-password"))


def add_time_off(client, first, last, start="", end="", note="Dentist"):
    data = {"first_day": first.strftime("%d/%m/%Y"), "start_time": start, "last_day": last.strftime("%d/%m/%Y")}
    return client.post(reverse("admin:bookings_timeoff_add"), data | {"end_time": end, "note": note}, follow=True)


def warnings(response) -> str:
    return " ".join(str(m) for m in response.context["messages"] if m.level_tag == "warning")


@pytest.mark.django_db
def test_hours_off_over_a_held_session_warn_and_name_it(client, photographer, headshot):
    held = services.confirm_booking(
        make_booking(headshot, local(days=6, hour=15), name="Chiara Rossi", email="chiara.rossi@example.org")
    )
    morning = make_booking(headshot, local(days=6, hour=9), name="Dan Okafor", email="dan@okafor.example")
    day = local(days=6).date()

    response = add_time_off(client, day, day, "14:00", "17:00", note="Parents' evening")

    assert TimeOff.objects.filter(first_day=day, start_time=time(14), end_time=time(17)).exists()
    text = warnings(response)
    assert "1 booked session" in text
    assert held.reference in text and "Chiara Rossi" in text and "15:00" in text
    assert morning.reference not in text  # 09:00–10:00 is not in the afternoon


@pytest.mark.django_db
def test_hours_off_beside_a_session_are_saved_quietly(client, photographer, headshot):
    make_booking(headshot, local(days=6, hour=10))  # 10:00–11:00
    day = local(days=6).date()

    response = add_time_off(client, day, day, "11:00", "13:00")

    assert [m.level_tag for m in response.context["messages"]] == ["success"]


@pytest.mark.django_db
def test_hours_off_that_end_before_they_start_are_refused_plainly(client, photographer):
    day = local(days=6).date()

    response = add_time_off(client, day, day, "15:00", "14:00")

    assert response.status_code == 200
    assert "must end after it starts" in response.content.decode()
    assert not TimeOff.objects.exists()
