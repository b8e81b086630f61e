"""The photographer's side of the work after a selection: the front page lists it late first, then
due within 3 working days, then the rest, in the same few queries however much there is; the
selection's and the gallery's pages carry the button to move it on, the selection list does it in
bulk, and the promised date can be changed there (kept in the gallery's history)."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bookings.models import Availability, TimeOff
from galleries.models import Gallery, Selection
from photostudio.models import OutgoingEmail
from tests.admin_pages import form_data
from tests.factories import make_ready_gallery, make_user_client, open_every_day

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_as_in_production")]


@pytest.fixture
def photographer(client):
    user = get_user_model().objects.create_superuser("sam", "sam.carter@northlight.example", None)
    client.force_login(user)
    open_every_day()  # every day a working day: "due soon" is then the next 3 days, whatever today is
    return user


def today():
    return timezone.now().astimezone(Availability.load().tz).date()


def work(name: str, email: str, title: str, *, promised_in: int | None, stage=Selection.Stage.RECEIVED) -> Selection:
    """A client's submitted selection, promised `promised_in` days from today (None: no date)."""
    client = make_user_client(name, email)
    gallery = make_ready_gallery(client, photos=1, status=Gallery.Status.SELECTION_SUBMITTED, title=title)
    promised = None if promised_in is None else today() + timedelta(days=promised_in)
    return Selection.objects.create(gallery=gallery, promised_on=promised, stage=stage)


@pytest.fixture
def alices(photographer):
    return work("Alice Byrne-Okonkwo", "alice.byrne@byrne-cole.example", "Byrne family portraits", promised_in=5)


# --- the front page ---


def test_the_front_page_lists_late_work_first_then_work_due_soon_then_the_rest(client, photographer):
    work("Priya Raman-Whitfield", "priya.raman@example.org", "Speaker headshots", promised_in=12)
    work("Tomasz Nowak", "t.nowak@nowak-partners.example", "Nowak & Partners team", promised_in=-2)
    work("Chloé Dubois", "chloe.dubois@example.fr", "Atelier Dubois", promised_in=1, stage=Selection.Stage.EDITING)
    work("Aisha Bello", "aisha@bello.example", "Family portraits", promised_in=None)
    work("Bob Mensah", "bob.mensah@example.com", "Mensah Architects", promised_in=0, stage=Selection.Stage.READY)
    delivered = work("Ines Duarte", "ines@duarte.example", "Delivered already", promised_in=-9)
    Gallery.objects.filter(pk=delivered.gallery_id).update(status=Gallery.Status.DELIVERED)
    Selection.objects.filter(pk=delivered.pk).update(stage=Selection.Stage.DELIVERED)

    html = client.get(reverse("admin:index")).content.decode()
    section = html[html.index('id="work-in-progress"') : html.index('id="galleries-waiting"')]

    assert "Work in progress (5)" in section
    late, due_today, due_tomorrow = "Nowak &amp; Partners team", "Mensah Architects", "Atelier Dubois"
    titles = [late, due_today, due_tomorrow, "Speaker headshots", "Family portraits"]
    assert [section.index(t) for t in titles] == sorted(section.index(t) for t in titles)
    assert "Delivered already" not in section
    row = section[section.index("Nowak &amp; Partners team") - 400 :]
    assert '<strong class="late">late</strong>' in row[:400]
    atelier = section[section.index("Atelier Dubois") - 300 : section.index("Atelier Dubois") + 300]
    assert "due soon" in atelier and "In editing" in atelier and "Chloé Dubois" in atelier


def test_the_front_page_says_so_when_nothing_is_being_worked_on(client, photographer):
    assert "No selections being worked on." in client.get(reverse("admin:index")).content.decode()


def test_due_soon_counts_working_days_so_a_closed_week_ahead_does_not_hide_work(client, photographer):
    TimeOff.objects.create(first_day=today() + timedelta(days=1), last_day=today() + timedelta(days=7))
    work("Priya Raman-Whitfield", "priya.raman@example.org", "Speaker headshots", promised_in=9)

    html = client.get(reverse("admin:index")).content.decode()

    assert "due soon" in html[html.index('id="work-in-progress"') : html.index('id="galleries-waiting"')]


def test_the_work_in_progress_costs_the_same_queries_for_30_selections_as_for_3(client, photographer):
    counts = []
    for numbers in (range(3), range(3, 30)):
        for n in numbers:
            work(f"Client {n} Lindqvist-Farah", f"client{n}@lindqvist.example", f"Gallery {n}", promised_in=n - 10)
        assert client.get(reverse("admin:index")).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            html = client.get(reverse("admin:index")).content.decode()
        counts.append(len(queries))
    assert "Work in progress (30)" in html
    assert counts[0] == counts[1]


# --- moving the work on from the admin ---


