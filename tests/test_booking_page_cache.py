"""The booking page stays quick without going stale.

What is the same for every visitor (the sessions on offer, the studio's details, hours and time off,
the month's markup) comes from the cache, and a change the photographer saves in the admin shows on
the very next visit; what is not (the free times, the form's values and errors, the CSRF token) is
worked out afresh every time. Once the cache is warm, one visit runs one query (the bookings that
hold time that month), however many bookings there are. The form's widgets are drawn in Python, byte
for byte as Django's templates draw them.
"""

import re
import uuid
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.forms.renderers import DjangoTemplates
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from bookings.forms import BookingForm
from bookings.models import Availability, SessionType, StudioProfile
from tests.admin_pages import form_data
from tests.factories import local, make_booking, make_session_type, open_every_day
from tests.helpers import booking_page_shows

pytestmark = pytest.mark.django_db

# The booking that holds the most time in the month shown: the month's queries (one) do not grow with it.
CLIENTS = [
    ("Bob Mensah", "bob.mensah@example.com"),
    ("Priya Raman-Oyelaran", "priya.raman-oyelaran@example.org"),
    ("Chloé Dubois", "chloe.dubois@atelier-dubois.example.fr"),
]


@pytest.fixture
def studio() -> dict:
    open_every_day(time(9), time(17))
    profile = StudioProfile.objects.create(
        address="Unit 4, Canal Wharf\n12 Water Lane", city="Leeds", postcode="LS11 5PS", phone="+44 113 496 0000"
    )
    return {
        "profile": profile,
        "headshot": make_session_type(kind="headshot", slug="headshot", name="Headshot session", duration_minutes=45),
        "portrait": make_session_type(
            kind="portrait", slug="portrait", name="Portrait session", duration_minutes=90, order=1
        ),
    }


@pytest.fixture
def photographer(client):
    user = get_user_model().objects.create_superuser("sam", "sam.okafor@northlight.example", None)
    client.force_login(user)
    return user


def queries_of_a_warm_visit(client, url: str) -> int:
    assert client.get(url).status_code == 200  # fills the cache, as the visitor before did
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def save_in_the_admin(client, url: str, **changes) -> None:
    """Post the admin's change form back as the photographer would, with `changes` typed in."""
    data = form_data(client.get(url).content.decode()) | changes
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


def time_labels(html: str) -> list[str]:
    return re.findall(r'<label class="btn btn-outline-dark" for="start-\d+">(\d\d:\d\d)</label>', html)


# --- queries ---


def test_a_warm_visit_runs_one_query_however_many_bookings_the_month_holds(client, studio):
    url = "/book/?type=headshot"
    before = queries_of_a_warm_visit(client, url)
    for n in range(30):
        name, email = CLIENTS[n % len(CLIENTS)]
        day = 2 + n // 6  # a day's first hours taken, from the day after tomorrow on
        make_booking(studio["headshot"], local(days=day, hour=9 + n % 6), name=name, email=email)

    after = queries_of_a_warm_visit(client, url)

    assert before == after == 1  # the bookings holding time that month; nothing else


def test_another_day_and_the_calendars_fragment_run_one_query_too(client, studio):
    day = local(days=5).date()

    assert queries_of_a_warm_visit(client, f"/book/?type=portrait&date={day}") == 1
    assert queries_of_a_warm_visit(client, f"/book/times/calendar/?type=portrait&date={day}") == 1


# --- what the cache holds is forgotten the moment it changes ---


def test_a_session_type_renamed_and_repriced_in_the_admin_shows_on_the_booking_page_at_once(
    client, photographer, studio
):
    headshot = studio["headshot"]
    assert "Headshot session" in client.get("/book/?type=headshot").content.decode()  # now cached

    save_in_the_admin(
        client,
        f"/admin/bookings/sessiontype/{headshot.pk}/change/",
        name="Executive headshot, boardroom-ready",
        price="245.00",
    )

    html = client.get("/book/?type=headshot").content.decode()
    assert '<option value="headshot" selected>Executive headshot, boardroom-ready</option>' in html
    assert "£245" in html and "Headshot session" not in html


def test_a_session_type_withdrawn_or_added_shows_on_the_booking_page_at_once(client, studio):
    assert 'value="portrait"' in client.get("/book/").content.decode()

    portrait = studio["portrait"]
    portrait.is_active = False
    portrait.save()
    make_session_type(kind="both", slug="team-day", name="Team headshots and portraits", order=2)

    html = client.get("/book/").content.decode()
    assert 'value="portrait"' not in html
    assert '<option value="team-day">Team headshots and portraits</option>' in html
    assert booking_page_shows(client.get("/book/?type=portrait"))[0] == "headshot"  # the first one offered


