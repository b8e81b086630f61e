"""Hostile input: every public and portal URL answers it with a page or a 4xx, never a 5xx, and a
refused request changes nothing in the database.

The property-based guard walks the whole URLconf (so URLs added later are covered without anyone
listing them), fills each path's parameters with real objects' values or generated junk, and sends
generated query strings and form bodies, by GET and POST, signed out and signed in as a client.
The admin is left to its own guard. Smaller tests below pin each known case by name.
"""

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote_from_bytes, urlsplit

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client as Browser
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bookings import links, team_days, waitlist
from bookings.models import Availability, Booking, ContactMessage, TeamMember
from galleries import accounts
from galleries.models import Gallery, Photo, ZipArchive
from tests.factories import (
    booking_data,
    jpeg_bytes,
    local,
    make_booking,
    make_client,
    make_gallery,
    make_ready_gallery,
    make_session_type,
    make_team_day,
    make_user_client,
    open_every_day,
)
from tests.helpers import booking_page_shows

pytestmark = pytest.mark.django_db


# --- every URL of the site, from the resolver ---


@dataclass(frozen=True)
class Route:
    """One URL pattern: its route with `<converter:name>` parts, and each part's regex."""

    route: str
    params: tuple[tuple[str, str], ...]  # (name, regex)

    def __str__(self) -> str:
        return "/" + self.route


ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")
REGEX_PARAM = re.compile(r"\(\?P<(?P<name>\w+)>(?P<regex>(?:[^()]|\([^()]*\))*)\)")


def _as_route(pattern) -> tuple[str, dict[str, str]]:
    """A pattern as route text with `<name>` placeholders, and the regex each placeholder matches."""
    text = str(pattern)
    converters = getattr(pattern, "converters", {})
    if ROUTE_PARAM.search(text) and converters:
        params = {m["name"]: converters[m["name"]].regex for m in ROUTE_PARAM.finditer(text)}
        return ROUTE_PARAM.sub(lambda m: f"<{m['name']}>", text), params
    # A regular expression (re_path): its named groups become placeholders.
    params = {m["name"]: m["regex"] for m in REGEX_PARAM.finditer(text)}
    text = REGEX_PARAM.sub(lambda m: f"<{m['name']}>", text).lstrip("^").rstrip("$").replace("\\", "")
    return text, params


def walk(patterns, prefix: str = "", params: dict | None = None) -> Iterator[Route]:
    for pattern in patterns:
        text, found = _as_route(pattern.pattern)
        here = {**(params or {}), **found}
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue  # the admin has its own guard (every admin page opens)
            yield from walk(pattern.url_patterns, prefix + text, here)
        elif isinstance(pattern, URLPattern):
            yield Route(prefix + text, tuple(here.items()))


ROUTES = sorted(set(walk(get_resolver().url_patterns)), key=str)


# --- the studio's real data, for path parameters and field values ---


@dataclass
class Studio:
    client_user: object
    values: dict[str, list[str]]  # real values by parameter or field name
    everything: list[str]  # every real value, for names nobody planned for

    def __repr__(self) -> str:  # short, in a failing example's report
        return f"Studio(client={self.client_user}, {len(self.everything)} real values)"


