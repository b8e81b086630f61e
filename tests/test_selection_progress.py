"""The work after the client's choice: sending the selection promises a date counted in the studio's
working days from the session type's turnaround; the photographer moves the work to in editing,
then ready, each with an email to the client, never out of order and harmlessly twice; delivering
the gallery makes it delivered. The client follows it on their page; bob sees nothing of alice's.

The studio works Monday to Friday in London unless a test says otherwise; the clock is set to a
known moment so the promised dates can be written out."""

from datetime import UTC, date, datetime, time

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from bookings.models import Availability, SessionType, TimeOff, WorkingHours
from galleries import delivery, progress, selection
from galleries.models import Favourite, Gallery, Photo, Selection
from photostudio.models import OutgoingEmail, StateChange
from tests.factories import local, make_booking, make_ready_gallery, make_session_type, make_user_client, open_every_day

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_as_in_production")]

ALICE_EMAIL = "alice.byrne@byrne-cole.example"
NAMES = ["IMG_20261120_0142.jpg", "IMG_20261120_0143.jpg", "IMG_20261120_0150.jpg"]
# Friday 4 December 2026, 15:00 in London.
FRIDAY_AFTERNOON = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """Set the clock every service and auto_now_add field reads."""

    def set_to(moment: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_to


def studio_works_weekdays(time_zone: str = "Europe/London") -> None:
    availability = open_every_day(time_zone=time_zone)
    WorkingHours.objects.filter(availability=availability, weekday__gte=5).delete()


@pytest.fixture
def alice(db):
    return make_user_client("Alice Byrne-Okonkwo", ALICE_EMAIL)


@pytest.fixture
def portrait(db):
    open_every_day()  # so the booking below can be made whatever today is
    session = make_session_type(kind="portrait", name="Personal portrait", slug="portrait", turnaround_days=5)
    return make_booking(session, local(days=3), name="Alice Byrne-Okonkwo", email=ALICE_EMAIL)


@pytest.fixture
def gallery(alice, portrait):
    """Alice's portraits from her booked session (5 working days' turnaround): she chose two."""
    studio_works_weekdays()
    gallery = make_ready_gallery(alice, photos=3, limit=2, booking=portrait, title="Portraits at the Canal Works")
    for photo, name in zip(gallery.photos.order_by("order"), NAMES, strict=True):
        Photo.objects.filter(pk=photo.pk).update(original_name=name)
    for photo in gallery.photos.order_by("order")[:2]:
        Favourite.objects.create(photo=photo, gallery=gallery)
    return gallery


def sent(gallery: Gallery, clock, at: datetime = FRIDAY_AFTERNOON) -> Selection:
    clock(at)
    return selection.submit_selection(gallery)


def emails_to_alice(kind: str) -> list:
    return list(OutgoingEmail.objects.filter(kind=kind, to=ALICE_EMAIL))


# --- the promised date ---


def test_a_selection_sent_on_a_friday_is_promised_five_working_days_later_and_the_receipt_says_so(gallery, clock):
    mail.outbox.clear()

    chosen = sent(gallery, clock)

    assert chosen.promised_on == date(2026, 12, 11)  # Mon 7 .. Fri 11
    assert chosen.stage == Selection.Stage.RECEIVED
    (receipt,) = [m for m in mail.outbox if m.to == [ALICE_EMAIL]]
    assert "Your finished photos will be ready by Friday 11 December." in receipt.body
    assert "<strong>Friday 11 December</strong>" in receipt.alternatives[0][0]


def test_across_the_easter_bank_holidays_the_promise_skips_them_and_every_stage_sends_its_email(gallery, clock):
    # Good Friday and Easter Monday 2027 taken off; the clocks go forward in between.
    TimeOff.objects.create(first_day=date(2027, 3, 26), last_day=date(2027, 3, 26), note="Good Friday")
    TimeOff.objects.create(first_day=date(2027, 3, 29), last_day=date(2027, 3, 29), note="Easter Monday")
    mail.outbox.clear()  # the booking's own

    chosen = sent(gallery, clock, at=datetime(2027, 3, 25, 15, 0, tzinfo=UTC))  # Maundy Thursday

    # Tue 30, Wed 31, Thu 1, Fri 2, Mon 5: five working days, not counting the long weekend.
    assert chosen.promised_on == date(2027, 4, 5)
    clock(datetime(2027, 3, 30, 9, 0, tzinfo=UTC))
    progress.start_editing(chosen)
    clock(datetime(2027, 4, 2, 16, 0, tzinfo=UTC))
    progress.mark_ready(chosen)
    clock(datetime(2027, 4, 5, 10, 0, tzinfo=UTC))
    delivery.deliver(gallery)

    chosen.refresh_from_db()
    assert chosen.stage == Selection.Stage.DELIVERED
    # One email caught at each stage, in order: received, in editing, ready, delivered.
    kinds = ["selection_receipt", "selection_editing", "selection_ready", "gallery_delivered"]
    stored = [email for kind in kinds for email in emails_to_alice(kind)]
    assert [email.kind for email in stored] == kinds
    caught = [m for m in mail.outbox if m.to == [ALICE_EMAIL]]
    assert [m.subject for m in caught] == [email.subject for email in stored]
    assert "Monday 5 April" in caught[0].body and "Monday 5 April" in caught[1].body


def test_a_week_of_time_off_moves_the_promise_a_week_but_an_afternoon_off_does_not(gallery, clock):
    TimeOff.objects.create(first_day=date(2026, 12, 7), last_day=date(2026, 12, 11), note="Family holiday")
    TimeOff.objects.create(
        first_day=date(2026, 12, 15), start_time=time(13), last_day=date(2026, 12, 15), note="Dentist"
    )

    assert sent(gallery, clock).promised_on == date(2026, 12, 18)


def test_a_day_whose_working_hours_are_all_taken_off_by_the_hour_moves_the_promise_a_day(gallery, clock):
    # The studio works 09:00 to 17:00 (the fixture); Wednesday 9 December is off from 08:30 to 18:00.
    TimeOff.objects.create(
        first_day=date(2026, 12, 9), start_time=time(8, 30), last_day=date(2026, 12, 9), end_time=time(18)
    )

    assert sent(gallery, clock).promised_on == date(2026, 12, 14)  # Mon 7, Tue 8, Thu 10, Fri 11, Mon 14


def test_the_day_of_arrival_is_the_studios_day_in_auckland(gallery, clock):
    Availability.objects.update(time_zone="Pacific/Auckland")
    # Friday 11:30 UTC is Saturday 00:30 in Auckland: counted as Monday, so 5 working days end on Monday.
    assert sent(gallery, clock, datetime(2026, 12, 4, 11, 30, tzinfo=UTC)).promised_on == date(2026, 12, 14)


def test_a_gallery_without_a_booking_is_promised_the_quickest_turnaround_on_offer(alice, clock):
    studio_works_weekdays()
    make_session_type(kind="headshot", slug="headshot", turnaround_days=3)
    make_session_type(kind="portrait", slug="portrait", turnaround_days=8)
    make_session_type(kind="both", slug="retired", turnaround_days=1, is_active=False)
    gallery = make_ready_gallery(alice, photos=2, limit=2)
    Favourite.objects.create(photo=gallery.photos.first(), gallery=gallery)

    assert sent(gallery, clock).promised_on == date(2026, 12, 9)  # Mon, Tue, Wed


def test_with_no_session_types_at_all_the_promise_is_ten_working_days(alice, clock):
    studio_works_weekdays()
    SessionType.objects.all().delete()
    gallery = make_ready_gallery(alice, photos=2, limit=2)
    Favourite.objects.create(photo=gallery.photos.first(), gallery=gallery)

    assert sent(gallery, clock).promised_on == date(2026, 12, 18)


def test_reopened_and_sent_again_the_promise_counts_from_the_new_day(gallery, clock):
    first = sent(gallery, clock)
    selection.reopen_selection(gallery)

    again = sent(gallery, clock, datetime(2026, 12, 9, 10, 0, tzinfo=UTC))  # the Wednesday after

    assert again.pk != first.pk
    assert again.promised_on == date(2026, 12, 16)
    assert progress.current_selection(gallery) == again


# --- moving the work on ---


def test_starting_the_editing_emails_the_client_with_the_promised_date(gallery, clock):
    chosen = sent(gallery, clock)
    mail.outbox.clear()

    assert progress.start_editing(chosen) is True

    chosen.refresh_from_db()
    assert chosen.stage == Selection.Stage.EDITING and chosen.editing_at == FRIDAY_AFTERNOON
    (email,) = emails_to_alice("selection_editing")
    assert email.subject == "We're editing your photos from “Portraits at the Canal Works”"
    (message,) = mail.outbox
    assert "They'll be ready by Friday 11 December." in message.body
    assert "<strong>Friday 11 December</strong>" in message.alternatives[0][0]
    assert "next=%2Fportal%2F" in message.body  # the link opens the client's page, where the stage shows


def test_starting_the_editing_twice_changes_nothing_and_sends_one_email(gallery, clock):
    chosen = sent(gallery, clock)
    progress.start_editing(chosen)

    assert progress.start_editing(chosen) is False

    assert len(emails_to_alice("selection_editing")) == 1


def test_marking_it_ready_before_the_editing_began_is_refused(gallery, clock):
    chosen = sent(gallery, clock)

    with pytest.raises(progress.ProgressError, match="not in editing yet: start editing it first, then mark it ready"):
        progress.mark_ready(chosen)

    chosen.refresh_from_db()
    assert chosen.stage == Selection.Stage.RECEIVED
    assert not emails_to_alice("selection_ready")


def test_ready_after_editing_tells_the_client_the_photos_are_being_prepared(gallery, clock):
    chosen = sent(gallery, clock)
    progress.start_editing(chosen)
    clock(datetime(2026, 12, 9, 16, 0, tzinfo=UTC))

    assert progress.mark_ready(chosen) is True

    chosen.refresh_from_db()
    assert chosen.stage == Selection.Stage.READY
    (email,) = emails_to_alice("selection_ready")
    assert "preparing them for delivery now" in email.text
    assert "ready to download by Friday 11 December" in email.text
    assert "ready to download by <strong>Friday 11 December</strong>" in email.html


def test_going_back_from_ready_to_editing_is_refused(gallery, clock):
    chosen = sent(gallery, clock)
    progress.start_editing(chosen)
    progress.mark_ready(chosen)

    with pytest.raises(progress.ProgressError, match="already ready: only a selection just received can go into"):
        progress.start_editing(chosen)


def test_late_work_is_owned_up_to_in_the_email(gallery, clock):
    chosen = sent(gallery, clock)
    clock(datetime(2026, 12, 14, 9, 0, tzinfo=UTC))  # the Monday after the promised Friday

    progress.start_editing(chosen)

    (email,) = emails_to_alice("selection_editing")
    assert "We're behind the date we gave you (Friday 11 December), sorry" in email.text
    assert "They'll be ready by" not in email.text


def test_each_move_is_kept_in_the_gallerys_history(gallery, clock):
    chosen = sent(gallery, clock)
    progress.start_editing(chosen)
    progress.mark_ready(chosen)

    reasons = list(gallery.state_changes.values_list("reason", flat=True))
    assert "The work on the selection: selection received → in editing" in reasons
    assert "The work on the selection: in editing → ready" in reasons


def test_delivering_the_gallery_makes_the_work_delivered_with_the_delivery_email_only(gallery, clock):
    chosen = sent(gallery, clock)
    progress.start_editing(chosen)
    clock(datetime(2026, 12, 10, 11, 0, tzinfo=UTC))

    delivery.deliver(gallery)

    chosen.refresh_from_db()
    assert chosen.stage == Selection.Stage.DELIVERED
    assert chosen.delivered_at == datetime(2026, 12, 10, 11, 0, tzinfo=UTC)
    assert len(emails_to_alice("gallery_delivered")) == 1
    assert not emails_to_alice("selection_ready")
    with pytest.raises(progress.ProgressError, match="no longer the one being worked on"):
        progress.mark_ready(chosen)


def test_a_reopened_selection_can_no_longer_be_moved(gallery, clock):
    chosen = sent(gallery, clock)
    selection.reopen_selection(gallery)

    with pytest.raises(progress.ProgressError):
        progress.start_editing(chosen)
    assert not emails_to_alice("selection_editing")


def test_changing_the_promised_date_is_kept_and_the_next_email_gives_the_new_one(gallery, clock):
    chosen = sent(gallery, clock)

    assert progress.change_promise(chosen, date(2026, 12, 16)) is True
    assert progress.change_promise(chosen, date(2026, 12, 16)) is False
    progress.start_editing(chosen)

    assert StateChange.objects.filter(
        reason="Delivery promised by Wednesday 16 December 2026 (was Friday 11 December 2026)"
    ).exists()
    (email,) = emails_to_alice("selection_editing")
    assert "They'll be ready by Wednesday 16 December." in email.text


# --- the client's page ---


def test_the_clients_page_shows_the_steps_with_the_current_one_marked_and_the_date(client, alice, gallery, clock):
    chosen = sent(gallery, clock)
    progress.start_editing(chosen)
    client.force_login(alice.user)

    html = client.get(reverse("portal:dashboard")).content.decode()

    assert '<ol class="work-steps" aria-label="Where your photos are">' in html
    assert 'class="work-step is-done">Received<span class="visually-hidden"> (done)</span></li>' in html
    assert 'class="work-step is-current" aria-current="step">In editing</li>' in html
    assert html.count('aria-current="step"') == 1
    assert "Promised by <strong>Friday 11 December</strong>" in html


def test_late_work_says_so_plainly_on_the_clients_page(client, alice, gallery, clock):
    sent(gallery, clock)
    clock(datetime(2026, 12, 15, 9, 0, tzinfo=UTC))
    client.force_login(alice.user)

    html = client.get(reverse("portal:dashboard")).content.decode()

    assert "<strong>Running late:</strong> we promised Friday 11 December" in html
    assert "Promised by" not in html


def test_a_delivered_gallery_shows_every_step_done_and_the_day_it_came(client, alice, gallery, clock):
    sent(gallery, clock)
    clock(datetime(2026, 12, 10, 11, 0, tzinfo=UTC))
    delivery.deliver(gallery)
    client.force_login(alice.user)

    html = client.get(reverse("portal:dashboard")).content.decode()

    assert 'class="work-step is-current" aria-current="step">Delivered</li>' in html
    assert "Delivered Thursday 10 December" in html


def test_while_the_client_is_choosing_there_are_no_steps(client, alice, gallery):
    client.force_login(alice.user)

    assert "work-steps" not in client.get(reverse("portal:dashboard")).content.decode()


def test_the_clients_page_reads_the_work_of_five_galleries_in_the_queries_of_one(client, alice, gallery, clock):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sent(gallery, clock)
    client.force_login(alice.user)
    counts = []
    for n in range(2):
        client.get(reverse("portal:dashboard"))  # warm-up: the studio's zone read once, then cached
        with CaptureQueriesContext(connection) as queries:
            html = client.get(reverse("portal:dashboard")).content.decode()
        counts.append(len(queries))
        for k in range(4):
            more = make_ready_gallery(alice, photos=1, status=Gallery.Status.SELECTION_SUBMITTED, title=f"Team {n}{k}")
            Selection.objects.create(gallery=more, promised_on=date(2026, 12, 18))
    assert html.count("work-steps") == 5
    assert counts[0] == counts[1]


def test_bob_sees_nothing_of_alices_work_on_his_page(client, gallery, clock):
    sent(gallery, clock)
    bob = make_user_client("Bob Mensah", "bob.mensah@mensah-architects.example")
    make_ready_gallery(bob, title="Mensah Architects team")
    client.force_login(bob.user)

    html = client.get(reverse("portal:dashboard")).content.decode()

    assert "Mensah Architects team" in html
    assert "Canal Works" not in html and "11 December" not in html and "work-steps" not in html


# --- upgrading a studio with selections sent before the stages ---


def test_the_upgrade_gives_old_selections_their_stage_and_a_promise(alice, portrait, clock):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    studio_works_weekdays()
    done = make_ready_gallery(alice, photos=1, status=Gallery.Status.DELIVERED, title="Delivered in November")
    Gallery.objects.filter(pk=done.pk).update(delivered_at=datetime(2026, 11, 20, 10, 0, tzinfo=UTC))
    waiting = make_ready_gallery(alice, photos=1, status=Gallery.Status.SELECTION_SUBMITTED, booking=portrait)
    clock(FRIDAY_AFTERNOON)
    old_done, old_waiting = Selection.objects.create(gallery=done), Selection.objects.create(gallery=waiting)
    if connection.vendor == "postgresql":  # rows written in this transaction: their checks done first,
        with connection.cursor() as cursor:  # as PostgreSQL changes no table's indexes while some wait
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate([("galleries", "0011_near_duplicates_orders_and_progress")])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    old_done.refresh_from_db()
    old_waiting.refresh_from_db()
    assert (old_done.stage, old_done.delivered_at) == ("delivered", datetime(2026, 11, 20, 10, 0, tzinfo=UTC))
    assert old_done.promised_on is None
    assert (old_waiting.stage, old_waiting.promised_on) == ("received", date(2026, 12, 11))


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_editing_email_once_however_often_the_button_is_pressed(
    celery_worker, mail_sink, gallery
):
    from email.header import decode_header, make_header

    from photostudio.celery import EMAIL_QUEUE
    from photostudio.tasks import ping
    from tests.helpers import wait_until

    def editing(m) -> bool:
        return str(make_header(decode_header(m["Subject"]))) == subject

    chosen = selection.submit_selection(gallery)

    progress.start_editing(chosen)
    progress.start_editing(chosen)

    subject = "We're editing your photos from “Portraits at the Canal Works”"
    wait_until(lambda: any(editing(m) for m in mail_sink.messages), timeout=30)
    ping.apply_async(queue=EMAIL_QUEUE).get(timeout=60)  # a duplicate would have arrived by now
    (message,) = [m for m in mail_sink.messages if editing(m)]
    assert message["To"] == ALICE_EMAIL
    assert OutgoingEmail.objects.get(kind="selection_editing").status == OutgoingEmail.Status.SENT