def test_the_gallery_page_carries_the_button_and_pressing_it_emails_the_client(client, alices):
    page = reverse("admin:galleries_gallery_change", args=[alices.gallery_id])
    html = client.get(page).content.decode()
    assert f'action="{reverse("admin:galleries_selection_move", args=[alices.pk])}"' in html
    assert "Start editing and email Alice Byrne-Okonkwo" in html
    mail.outbox.clear()

    response = client.post(
        reverse("admin:galleries_selection_move", args=[alices.pk]), {"to": "editing", "next": page}, follow=True
    )

    assert response.redirect_chain == [(page, 302)]
    alices.refresh_from_db()
    assert alices.stage == Selection.Stage.EDITING
    assert [m.to for m in mail.outbox] == [["alice.byrne@byrne-cole.example"]]
    html = response.content.decode()
    assert "is in editing; Alice Byrne-Okonkwo has been emailed." in html
    assert "Mark ready for delivery and email Alice Byrne-Okonkwo" in html


def test_a_move_out_of_order_comes_back_with_the_reason_and_nothing_sent(client, alices):
    response = client.post(reverse("admin:galleries_selection_move", args=[alices.pk]), {"to": "ready"}, follow=True)

    assert "is not in editing yet: start editing it first, then mark it ready." in response.content.decode()
    alices.refresh_from_db()
    assert alices.stage == Selection.Stage.RECEIVED
    assert not OutgoingEmail.objects.filter(kind="selection_ready").exists()


@pytest.mark.parametrize("to", ["delivered", "received", "", "editing'; DROP TABLE", "ready" * 200])
def test_a_stage_that_is_not_a_move_gets_a_400_with_a_plain_message(client, alices, to):
    response = client.post(reverse("admin:galleries_selection_move", args=[alices.pk]), {"to": to})

    assert response.status_code == 400
    assert b"Say which stage to move the work to" in response.content


def test_a_move_goes_back_only_to_a_page_of_this_site(client, alices):
    response = client.post(
        reverse("admin:galleries_selection_move", args=[alices.pk]), {"to": "editing", "next": "https://evil.example/"}
    )

    assert response["Location"] == reverse("admin:galleries_selection_change", args=[alices.pk])


def test_moving_needs_a_post_and_the_studios_staff(client, alices):
    url = reverse("admin:galleries_selection_move", args=[alices.pk])
    assert client.get(url).status_code == 405

    client.force_login(alices.gallery.client.user)
    response = client.post(url, {"to": "editing"})

    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    alices.refresh_from_db()
    assert alices.stage == Selection.Stage.RECEIVED


def test_the_selection_list_moves_several_at_once_and_says_which_it_could_not(client, photographer, alices):
    priyas = work("Priya Raman-Whitfield", "priya.raman@example.org", "Speaker headshots", promised_in=3)
    readys = work("Bob Mensah", "bob.mensah@example.com", "Mensah Architects", promised_in=2, stage="ready")
    mail.outbox.clear()

    response = client.post(
        reverse("admin:galleries_selection_changelist"),
        {"action": "start_editing_selected", "_selected_action": [alices.pk, priyas.pk, readys.pk]},
        follow=True,
    )

    html = response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == ["alice.byrne@byrne-cole.example", "priya.raman@example.org"]
    assert "“Mensah Architects” is already ready: only a selection just received can go into editing." in html
    assert set(Selection.objects.values_list("stage", flat=True)) == {"editing", "ready"}

    client.post(
        reverse("admin:galleries_selection_changelist"),
        {"action": "mark_ready_selected", "_selected_action": [alices.pk, priyas.pk]},
    )
    assert set(Selection.objects.values_list("stage", flat=True)) == {"ready"}
    assert OutgoingEmail.objects.filter(kind="selection_ready").count() == 2


def test_the_selection_list_filters_by_stage(client, alices):
    work("Priya Raman-Whitfield", "priya.raman@example.org", "Speaker headshots", promised_in=3, stage="editing")

    html = client.get(reverse("admin:galleries_selection_changelist") + "?stage=editing").content.decode()

    assert "Speaker headshots" in html and "Byrne family portraits" not in html


def test_the_photographer_changes_the_promised_date_and_the_gallerys_history_keeps_it(client, alices):
    url = reverse("admin:galleries_selection_change", args=[alices.pk])
    new_date = today() + timedelta(days=9)
    data = form_data(client.get(url).content.decode()) | {"promised_on": new_date.isoformat()}

    response = client.post(url, data)

    assert response.status_code == 302
    alices.refresh_from_db()
    assert alices.promised_on == new_date
    assert alices.gallery.state_changes.filter(reason__startswith=f"Delivery promised by {new_date:%A}").exists()
    assert not OutgoingEmail.objects.filter(to="alice.byrne@byrne-cole.example").exists()  # told in the next email


def test_a_promised_date_that_is_not_a_date_is_refused_on_the_form(client, alices):
    url = reverse("admin:galleries_selection_change", args=[alices.pk])
    data = form_data(client.get(url).content.decode()) | {"promised_on": "31/02/2026"}

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()
    before = alices.promised_on
    alices.refresh_from_db()
    assert alices.promised_on == before