@pytest.fixture
def studio(settings) -> Studio:
    settings.PROTECTED_MEDIA_PREFIX = ""
    open_every_day()
    session = make_session_type(kind="headshot", slug="headshot", name="Headshot session")
    bob = make_user_client("Bob Mensah", "bob.mensah@example.com")
    booking = make_booking(session, local(days=4, hour=11), name="Bob Mensah", email="bob.mensah@example.com")
    proofing = make_ready_gallery(bob, photos=2, title="Mensah headshots")
    delivered = make_ready_gallery(bob, photos=1, title="Mensah finals", status=Gallery.Status.DELIVERED)
    Photo.objects.filter(gallery=proofing).update(original_name="IMG_20261120_0142.jpg")
    Photo.objects.filter(gallery=delivered).update(original_name="2026-11-20 Bob Mensah 0142.jpg", delivered=True)
    archive = ZipArchive.objects.create(
        gallery=delivered, state=ZipArchive.State.READY, expires_at=timezone.now() + timedelta(days=7)
    )
    team_day = make_team_day(days=6)
    (priya, _) = team_days.invite_people(
        team_day,
        [
            team_days.Person("Priya Raman", "priya.raman@haldenroe.example"),
            team_days.Person("Chen Wei", "chen.wei@haldenroe.example"),
        ],
    ).added
    team_days.pick_time(priya, team_days.slots(team_day)[1].start)
    link = urlsplit(accounts.sign_in_url(bob))
    start = local(days=5, hour=14)
    waiting = waitlist.join_waitlist(session_type=session, days=[start.date()], name="Bob Mensah", email=bob.email)
    (offer,) = waitlist.offer_free_times(start.date())
    values = {
        "public_id": [proofing.public_id, delivered.public_id],
        "key": [*Photo.objects.values_list("key", flat=True), archive.key],
        "token": [
            links.manage_token(booking),
            Availability.load().calendar_token,
            waitlist.entry_token(waiting),
            waitlist.offer_token(offer),
            *TeamMember.objects.values_list("token", flat=True),
            team_day.coordinator_token,
        ],
        "slug": [session.slug],
        "type": [session.slug],
        "session_type": [session.slug],
        "date": [start.date().isoformat()],
        "start": [start.isoformat()],
        "email": ["bob.mensah@example.com", "alice.byrne@example.com"],
        "name": ["Bob Mensah", "Alice Byrne"],
        **{k: [v] for k, v in parse_qsl(link.query)},
    }
    everything = sorted({v for vs in values.values() for v in vs})
    return Studio(bob.user, values, everything)


# --- what a hostile visitor sends ---

NUL_VALUES = ["\x00", "head\x00shot", "%00"]
DATES = ["0001-01-01", "9999-12-31", "2026-02-30", "0000-00-00", "-0001-01-01", "99999-01-01", "9" * 10_240]
TIMES = ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-23:59", "2026-12-01T10:00"]
NUMBERS = ["-1", "0", "1e999", "99999999999999999999999", "NaN", "1.5", "٣"]
TEXT = [
    "",
    "x" * 10_240,
    "📸🙂👩🏽‍💼",
    "\u202eIMG_20261120_0142.jpg",
    "2026-11-20 Bob Mensah 0142.jpg",
    "بوب منصة",
    "\u200b",
    "\ud800",
    "\udfff",
    "[]",
    "{}",
    "null",
    "true",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "//evil.example/",
    "https://evil.example/portal/",
]
HOSTILE = NUL_VALUES + DATES + TIMES + NUMBERS + TEXT
# Names the views read that no page's form or link carries (the booking form's script, emailed links).
EXTRA_NAMES = ["type", "date", "next", "show", "sesame", "pick", "action", "chosen", "start", "text", "everywhere"]


def route_text(route: str) -> str:
    return ROUTE_PARAM.sub(lambda m: f"<{m['name']}>", route)


class FormFields(HTMLParser):
    """Each form's fields (and each link's query parameters) with their values, by the route they
    are sent to."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.action = page
        self.select = ""
        self.found: dict[str, dict[str, set[str]]] = {}

    def add(self, url: str, name: str, value: str) -> None:
        try:
            route = route_text(resolve(urlsplit(url).path or self.page).route)
        except Resolver404:
            return
        self.found.setdefault(route, {}).setdefault(name, set()).add(value)

    def handle_starttag(self, tag: str, attrs) -> None:
        attrs = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.action = attrs.get("action") or self.page
        elif tag in ("input", "textarea", "button") and attrs.get("name"):
            self.add(self.action, attrs["name"], attrs.get("value", ""))
        elif tag == "select":
            self.select = attrs.get("name", "")
        elif tag == "option" and self.select:
            self.add(self.action, self.select, attrs.get("value", ""))
        elif tag == "a" and "?" in attrs.get("href", "") and attrs["href"].startswith("/"):
            for name, value in parse_qsl(urlsplit(attrs["href"]).query, keep_blank_values=True):
                self.add(attrs["href"], name, value)


_harvest: dict[str, dict[str, set[str]]] = {}


def form_fields(studio: Studio) -> dict[str, dict[str, set[str]]]:
    """The fields every page's forms and links send, by route (fetched once, signed in, nothing kept)."""
    if not _harvest:
        web = Browser(raise_request_exception=False)
        web.force_login(studio.client_user)
        with transaction.atomic():
            for route in ROUTES:  # with every combination of real values, so each page shows once
                names = [name for name, _ in route.params]
                for combination in itertools.product(*(studio.values.get(n, ["x"]) for n in names)):
                    path = fill(route, dict(zip(names, combination, strict=True)))
                    response = web.get(path)
                    if response.status_code != 200 or "html" not in response["Content-Type"] or response.streaming:
                        continue
                    parser = FormFields(path)
                    parser.feed(response.content.decode(errors="replace"))
                    for target, fields in parser.found.items():
                        for name, values in fields.items():
                            _harvest.setdefault(target, {}).setdefault(name, set()).update(values)
            transaction.set_rollback(True)
        for fields in _harvest.values():
            fields.pop("csrfmiddlewaretoken", None)
    return _harvest