def test_the_studios_new_phone_number_shows_at_once(client, photographer, studio):
    assert "+44 113 496 0000" in client.get("/book/?type=headshot").content.decode()

    save_in_the_admin(client, "/admin/bookings/studioprofile/1/change/", phone="+44 113 496 0999")

    html = client.get("/book/?type=headshot").content.decode()
    assert "+44 113 496 0999" in html and "+44 113 496 0000" not in html


def test_time_off_saved_in_the_admin_closes_its_day_on_the_booking_page_at_once(client, photographer, studio):
    day = local(days=6).date()
    url = f"/book/?type=headshot&date={day}"
    assert time_labels(client.get(url).content.decode())[0] == "09:00"

    save_in_the_admin(
        client,
        "/admin/bookings/timeoff/add/",
        first_day=day.isoformat(),
        last_day=day.isoformat(),
        note="Wedding in Harrogate",
    )

    response = client.get(url)
    assert time_labels(response.content.decode()) == []
    assert f'data-day="{day:%Y-%m-%d}"' not in response.content.decode()  # the month no longer offers it


def test_new_working_hours_show_at_once(client, studio):
    day = local(days=6).date()
    url = f"/book/?type=headshot&date={day}"
    assert time_labels(client.get(url).content.decode())[0] == "09:00"

    open_every_day(time(11), time(15))

    assert time_labels(client.get(url).content.decode())[0] == "11:00"


# --- what is never cached ---


def test_a_time_taken_by_another_client_leaves_the_page_and_a_full_day_leaves_the_month(client, studio):
    availability = Availability.load()
    availability.max_sessions_per_day = 1
    availability.save()
    day = local(days=4).date()
    url = f"/book/?type=headshot&date={day}"
    html = client.get(url).content.decode()
    assert "10:00" in time_labels(html) and f'data-day="{day:%Y-%m-%d}"' in html

    make_booking(studio["headshot"], local(days=4, hour=10), name="Bob Mensah", email="bob.mensah@example.com")

    html = client.get(url).content.decode()
    assert time_labels(html) == []  # one session a day: the day is full
    assert f'data-day="{day:%Y-%m-%d}"' not in html
    assert f'data-day="{day + timedelta(days=1):%Y-%m-%d}"' in html


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_a_page_kept_for_everyone_carries_each_visitors_own_csrf_token(studio):
    alice, bob = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    url = "/book/?type=headshot"
    first = alice.get(url).content.decode()
    second = bob.get(url).content.decode()  # from the cache

    alice_token, bob_token = TOKEN.search(first)[1], TOKEN.search(second)[1]
    assert alice_token != bob_token
    assert TOKEN.sub("", first) == TOKEN.sub("", second)
    day = local(days=4).date().isoformat()
    show_times = {"session_type": "headshot", "date": day, "show_times": "1"}
    assert bob.post("/book/", show_times | {"csrfmiddlewaretoken": bob_token}).status_code == 200
    assert alice.post("/book/", show_times | {"csrfmiddlewaretoken": alice_token}).status_code == 200
    # A token is worth nothing with another visitor's cookie: the kept page shared no secret.
    assert alice.post("/book/", show_times | {"csrfmiddlewaretoken": bob_token}).status_code == 403


def test_a_message_waiting_for_one_visitor_is_shown_to_them_and_to_nobody_else(client, studio):
    url = "/book/?type=headshot"
    client.get(url)  # the page is kept
    visitor = Client()
    request = RequestFactory().get(url)
    notice = "Your booking request was withdrawn. Choose another time whenever you like."
    visitor.cookies["messages"] = CookieStorage(request)._encode([Message(constants.INFO, notice)])

    assert notice in visitor.get(url).content.decode()
    assert notice not in visitor.get(url).content.decode()  # shown once
    assert notice not in client.get(url).content.decode()


def test_what_one_visitor_typed_is_never_shown_to_the_next(client, studio):
    day = local(days=4).date()
    typed = {
        "session_type": "headshot",
        "date": day.isoformat(),
        "name": "Aleksandra Wiśniewska-Oyelaran",
        "email": "aleksandra.wisniewska@oyelaran-partners.example.com",
        "show_times": "1",
    }
    assert "Aleksandra" in client.post("/book/", typed).content.decode()

    assert "Aleksandra" not in client.get(f"/book/?type=headshot&date={day}").content.decode()


def test_the_details_kept_for_everyone_follow_the_place_the_link_asks_for(client, studio):
    studio_checked = 'value="studio" id="id_location_0" checked'
    on_location_checked = 'value="on_location" id="id_location_1" checked'
    assert studio_checked in client.get("/book/?type=headshot").content.decode()  # kept for the next visitor

    html = client.get("/book/?type=headshot&location=on_location").content.decode()  # the guide's "at my workplace"
    assert on_location_checked in html and studio_checked not in html

    make_session_type(kind="both", slug="office-day", name="Office team day", location="on_location", order=3)
    html = client.get("/book/?type=office-day").content.decode()
    assert on_location_checked in html
    assert '<div id="location-choice" hidden>' in html  # its only place: no question to ask


