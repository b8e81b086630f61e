"""Who changed what: every change of a booking's or a gallery's state is kept (who, when, from, to,
why) in the transaction that makes it, and shown on the object's admin page."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings import links, services
from bookings.models import Availability, Booking
from galleries import delivery, photos, publishing, selection
from galleries.models import Favourite, Gallery
from photostudio.models import StateChange
from tests.factories import (
    jpeg_bytes,
    local,
    make_booking,
    make_gallery,
    make_ready_gallery,
    make_session_type,
    make_user_client,
    open_every_day,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def studio():
    open_every_day()
    return make_session_type(kind="headshot", slug="headshot", duration_minutes=60)


@pytest.fixture
def sam():
    user = get_user_model().objects.create_user(
        "sam", "sam@northlight.example", first_name="Sam", last_name="Okafor", is_staff=True, is_superuser=True
    )
    user.set_unusable_password()  # signed in with force_login: no password hashing
    user.save()
    return user


@pytest.fixture
def bob():
    return make_user_client("Bob Mensah", "bob.mensah@example.com")


def request_as_client(start=None, **fields) -> Booking:
    """A request made on the public booking page (the client chooses a free time)."""
    request = services.BookingRequest(
        session_type=Booking._meta.get_field("session_type").related_model.objects.get(slug="headshot"),
        start=start or local(days=5, hour=10),
        name=fields.pop("name", "Bob Mensah"),
        email=fields.pop("email", "bob.mensah@example.com"),
        **fields,
    )
    return services.request_booking(request)


def changes(subject) -> list[tuple[str, str, str, str]]:
    """Its history, oldest first: (from, to, who, reason)."""
    return [(c.from_state, c.to_state, c.actor, c.reason) for c in subject.state_changes.order_by("at", "pk")]


def last_change(subject) -> StateChange:
    return subject.state_changes.first()  # newest first


# --- bookings ---


def test_a_request_from_the_booking_page_is_recorded_as_the_clients(bob):
    booking = request_as_client()

    assert changes(booking) == [("", "requested", "Bob Mensah (client)", "")]
    assert last_change(booking).user == bob.user


def test_a_request_the_photographer_books_for_a_client_is_recorded_as_theirs(sam):
    booking = make_booking(start=local(days=5), name="Ama Owusu", email="ama.owusu@example.com")
    services.confirm_booking(booking, by=sam)  # from the admin, as below, with the user

    assert [c[:3] for c in changes(booking)] == [
        ("", "requested", "automatic"),  # made without saying who: not pinned on anyone
        ("requested", "confirmed", "Sam Okafor (photographer)"),
    ]


def test_a_booking_the_photographer_makes_in_the_admin_is_recorded_as_theirs(client, sam, bob, studio):
    start = local(days=5, hour=8)  # before opening: the photographer may book it, a client may not
    client.force_login(sam)
    inline = "photostudio-outgoingemail-about_type-about_id"

    response = client.post(
        "/admin/bookings/booking/add/",
        {
            "client": bob.pk,
            "session_type": studio.pk,
            "start_0": f"{start:%Y-%m-%d}",
            "start_1": "08:00:00",
            "location": "studio",
            "people": "1",
            f"{inline}-TOTAL_FORMS": "0",
            f"{inline}-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    assert changes(Booking.objects.get(client=bob)) == [("", "requested", "Sam Okafor (photographer)", "")]


def test_confirming_records_the_photographer_and_when(sam):
    booking = request_as_client()

    services.confirm_booking(booking, by=sam)

    change = last_change(booking)
    assert (change.from_state, change.to_state, change.actor, change.user) == (
        "requested",
        "confirmed",
        "Sam Okafor (photographer)",
        sam,
    )
    booking.refresh_from_db()
    assert abs(change.at - booking.updated_at) < timedelta(seconds=5)


def test_declining_records_the_reason_given(sam):
    booking = request_as_client()

    services.decline_booking(booking, reason="  Away at a wedding that weekend. ", by=sam)

    assert changes(booking)[-1] == (
        "requested",
        "declined",
        "Sam Okafor (photographer)",
        "Away at a wedding that weekend.",
    )


def test_a_client_cancelling_through_their_link_is_recorded_with_their_name_and_reason(client, bob, sam):
    booking = request_as_client(start=local(days=6))
    services.confirm_booking(booking, by=sam)

    response = client.post(
        f"/bookings/{links.manage_token(booking)}/cancel/", {"reason": "Our team day moved to March."}
    )

    assert response.status_code == 302
    assert changes(booking)[-1] == ("confirmed", "cancelled", "Bob Mensah (client)", "Our team day moved to March.")


def test_the_photographer_cancelling_from_the_admin_is_recorded_as_theirs(client, sam):
    booking = request_as_client()
    client.force_login(sam)

    client.post("/admin/bookings/booking/", {"action": "cancel_selected", "_selected_action": [booking.pk]})

    assert changes(booking)[-1] == ("requested", "cancelled", "Sam Okafor (photographer)", "")


def test_completing_records_the_photographer(sam):
    booking = request_as_client()
    services.confirm_booking(booking, by=sam)

    services.complete_booking(booking, by=sam)

    assert changes(booking)[-1] == ("confirmed", "completed", "Sam Okafor (photographer)", "")


def test_a_move_records_who_moved_it_and_the_old_and_new_times_in_the_studios_zone(client, sam):
    Availability.objects.filter(pk=1).update(time_zone="America/New_York")
    booking = request_as_client(start=local(days=5, hour=10))
    services.confirm_booking(booking, by=sam)
    new_start = local(days=6, hour=14)

    services.reschedule_booking(booking, new_start=new_start, by_client=False, by=sam)
    services.reschedule_booking(booking, new_start=local(days=7, hour=9), by_client=True)

    *_, by_sam, by_bob = changes(booking)
    ny = ZoneInfo("America/New_York")
    old, new = local(days=5, hour=10).astimezone(ny), new_start.astimezone(ny)
    assert by_sam == (
        "confirmed",
        "confirmed",
        "Sam Okafor (photographer)",
        f"moved from {old:%a %d %b %Y} 10:00 to {new:%a %d %b %Y} 14:00",
    )
    assert by_bob[2] == "Bob Mensah (client)" and by_bob[3].endswith("09:00")
    client.force_login(sam)
    html = client.get(f"/admin/bookings/booking/{booking.pk}/change/").content.decode()
    assert f"<td>Sam Okafor (photographer)</td><td>still confirmed</td><td>{by_sam[3]}</td>" in html


def test_a_request_nobody_answers_lapses_automatically_with_the_reason():
    booking = request_as_client(start=local(days=10))

    assert services.lapse_overdue_requests(now=booking.lapses_at + timedelta(minutes=1)) == 1

    change = last_change(booking)
    assert (change.from_state, change.to_state, change.actor, change.user) == ("requested", "lapsed", "automatic", None)
    assert change.reason == "no answer within 72 hours"


def test_a_change_its_state_guard_refuses_leaves_no_history(sam):
    booking = request_as_client()
    services.decline_booking(booking, reason="Fully booked.", by=sam)
    before = StateChange.objects.count()

    for refused in (
        lambda: services.confirm_booking(booking, by=sam),
        lambda: services.complete_booking(booking, by=sam),
        lambda: services.cancel_booking(booking, by_client=False, by=sam),
        lambda: services.reschedule_booking(booking, new_start=local(days=8), by_client=False, by=sam),
    ):
        with pytest.raises(services.BookingError):
            refused()
    services.decline_booking(booking, reason="Again.", by=sam)  # already declined: nothing changes

    assert StateChange.objects.count() == before


def test_a_change_rolled_back_leaves_no_history(sam, monkeypatch):
    booking = request_as_client()

    def mail_server_template_broken(booking):
        raise RuntimeError("template missing")

    monkeypatch.setattr(services.emails, "booking_confirmed", mail_server_template_broken)
    with pytest.raises(RuntimeError):
        services.confirm_booking(booking, by=sam)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED
    assert [c[1] for c in changes(booking)] == ["requested"]


# --- galleries ---


def upload(name: str, seed: int) -> ContentFile:
    data = ContentFile(jpeg_bytes(size=(60, 40), seed=seed), name=name)
    data.size = len(data)
    return data


def test_the_first_upload_moves_a_draft_gallery_to_processing_once(bob, sam):
    gallery = make_gallery(bob)

    photos.add_photos(gallery, [upload("IMG_20261120_0142.jpg", 1)], queue=False, by=sam)
    photos.add_photos(gallery, [upload("2026-11-20 Bob Mensah 0143.jpg", 2)], queue=False, by=sam)

    assert changes(gallery) == [("draft", "processing", "Sam Okafor (photographer)", "")]


def test_photos_imported_on_the_server_name_the_command_in_the_history(bob, tmp_path, capsys):
    gallery = make_gallery(bob, title="Clinic team headshots")
    (tmp_path / "IMG_20261120_0142.jpg").write_bytes(jpeg_bytes(size=(60, 40), seed=1))

    call_command("import_photos", gallery.public_id, str(tmp_path))

    assert changes(gallery) == [("draft", "processing", "import_photos, on the server", "")]


def test_publishing_submitting_reopening_and_delivering_each_leave_one_row(client, bob, sam):
    gallery = make_ready_gallery(bob, photos=3, limit=2, with_files=False, status=Gallery.Status.PROCESSING)

    publishing.publish_gallery(gallery, by=sam)
    for photo in gallery.photos.order_by("order")[:2]:
        Favourite.objects.create(photo=photo, gallery=gallery)
    client.force_login(bob.user)
    client.post(f"/portal/galleries/{gallery.public_id}/submit/", {"confirm": "1"})
    selection.reopen_selection(gallery, by=sam)
    selection.submit_selection(gallery, by=bob.user)
    delivery.deliver(gallery, by=sam)

    assert changes(gallery) == [
        ("processing", "proofing", "Sam Okafor (photographer)", ""),
        ("proofing", "submitted", "Bob Mensah (client)", "2 photos chosen"),
        ("submitted", "proofing", "Sam Okafor (photographer)", ""),
        ("proofing", "submitted", "Bob Mensah (client)", "2 photos chosen"),
        ("submitted", "delivered", "Sam Okafor (photographer)", "2 photos delivered"),
    ]
    assert {c.user for c in gallery.state_changes.all()} == {sam, bob.user}


def test_a_gallery_change_its_guard_refuses_leaves_no_history(bob, sam):
    gallery = make_ready_gallery(bob, with_files=False)  # published already
    empty = make_gallery(bob, title="Team day")

    with pytest.raises(publishing.GalleryError):
        publishing.publish_gallery(gallery, by=sam)
    with pytest.raises(publishing.GalleryError):
        publishing.publish_gallery(empty, by=sam)
    with pytest.raises(selection.SelectionError):
        selection.submit_selection(gallery, by=bob.user)  # nothing chosen yet
    with pytest.raises(selection.SelectionError):
        selection.reopen_selection(gallery, by=sam)
    with pytest.raises(delivery.DeliveryError):
        delivery.deliver(gallery, by=sam)

    assert not StateChange.objects.exists()


# --- the admin pages ---


def test_a_bookings_admin_page_shows_its_history_newest_first_with_who(client, sam):
    Availability.objects.filter(pk=1).update(time_zone="America/New_York")
    booking = request_as_client()
    services.confirm_booking(booking, by=sam)
    client.force_login(sam)

    html = client.get(f"/admin/bookings/booking/{booking.pk}/change/").content.decode()

    confirmed, requested = booking.state_changes.all()
    ny = ZoneInfo("America/New_York")
    assert "Changes of state" in html
    assert f"<td>{confirmed.at.astimezone(ny):%a %d %b %Y %H:%M}</td><td>Sam Okafor (photographer)</td>" in html
    assert "<td>requested → confirmed</td>" in html
    assert html.index("Sam Okafor (photographer)") < html.index("Bob Mensah (client)") < html.index("new → requested")


def test_a_gallerys_admin_page_shows_its_history_with_who(client, bob, sam):
    gallery = make_ready_gallery(bob, photos=2, limit=1, with_files=False, status=Gallery.Status.PROCESSING)
    publishing.publish_gallery(gallery, by=sam)
    Favourite.objects.create(photo=gallery.photos.first(), gallery=gallery)
    selection.submit_selection(gallery, by=bob.user)
    client.force_login(sam)

    html = client.get(f"/admin/galleries/gallery/{gallery.pk}/change/").content.decode()

    assert "<td>Bob Mensah (client)</td><td>proofing → selection submitted</td><td>1 photo chosen</td>" in html
    assert "<td>Sam Okafor (photographer)</td><td>processing → proofing</td>" in html


def test_a_client_reason_shows_as_text_not_markup(client, bob, sam):
    booking = request_as_client(start=local(days=6))

    services.cancel_booking(booking, by_client=True, reason="<script>alert(1)</script> Sorry!")
    client.force_login(sam)
    html = client.get(f"/admin/bookings/booking/{booking.pk}/change/").content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt; Sorry!" in html
    assert "<script>alert(1)" not in html


def test_the_admin_pages_run_as_many_queries_for_a_long_history_as_for_a_short_one(client, bob, sam):
    short, long = request_as_client(), request_as_client(start=local(days=8), email="bob.mensah@example.com")
    services.confirm_booking(long, by=sam)
    for day in range(9, 15):
        services.reschedule_booking(long, new_start=local(days=day), by_client=False, by=sam)
    client.force_login(sam)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assert long.state_changes.count() == 8
    booking_page = "/admin/bookings/booking/{}/change/"
    assert queries(booking_page.format(short.pk)) == queries(booking_page.format(long.pk))

    new, old = (
        make_ready_gallery(bob, with_files=False, status=Gallery.Status.PROCESSING, title=title)
        for title in ("Team day", "Headshots")
    )
    for gallery in (new, old):  # both open for choosing, one photo chosen
        publishing.publish_gallery(gallery, by=sam)
        Favourite.objects.create(photo=gallery.photos.first(), gallery=gallery)
    for _ in range(3):
        selection.submit_selection(old, by=bob.user)
        selection.reopen_selection(old, by=sam)
    assert (new.state_changes.count(), old.state_changes.count()) == (1, 7)
    gallery_page = "/admin/galleries/gallery/{}/change/"
    assert queries(gallery_page.format(new.pk)) == queries(gallery_page.format(old.pk))


def test_the_demo_bookings_come_with_a_history_that_leads_to_their_state(client, sam):
    from photostudio import demo

    Booking.objects.all().delete()  # the demo adds bookings only to a studio that has none
    demo.seed_bookings()
    client.force_login(sam)

    for booking in Booking.objects.all():
        steps = changes(booking)
        assert steps[0][:3] == ("", "requested", f"{booking.client.name} (client)")
        assert steps[-1][1] == booking.status
        assert all(a[1] == b[0] for a, b in zip(steps, steps[1:], strict=False))  # one chain, no gaps
    cancelled = Booking.objects.get(status=Booking.Status.CANCELLED)
    html = client.get(f"/admin/bookings/booking/{cancelled.pk}/change/").content.decode()
    assert "<td>confirmed → cancelled</td><td>Our offsite moved to the spring; we&#x27;ll book again then.</td>" in html