def fill(route: Route, values: dict[str, str]) -> str:
    """The route's path with each parameter replaced by its (percent-encoded) value."""
    path = str(route)
    for name, _ in route.params:
        path = path.replace(f"<{name}>", quote(values[name]), 1)
    return path


def quote(value: str) -> str:
    return quote_from_bytes(value.encode("utf-8", "surrogatepass"), safe="")


def encode_pairs(pairs: list[tuple[str, str]]) -> str:
    """A query string or form body as a client sends it, repeated keys and broken text included."""
    return "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs)


def hostile_for(real: list[str]) -> st.SearchStrategy[str]:
    """Junk aimed at what a field holds: broken dates for a date, broken times for a time, and so on."""
    kinds = [TEXT + NUMBERS]
    if any(re.fullmatch(r"\d{4}-\d\d-\d\d", v) for v in real):
        kinds.append(DATES)
    if any(re.fullmatch(r"\d{4}-\d\d-\d\dT.*", v) for v in real):
        kinds.append(TIMES)
    if any(v.isdigit() for v in real):
        kinds.append(NUMBERS)
    return st.one_of(
        st.sampled_from(kinds[-1]),  # twice: what the field holds is where its parsing breaks
        st.sampled_from(kinds[-1]),
        st.sampled_from(HOSTILE),
        st.sampled_from(real).map(lambda v: v + "\x00"),
        st.text(max_size=40),
    )


def field_value(data, name: str, real: list[str], junk_percent: int) -> str | None:
    """Left out (None), a real value, or junk: the mix a form gets from a script. Few fields are
    junk at once, so each reaches the code that reads it rather than a check on another field."""
    roll = data.draw(st.integers(0, 99), label=f"{name}: junk / real / left out")
    if roll < junk_percent:
        return data.draw(hostile_for(real), label=name)
    if roll < 90:
        return data.draw(st.sampled_from(real), label=name)
    return None


def row_counts() -> dict[str, int]:
    tables = sorted({m._meta.db_table for m in apps.get_models(include_auto_created=True)})
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {connection.ops.quote_name(t)})" for t in tables))
        return dict(zip(tables, cursor.fetchone(), strict=True))