def test_errors_shown_to_one_visitor_are_not_shown_to_the_next(client, studio):
    response = client.post("/book/", {"session_type": "headshot", "email": "priya.raman@"})
    assert response.status_code == 400 and "id_email_error" in response.content.decode()

    html = client.get("/book/?type=headshot").content.decode()
    assert "_error" not in html and "priya.raman@" not in html and "is-invalid" not in html


# --- the fields, as light to draw as they can be and as accessible as before ---


def test_a_field_sent_wrong_names_its_message_for_screen_readers(client, studio):
    response = client.post("/book/", {"session_type": "headshot", "date": "2026-02-30", "email": "bob@", "people": "0"})

    html = response.content.decode()
    assert response.status_code == 400
    for field in ("name", "email", "people", "date"):
        described = re.search(rf'<[^>]+ id="id_{field}"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in described and f'aria-describedby="id_{field}_error"' in described
        assert re.search(rf'<div id="id_{field}_error" class="invalid-feedback d-block"><p[^>]*><strong>\w', html)
    assert '<label for="id_email" class="form-label requiredField">Email' in html


def test_where_the_session_happens_is_a_fieldset_with_its_question_as_legend(client, studio):
    html = client.get("/book/?type=headshot").content.decode()

    fieldset = re.search(r'<div id="div_id_location" class="mb-3">\s*<fieldset>(.*?)</fieldset>', html, re.S).group(1)
    assert re.search(r"<legend[^>]*>Where<", fieldset)
    assert re.findall(r'<label for="(id_location_\d)" class="form-check-label">', fieldset) == [
        "id_location_0",
        "id_location_1",
    ]
    assert 'value="studio" id="id_location_0" checked required' in fieldset


HOSTILE = '"><script>alert("Ω & co")</script>'


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {
            "session_type": "headshot",
            "date": "2026-13-45",
            "name": HOSTILE,
            "email": "priya.raman@",
            "phone": "+44 (0)113 496 0000",
            "company": "Raman & Oyelaran Ltd",
            "location": "on_location",
            "address": HOSTILE,
            "purpose": "Speaker page for <PyCon UK>",
            "people": "51",
            "message": f"Line one\nLine two {HOSTILE}",
            "website": "",
        },
    ],
    ids=["as-first-shown", "sent-empty", "sent-wrong-with-markup"],
)
def test_the_fields_are_drawn_exactly_as_djangos_templates_draw_them(studio, data):
    sessions = list(SessionType.objects.filter(is_active=True))
    shown = {"session_type": "portrait", "date": date(2026, 11, 20), "location": "studio"}
    bounds = {"times": [], "min_day": date(2026, 11, 1), "max_day": date(2027, 2, 1), "sessions": sessions}

    quick = BookingForm(data, initial=shown, **bounds)
    templates = BookingForm(data, initial=shown, renderer=DjangoTemplates(), **bounds)
    if data is not None:
        assert not quick.is_valid() and not templates.is_valid()

    for name in quick.fields:
        assert str(quick[name]) == str(templates[name]), name
    assert HOSTILE not in "".join(str(quick[name]) for name in quick.fields)


# --- the same on the shared Redis cache of production ---


@pytest.mark.redis
def test_on_redis_an_edit_shows_at_once_and_the_warm_page_still_runs_one_query(client, settings, studio):
    settings.CACHES = {
        "default": {
            "BACKEND": "photostudio.cache.TolerantRedisCache",
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",  # this test's keys only, never another's
        }
    }
    assert queries_of_a_warm_visit(client, "/book/?type=portrait") == 1

    portrait = studio["portrait"]
    portrait.name, portrait.price = "Personal-brand portrait", Decimal("420.00")
    portrait.save()

    html = client.get("/book/?type=portrait").content.decode()
    assert "Personal-brand portrait" in html and "£420" in html


# --- the guide ---


def test_the_guides_questions_are_drawn_once_and_its_answers_every_time(client, studio):
    first = client.get("/guide/")
    again = client.get("/guide/")

    field_templates = {"bootstrap5/field.html"}
    assert field_templates <= {t.name for t in first.templates}
    assert not field_templates & {t.name for t in again.templates}  # from the cache
    assert again.content == first.content
    answered = client.get("/guide/", {"purpose": "profile", "show_work": "no", "place": "studio", "people": "1"})
    assert re.search(r'value="profile"\s+id="id_purpose_0" required checked', answered.content.decode())
    assert "We recommend: a headshot session" in answered.content.decode()
    assert "Headshot session: 45 minutes" in answered.content.decode()  # the cached sessions