def send(web: Browser, method: str, path: str, query: str, body, body_kind: str):
    url = f"{path}?{query}" if query else path
    if method == "GET":
        return web.generic("GET", url)
    if body_kind == "multipart":
        fields: dict[str, list[str]] = {}
        for k, v in body:  # multipart carries text as UTF-8: lone surrogates cannot be sent that way
            fields.setdefault(k.encode("utf-8", "replace").decode(), []).append(v.encode("utf-8", "replace").decode())
        return web.generic("POST", url, encode_multipart(BOUNDARY, fields), content_type=MULTIPART_CONTENT)
    return web.generic("POST", url, encode_pairs(body).encode(), content_type="application/x-www-form-urlencoded")


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_every_public_and_portal_url_survives_hostile_input(route: Route, studio: Studio):
    harvest = form_fields(studio)
    # The fields this URL's forms and links send; the names views read from elsewhere, less often.
    own = harvest.get(route.route, {})
    names = [*sorted(own), *(n for n in EXTRA_NAMES if n not in own)]
    real = {name: sorted(own.get(name, set()) | set(studio.values.get(name, [])) | {""}) for name in names}
    every_name = sorted({n for fields in harvest.values() for n in fields} | set(EXTRA_NAMES))
    junk_percent = max(12, min(50, 200 // max(len(own), 1)))  # about two junk fields per request

    # More fields, more examples: each field needs its turn at each kind of junk.
    @settings(
        max_examples=min(100, 12 + 6 * len(own)),
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def hostile_request(data) -> None:
        signed_in = data.draw(st.booleans(), label="signed in as the client")
        path = fill(
            route,
            {
                name: data.draw(
                    st.one_of(st.sampled_from(values), st.from_regex(regex, fullmatch=True), hostile_for(values)),
                    label=name,
                )
                for name, regex in route.params
                for values in [studio.values.get(name, studio.everything)]
            },
        )
        pairs = []
        for name in names:
            if name not in own and data.draw(st.integers(0, 99), label=f"send {name}") >= 35:
                continue
            if (value := field_value(data, name, real[name], junk_percent)) is not None:
                pairs.append((name, value))
        stray = st.tuples(st.one_of(st.sampled_from(every_name), st.text(max_size=12)), st.sampled_from(HOSTILE))
        pairs += data.draw(st.lists(stray, max_size=2), label="stray fields")
        if pairs and data.draw(st.booleans(), label="repeat a field"):
            pairs.append((pairs[0][0], data.draw(st.sampled_from(HOSTILE), label="repeated value")))
        method = data.draw(st.sampled_from(["GET", "POST"]), label="method")
        split = data.draw(st.integers(0, len(pairs)), label="fields in the query (POST)") if method == "POST" else 0
        body_kind = data.draw(st.sampled_from(["urlencoded", "multipart"]), label="body")
        query = encode_pairs(pairs[:split] if method == "POST" else pairs)

        cache.clear()  # rate limits would otherwise soon answer everything with 429
        with transaction.atomic():
            web = Browser()
            if signed_in:
                web.force_login(studio.client_user)
            before = row_counts()
            response = send(web, method, path, query, pairs[split:], body_kind)
            after = row_counts() if 400 <= response.status_code < 500 else before
            transaction.set_rollback(True)

        assert response.status_code < 500, f"{method} {path}?{query[:300]} → {response.status_code}"
        changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
        assert not changed, f"{method} {path} was refused ({response.status_code}) but changed rows: {changed}"

    hostile_request()


def test_the_guard_walks_every_public_and_portal_url_but_not_the_admin():
    routes = {str(r) for r in ROUTES}

    assert {"/", "/book/", "/book/times/", "/contact/", "/healthz", "/portal/login/"} <= routes
    assert "/portal/galleries/<public_id>/photos/<key>/download/" in routes
    assert "/bookings/<token>/reschedule/" in routes
    assert {"/team/<token>/", "/team/day/<token>/", "/team/day/<token>/schedule.csv"} <= routes
    assert not any(r.startswith("/admin") for r in routes)


# --- the cases that were 500s ---


@pytest.fixture
def headshot():
    open_every_day()
    return make_session_type(kind="headshot", slug="headshot")


@pytest.mark.parametrize(
    "url",
    [
        "/book/?type=head%00shot",
        "/book/times/?type=headshot%00",
        "/book/times/?type=headshot&date=2026-12-01%00",
        "/guide/?purpose=profile%00",
        "/portal/login/?next=/portal/%00",
        "/sessions/head%00shot/",
    ],
)
def test_a_nul_byte_in_the_address_gets_a_plain_400(client, headshot, url):
    response = client.get(url)

    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_a_nul_byte_in_a_portal_address_gets_a_plain_400_when_signed_in(client):
    bob = make_user_client("Bob Mensah", "bob.mensah@example.com")
    client.force_login(bob.user)

    response = client.get("/portal/galleries/Mensah%00headshots/")

    assert response.status_code == 400


@pytest.mark.parametrize("field", ["name", "message", "company", "session_type", "email"])
def test_a_nul_byte_in_a_booking_field_is_refused_and_nothing_is_stored(client, headshot, field):
    data = booking_data(headshot, local(days=4, hour=11))
    data[field] = (data[field] or "Bob") + "\x00"

    response = client.post("/book/", data)

    assert response.status_code == 400
    assert "NUL character" in response.content.decode()
    assert Booking.objects.count() == 0


def test_a_nul_byte_in_the_sign_in_or_contact_form_is_refused(client):
    sign_in = client.post("/portal/login/", {"email": "bob.mensah\x00@example.com"})
    contact = client.post("/contact/", {"name": "Bob Mensah", "email": "bob@example.com", "message": "Hi\x00"})

    assert sign_in.status_code == 400 and contact.status_code == 400
    assert ContactMessage.objects.count() == 0


def test_text_that_is_not_utf8_gets_a_plain_400(client, headshot):
    query = client.get("/book/?type=head%ff%feshot")
    body = client.generic(
        "POST", "/contact/", b"name=Bob%ff&email=bob%40example.com&message=Hi", "application/x-www-form-urlencoded"
    )

    assert query.status_code == 400 and "UTF-8" in query.content.decode()
    assert body.status_code == 400 and ContactMessage.objects.count() == 0


def test_a_nul_byte_in_a_cookie_gets_a_plain_400(client):
    response = client.get("/portal/", headers={"Cookie": "sessionid=abcdefgh12345678\x00"})

    assert response.status_code == 400


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2026-02-30", "9" * 10_240, "-0001-01-01"])
def test_a_day_out_of_range_opens_the_booking_page_on_the_first_free_day(client, headshot, day):
    default = booking_page_shows(client.get("/book/?type=headshot"))

    response = client.get(f"/book/?type=headshot&date={day}")

    assert response.status_code == 200
    assert booking_page_shows(response) == default
    assert default[1]  # a day is shown


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_the_free_times_of_a_day_out_of_range_are_none(client, headshot, day):
    data = client.get(f"/book/times/?type=headshot&date={day}").json()

    assert data["times"] == []
    assert data["date"] == day
    if day.startswith("0001"):
        assert data["next_free_day"] == client.get("/book/?type=headshot").context["day"].isoformat()
    else:
        assert data["next_free_day"] is None


@pytest.mark.parametrize(
    "change",
    [
        {"date": "9999-12-31"},
        {"date": "0001-01-01"},
        {"start": "9999-12-31T23:59:59+00:00"},
        {"start": "0001-01-01T00:00:00+14:00"},
        {"start": "9999-12-31T23:59:59-23:59"},
    ],
)
def test_a_booking_for_a_day_out_of_range_is_refused_with_a_message(client, headshot, change):
    response = client.post("/book/", booking_data(headshot, local(days=4, hour=11)) | change)

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors
    assert Booking.objects.count() == 0


def test_moving_a_booking_to_a_time_out_of_range_is_refused_with_a_message(client, headshot):
    booking = make_booking(headshot, local(days=6, hour=11), email="bob.mensah@example.com")
    url = f"/bookings/{links.manage_token(booking)}/reschedule/"

    far = client.post(url, {"start": "9999-12-31T23:59:59+00:00"})
    odd_day = client.get(url + "?date=0001-01-01")

    assert far.status_code == 400 and "start times shown" in far.content.decode()
    assert odd_day.status_code == 200
    booking.refresh_from_db()
    assert booking.start == local(days=6, hour=11)


# --- files sent to forms that take none ---


def _with_files(count: int) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {
        f"file{n}": SimpleUploadedFile(f"IMG_20261120_{n:04d}.jpg", b"\xff\xd8\xff" + b"0" * 64) for n in range(count)
    }


@pytest.mark.parametrize("path", ["/contact/", "/book/", "/portal/login/"])
def test_public_forms_refuse_a_body_with_files(client, headshot, path):
    data = {"name": "Bob Mensah", "email": "bob.mensah@example.com", "message": "Headshots for our team?"}

    response = client.post(path, data | _with_files(1))

    assert response.status_code == 400
    assert "does not take files" in response.content.decode()
    assert ContactMessage.objects.count() == 0


def test_a_comment_with_files_attached_is_refused(client):
    bob = make_user_client("Bob Mensah", "bob.mensah@example.com")
    gallery = make_ready_gallery(bob, photos=1, with_files=False)
    photo = gallery.photos.get()
    client.force_login(bob.user)

    response = client.post(
        f"/portal/galleries/{gallery.public_id}/photos/{photo.key}/comment/", {"text": "Warmer please"} | _with_files(3)
    )

    assert response.status_code == 400
    assert not photo.comments.exists()


def test_the_admin_upload_takes_a_photo_per_request_but_not_dozens_at_once(client):
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(get_user_model().objects.create_superuser("sam", "sam@northlight.example", None))
    gallery = make_gallery(make_client("Bob Mensah", "bob.mensah@example.com"), title="Mensah headshots")
    url = f"/admin/galleries/gallery/{gallery.pk}/upload/"

    def photo(n: int) -> SimpleUploadedFile:
        return SimpleUploadedFile(f"IMG_20261120_{n:04d}.jpg", jpeg_bytes(size=(60, 40), seed=n), "image/jpeg")

    dozens = client.post(url, {"photos": [photo(n) for n in range(25)]}, headers={"Accept": "application/json"})
    assert dozens.status_code == 400
    assert gallery.photos.count() == 0

    one = client.post(url, {"photos": photo(142)}, headers={"Accept": "application/json"})
    assert one.status_code == 200
    assert list(gallery.photos.values_list("original_name", flat=True)) == ["IMG_20261120_0142.jpg"]
